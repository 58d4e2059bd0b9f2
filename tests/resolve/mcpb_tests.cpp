// MCP bundles: archives built here with libarchive, served over HTTPS on 127.0.0.1 (a test CA), fetched
// through the client; the safety checks; and the launch spec from the manifest, as the MCPB manifest spec
// and its reference implementation build it.
#include <mcpreg/client/blocking_client.hpp>
#include <mcpreg/model/json.hpp>
#include <mcpreg/resolve/mcpb.hpp>

#include "fault_server.hpp"
#include "test_data.hpp"

#include <doctest/doctest.h>

#include <boost/json/serialize.hpp>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace json = boost::json;
namespace fs = std::filesystem;
using namespace mcpreg;
using test::fault_action;

namespace {

struct member {
    std::string path;
    std::string content;
    enum class kind { file, directory, symlink } what = kind::file;
    std::uint64_t zeros = 0;  ///< appended zero bytes (for a bomb)
};

std::string make_zip(const std::vector<member>& members)
{
    std::vector<char> buffer(8 << 20);
    std::size_t used = 0;
    archive* writer = archive_write_new();
    archive_write_set_format_zip(writer);
    REQUIRE(archive_write_open_memory(writer, buffer.data(), buffer.size(), &used) == ARCHIVE_OK);
    for (const auto& m : members) {
        archive_entry* entry = archive_entry_new();
        archive_entry_set_pathname(entry, m.path.c_str());
        if (m.what == member::kind::directory) {
            archive_entry_set_filetype(entry, AE_IFDIR);
            archive_entry_set_perm(entry, 0755);
        }
        else if (m.what == member::kind::symlink) {
            archive_entry_set_filetype(entry, AE_IFLNK);
            archive_entry_set_symlink(entry, m.content.c_str());
            archive_entry_set_perm(entry, 0777);
        }
        else {
            archive_entry_set_filetype(entry, AE_IFREG);
            archive_entry_set_perm(entry, 0755);
            archive_entry_set_size(entry, static_cast<la_int64_t>(m.content.size() + m.zeros));
        }
        REQUIRE(archive_write_header(writer, entry) == ARCHIVE_OK);
        if (m.what == member::kind::file) {
            archive_write_data(writer, m.content.data(), m.content.size());
            const std::string zeros(1 << 20, '\0');
            for (std::uint64_t left = m.zeros; left > 0;) {
                const auto n = std::min<std::uint64_t>(left, zeros.size());
                archive_write_data(writer, zeros.data(), n);
                left -= n;
            }
        }
        archive_entry_free(entry);
    }
    archive_write_close(writer);
    archive_write_free(writer);
    return std::string(buffer.data(), used);
}

std::string sha256_hex(std::string_view data)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < length; ++i) {
        out += digits[digest[i] >> 4];
        out += digits[digest[i] & 15];
    }
    return out;
}

const json::object manifest{
    {"manifest_version", "0.3"},
    {"name", "files"},
    {"version", "1.0.0"},
    {"server",
     {{"type", "node"},
      {"entry_point", "server/index.js"},
      {"mcp_config",
       {{"command", "node"},
        {"args", json::array{"${__dirname}${/}server${/}index.js", "--root", "${user_config.allowed_directories}"}},
        {"env", {{"API_KEY", "${user_config.api_key}"}, {"CONFIG_DIR", "${HOME}${/}.files"}}},
        // An override's env replaces the base env whole (the reference implementation's rule).
        {"platform_overrides",
         {{"linux",
           {{"env",
             {{"API_KEY", "${user_config.api_key}"}, {"CONFIG_DIR", "${HOME}${/}.files"}, {"LOG_LEVEL", "debug"}}}}},
          {"win32", {{"command", "node.exe"}}}}}}}}},
    {"user_config",
     {{"api_key", {{"type", "string"}, {"title", "API key"}, {"sensitive", true}, {"required", true}}},
      {"allowed_directories", {{"type", "directory"}, {"multiple", true}, {"required", true}}},
      {"verbose", {{"type", "boolean"}, {"default", false}}}}},
    {"compatibility", {{"platforms", json::array{"darwin", "linux"}}, {"runtimes", {{"node", ">=18.0.0"}}}}}};

std::string good_bundle()
{
    return make_zip({{"manifest.json", json::serialize(manifest)},
                     {"server/", "", member::kind::directory},
                     {"server/index.js", "console.log('hello')"}});
}

