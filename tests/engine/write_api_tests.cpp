// The write API in-process: publish, edit, status changes (and the latest version through them), validate and
// anonymous tokens, plus DELETE, the audit log, the publish policy and the host's package verifier, hostile
// bodies, concurrency, a crash in the middle of publishing and a full disk.
#include <mcpreg/engine/registry.hpp>
#include <mcpreg/model/json.hpp>

#include "engine_fixture.hpp"
#include "test_data.hpp"

#include <doctest/doctest.h>

#include <boost/json/serialize.hpp>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace json = boost::json;
using namespace mcpreg;
using engine::permission;
using test::answer;
using test::call;

namespace {

json::object server_json(std::string_view name, std::string_view version, std::string_view description = "d")
{
    return {{"$schema", model::current_schema_url}, {"name", name}, {"description", description}, {"version", version}};
}

json::object with_remote(json::object s, std::string_view url)
{
    s["remotes"] = json::array{{{"type", "streamable-http"}, {"url", url}}};
    return s;
}

const json::value& official(const answer& a) { return a.body.at("_meta").at(model::official_meta_key); }

std::string latest_version(engine::registry& reg, const std::string& name, bool include_deleted = false)
{
    auto a = call(reg, "GET",
                  "/v0.1/servers/" + name + "/versions/latest" + (include_deleted ? "?include_deleted=true" : ""));
    return a.res.status == 200 ? std::string(a.body.at("server").at("version").as_string()) : "404";
}

int latest_flags(engine::registry& reg, const std::string& encoded_name)
{
    auto a = call(reg, "GET", "/v0.1/servers/" + encoded_name + "/versions?include_deleted=true");
    int flagged = 0;
    for (const auto& item : a.body.at("servers").as_array())
        flagged += item.at("_meta").at(model::official_meta_key).at("isLatest") == true;
    return flagged;
}

}  // namespace

TEST_CASE("publish: permissions, bad tokens, duplicates, name patterns, schemas, _meta limits, unique remote URLs" *
          doctest::test_suite("writes"))
{
    auto reg = test::open_registry();
    const auto example = reg.issue_token({{"publish", "io.github.example/*"}});
    const auto plain = reg.issue_token({{"publish", "example/*"}});
    const auto everything = reg.issue_token({{"publish", "*"}});
    for (std::string v : {"/v0", "/v0.1"}) {
        const std::string suffix = v == "/v0" ? "" : "-01";
        auto document = server_json("io.github.example/test-server" + suffix, "1.0.0");
        document["repository"] = {{"url", "https://github.com/example/test-server"}, {"source", "github"}};
        auto published = call(reg, "POST", v + "/publish", document, example);
        REQUIRE_MESSAGE(published.res.status == 200, published.res.body);
        CHECK(published.body.at("server").at("name") == document.at("name"));
        CHECK(official(published).at("status") == "active");
        CHECK(official(published).at("isLatest") == true);
        CHECK(
            call(reg, "POST", v + "/publish", server_json("example/test-server" + suffix, "1.0.0"), plain).res.status ==
            200);

        auto no_token = call(reg, "POST", v + "/publish", json::object{});
        CHECK(no_token.res.status == 422);
        CHECK(no_token.mentions("required header parameter is missing"));
        engine::request bad_format;
        bad_format.method = "POST";
        bad_format.target = v + "/publish";
        bad_format.headers.push_back({"Authorization", "InvalidFormat"});
        bad_format.body = json::serialize(server_json("example/x" + suffix, "1.0.0"));
        auto bad_header = reg.handle(bad_format);
        CHECK(bad_header.status == 401);
        CHECK(bad_header.body.find("Invalid Authorization header format") != std::string::npos);
        auto bad_token = call(reg, "POST", v + "/publish", server_json("example/x" + suffix, "1.0.0"), "invalidToken");
        CHECK(bad_token.res.status == 401);
        CHECK(bad_token.detail() == "Invalid or expired Registry JWT token");
        auto other_namespace =
            call(reg, "POST", v + "/publish", server_json("io.github.other/test-server", "1.0.0"), example);
        CHECK(other_namespace.res.status == 403);
        CHECK(other_namespace.detail().starts_with("You do not have permission to publish this server."));
        CHECK(other_namespace.mentions("io.github.example/*"));
        CHECK(other_namespace.mentions("Attempting to publish: io.github.other/test-server"));
        auto duplicate =
            call(reg, "POST", v + "/publish", server_json("example/test-server" + suffix, "1.0.0"), everything);
        CHECK(duplicate.res.status == 400);
        CHECK(duplicate.mentions("invalid version: cannot publish duplicate version"));
    }
    auto mcpb = server_json("com.example/mcpb", "1.0.0");
    mcpb["packages"] = json::parse(R"([{"registryType": "mcpb", "identifier":
        "https://github.com/example/server/releases/download/v1.0.0/server-mcp.mcpb",
        "fileSha256": "fe333e598595000ae021bd27117db32ec69af6987f507ba7a63c90638ff633ce", "transport": {"type": "stdio"}}])");
    CHECK(call(reg, "POST", "/v0.1/publish", mcpb, everything).res.status == 200);
    // A name has exactly one slash, with something on either side.
    for (auto name : {"com.example/server/path", "org.company/dept/team/project", "com.example//double-slash",
                      "a/b/c/d/e/f", "com.example/server/", "/com.example/server", "usr/local/bin/server"}) {
        auto a = call(reg, "POST", "/v0.1/publish", server_json(name, "1.0.0"), everything);
        CHECK_MESSAGE(a.res.status == 422, name);
        CHECK(a.mentions("expected string to match pattern"));
    }
    CHECK(call(reg, "POST", "/v0.1/publish", server_json("com.example/server", "1.0.0"), everything).res.status == 200);
    auto ranged = call(reg, "POST", "/v0.1/publish", server_json("com.example/ranged", "^1.0.0"), everything);
    CHECK(ranged.res.status == 422);
    CHECK(ranged.detail() == "Failed to publish server, invalid schema: call /validate for details");
    auto snake = server_json("com.example/snake", "1.0.0");
    snake["packages"] = json::parse(
        R"([{"registry_type": "npm", "identifier": "x", "version": "1.0.0", "transport": {"type": "stdio"}}])");
    auto snake_case = call(reg, "POST", "/v0.1/publish", snake, everything);
    CHECK(snake_case.res.status == 422);
    CHECK(snake_case.mentions("expected required property registryType to be present"));
    CHECK(snake_case.mentions("body.packages[0].registry_type"));
    auto meta = server_json("com.example/meta", "1.0.0");
    meta["_meta"] = {{"io.modelcontextprotocol.registry/publisher-provided", {{"k", "v"}}}, {"tools", json::array{}}};
    auto unknown_meta = call(reg, "POST", "/v0.1/publish", meta, everything);
    CHECK(unknown_meta.res.status == 422);
    CHECK(unknown_meta.mentions("unexpected property"));
    auto big_meta = server_json("com.example/meta", "1.0.0");
    big_meta["_meta"] = {{"io.modelcontextprotocol.registry/publisher-provided", {{"blob", std::string(5000, 'x')}}}};
    auto too_big = call(reg, "POST", "/v0.1/publish", big_meta, everything);
    CHECK(too_big.res.status / 100 == 4);
    CHECK(too_big.mentions("exceeds 4KB limit"));
    auto no_schema = server_json("com.example/no-schema", "1.0.0");
    no_schema.erase("$schema");
    CHECK(call(reg, "POST", "/v0.1/publish", no_schema, everything).res.status == 422);
    auto unknown_schema = server_json("com.example/unknown-schema", "1.0.0");
    unknown_schema["$schema"] = "https://static.modelcontextprotocol.io/schemas/2025-01-27/server.schema.json";
    CHECK(call(reg, "POST", "/v0.1/publish", unknown_schema, everything).res.status == 422);
    auto old_schema = server_json("com.example/old-schema", "1.0.0");
    old_schema["$schema"] = "https://static.modelcontextprotocol.io/schemas/2025-07-09/server.schema.json";
    CHECK(call(reg, "POST", "/v0.1/publish", old_schema, everything).res.status == 200);

    // Remote URLs are unique across servers, among rows that are not deleted.
    CHECK(call(reg, "POST", "/v0.1/publish",
               with_remote(server_json("com.example/existing-server", "1.0.0"), "https://api.example.com/mcp"),
               everything)
              .res.status == 200);
    auto taken =
        call(reg, "POST", "/v0.1/publish",
             with_remote(server_json("com.example/newcomer", "1.0.0"), "https://api.example.com/mcp"), everything);
    CHECK(taken.res.status == 400);
    CHECK(
        taken.mentions("remote URL https://api.example.com/mcp is already used by server com.example/existing-server"));
    CHECK(call(reg, "POST", "/v0.1/publish",
               with_remote(server_json("com.example/existing-server", "1.1.0"), "https://api.example.com/mcp"),
               everything)
              .res.status == 200);  // the server that holds the URL keeps it
    const auto admin = reg.issue_token({{"publish", "*"}, {"edit", "*"}});
    CHECK(call(reg, "PATCH", "/v0.1/servers/com.example%2Fexisting-server/status", json::object{{"status", "deleted"}},
               admin)
              .res.status == 200);
    CHECK(call(reg, "POST", "/v0.1/publish",
               with_remote(server_json("com.example/newcomer", "1.0.0"), "https://api.example.com/mcp"),
               everything)
              .res.status == 200);  // free again once its holder is deleted
}

