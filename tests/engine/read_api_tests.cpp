// The read API, called in-process: lists, versions and version details, the HTTP layer's guards, health, metrics,
// caching headers, search, and the storage behind them.
#include <mcpreg/engine/registry.hpp>
#include <mcpreg/model/json.hpp>

#include "../../src/common/search_query.hpp"
#include "../../src/common/sqlite.hpp"
#include "../../src/engine/storage.hpp"
#include "engine_fixture.hpp"
#include "http_test_client.hpp"
#include "test_data.hpp"

#include <doctest/doctest.h>

#include <boost/json/serialize.hpp>

#include <atomic>
#include <filesystem>
#include <set>
#include <thread>

#include <sqlite3.h>
#include <unistd.h>

namespace json = boost::json;
using namespace mcpreg;
using mcpreg::test::entry;

namespace {

struct answer {
    engine::response res;
    json::value body;
};

answer call(engine::registry& reg, const std::string& target, std::vector<engine::http_header> headers = {},
            std::string method = "GET")
{
    engine::request req;
    req.method = std::move(method);
    req.target = target;
    req.headers = std::move(headers);
    answer a{reg.handle(req), nullptr};
    if (!a.res.body.empty() && a.res.body.front() != '<') {
        auto parsed = model::parse_json(a.res.body);
        if (parsed) a.body = std::move(*parsed);
    }
    return a;
}

std::vector<std::string> names_versions(const json::value& page)
{
    std::vector<std::string> out;
    for (const auto& item : page.at("servers").as_array())
        out.push_back(std::string(item.at("server").at("name").as_string()) + "@" +
                      std::string(item.at("server").at("version").as_string()));
    return out;
}

bool detail_contains(const answer& a, std::string_view text) { return a.res.body.find(text) != std::string::npos; }

// Runs `statement` on the database file at `path` through a connection of its own, as another process would;
// returns the first column of the result rows, concatenated.
std::string run_sql(const std::filesystem::path& path, const char* statement)
{
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    std::string result;
    const int code = sqlite3_exec(
        db, statement,
        [](void* out, int, char** values, char**) {
            *static_cast<std::string*>(out) += values[0] ? values[0] : "NULL";
            return 0;
        },
        &result, nullptr);
    sqlite3_close(db);
    REQUIRE(code == SQLITE_OK);
    return result;
}

// An SQLite database file of one test's own, removed with its WAL, shared memory and signing key before and after.
struct database_file {
    std::filesystem::path path;

    explicit database_file(std::string_view name)
        : path(std::filesystem::temp_directory_path() /
               ("mcpreg-" + std::string(name) + "-" + std::to_string(::getpid()) + ".db"))
    {
        remove();
    }
    ~database_file() { remove(); }
    database_file(const database_file&) = delete;
    database_file& operator=(const database_file&) = delete;

    void remove() const
    {
        for (const char* suffix : {"", "-wal", "-shm", ".jwt-key.pem"}) std::filesystem::remove(path.string() + suffix);
    }
};

engine::registry seeded(std::initializer_list<json::value> entries)
{
    auto reg = test::open_registry();
    reg.import_json(json::array(entries.begin(), entries.end())).value();
    return reg;
}

}  // namespace

TEST_CASE("list, limit, search, version=latest and parameter validation" * doctest::test_suite("engine"))
{
    auto reg = seeded({entry("com.example/server-alpha", "1.0.0", "2025-01-01T00:00:00Z"),
                       entry("com.example/server-beta", "2.0.0", "2025-01-02T00:00:00Z")});
    for (std::string v : {"/v0", "/v0.1"}) {
        auto all = call(reg, v + "/servers");
        REQUIRE(all.res.status == 200);
        CHECK(all.res.header("Content-Type") == "application/json");
        CHECK(all.body.at("servers").as_array().size() == 2);
        CHECK(all.body.at("metadata").at("count") == 2);
        CHECK_FALSE(all.body.at("metadata").as_object().contains("nextCursor"));
        for (const auto& item : all.body.at("servers").as_array()) {
            const auto& official = item.at("_meta").at(model::official_meta_key);
            CHECK(official.at("status") == "active");
            CHECK(official.at("isLatest") == true);
            CHECK(official.at("publishedAt").as_string().size() > 0);
        }
        auto first = call(reg, v + "/servers?limit=1");
        CHECK(first.body.at("servers").as_array().size() == 1);
        CHECK(first.body.at("metadata").at("nextCursor") == "com.example/server-alpha:1.0.0");
        CHECK(names_versions(call(reg, v + "/servers?search=alpha").body) ==
              std::vector<std::string>{"com.example/server-alpha@1.0.0"});
        CHECK(call(reg, v + "/servers?version=latest").body.at("metadata").at("count") == 2);
        for (auto bad : {"abc", "1000", "-1", "0", "1.5", ""}) {
            auto a = call(reg, v + "/servers?limit=" + bad);
            CHECK_MESSAGE(a.res.status == 422, bad);
            CHECK(a.res.header("Content-Type") == "application/problem+json");
            CHECK(a.body.at("detail") == "validation failed");
            CHECK(a.body.at("errors").at(0).at("location") == "query.limit");
        }
        auto bad_since = call(reg, v + "/servers?updated_since=invalid");
        CHECK(bad_since.res.status == 400);
        CHECK(detail_contains(bad_since, "Invalid updated_since format"));
        CHECK(call(reg, v + "/servers?updated_since=2030-01-01T00:00:00Z").body.at("metadata").at("count") == 0);
        CHECK(call(reg, v + "/servers?updated_since=1990-01-01T00:00:00Z").body.at("metadata").at("count") == 2);
        CHECK(call(reg, v + "/servers?search=").body.at("metadata").at("count") == 2);
        CHECK(call(reg, v + "/servers?search=%E6%B5%8B%E8%AF%95").res.status == 200);
        auto combined = call(reg, v + "/servers?search=server&limit=5&version=latest");
        CHECK(combined.res.status == 200);
        CHECK(combined.body.as_object().contains("metadata"));
        CHECK(call(reg, v + "/servers?include_deleted=maybe").res.status == 422);
    }
    auto defaults = test::open_registry();
    json::array many;
    for (int i = 0; i < 45; ++i)
        many.push_back(entry("com.example/s" + std::to_string(100 + i), "1.0.0", "2025-01-01T00:00:00Z"));
    defaults.import_json(many).value();
    CHECK(call(defaults, "/v0.1/servers").body.at("servers").as_array().size() == 30);  // the default limit
}