model::server entry_for(const std::string& url, const std::string& sha256)
{
    return model::parse_server(
               json::serialize(json::object{
                   {"name", "io.github.acme/files"},
                   {"description", "d"},
                   {"version", "1.0.0"},
                   {"packages", json::array{json::object{
                                    {"registryType", "mcpb"},
                                    {"identifier", url},
                                    {"fileSha256", sha256},
                                    {"transport", {{"type", "stdio"}}},
                                    {"environmentVariables", json::array{{{"name", "REGION"}, {"default", "eu"}}}}}}}}))
        .value();
}

// Deterministic bundle options: the platform and the folders, never the machine's.
resolve::mcpb_options on(std::string platform, std::string home, std::string desktop = "")
{
    resolve::mcpb_options o;
    o.platform = std::move(platform);
    o.home = std::move(home);
    o.desktop = std::move(desktop);
    return o;
}

struct temp_dir {
    fs::path path =
        fs::temp_directory_path() / ("mcpreg-mcpb-" + std::to_string(::getpid()) + "-" + std::to_string(next()));
    temp_dir() { fs::create_directories(path); }
    ~temp_dir() { fs::remove_all(path); }
    static int next()
    {
        static int n = 0;
        return n++;
    }
};

}  // namespace

TEST_CASE("a good bundle: fetched over HTTPS from 127.0.0.1, verified, extracted once, resolved from its manifest" *
          doctest::test_suite("mcpb"))
{
    const auto archive = good_bundle();
    const auto hash = sha256_hex(archive);
    test::test_pki pki;
    test::fault_server server(
        [&](const http_request& r, int) {
            return r.target == "/files.mcpb" ? fault_action::respond(200, archive) : fault_action::respond(404);
        },
        pki.issue("127.0.0.1"));
    client_options options;
    options.tls.ca_file = pki.ca_file();
    options.use_environment_proxy = false;
    resolve::bundle_fetcher fetch = [&](const std::string& url, std::uint64_t max_bytes) -> result<std::string> {
        auto o = options;
        o.max_response_bytes = max_bytes;
        auto got = fetch_url(url, o);
        if (!got) return got.error();
        if (got->status != 200) return make_error(errc::bad_response, "HTTP " + std::to_string(got->status));
        return std::move(got->body);
    };
    temp_dir cache;
    const auto url = "https://127.0.0.1:" + std::to_string(server.port()) + "/files.mcpb";
    auto s = entry_for(url, hash);
    auto b = resolve::fetch_bundle((*s.packages)[0], cache.path.string(), fetch);
    REQUIRE(b);
    CHECK(b->sha256 == hash);
    CHECK(b->manifest_version == "0.3");
    CHECK(fs::exists(fs::path(b->directory) / "server/index.js"));
    CHECK(server.requests() == 1);
    REQUIRE(resolve::fetch_bundle((*s.packages)[0], cache.path.string(), fetch));
    CHECK(server.requests() == 1);  // cached by hash

    const auto linux_home = on("linux", "/home/u");
    auto needs = resolve::resolve_bundle(s, 0, *b, {}, linux_home).value();
    std::set<std::string> missing;
    for (const auto& m : needs.missing) missing.insert(m.name);
    CHECK(missing == std::set<std::string>{"allowed_directories", "api_key"});

    auto r =
        resolve::resolve_bundle(s, 0, *b, {{"api_key", {"k-1"}}, {"allowed_directories", {"/a", "/b"}}}, linux_home)
            .value();
    REQUIRE(r.complete());
    CHECK(r.spec.argv() == std::vector<std::string>{"node", b->directory + "/server/index.js", "--root", "/a", "/b"});
    CHECK(r.spec.env.at("API_KEY") == "k-1");
    CHECK(r.spec.secret_env.contains("API_KEY"));
    CHECK(r.spec.secrets.env.at("API_KEY") == std::vector<resolve::secret_span>{{0, 3, "api_key"}});
    CHECK(r.spec.env.at("CONFIG_DIR") == "/home/u/.files");
    CHECK(r.spec.env.at("LOG_LEVEL") == "debug");  // the linux override
    CHECK(r.spec.env.at("REGION") == "eu");        // the registry entry's environment variable
    CHECK(r.spec.cwd == b->directory);
    REQUIRE(r.spec.notes.size() == 1);
    CHECK(r.spec.notes[0] == "the bundle needs node >=18.0.0");
    auto windows = resolve::resolve_bundle(s, 0, *b, {}, on("win32", "C:\\Users\\u"));
    REQUIRE_FALSE(windows);
    CHECK(windows.error().diag.message == "the bundle runs on darwin, linux, not win32");

    // Without fileSha256 nothing is downloaded.
    auto unverified = entry_for(url, "");
    CHECK_FALSE(resolve::fetch_bundle((*unverified.packages)[0], cache.path.string(), fetch));
    CHECK(server.requests() == 1);
    // Plain http is refused.
    auto plain = entry_for("http://127.0.0.1:1/x.mcpb", hash + "0");
    CHECK_FALSE(resolve::fetch_bundle((*plain.packages)[0], cache.path.string(), fetch));
}