TEST_CASE("the version cap, and the latest version through publishes and status changes" *
          doctest::test_suite("writes"))
{
    engine::registry_options options;
    options.max_versions_per_server = 3;
    auto reg = test::open_registry(options);
    const auto token = reg.issue_token({{"publish", "*"}, {"edit", "*"}});
    for (auto v : {"1.0.0", "1.1.0", "1.2.0"})
        CHECK(call(reg, "POST", "/v0.1/publish", server_json("com.example/capped", v), token).res.status == 200);
    auto capped = call(reg, "POST", "/v0.1/publish", server_json("com.example/capped", "1.3.0"), token);
    CHECK(capped.res.status == 400);
    CHECK(capped.mentions("maximum number of versions for this server reached (3)"));

    auto publish = [&](const std::string& name, std::initializer_list<const char*> versions) {
        for (auto v : versions)
            REQUIRE(call(reg, "POST", "/v0.1/publish", server_json(name, v), token).res.status == 200);
    };
    auto status = [&](const std::string& encoded, const std::string& version, const char* to) {
        return call(reg, "PATCH", "/v0.1/servers/" + encoded + "/versions/" + version + "/status",
                    json::object{{"status", to}}, token);
    };
    publish("com.example/unordered", {"2.0.0", "1.0.0", "2.1.0"});
    CHECK(latest_version(reg, "com.example%2Funordered") == "2.1.0");
    CHECK(latest_flags(reg, "com.example%2Funordered") == 1);
    publish("com.example/lower-later", {"1.0.0", "0.0.59"});
    CHECK(latest_version(reg, "com.example%2Flower-later") == "1.0.0");
    CHECK(status("com.example%2Flower-later", "1.0.0", "deleted").res.status == 200);  // the next version takes over
    CHECK(latest_version(reg, "com.example%2Flower-later") == "0.0.59");
    publish("com.example/lower-later", {"0.0.60"});  // above every live version
    CHECK(latest_version(reg, "com.example%2Flower-later") == "0.0.60");
    CHECK(latest_flags(reg, "com.example%2Flower-later") == 1);
    publish("com.example/all-deleted", {"1.0.0", "2.0.0"});
    CHECK(
        call(reg, "PATCH", "/v0.1/servers/com.example%2Fall-deleted/status", json::object{{"status", "deleted"}}, token)
            .res.status == 200);
    CHECK(latest_version(reg, "com.example%2Fall-deleted") == "404");  // every version deleted
    CHECK(latest_version(reg, "com.example%2Fall-deleted", true) == "2.0.0");
    publish("com.example/restored", {"2.0.0", "1.0.0"});
    CHECK(status("com.example%2Frestored", "2.0.0", "deleted").res.status == 200);
    CHECK(latest_version(reg, "com.example%2Frestored") == "1.0.0");
    CHECK(status("com.example%2Frestored", "2.0.0", "active").res.status == 200);  // restored, it is latest again
    CHECK(latest_version(reg, "com.example%2Frestored") == "2.0.0");
    publish("com.example/semver-first", {"1.0.0", "snapshot"});
    CHECK(latest_version(reg, "com.example%2Fsemver-first") == "1.0.0");  // semver over a later non-semver
    publish("com.example/semver-last", {"snapshot", "0.0.1"});
    CHECK(latest_version(reg, "com.example%2Fsemver-last") == "0.0.1");  // semver over an earlier non-semver
}

