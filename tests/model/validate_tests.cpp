// Validation: the spec examples, what the registry's /validate reports, its semantic rules, and the official
// publish profile's per-package-type rules (the checks that need no network).
#include <mcpreg/model/json.hpp>
#include <mcpreg/model/validate.hpp>

#include "test_data.hpp"

#include <doctest/doctest.h>

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <set>

namespace json = boost::json;
using namespace mcpreg::model;
using mcpreg::test::against;
using mcpreg::test::official_profile;

namespace {

// A minimal valid server.json in the current schema: $schema, name, description and version.
json::object minimal(std::string_view name = "com.example/test-server", std::string_view version = "1.0.0")
{
    return {{"$schema", current_schema_url}, {"name", name}, {"description", "d"}, {"version", version}};
}

json::object with(json::object document, std::string_view key, json::value value)
{
    document[key] = std::move(value);
    return document;
}

json::object with_package(json::value package) { return with(minimal(), "packages", json::array{std::move(package)}); }
json::object with_remote(json::value remote) { return with(minimal(), "remotes", json::array{std::move(remote)}); }

std::vector<validation_issue> errors(const json::value& document, validate_options options = {})
{
    auto issues = validate(document, options);
    std::erase_if(issues, [](const validation_issue& i) { return i.severity != severity::error; });
    return issues;
}

std::string describe(const std::vector<validation_issue>& issues)
{
    std::string text;
    for (const auto& i : issues) text += "\n  " + i.path + ": " + i.rule + ": " + i.message;
    return text.empty() ? " (no issues)" : text;
}

bool has(const std::vector<validation_issue>& issues, std::string_view rule, std::string_view path = {},
         std::string_view message_part = {})
{
    return std::any_of(issues.begin(), issues.end(), [&](const validation_issue& i) {
        return i.rule == rule && (path.empty() || i.path == path) && i.message.find(message_part) != std::string::npos;
    });
}

#define CHECK_VALID(doc)                                                                                               \
    do {                                                                                                               \
        auto found_ = errors(doc);                                                                                     \
        CHECK_MESSAGE(found_.empty(), json::serialize(doc) << describe(found_));                                       \
    } while (false)

#define CHECK_ISSUE(doc, ...)                                                                                          \
    do {                                                                                                               \
        auto found_ = errors(doc);                                                                                     \
        CHECK_MESSAGE(has(found_, __VA_ARGS__), json::serialize(doc) << describe(found_));                             \
    } while (false)

json::value read_example(const std::filesystem::path& path)
{
    return parse_json(mcpreg::test::read_file(path)).value();
}

}  // namespace

TEST_CASE("every valid spec example validates, against its own schema and the draft")
{
    const auto examples = mcpreg::test::data_dir() / "spec" / "examples";
    std::size_t count = 0;
    for (const auto* folder : {"valid", "generic-server-json"}) {
        for (const auto& path : mcpreg::test::json_files(examples / folder)) {
            auto document = read_example(path);
            auto issues = validate(document);
            CHECK_MESSAGE(is_valid(issues), path.filename().string() << describe(issues));
            CHECK_MESSAGE(is_valid(validate(document, against(schema_generation::draft))), path.filename().string());
            REQUIRE(server_from_json(document));
            ++count;
        }
    }
    CHECK(count == 20);
}

TEST_CASE("every invalid spec example fails with the rule its name says")
{
    const auto dir = mcpreg::test::data_dir() / "spec" / "examples" / "invalid";
    struct expectation {
        const char* file;
        const char* rule;
        const char* path;
    };
    const expectation expected[] = {
        {"bad-name-pattern.json", "schema-pattern", "/name"},
        {"description-too-long.json", "schema-maxLength", "/description"},
        {"missing-name.json", "schema-required", "/name"},
        {"package-version-latest.json", "schema-not", "/packages/0/version"},
        {"positional-argument-missing-value.json", "schema-anyOf", "/packages/0/packageArguments/0"},
    };
    CHECK(mcpreg::test::json_files(dir).size() == std::size(expected));
    for (const auto& e : expected) {
        auto issues = errors(read_example(dir / e.file));
        CHECK_MESSAGE(has(issues, e.rule, e.path), e.file << describe(issues));
        // Only the schema rule named, plus the semantic twin of the same fault where the registry has one.
        for (const auto& issue : issues) CHECK_MESSAGE(issue.path == e.path, e.file << describe(issues));
    }
    CHECK(has(errors(read_example(dir / "bad-name-pattern.json")), "invalid-server-name", "/name"));
    CHECK(has(errors(read_example(dir / "package-version-latest.json")), "reserved-version-string",
              "/packages/0/version"));
    CHECK(has(errors(read_example(dir / "positional-argument-missing-value.json")), "schema-anyOf", "", "valueHint"));
}

