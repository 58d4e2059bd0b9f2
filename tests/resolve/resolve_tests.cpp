// Package resolution: every generic example of the spec with its expected command line, every package and
// remote of the bundled snapshot, each convention and option of resolve.md, the lint, quoting and configs.
#include <mcpreg/model/json.hpp>
#include <mcpreg/resolve/resolve.hpp>

#include "test_data.hpp"

#include <doctest/doctest.h>

#include <boost/json/serialize.hpp>

#include <set>

namespace json = boost::json;
using namespace mcpreg;
using resolve::input_values;

namespace {

model::server example(const std::string& file)
{
    return model::parse_server(test::read_file(test::data_dir() / "spec/examples/generic-server-json" / file)).value();
}

model::server from_json(std::string_view text) { return model::parse_server(text).value(); }

std::string command_line(const model::server& s, const input_values& inputs = {}, const resolve::selection& which = {},
                         const resolve::options& opts = {})
{
    auto r = resolve::resolve(s, which, inputs, opts);
    REQUIRE(r);
    if (!r->complete()) {
        std::string names;
        for (const auto& m : r->missing) names += (names.empty() ? "missing " : " ") + m.name + ":" + m.problem;
        return names;
    }
    return r->spec.command.empty() ? r->spec.url.value_or("") : resolve::posix_command_line(r->spec.argv());
}

// A package entry from its JSON, for the convention tests.
model::server with_package(std::string_view package_json)
{
    return from_json(R"({"name":"io.github.test/x","description":"d","version":"1.0.0","packages":[)" +
                     std::string(package_json) + "]}");
}

}  // namespace

TEST_CASE("every generic example of the spec resolves to the command line resolve.md prescribes" *
          doctest::test_suite("resolve"))
{
    CHECK(command_line(example("01-basic-server-with-npm-package.json")) == "missing BRAVE_API_KEY:required");
    CHECK(command_line(example("01-basic-server-with-npm-package.json"), {{"BRAVE_API_KEY", {"k"}}}) ==
          "npx -y @modelcontextprotocol/server-brave-search@1.0.2");
    CHECK(command_line(example("02-server-in-a-monorepo-with-subfolder.json")) ==
          "npx -y @modelcontextprotocol/everything@0.6.2");
    // The upstream documentation's own example (DIGEST 11): dnx <id>@<version> --yes -- mcp start.
    CHECK(command_line(example("03-constant-fixed-arguments-needed-to-start-the-mcp-server.json")) ==
          "dnx Knapcode.SampleMcpServer@0.4.0-beta --yes -- mcp start");
    CHECK(command_line(example("04-filesystem-server-with-multiple-packages.json")) ==
          "npx -y @modelcontextprotocol/server-filesystem@1.0.2 /Users/username/Desktop");
    CHECK(command_line(example("05-filesystem-server-with-multiple-packages.json")) ==
          "docker run -i --rm quay.io/myorg/my-mcp-server:1.0.0");
    CHECK(command_line(example("06-remote-server-example.json")).starts_with("https://"));
    CHECK(command_line(example("07-python-package-example.json"), {{"WEATHER_API_KEY", {"k"}}}) ==
          "uvx weather-mcp-server@0.5.0");
    CHECK(command_line(example("08-cargo-rust-package-example.json")) == "widget-mcp");
    CHECK(command_line(example("10-complex-docker-server-with-multiple-arguments.json"), {{"DB_USERNAME", {"u"}},
                                                                                          {"DB_PASSWORD", {"p"}},
                                                                                          {"db_type", {"postgres"}},
                                                                                          {"database_name", {"app"}},
                                                                                          {"--port", {"5432"}}}) ==
          "docker run -i --rm --network host -e DB_TYPE=postgres -e DB_PASSWORD -e DB_USERNAME -e SSL_MODE "
          "docker.io/example/database-manager-mcp:3.1.0 --host localhost --port 5432 app");
    CHECK(command_line(example("11-server-with-remote-and-package-options.json"), {{"X-API-Key", {"k"}}}) ==
          "https://mcp.anonymous.modelcontextprotocol.io/http");
    CHECK(command_line(example("13-embedded-mcp-inside-a-cli-tool.json")) == "npx -y snyk@1.1298.0 mcp -t stdio");
    CHECK(command_line(example("15-remote-server-with-url-templating.json"), {{"tenant_id", {"us-cell1"}}}) ==
          "https://anonymous.modelcontextprotocol.io/mcp/us-cell1");
    CHECK(command_line(example("17-local-server-with-url-templating.json")) ==
          "npx -y @example/mcp-server@1.0.0 --port 3000");
    auto templated = resolve::resolve(example("17-local-server-with-url-templating.json")).value();
    CHECK(templated.spec.url == "http://localhost:3000/mcp");  // {--port} from the argument's value

    auto mcpb = resolve::resolve(example("12-mcp-bundle-mcpb-package-example.json"));
    REQUIRE_FALSE(mcpb);
    CHECK(mcpb.error().diag.message.find("bundle") != std::string::npos);
    CHECK_FALSE(resolve::resolve(example("14-server-with-custom-installation-path.json")));

    for (const auto& file : test::json_files(test::data_dir() / "spec/examples/generic-server-json")) {
        auto parsed = model::parse_server(test::read_file(file));
        if (!parsed) continue;
        for (const auto& issue : resolve::lint(*parsed))
            INFO(file.filename().string() << issue.path << " " << issue.rule);
    }
}