TEST_CASE("edit: permissions, no renames or version changes, encoded names, status kept, deleted versions, validation" *
          doctest::test_suite("writes"))
{
    auto reg = test::open_registry();
    const auto setup = reg.issue_token({{"publish", "*"}, {"edit", "*"}});
    for (auto [name, version] :
         {std::pair{"io.github.testuser/editable-server", "1.0.0"},
          std::pair{"io.github.otheruser/other-server", "1.0.0"},
          std::pair{"io.github.testuser/build-metadata-server", "1.0.0+20130313144700"},
          std::pair{"io.dots.and-dashes/server_with_underscores", "1.0.0"},
          std::pair{"io.github.testuser/multi", "1.0.0"}, std::pair{"io.github.testuser/multi", "2.0.0"}})
        REQUIRE(call(reg, "POST", "/v0.1/publish", server_json(name, version), setup).res.status == 200);
    const auto editor = reg.issue_token({{"edit", "io.github.testuser/*"}});
    const std::string target = "/v0.1/servers/io.github.testuser%2Feditable-server/versions/1.0.0";
    auto edited =
        call(reg, "PUT", target, server_json("io.github.testuser/editable-server", "1.0.0", "updated"), editor);
    REQUIRE(edited.res.status == 200);
    CHECK(edited.body.at("server").at("description") == "updated");
    CHECK(call(reg, "GET", target).body.at("server").at("description") == "updated");
    CHECK(call(reg, "PUT", target, server_json("io.github.testuser/editable-server", "1.0.0"))
              .mentions("required header parameter is missing"));
    CHECK(call(reg, "PUT", target, server_json("io.github.testuser/editable-server", "1.0.0"), "invalid-token")
              .res.status == 401);
    auto publish_only = call(reg, "PUT", target, server_json("io.github.testuser/editable-server", "1.0.0"),
                             reg.issue_token({{"publish", "io.github.testuser/*"}}));
    CHECK(publish_only.res.status == 403);
    CHECK(publish_only.detail() == "You do not have edit permissions for this server");
    CHECK(call(reg, "PUT", "/v0.1/servers/io.github.otheruser%2Fother-server/versions/1.0.0",
               server_json("io.github.otheruser/other-server", "1.0.0"), editor)
              .res.status == 403);  // another user's server
    CHECK(call(reg, "PUT", "/v0.1/servers/io.github.testuser%2Fnon-existent/versions/1.0.0",
               server_json("io.github.testuser/non-existent", "1.0.0"), editor)
              .detail() == "Server not found");
    CHECK(call(reg, "PUT", target, server_json("io.github.testuser/renamed-server", "1.0.0"), editor).detail() ==
          "Cannot rename server");
    CHECK(call(reg, "PUT", target, server_json("io.github.testuser/editable-server", "2.0.0"), editor).detail() ==
          "Version in request body must match URL path parameter");
    CHECK(call(reg, "PUT", "/v0.1/servers/io.github.testuser%2Fbuild-metadata-server/versions/1.0.0%2B20130313144700",
               server_json("io.github.testuser/build-metadata-server", "1.0.0+20130313144700", "x"), editor)
              .res.status == 200);  // build metadata in the URL
    CHECK(call(reg, "PUT", "/v0.1/servers/io.dots.and-dashes%2Fserver_with_underscores/versions/1.0.0",
               server_json("io.dots.and-dashes/server_with_underscores", "1.0.0", "x"),
               reg.issue_token({{"edit", "*"}}))
              .res.status == 200);  // dots, dashes and underscores
    CHECK(call(reg, "PUT", "/v0.1/servers/io.github.testuser%2Fmulti/versions/1.0.0",
               server_json("io.github.testuser/multi", "1.0.0", "one"), editor)
              .res.status == 200);  // one version, the others untouched
    CHECK(call(reg, "GET", "/v0.1/servers/io.github.testuser%2Fmulti/versions/2.0.0")
              .body.at("server")
              .at("description") == "d");
    CHECK(call(reg, "PATCH", target + "/status",
               json::object{{"status", "deprecated"}, {"statusMessage", "This server is deprecated"}}, editor)
              .res.status == 200);
    auto after_status =
        call(reg, "PUT", target, server_json("io.github.testuser/editable-server", "1.0.0", "again"), editor);
    CHECK(official(after_status).at("status") == "deprecated");
    CHECK(official(after_status).at("statusMessage") == "This server is deprecated");
    CHECK(call(reg, "PATCH", target + "/status", json::object{{"status", "deleted"}}, editor).res.status == 200);
    CHECK(call(reg, "PUT", target, server_json("io.github.testuser/editable-server", "1.0.0"), editor).res.status ==
          404);  // a deleted version
    auto invalid = server_json("io.github.testuser/multi", "1.0.0");
    invalid["websiteUrl"] = "ftp://example.com";
    CHECK(call(reg, "PUT", "/v0.1/servers/io.github.testuser%2Fmulti/versions/1.0.0", invalid, editor).detail() ==
          "Failed to edit server, invalid schema: call /validate for details");
}

