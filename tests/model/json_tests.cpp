// Reading and writing server.json documents of every generation.
#include <mcpreg/model/json.hpp>

#include "test_data.hpp"

#include <doctest/doctest.h>

namespace json = boost::json;
using namespace mcpreg::model;

namespace {

json::value parse(std::string_view text) { return parse_json(text).value(); }

constexpr std::string_view full_current_document = R"({
  "$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
  "name": "io.github.example/weather",
  "description": "Weather forecasts",
  "version": "1.2.3",
  "title": "Weather",
  "repository": {"url": "https://github.com/example/weather", "source": "github", "id": "42", "subfolder": "srv"},
  "websiteUrl": "https://example.com/weather",
  "icons": [{"src": "https://example.com/i.png", "mimeType": "image/png", "sizes": ["48x48", "any"], "theme": "dark"}],
  "packages": [{
    "registryType": "npm", "registryBaseUrl": "https://registry.npmjs.org", "identifier": "@example/weather",
    "version": "1.2.3", "runtimeHint": "npx",
    "transport": {"type": "streamable-http", "url": "http://localhost:{--port}/mcp",
                  "headers": [{"name": "X-Key", "isSecret": true, "isRequired": true}]},
    "runtimeArguments": [{"type": "named", "name": "--node-options", "value": "--max-old-space-size={mem}",
                          "variables": {"mem": {"default": "512", "format": "number", "choices": ["512", "1024"]}}}],
    "packageArguments": [{"type": "positional", "valueHint": "dir", "isRepeated": true, "placeholder": "/tmp"},
                         {"type": "named", "name": "--port", "default": "8080", "format": "number"}],
    "environmentVariables": [{"name": "API_KEY", "description": "key", "isSecret": true, "value": "{k}",
                              "variables": {"k": {"isRequired": true}}}]
  }, {
    "registryType": "mcpb", "identifier": "https://github.com/example/weather/releases/download/v1/weather.mcpb",
    "fileSha256": "fe333e598595000ae021bd27117db32ec69af6987f507ba7a63c90638ff633ce", "transport": {"type": "stdio"}
  }],
  "remotes": [{"type": "sse", "url": "https://{region}.example.com/sse",
               "variables": {"region": {"default": "eu", "choices": ["eu", "us"]}},
               "headers": [{"name": "Authorization", "value": "Bearer {token}", "variables": {"token": {"isSecret": true}}}]}],
  "_meta": {"io.modelcontextprotocol.registry/publisher-provided": {"tool": "x", "nested": {"a": [1, 2]}}}
})";

}  // namespace

TEST_CASE("every field of the current schema is read into the typed model")
{
    read_info info;
    auto s = parse_server(full_current_document, &info).value();
    CHECK(info.declared == schema_generation::v2025_12_11);
    CHECK(info.style == field_style::camel_case);
    CHECK(s.name == "io.github.example/weather");
    CHECK(s.title == "Weather");
    REQUIRE(s.repository);
    CHECK(s.repository->id == "42");
    CHECK(s.repository->subfolder == "srv");
    REQUIRE(s.icons);
    CHECK((*s.icons)[0].sizes == std::vector<std::string>{"48x48", "any"});
    CHECK((*s.icons)[0].theme == "dark");
    REQUIRE(s.packages);
    REQUIRE(s.packages->size() == 2);
    const auto& npm = (*s.packages)[0];
    CHECK(npm.kind() == registry_kind::npm);
    CHECK(npm.runtime_hint == "npx");
    REQUIRE(npm.transport);
    CHECK(npm.transport->type == "streamable-http");
    CHECK((*npm.transport->headers)[0].is_secret == true);
    const auto& runtime_arg = (*npm.runtime_arguments)[0];
    CHECK(runtime_arg.is_named());
    CHECK(runtime_arg.variables->at("mem").choices->size() == 2);
    CHECK((*npm.package_arguments)[0].is_repeated == true);
    CHECK((*npm.package_arguments)[0].placeholder == "/tmp");
    CHECK((*npm.package_arguments)[1].default_value == "8080");
    CHECK((*npm.environment_variables)[0].variables->at("k").is_required == true);
    CHECK((*s.packages)[1].kind() == registry_kind::mcpb);
    CHECK_FALSE((*s.packages)[1].version.has_value());
    REQUIRE(s.remotes);
    CHECK((*s.remotes)[0].variables->at("region").default_value == "eu");
    REQUIRE(s.meta);
    CHECK(s.meta->contains(publisher_meta_key));
}