TEST_CASE("every package and remote of the bundled snapshot resolves, once its required inputs are given" *
          doctest::test_suite("resolve"))
{
    auto document = model::parse_json(test::read_file(test::data_dir() / "registry-seed.json")).value();
    std::size_t resolved = 0, needed_inputs = 0, bundles = 0;
    std::map<std::string, std::size_t> by_type, by_transport;
    for (const auto& item : document.as_array()) {
        auto entry = model::server_response_from_json(item);
        REQUIRE(entry);
        const auto& s = entry->server;
        std::vector<resolve::selection> ways;
        for (std::size_t i = 0; s.packages && i < s.packages->size(); ++i) {
            resolve::selection w;
            w.package_index = i;
            ways.push_back(w);
        }
        for (std::size_t i = 0; s.remotes && i < s.remotes->size(); ++i) {
            resolve::selection w;
            w.remote_index = i;
            ways.push_back(w);
        }
        for (const auto& way : ways) {
            auto first = resolve::resolve(s, way);
            if (!first) {
                const auto& p = (*s.packages)[*way.package_index];
                CHECK_MESSAGE(p.kind() == model::registry_kind::mcpb, s.name << ": " << first.error());
                ++bundles;
                continue;
            }
            // Supply what is missing, as a host would after prompting: a choice, a number, true, or text.
            input_values inputs;
            for (const auto& m : first->missing) {
                std::string value = m.choices && !m.choices->empty() ? m.choices->front()
                                    : m.format == "number"           ? "8080"
                                    : m.format == "boolean"          ? "true"
                                                                     : "secret-" + m.name;
                inputs[m.name].push_back(value);
            }
            if (!first->missing.empty()) ++needed_inputs;
            auto second = resolve::resolve(s, way, inputs);
            REQUIRE(second);
            CHECK_MESSAGE(second->complete(), s.name << " " << second->spec.source << " still misses "
                                                     << (second->missing.empty() ? "" : second->missing[0].name));
            const auto& spec = second->spec;
            if (way.package_index) {
                const auto& p = (*s.packages)[*way.package_index];
                CHECK_FALSE(spec.command.empty());
                ++by_type[p.registry_type];
                const auto argv = spec.argv();
                const auto joined = resolve::posix_command_line(argv);
                if (p.kind() != model::registry_kind::cargo)
                    CHECK_MESSAGE(joined.find(p.identifier.substr(p.identifier.find("://") == std::string::npos
                                                                      ? 0
                                                                      : p.identifier.find("://") + 3)) !=
                                      std::string::npos,
                                  s.name << ": " << joined);
                // Secret values travel in the environment, never in argv (OCI names them with -e NAME).
                for (const auto& name : spec.secret_env)
                    for (const auto& a : argv) CHECK_MESSAGE(a.find("secret-" + name) == std::string::npos, s.name);
            }
            else {
                CHECK(spec.url);
                CHECK(spec.command.empty());
            }
            ++by_transport[spec.transport];
            ++resolved;
        }
    }
    MESSAGE("resolved " << resolved << " packages and remotes; " << needed_inputs << " needed inputs; " << bundles
                        << " MCPB bundles need their download");
    CHECK(resolved >= 200);
    CHECK(needed_inputs >= 100);
    for (auto type : {"npm", "pypi", "oci", "nuget"}) CHECK_MESSAGE(by_type[type] > 0, type);
    for (auto transport : {"stdio", "streamable-http", "sse"}) CHECK_MESSAGE(by_transport[transport] > 0, transport);
}