TEST_CASE("the status of one version: transitions, messages, permissions, statusChangedAt, remote URLs on restore" *
          doctest::test_suite("writes"))
{
    auto reg = test::open_registry();
    const auto setup = reg.issue_token({{"publish", "*"}, {"edit", "*"}});
    for (auto name : {"active-server", "deprecated-server", "deleted-server", "same-status-test"})
        REQUIRE(
            call(reg, "POST", "/v0.1/publish", server_json(std::string("io.github.testuser/") + name, "1.0.0"), setup)
                .res.status == 200);
    REQUIRE(call(reg, "POST", "/v0.1/publish", server_json("io.github.otheruser/other-server", "1.0.0"), setup)
                .res.status == 200);
    REQUIRE(call(reg, "POST", "/v0.1/publish", server_json("io.github.testuser/build", "1.0.0+20130313144700"), setup)
                .res.status == 200);
    auto path = [](std::string name) {
        return "/v0.1/servers/io.github.testuser%2F" + name + "/versions/1.0.0/status";
    };
    REQUIRE(call(reg, "PATCH", path("deprecated-server"), json::object{{"status", "deprecated"}}, setup).res.status ==
            200);
    REQUIRE(call(reg, "PATCH", path("deleted-server"), json::object{{"status", "deleted"}}, setup).res.status == 200);
    const auto publisher = reg.issue_token({{"publish", "io.github.testuser/*"}});

    auto deprecated = call(reg, "PATCH", path("active-server"), json::object{{"status", "deprecated"}}, publisher);
    CHECK(official(deprecated).at("status") == "deprecated");
    const auto changed_at = std::string(official(deprecated).at("statusChangedAt").as_string());
    auto deleted =
        call(reg, "PATCH", path("active-server"),
             json::object{{"status", "deleted"}, {"statusMessage", "Security vulnerability discovered"}}, publisher);
    CHECK(official(deleted).at("status") == "deleted");
    CHECK(official(deleted).at("statusMessage") == "Security vulnerability discovered");
    auto restored = call(reg, "PATCH", path("deleted-server"), json::object{{"status", "active"}}, publisher);
    CHECK(official(restored).at("status") == "active");
    CHECK_FALSE(official(restored).as_object().contains("statusMessage"));
    CHECK(call(reg, "PATCH", path("deprecated-server"), json::object{{"status", "active"}}, publisher).res.status ==
          200);  // deprecated to active
    CHECK(call(reg, "PATCH", path("active-server"), json::object{{"status", "active"}}).res.status == 422);  // no token
    CHECK(call(reg, "PATCH", path("active-server"), json::object{{"status", "active"}}, "invalid-token").res.status ==
          401);
    auto read_only =
        call(reg, "PATCH", path("active-server"), json::object{{"status", "active"}}, reg.issue_token({{"read", "*"}}));
    CHECK(read_only.res.status == 403);
    CHECK(read_only.detail() == "You do not have publish or edit permissions for this server");
    CHECK(call(reg, "PATCH", path("active-server"), json::object{{"status", "active"}},
               reg.issue_token({{"edit", "io.github.testuser/*"}}))
              .res.status == 200);  // an edit grant suffices, from deleted too
    CHECK(call(reg, "PATCH", "/v0.1/servers/io.github.otheruser%2Fother-server/versions/1.0.0/status",
               json::object{{"status", "deprecated"}}, publisher)
              .res.status == 403);  // another user's server
    CHECK(call(reg, "PATCH", path("non-existent"), json::object{{"status", "deprecated"}}, publisher).detail() ==
          "Server version not found");
    REQUIRE(
        call(reg, "PATCH", path("deprecated-server"), json::object{{"status", "deprecated"}}, publisher).res.status ==
        200);
    auto new_message =
        call(reg, "PATCH", path("deprecated-server"),
             json::object{{"status", "deprecated"}, {"statusMessage", "Updated deprecation message"}}, publisher);
    CHECK(official(new_message).at("statusMessage") == "Updated deprecation message");
    auto message_on_active = call(reg, "PATCH", path("deprecated-server"),
                                  json::object{{"status", "active"}, {"statusMessage", "x"}}, publisher);
    CHECK(message_on_active.res.status == 400);
    CHECK(message_on_active.detail() == "status_message cannot be provided when setting status to active");
    auto unchanged = call(reg, "PATCH", path("same-status-test"), json::object{{"status", "active"}}, publisher);
    CHECK(unchanged.res.status == 400);
    CHECK(unchanged.detail() == "No changes to apply: status and message are already set to the provided values");
    CHECK(call(reg, "PATCH", "/v0.1/servers/io.github.testuser%2Fbuild/versions/1.0.0%2B20130313144700/status",
               json::object{{"status", "deprecated"}, {"statusMessage", "Testing URL encoding"}}, publisher)
              .res.status == 200);  // build metadata in the URL
    CHECK(call(reg, "PATCH", path("same-status-test"), json::object{{"status", "archived"}}, publisher).res.status ==
          422);
    CHECK(call(reg, "PATCH", path("same-status-test"),
               json::object{{"status", "deprecated"}, {"statusMessage", std::string(501, 'x')}},
               publisher)
              .res.status == 422);  // a message over 500 characters
    // statusChangedAt moves with the status, not with the message.
    auto moved = call(reg, "PATCH", path("same-status-test"), json::object{{"status", "deprecated"}}, publisher);
    const auto moved_at = std::string(official(moved).at("statusChangedAt").as_string());
    auto message_only = call(reg, "PATCH", path("same-status-test"),
                             json::object{{"status", "deprecated"}, {"statusMessage", "m"}}, publisher);
    CHECK(official(message_only).at("statusChangedAt").as_string() == moved_at);
    CHECK(model::timestamp::parse(moved_at).value() >= model::timestamp::parse(changed_at).value());
    // Restoring checks the remote URL again.
    REQUIRE(call(reg, "POST", "/v0.1/publish",
                 with_remote(server_json("io.github.testuser/a-remote", "1.0.0"), "https://r.example.com/mcp"), setup)
                .res.status == 200);
    REQUIRE(call(reg, "PATCH", path("a-remote"), json::object{{"status", "deleted"}}, setup).res.status == 200);
    REQUIRE(call(reg, "POST", "/v0.1/publish",
                 with_remote(server_json("io.github.testuser/b-remote", "1.0.0"), "https://r.example.com/mcp"), setup)
                .res.status == 200);
    auto url_taken = call(reg, "PATCH", path("a-remote"), json::object{{"status", "active"}}, setup);
    CHECK(url_taken.res.status == 400);
    CHECK(url_taken.mentions("remote URL"));
    CHECK(url_taken.mentions("already used by server"));
    REQUIRE(call(reg, "POST", "/v0.1/publish",
                 with_remote(server_json("io.github.testuser/c-remote", "1.0.0"), "https://c.example.com/mcp"), setup)
                .res.status == 200);
    REQUIRE(call(reg, "PATCH", path("c-remote"), json::object{{"status", "deleted"}}, setup).res.status == 200);
    // A URL nobody else holds does not stand in the way.
    CHECK(call(reg, "PATCH", path("c-remote"), json::object{{"status", "active"}}, setup).res.status == 200);
}