TEST_CASE("archives the fuzzer found are refused with a message, not a crash" * doctest::test_suite("mcpb"))
{
    const auto cache = std::filesystem::temp_directory_path() / ("mcpreg-mcpb-regress-" + std::to_string(::getpid()));
    for (const auto& file :
         std::filesystem::directory_iterator(test::data_dir() / ".." / ".." / "fuzz" / "regressions" / "mcpb")) {
        const auto bytes = test::read_file(file.path());
        auto extracted = resolve::extract_bundle(bytes, sha256_hex(bytes), cache.string());
        CHECK_FALSE(extracted);
        if (!extracted) CHECK_FALSE(extracted.error().diag.message.empty());
    }
    std::filesystem::remove_all(cache);
}

TEST_CASE("hostile bundles are refused and leave nothing behind" * doctest::test_suite("mcpb"))
{
    temp_dir cache;
    auto refused = [&](const std::string& archive, std::string_view reason, std::string expected_hash = {}) {
        if (expected_hash.empty()) expected_hash = sha256_hex(archive);
        auto b = resolve::extract_bundle(archive, expected_hash, cache.path.string());
        REQUIRE_FALSE(b);
        CHECK_MESSAGE(b.error().diag.message.find(reason) != std::string::npos, b.error().diag.message);
        for (const auto& entry : fs::directory_iterator(cache.path)) FAIL_CHECK("left behind: " << entry.path());
    };
    const auto good = good_bundle();
    refused(good, "SHA-256", std::string(64, 'a'));
    refused(make_zip({{"manifest.json", json::serialize(manifest)}, {"../evil.txt", "pwned"}}), "unsafe path");
    CHECK_FALSE(fs::exists(cache.path.parent_path() / "evil.txt"));
    refused(make_zip({{"manifest.json", json::serialize(manifest)}, {"/tmp/mcpreg-absolute.txt", "x"}}), "unsafe path");
    refused(make_zip({{"manifest.json", json::serialize(manifest)}, {"link", "/etc/passwd", member::kind::symlink}}),
            "link");
    refused(make_zip({{"manifest.json", json::serialize(manifest)}, {"zeros.bin", "", member::kind::file, 30 << 20}}),
            "zip bomb");
    refused(make_zip({{"server/index.js", "x"}}), "manifest.json");
    auto old = manifest;
    old["manifest_version"] = "0.9";
    refused(make_zip({{"manifest.json", json::serialize(old)}}), "unsupported manifest_version");
    refused("this is not a zip file at all", "not a zip archive");

    resolve::bundle_limits small;
    small.max_unpacked_bytes = 100;
    auto big = resolve::extract_bundle(good, sha256_hex(good), cache.path.string(), small);
    REQUIRE_FALSE(big);
    CHECK(big.error().diag.message.find("more than 100 bytes") != std::string::npos);

    // dxt_version, the older name, is read too.
    auto legacy = manifest;
    legacy.erase("manifest_version");
    legacy["dxt_version"] = "0.1";
    const auto legacy_zip = make_zip({{"manifest.json", json::serialize(legacy)}});
    auto b = resolve::extract_bundle(legacy_zip, sha256_hex(legacy_zip), cache.path.string());
    REQUIRE(b);
    CHECK(b->manifest_version == "0.1");
}

namespace {

// A bundle of `m` (with a server/ folder), extracted into `cache`.
resolve::bundle extracted(const json::object& m, const temp_dir& cache)
{
    const auto zip = make_zip({{"manifest.json", json::serialize(m)},
                               {"server/", "", member::kind::directory},
                               {"server/my-server", "#!/bin/sh"}});
    return resolve::extract_bundle(zip, sha256_hex(zip), cache.path.string()).value();
}

json::object bundle_manifest(json::object mcp_config, json::object user_config = {})
{
    return json::object{
        {"manifest_version", "0.3"},
        {"name", "m"},
        {"version", "1.0.0"},
        {"server", {{"type", "binary"}, {"entry_point", "server/my-server"}, {"mcp_config", mcp_config}}},
        {"user_config", user_config}};
}

}  // namespace