TEST_CASE("conventions per registry type: runtimeHint, registryBaseUrl, version pinning, runner overrides" *
          doctest::test_suite("resolve"))
{
    const auto npm =
        R"({"registryType":"npm","identifier":"@acme/tool","version":"1.2.3","transport":{"type":"stdio"})";
    CHECK(command_line(with_package(std::string(npm) + "}")) == "npx -y @acme/tool@1.2.3");
    CHECK(command_line(with_package(std::string(npm) + R"(,"registryBaseUrl":"https://npm.acme.dev"})")) ==
          "npx -y --registry https://npm.acme.dev @acme/tool@1.2.3");
    CHECK(command_line(with_package(std::string(npm) + R"(,"registryBaseUrl":"https://registry.npmjs.org"})")) ==
          "npx -y @acme/tool@1.2.3");
    CHECK(command_line(with_package(std::string(npm) + R"(,"runtimeHint":"bunx"})")) == "bunx @acme/tool@1.2.3");
    CHECK(command_line(with_package(std::string(npm) + R"(,"runtimeHint":"bun"})")) == "bun x @acme/tool@1.2.3");
    auto odd = resolve::resolve(with_package(std::string(npm) + R"(,"runtimeHint":"node"})")).value();
    CHECK(resolve::posix_command_line(odd.spec.argv()) == "npx -y @acme/tool@1.2.3");
    REQUIRE(odd.spec.warnings.size() == 1);
    CHECK(odd.spec.warnings[0].find("runtimeHint 'node'") != std::string::npos);
    resolve::options bun;
    bun.runner_overrides = {{"npx", "bunx"}};
    CHECK(command_line(with_package(std::string(npm) + "}"), {}, {}, bun) == "bunx @acme/tool@1.2.3");

    const auto pypi = R"({"registryType":"pypi","identifier":"weather","version":"0.5.0","transport":{"type":"stdio"})";
    CHECK(command_line(with_package(std::string(pypi) + "}")) == "uvx weather@0.5.0");
    CHECK(command_line(with_package(std::string(pypi) + R"(,"registryBaseUrl":"https://pypi.acme.dev/simple"})")) ==
          "uvx --index-url https://pypi.acme.dev/simple weather@0.5.0");
    CHECK(command_line(with_package(std::string(pypi) + R"(,"runtimeHint":"pipx"})")) == "pipx run weather==0.5.0");
    resolve::options from;
    from.pypi_from_form = true;
    CHECK(command_line(with_package(std::string(pypi) + "}"), {}, {}, from) == "uvx --from weather==0.5.0 weather");

    const auto oci = R"({"registryType":"oci","transport":{"type":"stdio"},)";
    CHECK(command_line(with_package(std::string(oci) + R"("identifier":"ghcr.io/acme/tool:2.0"})")) ==
          "docker run -i --rm ghcr.io/acme/tool:2.0");
    CHECK(command_line(with_package(std::string(oci) + R"("identifier":"acme/tool","version":"1.0"})")) ==
          "docker run -i --rm acme/tool:1.0");  // old entries: the version becomes the tag
    CHECK(command_line(with_package(std::string(oci) +
                                    R"("identifier":"acme/tool:1.0","registryBaseUrl":"https://ghcr.io"})")) ==
          "docker run -i --rm ghcr.io/acme/tool:1.0");
    CHECK(command_line(with_package(std::string(oci) +
                                    R"("identifier":"quay.io/acme/tool:1.0","registryBaseUrl":"https://ghcr.io"})")) ==
          "docker run -i --rm quay.io/acme/tool:1.0");
    CHECK(command_line(with_package(std::string(oci) +
                                    R"("identifier":"acme/tool@sha256:abc","registryBaseUrl":"https://docker.io"})")) ==
          "docker run -i --rm acme/tool@sha256:abc");
    resolve::options podman;
    podman.runner_overrides = {{"docker", "podman"}};
    CHECK(command_line(with_package(std::string(oci) + R"("identifier":"acme/tool:1"})"), {}, {}, podman) ==
          "podman run -i --rm acme/tool:1");

    CHECK(command_line(with_package(
              R"({"registryType":"nuget","identifier":"Acme.Tool","version":"1.0.0","transport":{"type":"stdio"},)"
              R"("registryBaseUrl":"https://nuget.acme.dev/v3/index.json"})")) ==
          "dnx Acme.Tool@1.0.0 --yes --source https://nuget.acme.dev/v3/index.json");

    auto cargo = resolve::resolve(with_package(R"({"registryType":"cargo","identifier":"widget","version":"0.3.0",)"
                                               R"("transport":{"type":"stdio"},"packageArguments":[)"
                                               R"({"type":"positional","value":"serve"}]})"))
                     .value();
    CHECK(resolve::posix_command_line(cargo.spec.argv()) == "widget serve");
    REQUIRE(cargo.spec.notes.size() == 1);
    CHECK(cargo.spec.notes[0] == "install the binary first: cargo install widget --version 0.3.0");

    auto unknown =
        resolve::resolve(with_package(R"({"registryType":"gem","identifier":"x","transport":{"type":"stdio"}})"));
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().diag.message.find("'gem'") != std::string::npos);
}

TEST_CASE("arguments: positional, named (two tokens or joined), repeated, flags, choices, formats, variables" *
          doctest::test_suite("resolve"))
{
    auto s = with_package(R"({"registryType":"npm","identifier":"t","version":"1","transport":{"type":"stdio"},
        "runtimeArguments":[{"type":"named","name":"--node-options","value":"--max-old-space-size={mem}",
                             "variables":{"mem":{"default":"512","format":"number"}}}],
        "packageArguments":[
          {"type":"positional","valueHint":"dir","isRequired":true,"isRepeated":true},
          {"type":"named","name":"--mode","choices":["fast","safe"],"default":"safe"},
          {"type":"named","name":"--verbose"},
          {"type":"named","name":"--color","format":"boolean"},
          {"type":"named","name":"--level","format":"number"},
          {"type":"named","name":"--tag","isRepeated":true}]})");
    CHECK(command_line(s) == "missing dir:required");
    CHECK(command_line(s, {{"dir", {"/a", "/b c"}}}) ==
          "npx -y --node-options --max-old-space-size=512 t@1 /a '/b c' --mode safe --verbose");
    CHECK(command_line(s, {{"dir", {"/a"}},
                           {"--mode", {"fast"}},
                           {"--color", {"true"}},
                           {"--level", {"3"}},
                           {"--tag", {"x", "y"}},
                           {"mem", {"2048"}}}) ==
          "npx -y --node-options --max-old-space-size=2048 t@1 /a --mode fast --verbose --color --level 3 --tag x "
          "--tag y");
    CHECK(command_line(s, {{"dir", {"/a"}}, {"--color", {"false"}}}).find("--color") == std::string::npos);
    CHECK(command_line(s, {{"dir", {"/a"}}, {"--mode", {"reckless"}}}) == "missing --mode:not one of: fast, safe");
    CHECK(command_line(s, {{"dir", {"/a"}}, {"--level", {"high"}}}) == "missing --level:not a number");
    CHECK(command_line(s, {{"dir", {"/a"}}, {"--color", {"maybe"}}}) == "missing --color:not true or false");
    CHECK(command_line(s, {{"dir", {"/a"}}, {"mem", {"lots"}}}) == "missing mem:not a number");
    resolve::options joined;
    joined.joined_named_arguments = true;
    CHECK(command_line(s, {{"dir", {"/a"}}}, {}, joined) ==
          "npx -y --node-options=--max-old-space-size=512 t@1 /a --mode=safe --verbose");

    auto r = resolve::resolve(s).value();
    REQUIRE(r.missing.size() == 1);
    CHECK(r.missing[0].used_in == "packages[0].packageArguments[0]");
    CHECK(r.missing[0].is_required);
}

TEST_CASE("environment, secrets, transports and headers" * doctest::test_suite("resolve"))
{
    auto s = with_package(R"({"registryType":"oci","identifier":"acme/db:1","transport":{"type":"streamable-http",
          "url":"http://localhost:{PORT}/mcp","headers":[{"name":"Authorization","value":"Bearer {token}",
          "isSecret":true,"variables":{"token":{"isRequired":true,"isSecret":true}}}]},
        "environmentVariables":[{"name":"PORT","default":"7000"},{"name":"API_KEY","isRequired":true,"isSecret":true},
          {"name":"OPTIONAL_THING"}]})");
    auto missing = resolve::resolve(s).value();
    std::set<std::string> names;
    for (const auto& m : missing.missing) names.insert(m.name);
    CHECK(names == std::set<std::string>{"API_KEY", "token"});
    auto r = resolve::resolve(s, {}, {{"API_KEY", {"k-123"}}, {"token", {"t-456"}}}).value();
    REQUIRE(r.complete());
    CHECK(r.spec.env == std::map<std::string, std::string>{{"API_KEY", "k-123"}, {"PORT", "7000"}});
    CHECK(r.spec.secret_env == std::set<std::string>{"API_KEY"});
    CHECK(r.spec.url == "http://localhost:7000/mcp");
    CHECK(r.spec.headers.at("Authorization") == "Bearer t-456");
    CHECK(r.spec.transport == "streamable-http");
    CHECK(resolve::posix_command_line(r.spec.argv()) == "docker run -i --rm -e API_KEY -e PORT acme/db:1");

    // Configurations never carry secret values.
    const auto vscode = resolve::client_config(r.spec, "io.github.acme/db", resolve::config_format::vscode);
    CHECK(vscode.find("k-123") == std::string::npos);
    CHECK(vscode.find("${input:API_KEY}") != std::string::npos);
    CHECK(vscode.find(R"("password":true)") != std::string::npos);
    auto parsed = model::parse_json(vscode).value();
    CHECK(parsed.at("servers").at("db").at("type") == "stdio");
    const auto claude = resolve::client_config(r.spec, "io.github.acme/db", resolve::config_format::claude_desktop);
    CHECK(claude.find("k-123") == std::string::npos);
    CHECK(model::parse_json(claude).value().at("mcpServers").at("db").at("env").at("API_KEY") == "${env:API_KEY}");
    const auto generic = resolve::client_config(r.spec, "io.github.acme/db", resolve::config_format::generic);
    CHECK(generic.find("k-123") == std::string::npos);
    CHECK(generic.find("t-456") == std::string::npos);
    auto g = model::parse_json(generic).value();
    for (auto key : {"transport", "command", "args", "env", "cwd", "url", "headers", "notes", "warnings"})
        CHECK_MESSAGE(g.as_object().contains(key), key);

    auto remote = from_json(R"({"name":"io.github.acme/r","description":"d","version":"1",
        "remotes":[{"type":"sse","url":"https://{region}.acme.dev/sse","variables":{"region":{"choices":["eu","us"],
        "default":"eu"}},"headers":[{"name":"X-Key","isRequired":true,"isSecret":true}]}]})");
    auto rr = resolve::resolve(remote, {}, {{"X-Key", {"secret"}}}).value();
    CHECK(rr.spec.url == "https://eu.acme.dev/sse");
    CHECK(rr.spec.secret_headers.contains("X-Key"));
    const auto cursor = resolve::client_config(rr.spec, remote.name, resolve::config_format::cursor);
    CHECK(model::parse_json(cursor).value().at("mcpServers").at("r").at("url") == "https://eu.acme.dev/sse");
    CHECK(model::parse_json(resolve::client_config(rr.spec, remote.name, resolve::config_format::vscode))
              .value()
              .at("servers")
              .at("r")
              .at("type") == "sse");
}

TEST_CASE("selection: explicit picks and the default policy" * doctest::test_suite("resolve"))
{
    auto s = from_json(R"({"name":"io.github.acme/multi","description":"d","version":"1",
        "packages":[{"registryType":"oci","identifier":"acme/m:1","transport":{"type":"stdio"}},
                    {"registryType":"pypi","identifier":"m","version":"1","transport":{"type":"stdio"}},
                    {"registryType":"npm","identifier":"m","version":"1","transport":{"type":"stdio"}}],
        "remotes":[{"type":"streamable-http","url":"https://m.acme.dev/mcp"}]})");
    resolve::options opts;
    CHECK(resolve::choose(s, {}, opts).value().source() == "remotes[0]");
    opts.allow_remotes = false;
    CHECK(resolve::choose(s, {}, opts).value().source() == "packages[2]");  // npm first in the preference order
    opts.runner_available = [](std::string_view runner) { return runner != "npx"; };
    CHECK(resolve::choose(s, {}, opts).value().source() == "packages[1]");
    opts.preference = {"oci"};
    CHECK(resolve::choose(s, {}, opts).value().source() == "packages[0]");
    opts.runner_available = [](std::string_view) { return false; };
    CHECK_FALSE(resolve::choose(s, {}, opts));

    CHECK(resolve::choose(s, resolve::selection::parse("pypi").value(), {}).value().source() == "packages[1]");
    CHECK(resolve::choose(s, resolve::selection::parse("0").value(), {}).value().source() == "packages[0]");
    CHECK(resolve::choose(s, resolve::selection::parse("remote").value(), {}).value().source() == "remotes[0]");
    CHECK_FALSE(resolve::choose(s, resolve::selection::parse("remote:1").value(), {}));
    CHECK_FALSE(resolve::choose(s, resolve::selection::parse("7").value(), {}));
    CHECK_FALSE(resolve::choose(s, resolve::selection::parse("nuget").value(), {}));
    CHECK_FALSE(resolve::selection::parse(""));
}

TEST_CASE("lint: what would make an entry hard to launch" * doctest::test_suite("resolve"))
{
    auto s = from_json(R"({"name":"io.github.acme/lint","description":"d","version":"1",
        "packages":[{"registryType":"npm","identifier":"@acme/x@2.0.0","version":"1.0.0","transport":{"type":"stdio"},
                     "packageArguments":[{"type":"named","name":"port","value":"{p}"}]},
                    {"registryType":"oci","identifier":"https://ghcr.io/acme/x:1","transport":{"type":"stdio"}},
                    {"registryType":"mcpb","identifier":"https://acme.dev/x.mcpb","transport":{"type":"stdio"}},
                    {"registryType":"oci","identifier":"ghcr.io/acme/y:2","version":"3","transport":{"type":"stdio"}}],
        "remotes":[{"type":"sse","url":"https://{tenant}.acme.dev/sse"}]})");
    std::set<std::pair<std::string, std::string>> found;
    for (const auto& issue : resolve::lint(s)) found.insert({issue.path, issue.rule});
    const std::set<std::pair<std::string, std::string>> expected = {
        {"/packages/0/packageArguments/0/name", "named-argument-without-dashes"},
        {"/packages/0/packageArguments/0/value", "undefined-variable"},
        {"/packages/0/version", "identifier-version-mismatch"},
        {"/packages/1/identifier", "oci-reference-with-scheme"},
        {"/packages/2/fileSha256", "mcpb-without-hash"},
        {"/packages/3/version", "identifier-version-mismatch"},
        {"/remotes/0/url", "undefined-variable"}};
    CHECK(found == expected);
    CHECK(resolve::lint(example("10-complex-docker-server-with-multiple-arguments.json")).empty());
}

TEST_CASE("display quoting for POSIX shells and PowerShell" * doctest::test_suite("resolve"))
{
    CHECK(resolve::posix_command_line({"npx", "-y", "a b", "it's", "", "$HOME", "x=1"}) ==
          R"(npx -y 'a b' 'it'\''s' '' '$HOME' x=1)");
    CHECK(resolve::powershell_command_line({"C:\\Program Files\\node.exe", "a b", "it's", "$env:X"}) ==
          R"(& 'C:\Program Files\node.exe' 'a b' 'it''s' '$env:X')");
    CHECK(resolve::powershell_command_line({"npx", "-y", "@acme/x@1"}) == "npx -y '@acme/x@1'");
}

TEST_CASE("a hostile registry cannot reach outside the package's runner" * doctest::test_suite("resolve"))
{
    auto refused = [](std::string_view registry_type, std::string_view identifier, std::string_view version) {
        json::object package{{"registryType", registry_type},
                             {"identifier", identifier},
                             {"version", version},
                             {"transport", {{"type", "stdio"}}}};
        auto r = resolve::resolve(with_package(json::serialize(package)));
        if (r) return false;
        CHECK(r.error().code == errc::invalid_argument);
        CHECK(r.error().diag.message.find("refused") != std::string::npos);
        return true;
    };
    // Identifiers that a runner would read as its own options, or as another program or path.
    CHECK(refused("npm", "--yes", "1.0.0"));
    CHECK(refused("npm", "-c=sh", "1.0.0"));
    CHECK(refused("npm", "@scope/../../etc", "1.0.0"));
    CHECK(refused("npm", "tool; rm -rf /", "1.0.0"));
    CHECK(refused("npm", "@acme/tool", "1.0.0 --registry=http://evil"));
    CHECK(refused("npm", "@acme/tool", "-1"));
    CHECK(refused("pypi", "--from=evil", "1.0"));
    CHECK(refused("pypi", "weather\n--index-url", "1.0"));
    CHECK(refused("oci", "--entrypoint=/bin/sh", "1"));
    CHECK(refused("oci", "-v/:/host", "1"));
    CHECK(refused("oci", "image name", "1"));
    CHECK(refused("nuget", "--source", "1.0.0"));
    CHECK(refused("cargo", "/bin/sh", "1.0.0"));
    CHECK(refused("cargo", "../../bin/sh", "1.0.0"));
    // Ordinary names stay accepted.
    CHECK_FALSE(refused("npm", "@modelcontextprotocol/server-filesystem", "2025.8.21"));
    CHECK_FALSE(refused("oci", "ghcr.io/acme/tool:1.2.3", "1.2.3"));
    CHECK_FALSE(refused("oci", "docker.io/acme/tool@sha256:abcdef0123", ""));
    CHECK_FALSE(refused("pypi", "mcp-server.time_2", "0.6.2+local"));
    CHECK_FALSE(refused("nuget", "Acme.Tools.Mcp", "1.0.0-beta.1"));

    // A cargo runtimeHint never becomes the command: the crate's own binary runs.
    auto cargo = resolve::resolve(with_package(R"({"registryType":"cargo","identifier":"widget","version":"0.3.0",)"
                                               R"("runtimeHint":"/bin/sh","transport":{"type":"stdio"}})"))
                     .value();
    CHECK(cargo.spec.command == "widget");
    REQUIRE(cargo.spec.warnings.size() == 1);
    CHECK(cargo.spec.warnings[0].find("runtimeHint '/bin/sh'") != std::string::npos);

    // Values (arguments, environment) stay single argv elements after the package: never split, never
    // read by the runner.
    auto values =
        resolve::resolve(with_package(R"({"registryType":"npm","identifier":"tool","version":"1.0.0",)"
                                      R"("transport":{"type":"stdio"},"packageArguments":[{"type":"positional",)"
                                      R"("valueHint":"dir","value":"--yes; rm -rf / #"}]})"))
            .value();
    CHECK(values.spec.argv() == std::vector<std::string>{"npx", "-y", "tool@1.0.0", "--yes; rm -rf / #"});

    // A value that is not UTF-8 cannot travel in a launch spec or a configuration (fuzz finding).
    auto invalid = resolve::resolve(with_package(R"({"registryType":"npm","identifier":"tool","version":"1.0.0",)"
                                                 R"("transport":{"type":"stdio"},"environmentVariables":[)"
                                                 R"({"name":"KEY","isRequired":true}]})"),
                                    {}, {{"KEY", {"\xff\xfe"}}});
    REQUIRE_FALSE(invalid);
    CHECK(invalid.error().diag.message == "the value given for KEY is not valid UTF-8");
}