TEST_CASE("a current document writes back as an equal JSON value")
{
    auto input = parse(full_current_document);
    auto s = server_from_json(input).value();
    CHECK(to_json(s) == input);
    // And through text.
    CHECK(parse(serialize(s)) == input);
}

TEST_CASE("absent and empty stay different")
{
    auto input = parse(R"({"name":"a.b/c","description":"d","version":"1","packages":[],"remotes":[],
                           "repository":{},"_meta":{},"icons":[]})");
    auto s = server_from_json(input).value();
    REQUIRE(s.packages);
    CHECK(s.packages->empty());
    CHECK(s.repository.has_value());
    CHECK(to_json(s) == input);
    auto bare = server_from_json(parse(R"({"name":"a.b/c","description":"d","version":"1"})")).value();
    CHECK_FALSE(bare.packages);
    CHECK_FALSE(bare.repository);
    CHECK(to_json(bare).as_object().size() == 3);
}

TEST_CASE("unknown fields and foreign _meta survive at every level")
{
    auto input = parse(R"({
      "name": "a.b/c", "description": "d", "version": "1", "futureField": {"x": 1},
      "repository": {"url": "https://github.com/a/b", "source": "github", "branch": "main"},
      "packages": [{"registryType": "brew", "identifier": "c", "transport": {"type": "stdio", "pipe": true},
                    "checksum": "abc",
                    "packageArguments": [{"type": "positional", "value": "x", "sensitivity": 3}]}],
      "remotes": [{"type": "websocket", "url": "wss://a.b/c", "qos": 1}],
      "_meta": {"com.example/other": {"k": "v"}, "io.modelcontextprotocol.registry/publisher-provided": {}}
    })");
    auto s = server_from_json(input).value();
    CHECK(s.extra.contains("futureField"));
    CHECK(s.repository->extra.contains("branch"));
    CHECK((*s.packages)[0].kind() == registry_kind::unknown);
    CHECK((*s.packages)[0].registry_type == "brew");
    CHECK((*s.packages)[0].extra.contains("checksum"));
    CHECK((*s.packages)[0].transport->extra.contains("pipe"));
    CHECK((*(*s.packages)[0].package_arguments)[0].extra.contains("sensitivity"));
    CHECK((*s.remotes)[0].extra.contains("qos"));
    CHECK(to_json(s) == input);
}

TEST_CASE("2025-07-09 snake_case documents are read, detected, and written back in their own style")
{
    auto input = parse(R"({
      "$schema": "https://static.modelcontextprotocol.io/schemas/2025-07-09/server.schema.json",
      "name": "io.github.old/server", "description": "old", "version": "0.1.0", "status": "active",
      "website_url": "https://example.com",
      "packages": [{"registry_type": "pypi", "registry_base_url": "https://pypi.org", "identifier": "old-server",
                    "version": "0.1.0", "runtime_hint": "uvx", "transport": {"type": "stdio"},
                    "package_arguments": [{"type": "named", "name": "--x", "is_required": true, "value_hint": "x"}],
                    "environment_variables": [{"name": "TOKEN", "is_secret": true}]}]
    })");
    read_info info;
    auto s = server_from_json(input, &info).value();
    CHECK(info.declared == schema_generation::v2025_07_09);
    CHECK(info.detected == schema_generation::v2025_07_09);
    CHECK(info.style == field_style::snake_case);
    CHECK(s.website_url == "https://example.com");
    const auto& p = (*s.packages)[0];
    CHECK(p.registry_type == "pypi");
    CHECK(p.runtime_hint == "uvx");
    CHECK((*p.package_arguments)[0].is_required == true);
    CHECK((*p.package_arguments)[0].value_hint == "x");
    CHECK((*p.environment_variables)[0].is_secret == true);
    CHECK(s.extra.at("status") == "active");  // registry-managed in 2025-07-09, unknown today
    CHECK(to_json(s, {field_style::snake_case}) == input);

    auto upgraded = to_json(upgrade(s)).as_object();
    CHECK(upgraded.at("$schema").as_string() == current_schema_url);
    CHECK_FALSE(upgraded.contains("status"));
    CHECK(upgraded.at("websiteUrl") == "https://example.com");
    CHECK(upgraded.at("packages").at(0).as_object().contains("registryType"));
    CHECK(upgraded.at("packages").at(0).at("packageArguments").at(0).as_object().contains("isRequired"));
}