TEST_CASE("a fileSha256 that is not 64 hex digits never becomes a path" * doctest::test_suite("mcpb"))
{
    temp_dir cache, elsewhere;
    // Another directory with a manifest.json whose command is the attacker's.
    auto evil = manifest;
    evil["server"].as_object()["mcp_config"].as_object()["command"] = "/bin/sh";
    std::ofstream(elsewhere.path / "manifest.json") << json::serialize(evil);
    std::size_t fetches = 0;
    resolve::bundle_fetcher fetch = [&](const std::string&, std::uint64_t) -> result<std::string> {
        ++fetches;
        return make_error(errc::io_error, "nothing is fetched here");
    };
    const auto name = elsewhere.path.filename().string();
    for (const std::string& sha : std::vector<std::string>{
             elsewhere.path.string(), "../" + name, "./../" + name, "/etc", "..", std::string(63, 'a'),
             std::string(65, 'a'), std::string(64, 'g'), std::string(62, 'a') + "/.", "../" + std::string(61, 'a')}) {
        auto entry = entry_for("https://127.0.0.1:1/x.mcpb", sha);
        auto b = resolve::fetch_bundle((*entry.packages)[0], cache.path.string(), fetch);
        REQUIRE_FALSE_MESSAGE(b, sha);
        CHECK(b.error().diag.message == "fileSha256 is not a SHA-256 (64 hex digits); the bundle is refused");
        CHECK_FALSE(resolve::extract_bundle("x", sha, cache.path.string()));
        CHECK_FALSE(resolve::bundle_directory(cache.path.string(), sha));
    }
    CHECK(fetches == 0);
    // The one place a path is made: absolute, lower case, directly inside the cache.
    CHECK(resolve::bundle_directory("/c", std::string(64, 'A')).value() == "/c/" + std::string(64, 'a'));
    CHECK(resolve::bundle_directory("relative/cache", std::string(64, '0')).value() ==
          (fs::current_path() / "relative/cache" / std::string(64, '0')).string());
}

TEST_CASE("MCPB substitution: system folders, path separators, user_config defaults, relative commands and "
          "platform overrides as the reference implementation does them" *
          doctest::test_suite("mcpb"))
{
    temp_dir cache;
    const auto b = extracted(
        bundle_manifest(
            {{"command", "server/my-server"},
             {"args", json::array{"--desktop=${DESKTOP}", "${DOCUMENTS}${pathSeparator}notes", "${DOWNLOADS}",
                                  "${user_config.dirs}", "--dir=${user_config.dir}", "${__dirname}${/}data"}},
             {"env", {{"BASE", "1"}, {"SEP", "${/}"}}},
             {"platform_overrides",
              {{"darwin", {{"env", {{"ONLY", "darwin"}}}}}, {"win32", {{"args", json::array{"--windows"}}}}}}},
            {{"dirs",
              {{"type", "directory"}, {"multiple", true}, {"default", json::array{"${HOME}/a", "${DOCUMENTS}/b"}}}},
             {"dir", {{"type", "directory"}, {"default", "${HOME}/work"}}}}),
        cache);
    const auto s = entry_for("https://x/b.mcpb", b.sha256);
    const auto linux_options = on("linux", "/home/u", "/home/u/Bureau");
    auto r = resolve::resolve_bundle(s, 0, b, {}, linux_options).value();
    // A command relative with a separator is a file of the bundle: absolute, since mcpServers ignore cwd.
    CHECK(r.spec.command == b.directory + "/server/my-server");
    CHECK(r.spec.args == std::vector<std::string>{"--desktop=/home/u/Bureau", "/home/u/Documents/notes",
                                                  "/home/u/Downloads", "/home/u/a", "/home/u/Documents/b",
                                                  "--dir=/home/u/work", b.directory + "/data"});
    CHECK(r.spec.env == std::map<std::string, std::string>{{"BASE", "1"}, {"REGION", "eu"}, {"SEP", "/"}});
    CHECK(r.spec.warnings.empty());
    CHECK(r.spec.report.runner == r.spec.command);
    CHECK(r.spec.report.package == b.directory);

    // An override's env replaces the base env; its args replace the args.
    auto darwin = resolve::resolve_bundle(s, 0, b, {}, on("darwin", "/Users/u")).value();
    CHECK(darwin.spec.env == std::map<std::string, std::string>{{"ONLY", "darwin"}, {"REGION", "eu"}});
    auto windows = resolve::resolve_bundle(s, 0, b, {}, on("win32", "C:\\Users\\u")).value();
    CHECK(windows.spec.args == std::vector<std::string>{"--windows"});
    CHECK(windows.spec.command == b.directory + "\\server/my-server.exe");  // binaries get .exe on Windows
    CHECK(windows.spec.env.at("SEP") == "\\");

    // A bare name stays a name; a relative command may not leave the bundle.
    for (auto [command, expected] : {std::pair<std::string, std::string>{"node", "node"},
                                     {"./server/my-server", b.directory + "/server/my-server"}}) {
        temp_dir other;
        const auto bb = extracted(bundle_manifest({{"command", command}}), other);
        CHECK(resolve::resolve_bundle(entry_for("https://x/b.mcpb", bb.sha256), 0, bb, {}, linux_options)
                  .value()
                  .spec.command == (command == "node" ? expected : bb.directory + "/server/my-server"));
    }
    temp_dir escape;
    const auto outside = extracted(bundle_manifest({{"command", "server/../../../bin/sh"}}), escape);
    auto left = resolve::resolve_bundle(entry_for("https://x/b.mcpb", outside.sha256), 0, outside, {}, linux_options);
    REQUIRE_FALSE(left);
    CHECK(left.error().diag.message.find("leaves the bundle directory") != std::string::npos);
}