TEST_CASE("the status of every version at once: counts, messages, permissions, no-op refused" *
          doctest::test_suite("writes"))
{
    auto reg = test::open_registry();
    const auto setup = reg.issue_token({{"publish", "*"}, {"edit", "*"}});
    for (auto v : {"1.0.0", "1.1.0", "2.0.0"})
        REQUIRE(call(reg, "POST", "/v0.1/publish", server_json("io.github.testuser/multi-version-server", v), setup)
                    .res.status == 200);
    const std::string target = "/v0.1/servers/io.github.testuser%2Fmulti-version-server/status";
    const auto publisher = reg.issue_token({{"publish", "io.github.testuser/*"}});
    auto deprecated =
        call(reg, "PATCH", target,
             json::object{{"status", "deprecated"}, {"statusMessage", "This server is deprecated"}}, publisher);
    REQUIRE(deprecated.res.status == 200);
    CHECK(deprecated.body.at("updatedCount") == 3);
    for (const auto& s : deprecated.body.at("servers").as_array()) {
        CHECK(s.at("_meta").at(model::official_meta_key).at("status") == "deprecated");
        CHECK(s.at("_meta").at(model::official_meta_key).at("statusMessage") == "This server is deprecated");
    }
    auto deleted = call(reg, "PATCH", target,
                        json::object{{"status", "deleted"}, {"statusMessage", "Security issue discovered"}}, publisher);
    CHECK(deleted.body.at("updatedCount") == 3);
    auto restored = call(reg, "PATCH", target, json::object{{"status", "active"}}, publisher);
    CHECK(restored.body.at("updatedCount") == 3);
    for (const auto& s : restored.body.at("servers").as_array())
        CHECK_FALSE(s.at("_meta").at(model::official_meta_key).as_object().contains("statusMessage"));
    CHECK(call(reg, "PATCH", target, json::object{{"status", "active"}}).res.status == 422);  // no token
    CHECK(call(reg, "PATCH", target, json::object{{"status", "deprecated"}}, reg.issue_token({{"read", "*"}}))
              .res.status == 403);
    CHECK(call(reg, "PATCH", target, json::object{{"status", "deprecated"}},
               reg.issue_token({{"edit", "io.github.testuser/*"}}))
              .body.at("updatedCount") == 3);  // an edit grant suffices
    CHECK(call(reg, "PATCH", target, json::object{{"status", "active"}}, publisher).res.status == 200);
    auto unchanged = call(reg, "PATCH", target, json::object{{"status", "active"}}, publisher);
    CHECK(unchanged.res.status == 400);
    CHECK(unchanged.detail() == "No changes to apply: all versions already have the requested status and message");
    CHECK(call(reg, "PATCH", "/v0.1/servers/io.github.testuser%2Fnon-existent/status",
               json::object{{"status", "active"}}, publisher)
              .detail() == "Server not found");
}

TEST_CASE("/validate reports issues at their paths, and anonymous tokens publish only in the anonymous namespace" *
          doctest::test_suite("writes"))
{
    engine::registry_options options;
    options.anonymous_auth = true;
    auto reg = test::open_registry(options);
    auto valid = call(reg, "POST", "/v0.1/validate", server_json("com.example/test-server", "1.0.0"));
    CHECK(valid.body == json::value{{"valid", true}, {"issues", json::array{}}});
    auto ranged = call(reg, "POST", "/v0.1/validate", server_json("com.example/test-server", "^1.0.0"));
    CHECK(ranged.body.at("valid") == false);
    const auto& issue = ranged.body.at("issues").at(0);
    CHECK(issue.at("type") == "semantic");
    CHECK(issue.at("path") == "version");
    CHECK(issue.at("severity") == "error");
    CHECK(std::string_view(issue.at("message").as_string()).find("^1.0.0") != std::string_view::npos);
    auto old_schema_document = server_json("com.example/test-server", "1.0.0");
    old_schema_document["$schema"] = "https://static.modelcontextprotocol.io/schemas/2025-07-09/server.schema.json";
    auto old_schema = call(reg, "POST", "/v0.1/validate", old_schema_document);
    CHECK(old_schema.body.at("valid") == true);
    CHECK(old_schema.body.at("issues").at(0).at("path") == "schema");
    CHECK(old_schema.body.at("issues").at(0).at("severity") == "warning");
    auto two_packages_document = server_json("com.example/test-server", "1.0.0");
    two_packages_document["packages"] =
        json::parse(R"([{"registryType":"npm","identifier":"a","version":"latest","transport":{"type":"stdio"}},
        {"registryType":"npm","identifier":"b","version":"1.0.0","transport":{"type":"stdio"},
         "runtimeArguments":[{"type":"named","name":"invalid name"}]}])");
    auto two_packages = call(reg, "POST", "/v0.1/validate", two_packages_document);
    CHECK(two_packages.mentions("\"path\":\"packages[0].version\""));
    CHECK(two_packages.mentions("\"path\":\"packages[1].runtimeArguments[0].name\""));

    auto anonymous = call(reg, "POST", "/v0.1/auth/none");
    REQUIRE(anonymous.res.status == 200);
    const std::string token(anonymous.body.at("registry_token").as_string());
    CHECK(anonymous.body.at("expires_at").as_int64() > 0);
    CHECK(call(reg, "POST", "/v0.1/publish", server_json("io.modelcontextprotocol.anonymous/test", "1.0.0"), token)
              .res.status == 200);
    CHECK(call(reg, "POST", "/v0.1/publish", server_json("com.example/test", "1.0.0"), token).res.status == 403);
    auto closed = test::open_registry();
    CHECK(call(closed, "POST", "/v0.1/auth/none").res.status == 404);  // disabled by default
}