TEST_CASE("generation detection")
{
    auto detect = [](std::string_view text) { return detect_generation(parse(text)); };
    CHECK(detect(R"({"name":"a/b","status":"active"})") == schema_generation::v2025_09_16);
    CHECK(detect(R"({"name":"a/b","_meta":{"io.modelcontextprotocol.registry/official":{}}})") ==
          schema_generation::v2025_09_16);
    CHECK(detect(R"({"name":"a/b","packages":[{"registryType":"npm","version":"1"}]})") ==
          schema_generation::v2025_09_29);
    CHECK(detect(R"({"name":"a/b","title":"T"})") == schema_generation::v2025_10_11);
    CHECK(detect(R"({"name":"a/b","packages":[{"registryType":"oci"}]})") == schema_generation::v2025_10_11);
    CHECK(detect(R"({"name":"a/b","packages":[{"registryType":"mcpb","version":"1"}]})") ==
          schema_generation::v2025_10_17);
    CHECK(detect(R"({"name":"a/b","remotes":[{"type":"sse","url":"https://x","variables":{}}]})") ==
          schema_generation::v2025_12_11);
    CHECK(detect(R"({"name":"a/b","remotes":[{"type":"sse","url":"{base}/mcp"}]})") == schema_generation::draft);
    CHECK(detect(R"({"name":"a/b","packages":[{"registryType":"cargo","version":"1"}]})") == schema_generation::draft);
    CHECK(detect(R"({"name":"a/b","_meta":{"x":{"registry_type":1}}})") == schema_generation::v2025_09_29);
    CHECK(detect("[]") == schema_generation::unknown);
}

TEST_CASE("$schema URLs name their generation")
{
    CHECK(generation_of_schema_url(current_schema_url) == schema_generation::v2025_12_11);
    CHECK(
        generation_of_schema_url(
            "https://static.modelcontextprotocol.io/schemas/2025-10-17/server.schema.json#/definitions/ServerDetail") ==
        schema_generation::v2025_10_17);
    CHECK(generation_of_schema_url(schema_url(schema_generation::draft)) == schema_generation::draft);
    CHECK(generation_of_schema_url("https://static.modelcontextprotocol.io/schemas/2025-01-27/server.schema.json") ==
          schema_generation::unknown);
    CHECK(generation_of_schema_url("") == schema_generation::unknown);
    CHECK(generation_of_schema_url("https://example.com/2025-12-11/server.schema.json") == schema_generation::unknown);
    for (auto generation : known_generations) {
        CHECK(parse_generation(to_string(generation)) == generation);
        CHECK(generation_of_schema_url(schema_url(generation)) == generation);
    }
}

TEST_CASE("responses: official metadata, other registries' namespaces, and the legacy flat shape")
{
    auto input = parse(R"({
      "server": {"name": "a.b/c", "description": "d", "version": "1.0.0"},
      "_meta": {
        "io.modelcontextprotocol.registry/official": {
          "status": "deprecated", "statusMessage": "use d", "publishedAt": "2025-09-09T00:16:49.16262Z",
          "updatedAt": "2025-09-16T13:14:05.094878294Z", "statusChangedAt": "2025-09-16T13:14:05Z",
          "isLatest": true, "serverId": "legacy"},
        "com.example.mirror/info": {"source": "upstream"}
      }
    })");
    auto r = server_response_from_json(input).value();
    const auto* official = r.official();
    REQUIRE(official);
    CHECK(official->parsed_status() == server_status::deprecated);
    CHECK(official->status_message == "use d");
    CHECK(official->is_latest == true);
    CHECK(official->published_at->to_string() == "2025-09-09T00:16:49.16262Z");
    CHECK(*official->status_changed_at < *official->updated_at);
    CHECK(official->extra.contains("serverId"));
    CHECK(r.meta->other.contains("com.example.mirror/info"));
    CHECK(to_json(r) == input);

    auto flat = server_response_from_json(parse(R"({
      "name": "a.b/c", "description": "d", "version": "1", "status": "beta",
      "_meta": {"io.modelcontextprotocol.registry/official": {"id": "x", "published_at": "2025-07-10T00:00:00Z",
                                                              "is_latest": true}}})"))
                    .value();
    REQUIRE(flat.official());
    CHECK(flat.official()->is_latest == true);
    CHECK(flat.official()->published_at == timestamp::parse("2025-07-10T00:00:00Z").value());
    CHECK(parse_server_status("beta") == std::nullopt);
}