TEST_CASE("what /validate reports: ranges, reserved versions, $schema problems, many faults each at its path")
{
    CHECK_VALID(minimal());
    CHECK_ISSUE(minimal("com.example/test-server", "^1.0.0"), "version-looks-like-range", "/version", "^1.0.0");
    CHECK_ISSUE(minimal("com.example/test-server", "latest"), "reserved-version-string", "/version", "latest");

    const auto official = official_profile();
    auto empty_schema = with(minimal(), "$schema", "");
    CHECK(has(errors(empty_schema, official), "schema-field-required", "/$schema"));
    auto old_schema = with(minimal(), "$schema", json::string(schema_url(schema_generation::v2025_07_09)));
    auto old_issues = validate(old_schema, official);
    CHECK(is_valid(old_issues));  // valid, with a warning
    CHECK(std::any_of(old_issues.begin(), old_issues.end(), [](const validation_issue& i) {
        return i.rule == "schema-version-deprecated" && i.severity == severity::warning && i.path == "/$schema";
    }));
    auto unknown_schema =
        with(minimal(), "$schema", "https://static.modelcontextprotocol.io/schemas/2025-01-27/server.schema.json");
    CHECK(has(errors(unknown_schema, official), "schema-version-not-available", "/$schema",
              "schema version 2025-01-27 not found in embedded schemas"));
    CHECK(is_valid(validate(unknown_schema)));  // without the official profile: a warning only

    // Many faults, many distinct paths.
    auto many = json::parse(R"({
      "$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
      "name": "invalid-name", "description": "d", "version": "^1.0.0",
      "repository": {"url": "not-a-valid-url", "source": "github"}, "websiteUrl": "ftp://example.com",
      "packages": [{"registryType": "npm", "identifier": "has spaces", "version": "latest",
                    "transport": {"type": "stdio", "url": "https://x.com"},
                    "packageArguments": [{"type": "named", "name": "--port <port>"}]}],
      "remotes": [{"type": "stdio"}]
    })");
    auto issues = errors(many);
    std::set<std::string> paths;
    for (const auto& i : issues) paths.insert(i.path);
    CHECK_MESSAGE(issues.size() > 5, describe(issues));
    CHECK(paths.size() > 5);
    for (auto rule :
         {"invalid-server-name", "version-looks-like-range", "invalid-repository-url", "website-url-invalid-scheme",
          "package-name-has-spaces", "reserved-version-string", "stdio-transport-url-not-empty",
          "invalid-named-argument-name", "unsupported-remote-transport-type"})
        CHECK_MESSAGE(has(issues, rule), rule << describe(issues));

    // A fault in each of two packages, each reported at its own index.
    auto two_packages = with(minimal(), "packages", json::parse(R"([
      {"registryType": "npm", "identifier": "a", "version": "latest", "transport": {"type": "stdio"}},
      {"registryType": "npm", "identifier": "b", "version": "1.0.0", "transport": {"type": "stdio"},
       "runtimeArguments": [{"type": "named", "name": "invalid name"}]}])"));
    CHECK_ISSUE(two_packages, "reserved-version-string", "/packages/0/version");
    CHECK_ISSUE(two_packages, "invalid-named-argument-name", "/packages/1/runtimeArguments/0/name");

    // Schema issues carry JSON pointers.
    auto schema_faults = with(with(minimal(), "repository", {{"url", ""}, {"source", "github"}}), "packages",
                              json::parse(R"([{"registryType": "npm", "identifier": "a", "version": "1.0.0",
                     "transport": {"type": "stdio"},
                     "packageArguments": [{"type": "positional", "value": "x", "format": "invalid"}]}])"));
    CHECK_ISSUE(schema_faults, "schema-format", "/repository/url");
    CHECK_ISSUE(schema_faults, "schema-enum", "/packages/0/packageArguments/0/format");
}