TEST_CASE("every generic example publishes in the anonymous namespace and reads back the same" *
          doctest::test_suite("writes"))
{
    engine::registry_options options;
    options.anonymous_auth = true;
    auto reg = test::open_registry(options);
    const std::string token(call(reg, "POST", "/v0/auth/none").body.at("registry_token").as_string());
    int published = 0;
    for (const auto& path : test::json_files(test::data_dir() / "spec" / "examples" / "generic-server-json")) {
        auto document = model::read_json_file(path.string()).value().as_object();
        const std::string original(document.at("name").as_string());
        const std::string renamed = "io.modelcontextprotocol.anonymous/" + original.substr(original.find('/') + 1) +
                                    "-" + std::to_string(published);
        document["name"] = renamed;
        if (!document.contains("$schema")) document["$schema"] = model::current_schema_url;
        auto a = call(reg, "POST", "/v0.1/publish", document, token);
        CHECK_MESSAGE(a.res.status == 200, path.filename().string() << ": " << a.res.body);
        if (a.res.status != 200) continue;
        auto back = call(reg, "GET", "/v0.1/servers/" + test::percent_encode(renamed) + "/versions/latest");
        for (auto key : {"name", "description", "version", "repository", "packages", "remotes", "_meta"}) {
            const auto* sent = document.if_contains(key);
            const auto* got = back.body.at("server").as_object().if_contains(key);
            CHECK_MESSAGE((sent ? (got && *got == *sent) : !got), path.filename().string() << " " << key);
        }
        ++published;
    }
    CHECK(published == 17);
}

TEST_CASE("DELETE leaves a tombstone, the audit log records every write, and the publish policy can refuse or rewrite" *
          doctest::test_suite("writes"))
{
    engine::registry_options options;
    options.publish_policy = [](model::server& server, const engine::token_claims&) -> std::optional<std::string> {
        if (server.name.find("forbidden") != std::string::npos) return "names with 'forbidden' are not accepted here";
        server.title = "Curated";  // a rewrite
        return std::nullopt;
    };
    auto reg = test::open_registry(options);
    const auto token = reg.issue_token({{"publish", "*"}, {"edit", "*"}}, "admin", "tester");
    CHECK(call(reg, "POST", "/v0.1/publish", server_json("com.example/kept", "1.0.0"), token)
              .body.at("server")
              .at("title") == "Curated");
    auto refused = call(reg, "POST", "/v0.1/publish", server_json("com.example/forbidden", "1.0.0"), token);
    CHECK(refused.res.status == 403);
    CHECK(refused.detail() == "names with 'forbidden' are not accepted here");
    CHECK(call(reg, "POST", "/v0.1/publish", server_json("com.example/kept", "2.0.0"), token).res.status == 200);
    auto removed = call(reg, "DELETE", "/v0.1/servers/com.example%2Fkept/versions/2.0.0", nullptr, token);
    CHECK(removed.res.status == 200);
    CHECK(official(removed).at("status") == "deleted");
    CHECK(call(reg, "GET", "/v0.1/servers/com.example%2Fkept/versions/2.0.0").res.status == 404);
    auto tombstone = call(reg, "GET", "/v0.1/servers/com.example%2Fkept/versions/2.0.0?include_deleted=true");
    CHECK(official(tombstone).at("status") == "deleted");
    CHECK(latest_version(reg, "com.example%2Fkept") == "1.0.0");
    // Mirrors see it go, and its number never comes back with other content.
    auto since = call(reg, "GET", "/v0.1/servers?updated_since=2000-01-01T00:00:00Z&search=kept");
    bool seen_deleted = false;
    for (const auto& item : since.body.at("servers").as_array())
        seen_deleted = seen_deleted || (item.at("server").at("version") == "2.0.0" &&
                                        item.at("_meta").at(model::official_meta_key).at("status") == "deleted");
    CHECK(seen_deleted);
    CHECK(call(reg, "POST", "/v0.1/publish", server_json("com.example/kept", "2.0.0", "other content"), token)
              .res.status == 400);
    CHECK(call(reg, "DELETE", "/v0.1/servers/com.example%2Fkept/versions/2.0.0", nullptr, token).res.status == 404);
    CHECK(call(reg, "DELETE", "/v0.1/servers/com.example%2Fkept/versions/9.9.9", nullptr, token).res.status == 404);
    CHECK(call(reg, "DELETE", "/v0.1/servers/com.example%2Fkept/versions/1.0.0", nullptr,
               reg.issue_token({{"publish", "*"}}))
              .res.status == 403);
    auto log = reg.audit_log(10).value();
    REQUIRE(log.size() == 6);
    CHECK(log[0].action == "delete");
    CHECK(log[0].outcome == "403");
    CHECK(log[1].action == "publish");  // the refused reuse of a removed version number
    CHECK(log[1].outcome == "400");
    CHECK(log[2].action == "delete");
    CHECK(log[2].outcome == "ok");
    CHECK(log[2].actor == "admin:tester");
    CHECK(log[4].outcome == "403");
    CHECK(log[4].name == "com.example/forbidden");
    CHECK(log[5].action == "publish");
    CHECK(log[5].version == "1.0.0");
}