TEST_CASE("list pages: nextCursor, the older next_cursor, and the final page without a cursor")
{
    auto page = server_list_from_json(parse(R"({"servers":[],"metadata":{"count":0}})")).value();
    CHECK(page.servers.empty());
    CHECK_FALSE(page.next_cursor);
    CHECK(page.count == 0);
    auto old = server_list_from_json(parse(R"({"servers":[],"metadata":{"next_cursor":"abc","count":0}})")).value();
    CHECK(old.next_cursor == "abc");
    auto bare = parse(R"({"servers":[]})");
    auto no_metadata = server_list_from_json(bare).value();
    CHECK_FALSE(no_metadata.has_metadata);
    CHECK(to_json(no_metadata) == bare);
    CHECK(server_list_from_json(parse(R"({"servers":{}})")).error().code == mcpreg::errc::invalid_document);
    CHECK(server_list_from_json(parse(R"({"servers":[],"metadata":{"count":"3"}})"))
              .error()
              .diag.message.find("/metadata/count") != std::string::npos);
}

TEST_CASE("document classification")
{
    CHECK(classify_document(parse(R"({"name":"a/b"})")) == document_kind::server);
    CHECK(classify_document(parse(R"({"description":"no name"})")) == document_kind::server);
    CHECK(classify_document(parse(R"({"server":{}})")) == document_kind::server_response);
    CHECK(classify_document(parse(R"({"servers":[]})")) == document_kind::server_list);
    CHECK(classify_document(parse(R"([{"name":"a/b"}])")) == document_kind::server_array);
    CHECK(classify_document(parse(R"([{"server":{}}])")) == document_kind::server_response_array);
    CHECK(classify_document(parse("[]")) == document_kind::unknown);
    CHECK(classify_document(parse("42")) == document_kind::unknown);
    CHECK(classify_document(parse("{}")) == document_kind::unknown);
}

TEST_CASE("the reader reports wrong types and missing required fields with a JSON pointer")
{
    auto error_of = [](std::string_view text) { return parse_server(text).error(); };
    auto e = error_of(R"({"name":"a/b","description":"d","version":1})");
    CHECK(e.code == mcpreg::errc::invalid_document);
    CHECK(e.code == mcpreg::condition::invalid_input);
    CHECK(e.diag.message == "at /version: expected a string, found a number");
    CHECK(error_of(R"({"description":"d","version":"1"})").diag.message ==
          "at /name: required field \"name\" is missing");
    CHECK(error_of(R"({"name":"a/b","description":"d","version":"1","packages":[{"registryType":"npm",
              "identifier":"x","transport":{"type":"stdio","headers":[{"name":5}]}}]})")
              .diag.message == "at /packages/0/transport/headers/0/name: expected a string, found a number");
    CHECK(error_of(R"({"name":"a/b","description":"d","version":"1","remotes":[{"type":"sse","url":"https://x",
              "variables":{"a/b":{"isSecret":"yes"}}}]})")
              .diag.message == "at /remotes/0/variables/a~1b/isSecret: expected a boolean, found a string");
    CHECK(error_of("[1]").diag.message.find("must be an object") != std::string::npos);
    CHECK(error_of("{").code == mcpreg::errc::json_syntax);
    auto bad_time = server_response_from_json(parse(R"({"server":{"name":"a/b","description":"d","version":"1"},
                  "_meta":{"io.modelcontextprotocol.registry/official":{"publishedAt":"yesterday"}}})"));
    REQUIRE_FALSE(bad_time);
    CHECK(bad_time.error().diag.message.find("publishedAt") != std::string::npos);
}