TEST_CASE("semantic rules: versions, names, repository and website URLs, transports, URL variables, arguments, "
          "titles, icons")
{
    CHECK(has(errors(with(minimal(), "$schema", ""), official_profile()), "schema-field-required"));
    auto no_schema = minimal();
    no_schema.erase("$schema");
    CHECK(has(errors(no_schema, official_profile()), "schema-field-required", "/$schema", "$schema field is required"));
    CHECK_VALID(no_schema);  // the JSON Schema makes $schema optional

    for (auto v : {"^1.2.3", "1.x", "1.*", "1.2.3 - 2.0.0", "1.2 || 1.3", ">= 1.2.3"})  // ranges and wildcards
        CHECK_ISSUE(minimal("com.example/test-server", v), "version-looks-like-range", "/version",
                    "version must be a specific version, not a range");
    CHECK_ISSUE(
        with_package(
            {{"registryType", "npm"}, {"identifier", "x"}, {"version", ">=1.2.3"}, {"transport", {{"type", "stdio"}}}}),
        "version-looks-like-range", "/packages/0/version");
    CHECK_VALID(with_package({{"registryType", "npm"},
                              {"identifier", "x"},
                              {"version", "1.2.3-alpha.1"},  // a prerelease is no range
                              {"transport", {{"type", "stdio"}}}}));
    CHECK_VALID(minimal("com.example/test-server", "2021.03.15"));
    CHECK_VALID(minimal("com.example/test-server", "snapshot - 2025.09"));

    for (auto name : {"com.example/server/path", "com.example/server/path/deep"})
        CHECK_ISSUE(minimal(name), "invalid-server-name", "/name", "server name cannot contain multiple slashes");
    for (auto name : {"com.example.api/server", "com.microsoft.azure.service/webapp-server", "ab/cd"})
        CHECK_VALID(minimal(name));
    for (auto name : {"", "com.example.server", "/server-name", "com.example/", "a/b", "-a.b/c", "a.b/c_"})
        CHECK_ISSUE(minimal(name), "invalid-server-name", "/name");

    auto repo = [](std::string_view url, std::string_view source) {
        return with(minimal(), "repository", {{"url", url}, {"source", source}});
    };
    CHECK_ISSUE(repo("https://bitbucket.org/owner/repo", "bitbucket"), "invalid-repository-url");
    CHECK_ISSUE(repo("https://github.com/owner", "github"), "invalid-repository-url");
    CHECK_ISSUE(repo("https://gitlab.com", "gitlab"), "invalid-repository-url");
    CHECK_VALID(repo("https://github.com/owner/repo", "github"));
    CHECK_VALID(repo("https://www.gitlab.com/group/project/", "gitlab"));

    auto subfolder = [](std::string_view path) {
        return with(minimal(), "repository",
                    {{"url", "https://github.com/owner/repo"}, {"source", "github"}, {"subfolder", path}});
    };
    CHECK_VALID(subfolder("servers/my-server"));
    for (auto bad :
         {"../parent/folder", "/absolute/path", "servers/my-server/", "servers/my server", "servers//my-server"})
        CHECK_ISSUE(subfolder(bad), "invalid-subfolder-path", "/repository/subfolder");

    auto website = [](std::string_view url) { return with(minimal(), "websiteUrl", json::string(url)); };
    for (auto ok : {"https://example.com/docs", "https://docs.example.com/mcp", "https://different.com/docs",
                    "https://example.com/path/?q=hello%20world&r=a%22b"})
        CHECK_VALID(website(ok));
    CHECK_ISSUE(website("example.com/docs"), "website-url-must-be-absolute", "/websiteUrl",
                "websiteUrl must be absolute (include scheme): example.com/docs");
    CHECK_ISSUE(website("ftp://example.com/docs"), "website-url-invalid-scheme", "/websiteUrl",
                "websiteUrl must use https scheme: ftp://example.com/docs");
    CHECK_ISSUE(website("http://example.com/docs"), "website-url-invalid-scheme");
    CHECK_ISSUE(website("ht tp://example.com/docs"), "invalid-website-url", "/websiteUrl", "invalid websiteUrl:");
    CHECK_ISSUE(website("https://example.com/has\nnewline"), "invalid-website-url");
    for (auto bad : {"https://example.com/\"q\"", "https://example.com/it's", "https://example.com/<x>",
                     "https://example.com/a b"})
        CHECK_ISSUE(website(bad), "website-url-invalid-characters", "/websiteUrl",
                    "websiteUrl contains an invalid character");

    auto npm = [](json::object fields) {
        json::object p{
            {"registryType", "npm"}, {"identifier", "x"}, {"version", "1.0.0"}, {"transport", {{"type", "stdio"}}}};
        for (auto& [k, v] : fields) p[k] = v;
        return with_package(p);
    };
    CHECK_ISSUE(npm({{"identifier", "test package with spaces"}}), "package-name-has-spaces", "/packages/0/identifier",
                "package name cannot contain spaces");
    CHECK_ISSUE(npm({{"version", "latest"}}), "reserved-version-string", "/packages/0/version",
                "version string 'latest' is reserved and cannot be used");

    for (auto url :
         {"not-a-valid-url", "example.com/remote", "http://localhost", "http://localhost:3000",
          "http://api.github.com/endpoint", "https://localhost/x", "https://127.0.0.1/x", "https://a.localhost/x"})
        CHECK_ISSUE(with_remote({{"type", "streamable-http"}, {"url", url}}), "invalid-remote-url", "/remotes/0/url",
                    "invalid remote URL");
    CHECK_VALID(with_remote({{"type", "streamable-http"}, {"url", "https://google.com/mcp"}}));
    CHECK_VALID(with(with(minimal(), "packages", json::array{}), "remotes", json::array{}));

    CHECK_ISSUE(npm({{"transport", {{"type", "stdio"}, {"url", "https://example.com"}}}}),
                "stdio-transport-url-not-empty", "/packages/0/transport/url",
                "url must be empty for stdio transport type");
    CHECK_ISSUE(npm({{"transport", {{"type", "streamable-http"}}}}), "streamable-transport-url-required", "",
                "url is required for streamable-http transport type");
    CHECK_ISSUE(npm({{"transport", {{"type", "sse"}}}}), "streamable-transport-url-required", "",
                "url is required for sse transport type");
    // A transport URL's variables must be the package's own (here its environment variables).
    CHECK_VALID(npm({{"transport", {{"type", "streamable-http"}, {"url", "http://{host}:{port}/mcp"}}},
                     {"environmentVariables", json::array{{{"name", "host"}}, {{"name", "port"}}}}}));
    CHECK_ISSUE(npm({{"transport", {{"type", "streamable-http"}, {"url", "http://{host}:{port}/mcp"}}}}),
                "invalid-templated-url", "/packages/0/transport/url", "template variables in URL");
    CHECK_VALID(npm({{"transport", {{"type", "streamable-http"}, {"url", "http://localhost:3000/mcp"}}}}));
    CHECK_VALID(npm({{"transport", {{"type", "streamable-http"}, {"url", "http://localhost:{--port}/mcp"}}},
                     {"packageArguments", json::array{{{"type", "named"}, {"name", "--port"}, {"default", "8080"}}}}}));
    CHECK_ISSUE(npm({{"transport", {{"type", "websocket"}, {"url", "ws://x"}}}}), "unsupported-transport-type", "",
                "unsupported transport type: websocket");
    CHECK_ISSUE(with_remote({{"type", "stdio"}}), "unsupported-remote-transport-type", "/remotes/0/type",
                "unsupported transport type for remotes: stdio");
    CHECK_ISSUE(with_remote({{"type", "websocket"}, {"url", "wss://example.com/ws"}}),
                "unsupported-remote-transport-type", "", "websocket");
    CHECK_VALID(with_remote({{"type", "streamable-http"},
                             {"url", "https://{tenant_id}.api.example.com/mcp"},  // a variable the remote defines
                             {"variables", {{"tenant_id", {{"isRequired", true}}}}}}));
    CHECK_ISSUE(with_remote({{"type", "streamable-http"}, {"url", "https://{tenant_id}.api.example.com/mcp"}}),
                "invalid-templated-url", "/remotes/0/url", "template variables in URL");
    CHECK_VALID(with_remote({{"type", "sse"},
                             {"url", "https://api.example.com/sse"},  // an unused variable
                             {"variables", {{"unused", json::object{}}}}}));

    auto named = [&](json::object arg) {
        arg["type"] = "named";
        return npm({{"packageArguments", json::array{arg}}});
    };
    CHECK_VALID(named({{"name", "--directory"}, {"value", "/path/to/dir"}}));
    CHECK_VALID(named({{"name", "--port"}, {"default", "8080"}}));
    for (auto flag : {"-v", "-p", "config", "verbose", "output-format"}) CHECK_VALID(named({{"name", flag}}));
    CHECK_VALID(npm(
        {{"packageArguments",  // positional arguments are not checked
          json::array{{{"type", "positional"}, {"valueHint", "anything with spaces"}, {"value", "--port 8080"}}}}}));
    for (auto bad : {"--directory <absolute_path_to_adfin_mcp_folder>", "--port 8080", "--config $CONFIG_FILE",
                     "--file <path>", "name with spaces"})
        CHECK_ISSUE(named({{"name", bad}}), "invalid-named-argument-name", "/packages/0/packageArguments/0/name");
    CHECK_ISSUE(named({{"name", ""}}), "named-argument-name-required");
    CHECK_ISSUE(named({{"name", "--port"}, {"value", "--port 8080"}}), "argument-value-starts-with-name",
                "/packages/0/packageArguments/0/value");
    CHECK_ISSUE(named({{"name", "--config"}, {"default", "--config /etc/app.conf"}}),
                "argument-default-starts-with-name", "/packages/0/packageArguments/0/default");
    CHECK_ISSUE(named({{"name", "--with-editable"}, {"value", "--with-editable $REPOSITORY_DIRECTORY"}}),
                "argument-value-starts-with-name");
    CHECK_VALID(named({{"name", "--port"}, {"value", "8080"}}));
    CHECK_VALID(named({{"name", "--config"}, {"default", "/etc/app.conf"}}));
    CHECK_VALID(named({{"name", "--with-editable"}, {"value", "$REPOSITORY_DIRECTORY"}}));
    CHECK_VALID(named({{"name", "--port"}, {"value", "use --port for configuration"}}));

    for (auto title : {"GitHub", "Weather API", "GitHub MCP Server", "GitHub-MCP", "MCP Weather API"})
        CHECK_VALID(with(minimal(), "title", title));
    CHECK_ISSUE(with(minimal(), "title", "   "), "title-whitespace-only", "/title", "title cannot be only whitespace");

    auto icons = [](json::array list) { return with(minimal(), "icons", std::move(list)); };
    CHECK_VALID(icons({{{"src", "https://example.com/icon.png"},
                        {"mimeType", "image/png"},
                        {"sizes", json::array{"48x48", "any"}},
                        {"theme", "dark"}},
                       {{"src", "https://example.com/icon.svg"}}}));
    CHECK_ISSUE(icons({{{"src", "http://example.com/icon.png"}}}), "icon-src-invalid-scheme", "/icons/0/src",
                "icon src must use https scheme");
    CHECK_ISSUE(icons({{{"src", "data:image/png;base64,AAAA"}}}), "icon-src-invalid-scheme");
    CHECK_ISSUE(icons({{{"src", "/icon.png"}}}), "icon-src-not-absolute", "/icons/0/src",
                "icon src must be an absolute URL");
    CHECK_ISSUE(icons({{{"src", "https://example.com/i.png"}, {"sizes", json::array{"48"}}}}), "schema-pattern",
                "/icons/0/sizes/0");
}