TEST_CASE("hostile bodies and names get a 4xx, never a 500" * doctest::test_suite("writes"))
{
    auto reg = test::open_registry();
    const auto token = reg.issue_token({{"publish", "*"}, {"edit", "*"}});
    engine::request req;
    req.method = "POST";
    req.target = "/v0.1/publish";
    req.headers.push_back({"Authorization", "Bearer " + token});
    for (std::string body :
         {std::string("{"), std::string("not json"), std::string(""), std::string("[]"), std::string("42"),
          std::string("{\"name\":\"a\\u0000b/c\",\"description\":\"d\",\"version\":\"1\",\"$schema\":\"x\"}"),
          std::string(2000, '[') + std::string(2000, ']')}) {
        req.body = body;
        auto res = reg.handle(req);
        CHECK_MESSAGE(res.status / 100 == 4, body.substr(0, 40) << " -> " << res.status);
    }
    for (std::string name : {std::string("com.example/../etc"), std::string("../../etc/passwd"),
                             std::string("com.example/a") + std::string(10'000, 'b'), std::string("com.example/a\nb"),
                             std::string("com.example/'; DROP TABLE server_versions;--")}) {
        auto a = call(reg, "POST", "/v0.1/publish", server_json(name, "1.0.0"), token);
        CHECK_MESSAGE(a.res.status / 100 == 4, name.substr(0, 40) << " -> " << a.res.status);
    }
    for (std::string target :
         {"/v0.1/servers/..%2F..%2Fetc/versions/1.0.0", "/v0.1/servers/com.example%2Fx/versions/%00"}) {
        auto a = call(reg, "PUT", target, server_json("com.example/x", "1.0.0"), token);
        CHECK_MESSAGE(a.res.status / 100 == 4, target);
    }
    CHECK(reg.size().value() == 0);
}

TEST_CASE("8 threads publishing 500 versions each to 50 servers lose nothing and leave one latest per server" *
          doctest::test_suite("writes"))
{
    auto reg = test::open_registry();
    const auto token = reg.issue_token({{"publish", "*"}});
    std::atomic<int> ok{0}, failed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 500; ++i) {
                const auto name = "com.example/concurrent-" + std::to_string(i % 50);
                const auto version = std::to_string(t) + "." + std::to_string(i) + ".0";
                auto a = call(reg, "POST", "/v0.1/publish", server_json(name, version), token);
                (a.res.status == 200 ? ok : failed)++;
            }
        });
    for (auto& thread : threads) thread.join();
    CHECK(ok == 4000);
    CHECK(failed == 0);
    CHECK(reg.size().value() == 4000);
    for (int s = 0; s < 50; ++s) {
        const std::string encoded = "com.example%2Fconcurrent-" + std::to_string(s);
        CHECK(latest_flags(reg, encoded) == 1);
        // The highest version wins: thread 7's last one for this server.
        CHECK(latest_version(reg, encoded) == "7." + std::to_string(450 + s) + ".0");
    }
}

TEST_CASE("a process killed (SIGKILL) while publishing loses no acknowledged write and leaves a sound database" *
          doctest::test_suite("writes"))
{
    const auto path = std::filesystem::temp_directory_path() / ("mcpreg-kill-" + std::to_string(::getpid()) + ".db");
    std::filesystem::remove(path);
    // The child reports each acknowledged publish (a 200) through a pipe, as a client would have seen it.
    int acknowledged_pipe[2];
    REQUIRE(::pipe(acknowledged_pipe) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        // The child publishes as fast as it can until it is killed.
        ::close(acknowledged_pipe[0]);
        engine::registry_options options;
        options.database = path.string();
        auto reg = engine::registry::open(options).value();
        const auto token = reg.issue_token({{"publish", "*"}});
        for (int i = 0;; ++i) {
            auto a =
                call(reg, "POST", "/v0.1/publish",
                     with_remote(server_json("com.example/killed-" + std::to_string(i % 7), std::to_string(i) + ".0.0"),
                                 "https://k" + std::to_string(i) + ".example.com/mcp"),
                     token);
            if (a.res.status != 200) continue;
            const auto line = std::to_string(i) + "\n";
            if (::write(acknowledged_pipe[1], line.data(), line.size()) < 0) ::_exit(1);
        }
    }
    ::close(acknowledged_pipe[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    CHECK(WIFSIGNALED(status));
    std::string acknowledged_text;
    char buffer[4096];
    for (ssize_t n; (n = ::read(acknowledged_pipe[0], buffer, sizeof buffer)) > 0;)
        acknowledged_text.append(buffer, static_cast<std::size_t>(n));
    ::close(acknowledged_pipe[0]);
    std::vector<int> acknowledged;
    for (std::size_t start = 0, end; (end = acknowledged_text.find('\n', start)) != std::string::npos; start = end + 1)
        acknowledged.push_back(std::stoi(acknowledged_text.substr(start, end - start)));
    REQUIRE(acknowledged.size() > 10);

    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    auto scalar = [&](const char* sql) {
        sqlite3_stmt* stmt = nullptr;
        sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
        std::string value;
        if (sqlite3_step(stmt) == SQLITE_ROW) value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
        sqlite3_finalize(stmt);
        return value;
    };
    CHECK(scalar("PRAGMA integrity_check") == "ok");
    const auto rows = std::stoll(scalar("SELECT count(*) FROM server_versions"));
    CHECK(rows > 0);
    // Every row is whole: its remote URL is indexed, and its search entry exists.
    CHECK(scalar("SELECT count(*) FROM server_versions v WHERE NOT EXISTS (SELECT 1 FROM remote_urls r WHERE "
                 "r.version_id = v.id)") == "0");
    CHECK(sqlite3_exec(db, "INSERT INTO server_search(server_search, rank) VALUES('integrity-check', 1)", nullptr,
                       nullptr, nullptr) == SQLITE_OK);
    CHECK(scalar("SELECT count(*) FROM (SELECT name FROM server_versions GROUP BY name HAVING sum(is_latest) != 1)") ==
          "0");
    sqlite3_close(db);
    // And the registry opens it and serves every row.
    engine::registry_options options;
    options.database = path.string();
    auto reopened = engine::registry::open(options).value();
    CHECK(reopened.size().value() == static_cast<std::size_t>(rows));
    // No acknowledged write is lost.
    std::size_t lost = 0;
    for (int i : acknowledged) {
        const auto target =
            "/v0.1/servers/com.example%2Fkilled-" + std::to_string(i % 7) + "/versions/" + std::to_string(i) + ".0.0";
        if (call(reopened, "GET", target).res.status != 200) ++lost;
    }
    CHECK(lost == 0);
    for (const auto& suffix : {"", "-wal", "-shm", ".jwt-key.pem"}) std::filesystem::remove(path.string() + suffix);
}

TEST_CASE("a full disk: publishes fail with a clean 5xx, nothing is corrupted, and work again when space returns" *
          doctest::test_suite("writes"))
{
    const auto path = std::filesystem::temp_directory_path() / ("mcpreg-full-" + std::to_string(::getpid()) + ".db");
    for (const auto& suffix : {"", "-wal", "-shm", ".jwt-key.pem"}) std::filesystem::remove(path.string() + suffix);
    engine::registry_options options;
    options.database = path.string();
    auto reg = engine::registry::open(options).value();
    const auto token = reg.issue_token({{"publish", "*"}});
    auto publish = [&](int i) {
        return call(reg, "POST", "/v0.1/publish", server_json("com.example/full-" + std::to_string(i), "1.0.0"), token);
    };
    for (int i = 0; i < 5; ++i) REQUIRE(publish(i).res.status == 200);

    // The disk fills up: no file of this process may grow past its current size (write() fails with EFBIG,
    // as it would with ENOSPC).
    auto largest = std::max(std::filesystem::file_size(path), std::filesystem::file_size(path.string() + "-wal"));
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit saved{};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
    rlimit full = saved;
    full.rlim_cur = static_cast<rlim_t>(largest);
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &full) == 0);
    int refused = 0, accepted = 0;
    for (int i = 5; i < 60; ++i) {
        auto a = publish(i);
        if (a.res.status == 200) {
            ++accepted;
            continue;
        }
        ++refused;
        CHECK(a.res.status >= 500);
        CHECK(a.res.status < 600);
        CHECK_FALSE(a.detail().empty());
        // Reads keep working while writes cannot.
        CHECK(call(reg, "GET", "/v0.1/servers/com.example%2Ffull-0/versions/latest").res.status == 200);
    }
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &saved) == 0);
    CHECK(refused > 0);

    // Space is back: writes succeed again on the same registry, and every acknowledged one is there.
    for (int i = 60; i < 70; ++i) CHECK(publish(i).res.status == 200);
    std::size_t present = 0;
    for (int i = 0; i < 70; ++i)
        if (call(reg, "GET", "/v0.1/servers/com.example%2Ffull-" + std::to_string(i) + "/versions/latest").res.status ==
            200)
            ++present;
    CHECK(present == static_cast<std::size_t>(5 + accepted + 10));
    CHECK(reg.size().value() == present);

    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr);
    REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
    CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))) == "ok");
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    for (const auto& suffix : {"", "-wal", "-shm", ".jwt-key.pem"}) std::filesystem::remove(path.string() + suffix);
}

