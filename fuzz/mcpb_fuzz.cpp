// An MCPB bundle (any bytes): verification, safe extraction under the limits, manifest parsing and the
// launch spec built from it. Properties: nothing is ever written outside the cache directory; a fileSha256 is a
// path only when it is 64 hex digits, and then names a directory directly inside the cache; every client
// configuration of a bundle is JSON.
#include "../src/common/sha256.hpp"

#include <mcpreg/model/json.hpp>
#include <mcpreg/resolve/mcpb.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace mcpreg;
    static const fs::path root = fs::temp_directory_path() / ("mcpreg-mcpb-fuzz-" + std::to_string(::getpid()));
    static const fs::path cache = root / "cache";
    fs::create_directories(cache);
    const std::string_view archive(reinterpret_cast<const char*>(data), size);
    const auto sha = detail::sha256_hex(archive);
    resolve::bundle_limits limits;
    limits.max_unpacked_bytes = 8 << 20;
    limits.max_entries = 200;
    auto extracted = resolve::extract_bundle(archive, sha, cache.string(), limits);
    if (extracted) {
        auto server = model::parse_server(R"({"name":"io.github.fuzz/bundle","description":"d","version":"1.0.0",)"
                                          R"("packages":[{"registryType":"mcpb","identifier":"https://x/b.mcpb",)"
                                          R"("fileSha256":")" +
                                          sha + R"(","transport":{"type":"stdio"}}]})");
        if (!server) std::abort();
        resolve::mcpb_options options;
        options.platform = "linux";
        options.home = "/home/fuzz";
        if (auto resolved = resolve::resolve_bundle(*server, 0, *extracted, {}, options))
            for (auto format : {resolve::config_format::vscode, resolve::config_format::claude_desktop,
                                resolve::config_format::cursor, resolve::config_format::generic})
                if (auto rendered = resolve::render_config(resolved->spec, server->name, format))
                    if (!model::parse_json(rendered->text)) std::abort();
    }
    // The input's first bytes as a registry's fileSha256: refused, or a directory directly inside the cache.
    const auto claimed = archive.substr(0, std::min<std::size_t>(archive.size(), 64));
    if (auto directory = resolve::bundle_directory(cache.string(), claimed)) {
        if (fs::path(*directory).parent_path() != fs::absolute(cache).lexically_normal() || claimed.size() != 64)
            std::abort();
    }
    // Everything written is inside the cache directory, and nothing outside it appeared.
    std::size_t outside = 0;
    for (const auto& entry : fs::recursive_directory_iterator(root))
        if (entry.path().string().rfind(cache.string(), 0) != 0) ++outside;
    if (outside != 0) std::abort();
    std::error_code ec;
    fs::remove_all(cache / sha, ec);
    return 0;
}