TEST_CASE("the official profile's per-package-type rules: base URLs, fileSha256, versions, MCPB URLs, OCI registries")
{
    const auto official = official_profile();
    auto package_errors = [&](json::object package) {
        if (!package.contains("transport")) package["transport"] = {{"type", "stdio"}};
        return errors(with_package(package), official);
    };
    const std::string sha(64, 'a');
    // Accepted forms.
    for (auto p : {json::object{{"registryType", "npm"}, {"identifier", "x"}, {"version", "1.0.0"}},
                   json::object{{"registryType", "npm"},
                                {"identifier", "x"},
                                {"version", "1.0.0"},
                                {"registryBaseUrl", "https://registry.npmjs.org"}},
                   json::object{{"registryType", "pypi"},
                                {"identifier", "x"},
                                {"version", "1.0.0"},
                                {"registryBaseUrl", "https://pypi.org"}},
                   json::object{{"registryType", "oci"}, {"identifier", "domdomegg/airtable-mcp-server:1.7.2"}},
                   json::object{{"registryType", "nuget"},
                                {"identifier", "x"},
                                {"version", "1.0.0"},
                                {"registryBaseUrl", "https://api.nuget.org/v3/index.json"}},
                   json::object{{"registryType", "cargo"}, {"identifier", "x"}, {"version", "1.0.0"}},
                   json::object{{"registryType", "mcpb"},
                                {"fileSha256", sha},
                                {"identifier", "https://github.com/microsoft/playwright-mcp/releases/download/v0.0.36/"
                                               "playwright-mcp-extension-v0.0.36.zip"}},
                   json::object{{"registryType", "mcpb"},
                                {"fileSha256", sha},
                                {"version", "1.31.0"},
                                {"identifier", "https://gitlab.com/fforster/gitlab-mcp/-/releases/v1.31.0/downloads/"
                                               "gitlab-mcp-1.31.0.mcpb"}}}) {
        auto found = package_errors(p);
        CHECK_MESSAGE(found.empty(), json::serialize(p) << describe(found));
    }
    // Refused forms, each with its rule and message.
    auto check_rule = [&](json::object p, std::string_view rule, std::string_view message_part) {
        auto found = package_errors(p);
        CHECK_MESSAGE(has(found, rule, "", message_part), json::serialize(p) << describe(found));
    };
    const std::string mcpb_url = "https://github.com/example/mcp-server/releases/download/v1.0.0/server.mcpb";
    check_rule({{"registryType", "mcpb"}, {"identifier", mcpb_url}}, "package-file-sha256-required",
               "must include a fileSha256 hash for integrity verification");
    check_rule({{"registryType", "mcpb"}, {"identifier", ""}}, "package-file-sha256-required", "fileSha256");
    check_rule({{"registryType", "mcpb"}, {"identifier", ""}, {"fileSha256", sha}}, "package-identifier-required",
               "package identifier is required for MCPB packages");
    check_rule({{"registryType", "mcpb"},
                {"fileSha256", sha},
                {"identifier", "https://github.com/example/server/releases/download/v1.0.0/server.tar.gz"}},
               "mcpb-url-must-contain-mcp", "must contain 'mcp'");
    check_rule({{"registryType", "mcpb"}, {"fileSha256", sha}, {"identifier", "not://a valid url for mcpb!"}},
               "invalid-mcpb-url", "invalid MCPB package URL");
    check_rule({{"registryType", "mcpb"}, {"fileSha256", sha}, {"identifier", "https://example.com/mcp.mcpb"}},
               "invalid-mcpb-url", "");
    check_rule({{"registryType", "mcpb"},
                {"fileSha256", sha},
                {"identifier", mcpb_url},
                {"registryBaseUrl", "https://github.com"}},
               "package-registry-base-url-forbidden", "MCPB packages must not have 'registryBaseUrl' field");
    check_rule({{"registryType", "nuget"},
                {"identifier", "x"},
                {"version", "1.0.0"},
                {"registryBaseUrl", "https://registry.npmjs.org"}},
               "package-registry-base-url-mismatch",
               "is not valid for registry type 'nuget'. Expected: https://api.nuget.org/v3/index.json");
    check_rule(
        {{"registryType", "oci"}, {"identifier", "docker.io/a/b:1"}, {"registryBaseUrl", "https://registry.npmjs.org"}},
        "package-registry-base-url-forbidden", "OCI packages must not have 'registryBaseUrl' field");
    check_rule({{"registryType", "oci"}, {"identifier", "docker.io/a/b:1"}, {"version", "1"}},
               "package-version-forbidden", "OCI packages must not have 'version' field");
    check_rule({{"registryType", "oci"}, {"identifier", "docker.io/a/b:1"}, {"fileSha256", sha}},
               "package-file-sha256-forbidden", "OCI packages must not have 'fileSha256' field");
    for (auto image : {"gcr.io/a/b:1", "public.ecr.aws/a/b:1", "registry.gitlab.com/a/b:1", "custom-registry.com/a/b:1",
                       "harbor.example.com/a/b:1"})  // registries the profile does not allow
        check_rule({{"registryType", "oci"}, {"identifier", image}}, "unsupported-oci-registry",
                   "unsupported OCI registry");
    for (auto image :
         {"docker.io/a/b:1", "library/hello-world:latest", "ghcr.io/a/b:1", "us-central1-docker.pkg.dev/a/b/c:1",
          "us-docker.pkg.dev/a/b:1", "mcr.microsoft.com/a/b:1", "quay.io/a/b:1", "myreg.azurecr.io/a/b:1"}) {
        auto found = package_errors({{"registryType", "oci"}, {"identifier", image}});
        CHECK_MESSAGE(found.empty(), image << describe(found));
    }
    check_rule({{"registryType", "pypi"}, {"identifier", "x"}, {"version", "1"}, {"fileSha256", sha}},
               "package-file-sha256-forbidden", "must not have 'fileSha256' field");
    for (auto type : {"npm", "pypi", "nuget", "cargo"})
        check_rule({{"registryType", type}, {"identifier", "x"}}, "package-version-required",
                   "package version is required for");
    check_rule({{"registryType", "maven"}, {"identifier", "x"}}, "unsupported-registry-type",
               "unsupported registry type: maven");
    // Outside the official profile these are not reported: real entries carry legacy base URLs.
    CHECK(errors(with_package({{"registryType", "nuget"},
                               {"identifier", "x"},
                               {"version", "1.0.0"},
                               {"registryBaseUrl", "https://api.nuget.org"},
                               {"transport", {{"type", "stdio"}}}}))
              .empty());
}