TEST_CASE("the package ownership verifier the host supplies: each package checked on publish and edit, refusals named" *
          doctest::test_suite("writes"))
{
    engine::registry_options options;
    std::vector<std::string> checked;
    options.package_verifier = [&](const model::package& p, const model::server&) -> std::optional<std::string> {
        checked.push_back(p.identifier);
        if (p.identifier.starts_with("nonexistent")) return "package not found in the npm registry";
        return std::nullopt;
    };
    auto reg = test::open_registry(options);
    const auto token = reg.issue_token({{"publish", "*"}, {"edit", "*"}});
    auto npm = [](std::string id) {
        return json::object{
            {"registryType", "npm"}, {"identifier", id}, {"version", "1.0.0"}, {"transport", {{"type", "stdio"}}}};
    };
    auto with_packages = [&](std::string name, json::array packages) {
        auto s = server_json(name, "1.0.0");
        s["packages"] = std::move(packages);
        return s;
    };
    auto first_unknown = call(reg, "POST", "/v0.1/publish",
                              with_packages("com.example/one", {npm("nonexistent-npm-package-xyz123")}), token);
    CHECK(first_unknown.res.status == 400);
    CHECK(first_unknown.mentions("registry validation failed for package 0 (nonexistent-npm-package-xyz123)"));
    auto second_unknown =
        call(reg, "POST", "/v0.1/publish",
             with_packages("com.example/two", {npm("good-package"), npm("nonexistent-second-package-abc123")}), token);
    CHECK(second_unknown.mentions("registry validation failed for package 1 (nonexistent-second-package-abc123)"));
    CHECK(call(reg, "POST", "/v0.1/publish", with_packages("com.example/three", {npm("good-package")}), token)
              .res.status == 200);
    auto edit = with_packages("com.example/three", {npm("nonexistent-now")});
    CHECK(call(reg, "PUT", "/v0.1/servers/com.example%2Fthree/versions/1.0.0", edit, token)
              .mentions("registry validation failed"));
    CHECK(checked.size() == 5);
    CHECK(reg.size().value() == 1);
}

TEST_CASE("publish, edit and validate apply one set of rules: what /validate refuses is never stored" *
          doctest::test_suite("writes"))
{
    auto reg = test::open_registry();
    const auto token = reg.issue_token({{"publish", "*"}, {"edit", "*"}});
    auto base = server_json("io.github.rules/server", "1.0.0");
    REQUIRE(call(reg, "POST", "/v0.1/publish", base, token).res.status == 200);
    auto mcpb = [](std::string sha) {
        return json::array{{{"registryType", "mcpb"},
                            {"identifier", "https://github.com/rules/server/releases/download/v1/s.mcpb"},
                            {"fileSha256", sha},
                            {"transport", {{"type", "stdio"}}}}};
    };
    std::vector<std::pair<std::string, json::object>> hostile;
    auto traversal = base;
    traversal["packages"] = mcpb("../../x");
    hostile.emplace_back("a fileSha256 that is a path", traversal);
    auto format = base;
    format["packages"] = json::array{{{"registryType", "npm"},
                                      {"identifier", "rules-server"},
                                      {"version", "1.0.0"},
                                      {"transport", {{"type", "stdio"}}},
                                      {"environmentVariables", json::array{{{"name", "X"}, {"format", "evil"}}}}}};
    hostile.emplace_back("an input format outside the enum", format);
    auto icon = base;
    icon["icons"] = json::array{{{"src", "https://example.com/i.png"}, {"mimeType", "text/html"}}};
    hostile.emplace_back("an icon of type text/html", icon);
    for (auto& [what, document] : hostile) {
        auto validated = call(reg, "POST", "/v0.1/validate", document);
        CHECK_MESSAGE(validated.body.at("valid") == false, what);
        document["version"] = "2.0.0";
        CHECK_MESSAGE(call(reg, "POST", "/v0.1/publish", document, token).res.status == 422, what);
        document["version"] = "1.0.0";
        CHECK_MESSAGE(
            call(reg, "PUT", "/v0.1/servers/io.github.rules%2Fserver/versions/1.0.0", document, token).res.status ==
                422,
            what);
    }
    CHECK(call(reg, "GET", "/v0.1/servers/io.github.rules%2Fserver/versions").body.at("metadata").at("count") == 1);
    // The valid form of each is accepted.
    auto good = base;
    good["version"] = "3.0.0";
    good["packages"] = mcpb(std::string(64, 'a'));
    CHECK(call(reg, "POST", "/v0.1/validate", good).body.at("valid") == true);
    CHECK(call(reg, "POST", "/v0.1/publish", good, token).res.status == 200);
}