TEST_CASE("a sensitive user_config value is a secret wherever it is substituted, and registry variables are checked" *
          doctest::test_suite("mcpb"))
{
    temp_dir cache;
    const auto b =
        extracted(bundle_manifest({{"command", "node"},
                                   {"args", json::array{"--token=${user_config.token}"}},
                                   {"env", {{"AUTH", "Bearer ${user_config.token}"}}}},
                                  {{"token", {{"type", "string"}, {"sensitive", true}, {"required", true}}}}),
                  cache);
    const auto s = entry_for("https://x/b.mcpb", b.sha256);
    const auto linux_options = on("linux", "/home/u");
    auto r = resolve::resolve_bundle(s, 0, b, {{"token", {"s-1"}}}, linux_options).value();
    CHECK(r.spec.args == std::vector<std::string>{"--token=s-1"});
    CHECK(r.spec.secrets.args.at(0) == std::vector<resolve::secret_span>{{8, 3, "token"}});
    CHECK(r.spec.secrets.env.at("AUTH") == std::vector<resolve::secret_span>{{7, 3, "token"}});
    CHECK(r.spec.masked_argv() == std::vector<std::string>{"node", "--token=********"});
    auto claude = resolve::render_config(r.spec, s.name, resolve::config_format::claude_desktop).value();
    CHECK(claude.text.find("s-1") == std::string::npos);
    CHECK(claude.text.find("--token=<token>") != std::string::npos);
    CHECK(claude.fill_in.size() == 2);
    for (auto format :
         {resolve::config_format::vscode, resolve::config_format::cursor, resolve::config_format::generic})
        CHECK(resolve::render_config(r.spec, s.name, format).value().text.find("s-1") == std::string::npos);

    // The registry entry's variables are registry text: names must be names, runner variables need an opt-in.
    auto steering =
        model::parse_server(
            json::serialize(json::object{
                {"name", "io.github.acme/files"},
                {"description", "d"},
                {"version", "1.0.0"},
                {"packages",
                 json::array{json::object{
                     {"registryType", "mcpb"},
                     {"identifier", "https://x/b.mcpb"},
                     {"fileSha256", b.sha256},
                     {"transport", {{"type", "stdio"}}},
                     {"environmentVariables", json::array{{{"name", "NODE_OPTIONS"}, {"value", "--require=/x"}}}}}}}}))
            .value();
    auto refused = resolve::resolve_bundle(steering, 0, b, {{"token", {"s-1"}}}, linux_options);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().diag.message.find("--allow-runner-option env:NODE_OPTIONS") != std::string::npos);
    auto allowed = linux_options;
    allowed.allowed_runner_options = {"env:NODE_OPTIONS"};
    CHECK(resolve::resolve_bundle(steering, 0, b, {{"token", {"s-1"}}}, allowed).value().spec.report.overrides ==
          std::vector<std::string>{"env:NODE_OPTIONS"});
}