TEST_CASE("_meta rules")
{
    const auto official = official_profile();
    auto meta = [](json::object m) { return with(minimal(), "_meta", std::move(m)); };
    CHECK(errors(meta({{publisher_meta_key, {{"tool", "x"}}}}), official).empty());
    CHECK(has(errors(meta({{publisher_meta_key, {}}, {"tools", json::array{}}}), official), "meta-unknown-key",
              "/_meta/tools"));
    CHECK_VALID(meta({{"com.example/other", {}}}));  // foreign namespaces are fine outside the official profile
    auto big = meta({{publisher_meta_key, {{"blob", std::string(5000, 'x')}}}});
    CHECK(has(errors(big, official), "publisher-meta-too-large",
              "/_meta/io.modelcontextprotocol.registry~1publisher-provided", "exceeds 4KB limit"));
    auto big_issues = validate(big);
    CHECK(is_valid(big_issues));
    CHECK(std::any_of(big_issues.begin(), big_issues.end(),
                      [](const validation_issue& i) { return i.rule == "publisher-meta-too-large"; }));
}

TEST_CASE("validating a typed server sees what would be written")
{
    auto s = server_from_json(minimal()).value();
    CHECK(is_valid(validate(s)));
    s.version = "latest";
    CHECK(has(validate(s), "reserved-version-string", "/version"));
    s.version = std::string(300, '1');
    CHECK(has(validate(s), "schema-maxLength", "/version", "longer than 255 characters (300)"));
}

