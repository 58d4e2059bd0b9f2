// MCP bundles (MCPB): download, verify, extract safely, read the manifest, and resolve the launch spec.
#pragma once

#include <mcpreg/error.hpp>
#include <mcpreg/export.hpp>
#include <mcpreg/model/server.hpp>
#include <mcpreg/resolve/resolve.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace mcpreg::resolve {

/// Bounds on what a bundle may cost. A bundle over any of them is refused, never partly extracted.
struct bundle_limits {
    std::uint64_t max_download_bytes = std::uint64_t{256} << 20;
    std::uint64_t max_unpacked_bytes = std::uint64_t{1} << 30;
    std::uint64_t max_entries = 20'000;
    /// Unpacked bytes per downloaded byte: beyond this the archive is treated as a zip bomb.
    double max_ratio = 200.0;
};

/// Downloads `url` (HTTPS, at most `max_bytes`) and returns its bytes. mcpreg::fetch_url implements it:
/// `[&](auto& url, auto max) { ... fetch_url(url, options) ... }`; tests may serve bundles from 127.0.0.1.
using bundle_fetcher = std::function<result<std::string>(const std::string& url, std::uint64_t max_bytes)>;

/// An extracted bundle: its directory and its parsed manifest.json.
struct bundle {
    std::string directory;
    std::string sha256;  ///< lower-case hex of the archive
    boost::json::object manifest;
    std::string manifest_version;  ///< "0.1" to "0.4" (`manifest_version`, or `dxt_version` in older bundles)
};

/// The one place a file system path is made from registry data: `<cache_dir>/<sha256>`, absolute. Only exactly
/// 64 hex digits (any case; the directory takes lower case) are a SHA-256; anything else (a path, `..`, a
/// shorter or longer string) is refused (errc::invalid_argument) before any file is looked at.
MCPREG_API result<std::string> bundle_directory(const std::string& cache_dir, std::string_view sha256);

/// Verifies `archive` against `expected_sha256` (hex, any case) before anything is unpacked, then extracts it
/// into bundle_directory(cache_dir, sha256) (kept: a second call with the same hash reuses it). Refused: a hash
/// mismatch, absolute or `..` paths, symlinks, hard links and device entries, more than the limits allow, and an
/// archive without a readable manifest.json.
MCPREG_API result<bundle> extract_bundle(std::string_view archive, std::string_view expected_sha256,
                                         const std::string& cache_dir, const bundle_limits& limits = {});

/// The bundle of an `mcpb` package: reused from bundle_directory(cache_dir, fileSha256) when present, else
/// downloaded with `fetch` and extracted. A package without a fileSha256 of 64 hex digits is refused.
MCPREG_API result<bundle> fetch_bundle(const model::package& package, const std::string& cache_dir,
                                       const bundle_fetcher& fetch, const bundle_limits& limits = {});

struct mcpb_options {
    /// "darwin", "win32" or "linux" (the manifest's names). Default: the platform mcpreg was built for.
    std::string platform;
    /// Substituted for ${HOME}. Default: $HOME (%USERPROFILE% on Windows).
    std::string home;
    /// Substituted for ${DESKTOP}, ${DOCUMENTS} and ${DOWNLOADS}. Default: Desktop, Documents and Downloads in
    /// the home directory.
    std::string desktop;
    std::string documents;
    std::string downloads;
    /// Environment variables of the registry entry that the runner policy refuses ("env:NODE_OPTIONS"), accepted
    /// anyway; all_runner_options accepts all (see options::allowed_runner_options).
    std::set<std::string, std::less<>> allowed_runner_options;
};

/// The launch spec of an extracted bundle, as the MCPB reference implementation builds it: manifest
/// `server.mcp_config` (command, args, env), where the platform's `platform_overrides` entry replaces
/// `command`, `args` and `env` whole (not merged); `${__dirname}`, `${HOME}`, `${DESKTOP}`, `${DOCUMENTS}`,
/// `${DOWNLOADS}`, `${pathSeparator}`, `${/}` and `${user_config.KEY}` substituted (in `user_config` defaults
/// too, all but `${user_config.KEY}`); `user_config` values taken from `inputs` (else their defaults; required
/// ones missing are reported like any input; `sensitive` ones are secrets, located in
/// launch_spec::secrets); a command relative with a path separator ("server/my-server") made absolute in the
/// bundle directory (a bare name such as "node" stays); and the package's environmentVariables merged into the
/// environment, checked like any registry entry's. An incompatible platform is an error; runtime requirements
/// become notes.
MCPREG_API result<resolution> resolve_bundle(const model::server& server, std::size_t package_index,
                                             const bundle& extracted, const input_values& inputs = {},
                                             const mcpb_options& options = {});

}  // namespace mcpreg::resolve