TEST_CASE("deleted rows and include_deleted" * doctest::test_suite("engine"))
{
    auto reg = seeded({entry("com.example/active-server-1", "1.0.0", "2025-01-01T00:00:00Z"),
                       entry("com.example/active-server-2", "1.0.0", "2025-01-01T00:00:00Z"),
                       entry("com.example/deleted-server", "1.0.0", "2025-01-01T00:00:00Z", "deleted")});
    CHECK(call(reg, "/v0.1/servers").body.at("metadata").at("count") == 2);
    CHECK(call(reg, "/v0.1/servers?include_deleted=false").body.at("metadata").at("count") == 2);
    auto all = call(reg, "/v0.1/servers?include_deleted=true");
    CHECK(all.body.at("metadata").at("count") == 3);
    CHECK(all.body.at("servers").at(2).at("_meta").at(model::official_meta_key).at("status") == "deleted");
    CHECK(call(reg, "/v0.1/servers?updated_since=1990-01-01T00:00:00Z").body.at("metadata").at("count") == 3);
    auto conflict = call(reg, "/v0.1/servers?updated_since=1990-01-01T00:00:00Z&include_deleted=false");
    CHECK(conflict.res.status == 400);
    CHECK(detail_contains(conflict, "Cannot set include_deleted=false when using updated_since"));
}