TEST_CASE("result<T>::value() throws error_exception with the diagnostics")
{
    auto failed = parse_server("{\"name\": 1}");
    REQUIRE_FALSE(failed);
    try {
        (void)failed.value();
        FAIL("value() did not throw");
    }
    catch (const mcpreg::error_exception& e) {
        CHECK(e.code() == mcpreg::errc::invalid_document);
        CHECK(e.diagnostics().message.find("/name") != std::string::npos);
    }
}

TEST_CASE("pretty_print keeps the value")
{
    auto value = parse(full_current_document);
    auto text = pretty_print(value);
    CHECK(text.back() == '\n');
    CHECK(text.find("\n  \"name\": \"io.github.example/weather\"") != std::string::npos);
    CHECK(parse(text) == value);
    CHECK(pretty_print(parse("[]")) == "[]\n");
}

TEST_CASE("values read from text own their memory (the parse arena is gone)")
{
    auto list = parse_server_list(R"({"servers":[{"server":{"name":"a.b/cc","description":"d","version":"1",
        "_meta":{"x":{"deep":[1,"two"]}},"future":{"k":"v"}},"_meta":{"com.example/m":{"a":1}},"top":true}],
        "metadata":{"count":1,"extra":"e"},"more":[1]})");
    REQUIRE(list);
    const auto& entry = list->servers.at(0);
    CHECK(entry.server.meta->at("x").at("deep").at(1) == "two");
    CHECK(entry.server.extra.at("future").at("k") == "v");
    CHECK(entry.meta->other.at("com.example/m").at("a") == 1);
    CHECK(entry.extra.at("top") == true);
    CHECK(list->metadata_extra.at("extra") == "e");
    CHECK(list->extra.at("more").at(0) == 1);
    auto response = parse_server_response(R"({"server":{"name":"a.b/cc","description":"d","version":"1"},"x":[2]})");
    REQUIRE(response);
    CHECK(response->extra.at("x").at(0) == 2);
    CHECK_FALSE(parse_server_list("{"));
    CHECK(parse_server_response("[]").error().code == mcpreg::errc::invalid_document);
}