TEST_CASE("the schema of the declared generation is the one applied")
{
    // A 2025-07-09 document must use snake_case package fields; camelCase breaks that schema (and the other way).
    auto camel_package =
        json::parse(R"({"registryType":"npm","identifier":"x","version":"1","transport":{"type":"stdio"}})");
    auto old = with(with_package(camel_package), "$schema", json::string(schema_url(schema_generation::v2025_07_09)));
    CHECK(has(errors(old), "schema-required", "/packages/0/registry_type"));
    CHECK(has(errors(old), "schema-additionalProperties", "/packages/0/registryType"));
    CHECK(errors(old, against(schema_generation::v2025_12_11)).empty());
    // Title arrived in 2025-10-11; earlier schemas do not forbid unknown top-level fields.
    auto titled =
        with(with(minimal(), "$schema", json::string(schema_url(schema_generation::v2025_09_29))), "title", "T");
    CHECK(errors(titled).empty());
    // The draft allows a URL that starts with a variable; 2025-12-11 does not.
    auto templated = with_package(json::parse(R"({"registryType":"npm","identifier":"x","version":"1",
        "transport":{"type":"streamable-http","url":"{base}/mcp"},
        "packageArguments":[{"type":"positional","valueHint":"base"}]})"));
    CHECK(has(errors(templated), "schema-pattern", "/packages/0/transport/url"));
    auto draft_issues = errors(with(templated, "$schema", json::string(schema_url(schema_generation::draft))));
    CHECK_FALSE(std::any_of(draft_issues.begin(), draft_issues.end(),
                            [](const validation_issue& i) { return i.rule.starts_with("schema-"); }));
}