TEST_CASE("cursors, byte order, literal LIKE characters, combined filters" * doctest::test_suite("engine"))
{
    auto reg = seeded({entry("com.example/cursor-test-a", "1.0.0", "2025-01-01T00:00:00Z"),
                       entry("com.example/cursor-test-a", "2.0.0", "2025-01-02T00:00:00Z"),
                       entry("com.example/cursor-test-a", "3.0.0", "2025-01-03T00:00:00Z"),
                       entry("com.example/cursor-test-b", "1.0.0", "2025-01-01T00:00:00Z"),
                       entry("com.example/cursor-test-b", "2.0.0", "2025-01-02T00:00:00Z"),
                       entry("io.github.abe/srv", "1.9.0", "2025-01-01T00:00:00Z"),
                       entry("io.github.abe/srv", "1.10.0", "2025-01-02T00:00:00Z"),
                       entry("io.github.Zed/srv", "1.0.0", "2025-01-01T00:00:00Z"),
                       entry("com.example/a_b", "1.0.0", "2025-01-01T00:00:00Z"),
                       entry("com.example/axb", "1.0.0", "2025-01-01T00:00:00Z"),
                       entry("com.example/pct%x", "1.0.0", "2025-01-01T00:00:00Z")});
    using list = std::vector<std::string>;
    CHECK(names_versions(
              call(reg, "/v0.1/servers?cursor=com.example%2Fcursor-test-a%3A1.0.0&limit=100&search=cursor").body) ==
          list{"com.example/cursor-test-a@2.0.0", "com.example/cursor-test-a@3.0.0", "com.example/cursor-test-b@1.0.0",
               "com.example/cursor-test-b@2.0.0"});  // an encoded cursor
    CHECK(names_versions(call(reg, "/v0.1/servers?cursor=com.example/cursor-test-a:3.0.0&search=cursor").body) ==
          list{"com.example/cursor-test-b@1.0.0", "com.example/cursor-test-b@2.0.0"});  // a raw one
    list walked;                                                                        // a walk, page by page
    std::string cursor;
    for (int pages = 0; pages < 10; ++pages) {
        auto page =
            call(reg, "/v0.1/servers?search=cursor-test-&limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor));
        for (auto& nv : names_versions(page.body)) walked.push_back(nv);
        const auto& metadata = page.body.at("metadata").as_object();
        if (!metadata.contains("nextCursor")) break;
        cursor = std::string(metadata.at("nextCursor").as_string());
    }
    CHECK(walked == list{"com.example/cursor-test-a@1.0.0", "com.example/cursor-test-a@2.0.0",
                         "com.example/cursor-test-a@3.0.0", "com.example/cursor-test-b@1.0.0",
                         "com.example/cursor-test-b@2.0.0"});
    CHECK(names_versions(call(reg, "/v0.1/servers?cursor=com.example/cursor-test-a&search=cursor").body) ==
          list{"com.example/cursor-test-b@1.0.0", "com.example/cursor-test-b@2.0.0"});  // a bare name
    auto empty = call(reg, "/v0.1/servers?search=nothing-matches");
    CHECK(empty.body.at("servers").as_array().empty());
    CHECK(empty.body.at("metadata").at("count") == 0);
    CHECK_FALSE(empty.body.at("metadata").as_object().contains("nextCursor"));
    auto exact = call(reg, "/v0.1/servers?search=cursor-test-b&limit=2");  // a full last page
    CHECK(exact.body.at("metadata").at("nextCursor") == "com.example/cursor-test-b:2.0.0");
    auto after = call(reg, "/v0.1/servers?search=cursor-test-b&limit=2&cursor=com.example/cursor-test-b:2.0.0");
    CHECK(after.body.at("metadata").at("count") == 0);
    CHECK_FALSE(after.body.at("metadata").as_object().contains("nextCursor"));
    CHECK(names_versions(call(reg, "/v0.1/servers?search=srv").body) ==
          list{"io.github.Zed/srv@1.0.0", "io.github.abe/srv@1.10.0", "io.github.abe/srv@1.9.0"});     // byte order
    CHECK(names_versions(call(reg, "/v0.1/servers?search=_").body) == list{"com.example/a_b@1.0.0"});  // _ is literal
    CHECK(names_versions(call(reg, "/v0.1/servers?search=%25").body) == list{"com.example/pct%x@1.0.0"});
    CHECK(names_versions(call(reg, "/v0.1/servers?search=SRV&version=latest").body) ==  // case-insensitive
          list{"io.github.Zed/srv@1.0.0", "io.github.abe/srv@1.10.0"});
    CHECK(names_versions(
              call(reg, "/v0.1/servers?search=cursor&version=2.0.0&updated_since=2025-01-01T12:00:00Z").body) ==
          list{"com.example/cursor-test-a@2.0.0", "com.example/cursor-test-b@2.0.0"});  // AND, strictly after
    CHECK(call(reg, "/v0.1/servers?search=cursor&updated_since=2025-01-03T00:00:00Z").body.at("metadata").at("count") ==
          0);
}

TEST_CASE("the HTTP layer's guards, redirects, 404s and CORS" * doctest::test_suite("engine"))
{
    auto reg = seeded({entry("com.example/server", "1.0.0", "2025-01-01T00:00:00Z")});
    for (const std::string& target :
         {std::string("/v0.1/servers?cursor=%00"), std::string("/v0.1/servers?cursor=abc%00def"),
          std::string("/v0.1/servers?cursor=a\0b", 24)}) {
        auto a = call(reg, target);
        CHECK(a.res.status == 400);
        CHECK(a.res.header("Content-Type") == "application/json");
    }
    CHECK(detail_contains(call(reg, "/v0.1/servers?cursor=%00"), "query parameters contain null bytes"));
    CHECK(call(reg, "/v0.1/servers?cursor=%2500").res.status == 200);
    CHECK(call(reg, "/v0.1/servers?search=hello%20world").res.status == 200);
    for (auto target : {"/v0.1/servers/%00/versions", "/v0/servers/test%0a%00name/versions"}) {
        auto a = call(reg, target);
        CHECK(a.res.status == 400);
        CHECK(detail_contains(a, "URL path contains null bytes"));
    }
    auto unknown = call(reg, "/v0.1/servers/com.example/server/versions");
    CHECK(unknown.res.status == 404);
    CHECK(unknown.res.header("Content-Type") == "application/problem+json");
    CHECK(unknown.res.header("X-Content-Type-Options") == "nosniff");
    CHECK(unknown.body.at("detail") == "Endpoint not found. See /docs for the API documentation.");
    auto unversioned = call(reg, "/servers");
    CHECK(unversioned.body.at("detail") ==
          "Endpoint not found. Did you mean '/v0.1/servers' or '/v0/servers'? See /docs for the API documentation.");
    auto redirect = [&](const std::string& target) {
        auto a = call(reg, target);
        CHECK(a.res.status == 308);
        return std::string(a.res.header("Location"));
    };
    CHECK(redirect("/v0/servers/") == "/v0/servers");
    CHECK(redirect("/v0/servers/123/") == "/v0/servers/123");
    CHECK(redirect("/v0/auth/github/token/") == "/v0/auth/github/token");
    CHECK(redirect("/v0/servers/?limit=10") == "/v0/servers?limit=10");
    CHECK(redirect("//evil.com/") == "/evil.com");
    CHECK(redirect("///evil.com/foo/") == "/evil.com/foo");
    // Browsers read a backslash as a slash: `/\evil.example` must not become an off-origin `//evil.example`.
    for (auto target : {"/\\evil.example/", "/%5Cevil.example/", "/\\/evil.example/", "/\\\\evil.example/x/"}) {
        const auto location = redirect(target);
        CHECK_MESSAGE(location.find('\\') == std::string::npos, target);
        CHECK_MESSAGE((location.size() < 2 || location[1] != '/'), target);
    }
    auto home = call(reg, "/");
    CHECK(home.res.status == 200);
    CHECK(home.res.header("Content-Type").starts_with("text/html"));
    CHECK(home.res.header("X-Frame-Options") == "DENY");
    for (auto method : {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
        auto a = call(reg, "/v0/servers/example/status",
                      {{"Origin", "https://example.com"}, {"Access-Control-Request-Method", method}}, "OPTIONS");
        CHECK(a.res.status == 204);
        CHECK(a.res.header("Access-Control-Allow-Methods").find(method) != std::string_view::npos);
        CHECK(a.res.header("Access-Control-Allow-Origin") == "*");
        CHECK(a.res.header("Access-Control-Max-Age") == "86400");
    }
    auto cors = call(reg, "/v0.1/servers", {{"Origin", "https://example.com"}});
    CHECK(cors.res.header("Access-Control-Allow-Origin") == "*");
    CHECK(call(reg, "/v0.1/servers").res.header("Access-Control-Allow-Origin").empty());
    auto post = call(reg, "/v0.1/servers", {}, "POST");
    CHECK(post.res.status == 405);
    CHECK(post.res.header("Allow") == "GET, HEAD");
    CHECK(call(reg, "/v0.1/servers?limit=%zz").res.status == 400);
    CHECK(call(reg, "/v0.1/servers/%zz/versions").res.status == 400);
    CHECK(call(reg, "/v0.1/servers/a%25zz/versions").res.status == 400);  // the second un-escape fails
}

TEST_CASE("versions and version detail" * doctest::test_suite("engine"))
{
    auto reg = seeded({entry("com.example/detail-server", "1.0.0", "2025-01-01T00:00:00Z"),
                       entry("com.example/version-server", "1.0.0", "2025-01-01T00:00:00Z", "active", "v1"),
                       entry("com.example/version-server", "2.0.0", "2025-01-02T00:00:00Z", "active", "v2"),
                       entry("com.example/version-server", "1.0.0+20130313144700", "2025-01-03T00:00:00Z"),
                       entry("com.example/multi-version-server", "1.0.0", "2025-01-01T00:00:00Z"),
                       entry("com.example/multi-version-server", "1.1.0", "2025-01-02T00:00:00Z"),
                       entry("com.example/multi-version-server", "2.0.0", "2025-01-03T00:00:00Z"),
                       entry("io.dots.and-dashes/server-name", "1.0.0", "2025-01-01T00:00:00Z"),
                       entry("com.long-namespace-name/very-long-server-name-here", "1.0.0", "2025-01-01T00:00:00Z"),
                       entry("org.test123/server_with_underscores", "1.0.0", "2025-01-01T00:00:00Z"),
                       entry("com.example/deleted-detail-test", "1.0.0", "2025-01-01T00:00:00Z", "deleted"),
                       entry("com.example/deleted-detail-test", "2.0.0", "2025-01-02T00:00:00Z"),
                       entry("com.example/all-deleted", "1.0.0", "2025-01-01T00:00:00Z", "deleted"),
                       entry("com.example/all-deleted", "2.0.0", "2025-01-02T00:00:00Z", "deleted")});
    auto official = [](const answer& a) { return a.body.at("_meta").at(model::official_meta_key); };
    for (std::string v : {"/v0", "/v0.1"}) {
        auto detail = call(reg, v + "/servers/com.example%2Fdetail-server/versions/latest");
        CHECK(detail.res.status == 200);
        CHECK(detail.body.at("server").at("name") == "com.example/detail-server");
        auto missing = call(reg, v + "/servers/com.example%2Fnon-existent/versions/latest");
        CHECK(missing.res.status == 404);
        CHECK(missing.body.at("detail") == "Server not found");
        auto older = call(reg, v + "/servers/com.example%2Fversion-server/versions/1.0.0");
        CHECK(older.body.at("server").at("description") == "v1");
        CHECK(official(older).at("isLatest") == false);
        CHECK(official(call(reg, v + "/servers/com.example%2Fversion-server/versions/2.0.0")).at("isLatest") == true);
        CHECK(call(reg, v + "/servers/com.example%2Fversion-server/versions/3.0.0").res.status == 404);
        CHECK(call(reg, v + "/servers/com.example%2Fversion-server/versions/1.0.0%2B20130313144700")
                  .body.at("server")
                  .at("version") == "1.0.0+20130313144700");
        CHECK(call(reg, v + "/servers/com.example%2Fversion-server/versions/latest").body.at("server").at("version") ==
              "2.0.0");  // build metadata does not rank higher
        auto versions = call(reg, v + "/servers/com.example%2Fmulti-version-server/versions");
        CHECK(versions.body.at("metadata").at("count") == 3);
        CHECK(names_versions(versions.body) ==
              std::vector<std::string>{"com.example/multi-version-server@2.0.0",
                                       "com.example/multi-version-server@1.1.0",
                                       "com.example/multi-version-server@1.0.0"});  // newest first
        int latest = 0;
        for (const auto& item : versions.body.at("servers").as_array())
            latest += item.at("_meta").at(model::official_meta_key).at("isLatest") == true;
        CHECK(latest == 1);
        CHECK(call(reg, v + "/servers/com.example%2Fnon-existent/versions").res.status == 404);
        for (auto name : {"io.dots.and-dashes%2Fserver-name", "com.long-namespace-name%2Fvery-long-server-name-here",
                          "org.test123%2Fserver_with_underscores"})
            CHECK(call(reg, v + "/servers/" + name + "/versions/latest").res.status == 200);
        const std::string deleted = v + "/servers/com.example%2Fdeleted-detail-test/versions";
        CHECK(call(reg, deleted + "/1.0.0").res.status == 404);  // deleted: hidden
        CHECK(call(reg, deleted + "/1.0.0?include_deleted=false").res.status == 404);
        CHECK(call(reg, deleted + "/1.0.0?include_deleted=true").res.status == 200);  // unless asked for
        CHECK(call(reg, deleted + "/2.0.0").res.status == 200);
        CHECK(call(reg, deleted).body.at("metadata").at("count") == 1);
        CHECK(call(reg, deleted + "?include_deleted=true").body.at("metadata").at("count") == 2);
        const std::string all_deleted = v + "/servers/com.example%2Fall-deleted/versions";
        CHECK(call(reg, all_deleted).res.status == 404);  // every version deleted
        CHECK(call(reg, all_deleted + "?include_deleted=true").res.status == 200);
        CHECK(call(reg, all_deleted + "/latest").res.status == 404);
        CHECK(call(reg, all_deleted + "/latest?include_deleted=true").body.at("server").at("version") == "2.0.0");
    }
    CHECK(call(reg, "/v0.1/servers/com.example%252Fdetail-server/versions/latest").res.status ==
          200);  // un-escaped twice
}

TEST_CASE("health, ping and version" * doctest::test_suite("engine"))
{
    engine::registry_options options;
    options.github_client_id = "Iv1.abc";
    options.git_commit = "abc123";
    auto with_id = test::open_registry(options);
    auto health = call(with_id, "/v0/health");
    CHECK(health.body == json::value{{"status", "ok"}, {"github_client_id", "Iv1.abc"}});
    auto plain = test::open_registry();
    CHECK(call(plain, "/v0.1/health").body == json::value{{"status", "ok"}});
    CHECK(call(plain, "/v0/ping").body == json::value{{"pong", true}});
    auto version = call(with_id, "/v0.1/version");
    CHECK(version.body.at("git_commit") == "abc123");
    CHECK(version.body.as_object().contains("version"));
    CHECK(version.body.as_object().contains("build_time"));
}

TEST_CASE("ETag, If-None-Match, Cache-Control, gzip and HEAD" * doctest::test_suite("engine"))
{
    engine::registry_options options;
    options.seed_files = {(test::data_dir() / "registry-seed.json").string()};
    options.max_age = std::chrono::seconds(45);
    auto reg = test::open_registry(options);
    auto first = call(reg, "/v0.1/servers?limit=100");
    REQUIRE(first.res.status == 200);
    const std::string etag(first.res.header("ETag"));
    CHECK(etag.size() == 34);
    CHECK(first.res.header("Cache-Control") == "public, max-age=45");
    CHECK(call(reg, "/v0/servers?limit=100").res.header("ETag") == etag);  // same bytes, same tag
    auto revalidated = call(reg, "/v0.1/servers?limit=100", {{"If-None-Match", etag}});
    CHECK(revalidated.res.status == 304);
    CHECK(revalidated.res.body.empty());
    CHECK(revalidated.res.header("ETag") == etag);
    CHECK(call(reg, "/v0.1/servers?limit=100", {{"If-None-Match", "\"other\", W/" + etag}}).res.status == 304);
    CHECK(call(reg, "/v0.1/servers?limit=100", {{"If-None-Match", "*"}}).res.status == 304);
    CHECK(call(reg, "/v0.1/servers?limit=100", {{"If-None-Match", "\"stale\""}}).res.status == 200);
    CHECK(call(reg, "/v0.1/servers?limit=99").res.header("ETag") != etag);

    auto zipped = call(reg, "/v0.1/servers?limit=100", {{"Accept-Encoding", "br, gzip;q=0.8"}});
    CHECK(zipped.res.header("Content-Encoding") == "gzip");
    CHECK(zipped.res.header("Vary") == "Accept-Encoding");
    CHECK(zipped.res.body.size() < first.res.body.size() / 3);
    CHECK(test::gunzip(zipped.res.body) == first.res.body);
    CHECK(
        call(reg, "/v0.1/servers?limit=100", {{"Accept-Encoding", "gzip;q=0"}}).res.header("Content-Encoding").empty());
    CHECK(call(reg, "/v0.1/ping", {{"Accept-Encoding", "gzip"}}).res.header("Content-Encoding").empty());  // too small

    auto detail = call(reg, "/v0.1/servers/io.github.github%2Fgithub-mcp-server/versions/latest");
    CHECK(detail.res.status == 200);
    CHECK(call(reg, "/v0.1/servers/io.github.github%2Fgithub-mcp-server/versions/latest",
               {{"If-None-Match", std::string(detail.res.header("ETag"))}})
              .res.status == 304);
    CHECK(call(reg, "/v0.1/servers/com.example%2Fnope/versions/latest").res.header("ETag").empty());
}

TEST_CASE("ranked full-text search extension" * doctest::test_suite("engine"))
{
    engine::registry_options options;
    options.seed_files = {(test::data_dir() / "registry-seed.json").string()};
    auto reg = test::open_registry(options);
    const std::string base = "/v0.1/x/io.github.mcpreg/search";
    auto github = call(reg, base + "?q=github&limit=5");
    REQUIRE(github.res.status == 200);
    const auto& servers = github.body.at("servers").as_array();
    REQUIRE(servers.size() == 5);
    // Name matches rank first; one entry per server (its latest version) unless all versions are asked for.
    CHECK(std::string_view(servers.at(0).at("server").at("name").as_string()).find("github") != std::string_view::npos);
    std::set<std::string> names;
    for (const auto& item : servers) names.insert(std::string(item.at("server").at("name").as_string()));
    CHECK(names.size() == servers.size());
    auto prefix = call(reg, base + "?q=filesys");
    CHECK(prefix.body.at("metadata").at("count").as_int64() > 0);
    for (auto hostile :
         {"%22", "a%22%20OR%20%22b", "*", "NEAR(", "%27%3B%20DROP%20TABLE%20server_versions%3B--", "-x", "%5E"}) {
        auto a = call(reg, base + "?q=" + hostile);
        CHECK_MESSAGE(a.res.status == 200, hostile);
    }
    CHECK(call(reg, base).res.status == 422);
    CHECK(call(reg, base + "?q=github&limit=500").res.status == 422);
    CHECK(reg.size().value() == 2376);  // the hostile queries changed nothing
    // `search` on the list endpoint keeps upstream's meaning: a substring of the name only.
    CHECK(call(reg, "/v0.1/servers?search=Connect%20AI").body.at("metadata").at("count") == 0);
}

TEST_CASE("import keeps given metadata, computes the missing, and fixes inconsistent latest flags" *
          doctest::test_suite("engine"))
{
    auto reg = test::open_registry();
    json::value two_latest = entry("com.example/x", "1.0.0", "2025-01-01T00:00:00Z");
    two_latest.at("_meta").at(model::official_meta_key).as_object()["isLatest"] = true;
    json::value also_latest = entry("com.example/x", "2.0.0", "2025-01-02T00:00:00Z");
    also_latest.at("_meta").at(model::official_meta_key).as_object()["isLatest"] = true;
    auto report = reg.import_json(json::array{two_latest, also_latest}).value();
    CHECK(report.read == 2);
    CHECK(report.inserted == 2);
    auto versions = call(reg, "/v0.1/servers/com.example%2Fx/versions").body;
    int flagged = 0;
    for (const auto& item : versions.at("servers").as_array())
        flagged += item.at("_meta").at(model::official_meta_key).at("isLatest") == true;
    CHECK(flagged == 1);

    auto plain_server = json::value{{"name", "com.example/plain"}, {"description", "d"}, {"version", "0.1.0"}};
    report = reg.import_json(plain_server).value();
    CHECK(report.inserted == 1);
    auto plain = call(reg, "/v0.1/servers/com.example%2Fplain/versions/latest").body;
    const auto& official = plain.at("_meta").at(model::official_meta_key);
    CHECK(official.at("status") == "active");
    CHECK(official.at("isLatest") == true);
    CHECK(model::timestamp::parse(official.at("publishedAt").as_string()));
    CHECK(plain.at("server") == plain_server);

    report = reg.import_json(entry("com.example/x", "2.0.0", "2025-01-05T00:00:00Z", "active", "new")).value();
    CHECK(report.replaced == 1);
    CHECK(call(reg, "/v0.1/servers/com.example%2Fx/versions/2.0.0").body.at("server").at("description") == "new");
    CHECK_FALSE(reg.import_json(json::value{{"name", 5}}).has_value());
    CHECK(reg.size().value() == 3);  // a failed import changes nothing
}

TEST_CASE("unknown keys of the official block and other registries' namespaces are served back in order" *
          doctest::test_suite("engine"))
{
    auto reg = test::open_registry();
    json::value given = entry("com.example/meta", "1.0.0", "2025-01-01T00:00:00Z");
    auto& meta = given.at("_meta").as_object();
    auto& official = meta.at(model::official_meta_key).as_object();
    official["x-mirrored-from"] = "https://upstream.example";
    official["x-rank"] = json::object{{"score", 3}, {"why", "quote \" and \u00e9"}};
    meta["com.example.mirror/info"] = json::object{{"synced", true}};
    meta["io.example/tags"] = json::array{"a", "b"};
    REQUIRE(reg.import_json(given).value().inserted == 1);
    const auto body = call(reg, "/v0.1/servers/com.example%2Fmeta/versions/1.0.0").res.body;
    const std::string expected_meta =
        R"("_meta":{"io.modelcontextprotocol.registry/official":{"status":"active","publishedAt":"2025-01-01T00:00:00Z",)"
        R"("updatedAt":"2025-01-01T00:00:00Z","statusChangedAt":"2025-01-01T00:00:00Z","isLatest":true,)"
        R"("x-mirrored-from":"https://upstream.example","x-rank":{"score":3,"why":"quote \" and é"}},)"
        R"("com.example.mirror/info":{"synced":true},"io.example/tags":["a","b"]}})";
    CHECK(body.ends_with(expected_meta));
    CHECK(model::parse_json(body).has_value());
}

TEST_CASE("Prometheus metrics and the OpenAPI document" * doctest::test_suite("engine"))
{
    auto reg = seeded({entry("com.example/server", "1.0.0", "2025-01-01T00:00:00Z")});
    call(reg, "/v0/servers/com.example%2Fserver/versions/1.0.0");
    call(reg, "/v0.1/servers");
    call(reg, "/nope");
    auto metrics = call(reg, "/metrics");
    CHECK(metrics.res.status == 200);
    CHECK(metrics.res.header("Content-Type").starts_with("text/plain"));
    for (auto expected :
         {"mcp_registry_http_requests_total{method=\"GET\",path=\"/v0/servers/{serverName}/versions/{version}\","
          "status=\"200\"} 1",
          "mcp_registry_http_requests_total{method=\"GET\",path=\"/v0.1/servers\",status=\"200\"} 1",
          "path=\"unmatched\",status=\"404\"",
          "mcp_registry_http_request_duration_bucket{method=\"GET\",path=\"/v0.1/servers\",status=\"200\","
          "le=\"+Inf\"} 1"})
        CHECK_MESSAGE(metrics.res.body.find(expected) != std::string::npos, expected);
    auto openapi = call(reg, "/openapi.yaml");
    CHECK(openapi.res.status == 200);
    for (auto path :
         {"/v0.1/servers:", "/v0.1/servers/{serverName}/versions:", "/v0.1/servers/{serverName}/versions/{version}:"})
        CHECK_MESSAGE(openapi.res.body.find(path) != std::string::npos, path);
}

TEST_CASE("importing 20,000 entries, then reading and searching them" * doctest::test_suite("engine"))
{
    const auto snapshot = model::read_json_file((test::data_dir() / "registry-seed.json").string()).value();
    json::array entries;
    entries.reserve(20'000);
    for (std::size_t i = 0; entries.size() < 20'000; ++i) {
        json::value copy = snapshot.as_array()[i % snapshot.as_array().size()];
        auto& server = copy.at("server").as_object();
        server["name"] =
            std::string(server.at("name").as_string()) + "-copy" + std::to_string(i / snapshot.as_array().size());
        entries.push_back(std::move(copy));
    }
    auto reg = test::open_registry();
    auto report = reg.import_json(entries).value();
    CHECK(report.read == 20'000);
    CHECK(report.inserted == 20'000);
    CHECK(reg.size().value() == 20'000);
    auto page = call(reg, "/v0.1/servers?limit=100&cursor=io.github.github%2Fgithub-mcp-server-copy3");
    CHECK(page.body.at("metadata").at("count") == 100);
    auto found = call(reg, "/v0.1/x/io.github.mcpreg/search?q=github-mcp-server-copy7&limit=3");
    REQUIRE(found.body.at("servers").as_array().size() >= 1);
    CHECK(found.body.at("servers").at(0).at("server").at("name") == "io.github.github/github-mcp-server-copy7");
}

TEST_CASE("updated_since reads the same rows whichever plan the change count picks" * doctest::test_suite("engine"))
{
    // 12,000 versions updated a second apart: a recent cut has few changes (read through the updated_at
    // index), an old one has most (read in name order). Both must list exactly the rows after the cut, in
    // (name, version) order, across pages.
    json::array entries;
    const auto start = std::chrono::sys_days{std::chrono::year{2025} / 1 / 1};
    for (int i = 0; i < 12'000; ++i) {
        const auto updated = model::format_rfc3339(model::timestamp::clock_time(start + std::chrono::seconds(i)));
        entries.push_back(json::object{
            {"server",
             {{"name", "io.github.plan/s" + std::to_string((i * 7919) % 12'000)},
              {"description", "d"},
              {"version", "1.0.0"}}},
            {"_meta",
             {{model::official_meta_key,
               {{"status", "active"}, {"publishedAt", updated}, {"updatedAt", updated}, {"isLatest", true}}}}}});
    }
    auto reg = test::open_registry();
    REQUIRE(reg.import_json(entries).value().inserted == 12'000);
    for (int cut : {11'900, 1'000}) {
        const auto since = model::format_rfc3339(model::timestamp::clock_time(start + std::chrono::seconds(cut)));
        std::vector<std::string> seen;
        std::string cursor;
        for (int page = 0; page < 200; ++page) {
            std::string encoded;  // names and versions here hold only '/' and ':' to escape
            for (char c : cursor) encoded += c == '/' ? "%2F" : c == ':' ? "%3A" : std::string(1, c);
            auto res = call(reg, "/v0.1/servers?limit=100&updated_since=" + since +
                                     (encoded.empty() ? "" : "&cursor=" + encoded));
            REQUIRE(res.res.status == 200);
            for (const auto& e : res.body.at("servers").as_array())
                seen.emplace_back(e.at("server").at("name").as_string());
            const auto* next = res.body.at("metadata").as_object().if_contains("nextCursor");
            if (!next) break;
            cursor = std::string(next->as_string());
        }
        CHECK(seen.size() == static_cast<std::size_t>(12'000 - 1 - cut));
        CHECK(std::is_sorted(seen.begin(), seen.end()));
        CHECK(std::adjacent_find(seen.begin(), seen.end()) == seen.end());
    }
}

TEST_CASE("a remembered 404 is forgotten when the server is published" * doctest::test_suite("engine"))
{
    auto reg = test::open_registry();
    const auto token = reg.issue_token({{"publish", "*"}});
    for (int i = 0; i < 2; ++i) {
        auto missing = call(reg, "/v0.1/servers/com.example%2Flate/versions/latest");
        CHECK(missing.res.status == 404);
        CHECK(missing.res.header("ETag").empty());
        CHECK(missing.res.header("Content-Type") == "application/problem+json");
        CHECK(detail_contains(missing, "Server not found"));
    }
    REQUIRE(test::call(reg, "POST", "/v0.1/publish",
                       json::object{{"$schema", model::current_schema_url},
                                    {"name", "com.example/late"},
                                    {"description", "d"},
                                    {"version", "1.0.0"}},
                       token)
                .res.status == 200);
    CHECK(call(reg, "/v0.1/servers/com.example%2Flate/versions/latest").res.status == 200);
}

TEST_CASE("a storage failure is a generic 500 that leaks nothing" * doctest::test_suite("engine"))
{
    const database_file file("storage-failure");
    const auto& path = file.path;
    {
        engine::registry_options options;
        options.database = path.string();
        auto reg = test::open_registry(options);
        reg.import_json(entry("com.example/server", "1.0.0", "2025-01-01T00:00:00Z")).value();
        // Another process breaks the database under the running registry.
        run_sql(path, "ALTER TABLE server_versions RENAME TO gone");
        auto list = call(reg, "/v0.1/servers?limit=7");
        CHECK(list.res.status == 500);
        CHECK(list.body.at("detail") == "Failed to get registry list");
        CHECK(list.res.body.find("server_versions") == std::string::npos);
        CHECK(list.res.body.find("SQL") == std::string::npos);
        auto detail = call(reg, "/v0.1/servers/com.example%2Fserver/versions/1.0.0");
        CHECK(detail.res.status == 500);
        CHECK(detail.body.at("detail") == "Failed to get server details");
        CHECK(call(reg, "/v0.1/ping").res.status == 200);  // what does not need the table still works
    }
}

TEST_CASE("stored entries follow every change to their row, and a page's ETag follows its entries" *
          doctest::test_suite("engine"))
{
    auto reg = seeded({entry("com.example/a", "1.0.0", "2025-01-01T00:00:00Z"),
                       entry("com.example/b", "1.0.0", "2025-01-01T00:00:00Z")});
    const auto first = call(reg, "/v0.1/servers?limit=2");
    const std::string first_etag(first.res.header("ETag"));
    const std::string old_version_etag(call(reg, "/v0.1/servers/com.example%2Fa/versions/1.0.0").res.header("ETag"));

    // A status change through an import: the row's entry and the page's ETag change.
    reg.import_json(json::array{entry("com.example/b", "1.0.0", "2025-01-01T00:00:00Z", "deprecated")}).value();
    const auto deprecated = call(reg, "/v0.1/servers?limit=2");
    CHECK(deprecated.body.at("servers").at(1).at("_meta").at(model::official_meta_key).at("status") == "deprecated");
    const std::string deprecated_etag(deprecated.res.header("ETag"));
    CHECK(deprecated_etag != first_etag);

    // A row elsewhere changes nothing on this page, bytes or tag.
    reg.import_json(json::array{entry("com.example/z", "1.0.0", "2025-01-01T00:00:00Z")}).value();
    const auto unrelated = call(reg, "/v0.1/servers?limit=2");
    CHECK(unrelated.res.body == deprecated.res.body);
    CHECK(unrelated.res.header("ETag") == deprecated_etag);
    CHECK(call(reg, "/v0.1/servers?limit=2", {{"If-None-Match", deprecated_etag}}).res.status == 304);

    // A newer version moves the latest flag: the older row is rendered again without it.
    reg.import_json(json::array{entry("com.example/a", "2.0.0", "2025-02-01T00:00:00Z")}).value();
    const auto old_version = call(reg, "/v0.1/servers/com.example%2Fa/versions/1.0.0");
    CHECK(old_version.body.at("_meta").at(model::official_meta_key).at("isLatest") == false);
    CHECK(old_version.res.header("ETag") != old_version_etag);
    CHECK(call(reg, "/v0.1/servers/com.example%2Fa/versions/latest").body.at("server").at("version") == "2.0.0");
    CHECK(call(reg, "/v0.1/servers?limit=2").res.header("ETag") != deprecated_etag);
}

TEST_CASE("rows stored without their entry (older engines) are refused, then rendered by a write or at open" *
          doctest::test_suite("engine"))
{
    const database_file file("entries");
    const auto& path = file.path;
    engine::registry_options options;
    options.database = path.string();
    options.seed_files = {(test::data_dir() / "registry-seed.json").string()};
    // As an engine from before stored entries would leave them: every row without one.
    auto clear_entries = [&] { run_sql(path, "UPDATE server_versions SET entry = NULL, entry_digest = NULL"); };
    std::string page, etag, detail;
    {
        auto reg = test::open_registry(options);
        auto answer = call(reg, "/v0.1/servers?limit=100&cursor=io.github");
        REQUIRE(answer.res.status == 200);
        page = answer.res.body;
        etag = answer.res.header("ETag");
        detail = call(reg, "/v0.1/servers/io.github.github%2Fgithub-mcp-server/versions/latest").res.body;

        clear_entries();
        const auto refused = call(reg, "/v0.1/servers?limit=100&cursor=io.github.a");  // not cached yet
        CHECK(refused.res.status == 500);
        CHECK(refused.body.at("detail") == "Failed to get registry list");
        reg.import_json(json::array{entry("com.example/new", "1.0.0", "2025-01-01T00:00:00Z")}).value();
        CHECK(call(reg, "/v0.1/servers?limit=100&cursor=io.github.a").res.status == 200);
        CHECK(call(reg, "/v0.1/servers?limit=100&cursor=io.github").res.body == page);
    }
    clear_entries();
    {
        options.seed_files.clear();
        auto reg = test::open_registry(options);
        auto answer = call(reg, "/v0.1/servers?limit=100&cursor=io.github");
        CHECK(answer.res.body == page);
        CHECK(answer.res.header("ETag") == etag);
        CHECK(call(reg, "/v0.1/servers/io.github.github%2Fgithub-mcp-server/versions/latest").res.body == detail);
    }
}

TEST_CASE("a file from before the page index (schema 3) is migrated at open and serves the same pages" *
          doctest::test_suite("engine"))
{
    const database_file file("schema3");
    const auto& path = file.path;
    engine::registry_options options;
    options.database = path.string();
    options.seed_files = {(test::data_dir() / "registry-seed.json").string()};
    auto sql = [&](const char* statement) { return run_sql(path, statement); };
    std::string page, deleted_page;
    {
        auto reg = test::open_registry(options);
        page = call(reg, "/v0.1/servers?limit=100&cursor=io.github").res.body;
        deleted_page = call(reg, "/v0.1/servers?limit=30&include_deleted=true").res.body;
    }
    CHECK(sql("PRAGMA page_size") == "8192");  // a new file
    CHECK(sql("PRAGMA user_version") == "5");
    // As schema 3 left it: no page index, no deployment identity.
    sql("DROP INDEX server_versions_page; DROP TABLE registry_settings; PRAGMA user_version = 3");
    {
        options.seed_files.clear();
        auto reg = test::open_registry(options);
        CHECK(call(reg, "/v0.1/servers?limit=100&cursor=io.github").res.body == page);
        CHECK(call(reg, "/v0.1/servers?limit=30&include_deleted=true").res.body == deleted_page);
    }
    CHECK(sql("PRAGMA user_version") == "5");
    CHECK(sql("SELECT count(*) FROM sqlite_schema WHERE name = 'server_versions_page'") == "1");
    CHECK(sql("SELECT length(value) FROM registry_settings WHERE key = 'deployment_id'") == "32");
}

TEST_CASE("a search costs bounded time: too many or too long words are refused, duplicates count once" *
          doctest::test_suite("engine"))
{
    engine::registry_options options;
    options.seed_files = {(test::data_dir() / "registry-seed.json").string()};
    auto reg = test::open_registry(options);
    const std::string base = "/v0.1/x/io.github.mcpreg/search?q=";
    std::string thousand;
    for (int i = 0; i < 1000; ++i) thousand += "a" + std::to_string(i) + "%20";
    const auto started = std::chrono::steady_clock::now();
    auto many = call(reg, base + thousand);
    CHECK(many.res.status == 422);
    CHECK(many.res.body.find("query.q") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(500));
    CHECK(call(reg, base + std::string(300, 'g')).res.status == 422);
    // The same word a thousand times is one word; eight distinct words are fine.
    std::string repeated;
    for (int i = 0; i < 1000 && repeated.size() < 240; ++i) repeated += "git%20";
    CHECK(call(reg, base + repeated).res.status == 200);
    CHECK(call(reg, base + "a%20b%20c%20d%20e%20f%20g%20h").res.status == 200);
    CHECK(call(reg, base + "a%20b%20c%20d%20e%20f%20g%20h%20i").res.status == 422);
    // One-letter words are whole tokens, never a prefix scan of the whole index.
    CHECK(call(reg, base + "g").body.at("metadata").at("count").as_int64() <
          call(reg, base + "gi").body.at("metadata").at("count").as_int64());
}

TEST_CASE("a statement past its deadline stops with a timeout, and the connection stays usable" *
          doctest::test_suite("engine"))
{
    namespace sql = mcpreg::detail::sqlite;
    auto db = sql::connection::open(":memory:").value();
    auto endless =
        db.prepare("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n").value();
    const auto started = std::chrono::steady_clock::now();
    {
        sql::deadline_guard deadline(db, started + std::chrono::milliseconds(50));
        auto stepped = endless.step();
        REQUIRE_FALSE(stepped);
        CHECK(stepped.error().code == errc::timeout);
    }
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
    auto after = db.prepare("SELECT 42").value();
    REQUIRE(after.step().value());
    CHECK(after.column_int(0) == 42);
}

TEST_CASE("search words: split as the index tokenizes, deduplicated, bounded, quoted for FTS5" *
          doctest::test_suite("engine"))
{
    using mcpreg::detail::search_words;
    CHECK(search_words("io.github.acme/weather-server", "-_.").value() ==
          std::vector<std::string>{"io.github.acme", "weather-server"});
    CHECK(search_words("io.github.acme/weather-server", "").value() ==
          std::vector<std::string>{"io", "github", "acme", "weather", "server"});
    CHECK(search_words("Git git GIT hub", "").value() == std::vector<std::string>{"Git", "hub"});
    CHECK(search_words("\"*NEAR(  ^", "").value().size() == 1);  // NEAR: a word, never an operator
    CHECK(mcpreg::detail::fts5_match({"NEAR", "a", "x\"y"}) == "\"NEAR\"* \"a\" \"x\"\"y\"*");
    CHECK(search_words(std::string(257, 'a'), "").error().code == errc::invalid_argument);
    CHECK(search_words("a b c d e f g h i", "").error().code == errc::invalid_argument);
    CHECK(search_words("", "").value().empty());
}

TEST_CASE("metrics keep a bounded number of series whatever methods and paths clients send" *
          doctest::test_suite("engine"))
{
    auto reg = test::open_registry();
    const auto before = call(reg, "/metrics").res.body.size();
    for (int i = 0; i < 500; ++i) {
        call(reg, "/v0.1/servers", {}, "METHOD" + std::to_string(i));
        call(reg, "/no/such/path/" + std::to_string(i));
        call(reg, "/v0.1/x/ns" + std::to_string(i) + "/search?q=a");
    }
    const auto metrics = call(reg, "/metrics").res.body;
    CHECK(metrics.find("METHOD1") == std::string::npos);
    CHECK(metrics.find("method=\"other\"") != std::string::npos);
    CHECK(metrics.find("/no/such/path") == std::string::npos);
    CHECK(metrics.find("ns12") == std::string::npos);
    CHECK(metrics.size() < before + 20'000);  // a handful of series, not 1,500
}

TEST_CASE("reads on their own connections never wait behind a slow read or a write, and see every commit" *
          doctest::test_suite("engine"))
{
    const database_file file("readers");
    const auto& path = file.path;
    engine::registry_options options;
    options.database = path.string();
    options.seed_files = {(test::data_dir() / "registry-seed.json").string()};
    auto reg = engine::registry::open(options).value();
    auto store = engine::detail::storage::open(path.string(), {}).value();
    // One read stalls inside its rows (as a slow search does) while another read and a write go ahead.
    std::atomic<bool> stalled{false};
    std::thread slow([&] {
        model::list_filter query;
        query.limit = 2;
        (void)store->list(query, [&](const engine::detail::rendered_row&) {
            stalled = true;
            std::this_thread::sleep_for(std::chrono::milliseconds(800));
        });
    });
    while (!stalled) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const auto started = std::chrono::steady_clock::now();
    bool found = false;
    CHECK(store->get("io.github.github/github-mcp-server", "latest", false, [&](const auto&) { found = true; }));
    CHECK(found);
    const auto token = reg.issue_token({{"publish", "*"}});
    engine::request publish;
    publish.method = "POST";
    publish.target = "/v0.1/publish";
    publish.headers.push_back({"Authorization", "Bearer " + token});
    publish.body = R"({"$schema":")" + std::string(model::current_schema_url) +
                   R"(","name":"com.example/fresh","description":"d","version":"1.0.0"})";
    REQUIRE(reg.handle(publish).status == 200);
    // The stalled read holds its connection for 800 ms: waiting behind it would take at least that.
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(650));
    // The other connection sees the commit at once.
    bool fresh = false;
    CHECK(store->get("com.example/fresh", "1.0.0", false, [&](const auto&) { fresh = true; }));
    CHECK(fresh);
    slow.join();
    store.reset();
}

TEST_CASE("the response cache is keyed by the parameters the API reads and bounded in bytes" *
          doctest::test_suite("engine"))
{
    const database_file file("cache-bytes");
    const auto& path = file.path;
    engine::registry_options options;
    options.database = path.string();
    options.seed_files = {(test::data_dir() / "registry-seed.json").string()};
    options.response_cache_bytes = 64 * 1024;
    auto reg = engine::registry::open(options).value();
    // A change behind the registry's back shows which answers come from the cache: cached ones stay old.
    const auto small = call(reg, "/v0.1/servers?limit=2&junk=1").res.body;
    run_sql(path, "UPDATE server_versions SET entry = replace(entry, 'description', 'DESCRIPTION')");
    // Unknown parameters share the entry of the same query without them: a flood of them adds nothing.
    for (int i = 2; i < 50; ++i) CHECK(call(reg, "/v0.1/servers?limit=2&junk=" + std::to_string(i)).res.body == small);
    CHECK(call(reg, "/v0.1/servers?limit=2").res.body == small);
    // A page larger than the byte budget is never kept: it is read again each time.
    const auto large = call(reg, "/v0.1/servers?limit=100").res.body;
    CHECK(large.find("DESCRIPTION") != std::string::npos);
    run_sql(path, "UPDATE server_versions SET entry = replace(entry, 'DESCRIPTION', 'description')");
    CHECK(call(reg, "/v0.1/servers?limit=100").res.body.find("DESCRIPTION") == std::string::npos);
}