TEST_CASE("text and DOM read alike: the snapshot's pages, and the same error for each broken page")
{
    // parse_server_list reads text in one pass; server_list_from_json replays a DOM through the same reader.
    const auto snapshot = parse(mcpreg::test::read_file(mcpreg::test::data_dir() / "registry-seed.json"));
    const auto& entries = snapshot.as_array();
    std::size_t pages = 0;
    for (std::size_t first = 0; first < entries.size(); first += 100, ++pages) {
        json::array servers(entries.begin() + static_cast<std::ptrdiff_t>(first),
                            entries.begin() + static_cast<std::ptrdiff_t>(std::min(first + 100, entries.size())));
        const json::value page{{"servers", std::move(servers)}, {"metadata", {{"nextCursor", "c"}, {"count", 100}}}};
        const auto text = json::serialize(page);
        auto from_text = parse_server_list(text);
        auto from_dom = server_list_from_json(page);
        REQUIRE(from_text);
        REQUIRE(from_dom);
        CHECK(*from_text == *from_dom);
        CHECK(to_json(*from_text) == page);
    }
    CHECK(pages == 24);

    for (std::string_view broken : {
             R"({"servers":[{"server":{"name":"a/b","description":"d","version":1}}]})",
             R"({"servers":[{"server":{"description":"d","version":"1"}}]})",
             R"({"servers":[1]})",
             R"({"servers":{}})",
             R"([])",
             R"({"metadata":{"count":1}})",
             R"({"servers":[],"metadata":{"count":"3"}})",
             R"({"servers":[],"metadata":[]})",
             R"({"servers":[{"server":{"name":"a/b","description":"d","version":"1","remotes":[{"type":"sse",
                 "variables":{"a/b":{"isSecret":"yes"}}}]}}]})",
             R"({"servers":[{"server":{"name":"a/b","description":"d","version":"1"},
                 "_meta":{"io.modelcontextprotocol.registry/official":{"publishedAt":"yesterday"}}}]})",
             R"({"servers":[{"description":"d","_meta":{}}]})",
             R"({"servers":[{"name":"a/b","description":"d","version":"1","icons":[{"sizes":[1]}]}]})",
         }) {
        auto from_text = parse_server_list(broken);
        auto from_dom = server_list_from_json(parse(broken));
        REQUIRE_FALSE(from_text);
        REQUIRE_FALSE(from_dom);
        CHECK(from_text.error().code == mcpreg::errc::invalid_document);
        CHECK_MESSAGE(from_text.error().diag.message == from_dom.error().diag.message, broken);
    }
    CHECK(parse_server_list(R"({"servers":[{"server":{"name":"a/b","description":"d","version":1}}]})")
              .error()
              .diag.message == "at /servers/0/server/version: expected a string, found a number");
    for (std::string_view not_a_list : {R"({"servers":{}})", R"([])", R"({"metadata":{"count":1}})"})
        CHECK(parse_server_list(not_a_list).error().diag.message ==
              "a server list must be an object with a \"servers\" array");
    CHECK(parse_server_list(R"({"servers":[{"name":"a/b","description":"d","version":"1","icons":[{"sizes":[1]}]}]})")
              .error()
              .diag.message == "at /servers/0/icons/0/sizes/0: expected a string, found a number");
}

TEST_CASE("reading text in one pass: syntax errors win, escapes are joined, repeated keys keep the last value")
{
    // A typed error early and a syntax error later: the document is not JSON, as a parse-first reader said.
    auto truncated = parse_server_list(R"({"servers":[{"server":{"name":1}}],"metadata":{)");
    REQUIRE_FALSE(truncated);
    CHECK(truncated.error().code == mcpreg::errc::json_syntax);

    auto escaped = parse_server_list(
        R"({"servers":[{"server":{"n\u0061me":"a.b/c","description":"line\nbreak \u00e9 \"q\"","version":"1",
            "x\ty":"\ud83d\ude00"}}]})");
    REQUIRE(escaped);
    const auto& server = escaped->servers.at(0).server;
    CHECK(server.name == "a.b/c");
    CHECK(server.description == "line\nbreak \xc3\xa9 \"q\"");
    CHECK(server.extra.at("x\ty") == "\xf0\x9f\x98\x80");

    const auto repeated_text =
        R"({"servers":[{"server":{"name":"a.b/first","description":"d","version":"1","x":1,"y":2,"x":3,
            "name":"a.b/c"}}],"metadata":{"count":1},"metadata":{"count":2}})";
    auto repeated = parse_server_list(repeated_text);
    REQUIRE(repeated);
    CHECK(repeated->servers.at(0).server.name == "a.b/c");
    CHECK(json::serialize(repeated->servers.at(0).server.extra) == R"({"x":3,"y":2})");
    CHECK(repeated->count == 2);
    CHECK(*repeated == server_list_from_json(parse(repeated_text)).value());

    // The legacy flat entry inside a page of text.
    auto flat = parse_server_list(R"({"servers":[{"name":"a.b/c","description":"d","version":"1","extra":[1],
        "_meta":{"io.modelcontextprotocol.registry/official":{"status":"active","isLatest":true}}}]})");
    REQUIRE(flat);
    const auto& entry = flat->servers.at(0);
    CHECK(entry.server.name == "a.b/c");
    CHECK(entry.server.extra.at("extra").at(0) == 1);
    CHECK(entry.server.meta->contains(official_meta_key));
    REQUIRE(entry.official());
    CHECK(entry.official()->is_latest == true);
    CHECK(entry.extra.empty());
}
