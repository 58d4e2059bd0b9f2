#include <mcpreg/model/json.hpp>
#include <mcpreg/resolve/mcpb.hpp>

#include "../common/sha256.hpp"
#include "inputs.hpp"

#include <boost/json/serialize.hpp>

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <unistd.h>

namespace mcpreg::resolve {
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

std::string lower(std::string_view text)
{
    std::string out(text);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

error refused(std::string message) { return make_error(errc::invalid_argument, std::move(message)); }

// libarchive's description of its last error; it has none for some failures (NULL, not an empty string).
std::string archive_message(archive* reader)
{
    const char* text = archive_error_string(reader);
    return text ? text : "unreadable archive";
}

// A member path that stays inside the bundle: relative, no `..`, no drive letter, no backslash tricks.
bool safe_member_path(std::string_view path)
{
    if (path.empty() || path.front() == '/' || path.find('\\') != std::string_view::npos ||
        path.find('\0') != std::string_view::npos || (path.size() > 1 && path[1] == ':'))
        return false;
    std::size_t start = 0;
    while (start <= path.size()) {
        const auto end = std::min(path.find('/', start), path.size());
        if (path.substr(start, end - start) == "..") return false;
        start = end + 1;
    }
    return true;
}

struct archive_closer {
    void operator()(archive* a) const noexcept { archive_read_free(a); }
};

// Unpacks into `into`, enforcing the limits on what is actually written, not on what headers claim.
result<void> unpack(std::string_view bytes, const fs::path& into, const bundle_limits& limits)
{
    std::unique_ptr<archive, archive_closer> reader(archive_read_new());
    archive_read_support_format_zip(reader.get());
    if (archive_read_open_memory(reader.get(), bytes.data(), bytes.size()) != ARCHIVE_OK)
        return refused(std::string("not a zip archive: ") + archive_message(reader.get()));
    const double ratio_cap = limits.max_ratio * static_cast<double>(std::max<std::size_t>(bytes.size(), 1));
    std::uint64_t entries = 0, unpacked = 0;
    archive_entry* entry = nullptr;
    while (true) {
        const int status = archive_read_next_header(reader.get(), &entry);
        if (status == ARCHIVE_EOF) break;
        if (status != ARCHIVE_OK && status != ARCHIVE_WARN)
            return refused(std::string("the archive is damaged: ") + archive_message(reader.get()));
        if (++entries > limits.max_entries)
            return refused("more than " + std::to_string(limits.max_entries) + " entries");
        const char* raw_path = archive_entry_pathname(entry);
        const std::string path = raw_path ? raw_path : "";
        if (!safe_member_path(path)) return refused("unsafe path in the bundle: '" + path + "'");
        const auto type = archive_entry_filetype(entry);
        if (archive_entry_hardlink(entry) || archive_entry_symlink(entry) || (type != AE_IFREG && type != AE_IFDIR))
            return refused("the bundle holds a link or special file: '" + path + "'");
        const fs::path target = into / path;
        std::error_code ec;
        if (type == AE_IFDIR) {
            fs::create_directories(target, ec);
            if (ec) return make_error(errc::io_error, "cannot create " + target.string() + ": " + ec.message());
            continue;
        }
        fs::create_directories(target.parent_path(), ec);
        if (ec)
            return make_error(errc::io_error, "cannot create " + target.parent_path().string() + ": " + ec.message());
        std::ofstream out(target, std::ios::binary | std::ios::trunc);
        if (!out) return make_error(errc::io_error, "cannot write " + target.string());
        char buffer[64 * 1024];
        while (true) {
            const auto got = archive_read_data(reader.get(), buffer, sizeof buffer);
            if (got == 0) break;
            if (got < 0) return refused(std::string("the archive is damaged: ") + archive_message(reader.get()));
            unpacked += static_cast<std::uint64_t>(got);
            if (unpacked > limits.max_unpacked_bytes)
                return refused("the bundle unpacks to more than " + std::to_string(limits.max_unpacked_bytes) +
                               " bytes");
            if (static_cast<double>(unpacked) > ratio_cap)
                return refused("the bundle expands more than " + std::to_string(static_cast<int>(limits.max_ratio)) +
                               " times its size (a zip bomb?)");
            out.write(buffer, got);
        }
        if (!out) return make_error(errc::io_error, "cannot write " + target.string());
        out.close();
        // Entry points and binaries need their execute bits; nothing more than the owner's rwx is kept.
        const auto mode = archive_entry_perm(entry);
        fs::permissions(target, static_cast<fs::perms>(0644 | (mode & 0100 ? 0111 : 0)), ec);
    }
    return {};
}

result<bundle> read_bundle(const fs::path& directory, std::string sha256)
{
    auto text = model::read_json_file((directory / "manifest.json").string());
    if (!text || !text->is_object()) return refused("the bundle has no readable manifest.json");
    bundle out;
    out.directory = directory.string();
    out.sha256 = std::move(sha256);
    out.manifest = std::move(text->get_object());
    for (auto key : {"manifest_version", "dxt_version"})
        if (const auto* v = out.manifest.if_contains(key); v && v->is_string()) {
            out.manifest_version = std::string(v->get_string());
            break;
        }
    static const std::vector<std::string> known = {"0.1", "0.2", "0.3", "0.4"};
    if (std::find(known.begin(), known.end(), out.manifest_version) == known.end())
        return refused("unsupported manifest_version '" + out.manifest_version + "' (mcpreg reads 0.1 to 0.4)");
    return out;
}

std::string text_of(const json::value& v)
{
    if (v.is_string()) return std::string(v.get_string());
    if (v.is_bool()) return v.get_bool() ? "true" : "false";
    return json::serialize(v);
}

std::string default_platform()
{
#if defined(__APPLE__)
    return "darwin";
#elif defined(_WIN32)
    return "win32";
#else
    return "linux";
#endif
}

}  // namespace

result<bundle> extract_bundle(std::string_view archive_bytes, std::string_view expected_sha256,
                              const std::string& cache_dir, const bundle_limits& limits)
{
    if (archive_bytes.size() > limits.max_download_bytes)
        return refused("the bundle is larger than " + std::to_string(limits.max_download_bytes) + " bytes");
    const auto actual = mcpreg::detail::sha256_hex(archive_bytes);
    if (expected_sha256.empty()) return refused("no fileSha256 to verify the bundle against");
    if (lower(expected_sha256) != actual)
        return refused("the bundle's SHA-256 is " + actual + ", not the fileSha256 " + std::string(expected_sha256));
    const fs::path final_dir = fs::path(cache_dir) / actual;
    if (fs::exists(final_dir / "manifest.json")) return read_bundle(final_dir, actual);
    std::error_code ec;
    fs::create_directories(cache_dir, ec);
    if (ec) return make_error(errc::io_error, "cannot create " + cache_dir + ": " + ec.message());
    const fs::path partial = fs::path(cache_dir) / (".partial-" + actual + "-" + std::to_string(::getpid()));
    fs::remove_all(partial, ec);
    auto unpacked = unpack(archive_bytes, partial, limits);
    if (unpacked) {
        auto checked = read_bundle(partial, actual);
        if (!checked) unpacked = checked.error();
    }
    if (!unpacked) {
        fs::remove_all(partial, ec);
        return unpacked.error();
    }
    // Atomic publish; when another process won the race, its identical copy is used.
    fs::rename(partial, final_dir, ec);
    if (ec) fs::remove_all(partial, ec);
    return read_bundle(final_dir, actual);
}

result<bundle> fetch_bundle(const model::package& package, const std::string& cache_dir, const bundle_fetcher& fetch,
                            const bundle_limits& limits)
{
    if (package.kind() != model::registry_kind::mcpb) return refused("not an MCPB package: " + package.registry_type);
    if (!package.file_sha256 || package.file_sha256->empty())
        return refused("the MCPB package has no fileSha256: its download cannot be verified");
    const fs::path cached = fs::path(cache_dir) / lower(*package.file_sha256);
    if (fs::exists(cached / "manifest.json")) return read_bundle(cached, lower(*package.file_sha256));
    if (!package.identifier.starts_with("https://"))
        return refused("an MCPB bundle is downloaded over HTTPS only: " + package.identifier);
    auto bytes = fetch(package.identifier, limits.max_download_bytes);
    if (!bytes) return bytes.error();
    return extract_bundle(*bytes, *package.file_sha256, cache_dir, limits);
}

result<resolution> resolve_bundle(const model::server& server, std::size_t package_index, const bundle& extracted,
                                  const input_values& inputs, const mcpb_options& options)
{
    if (auto refusal = detail::refuse_malformed_inputs(inputs)) return std::move(*refusal);
    if (!server.packages || package_index >= server.packages->size())
        return refused(server.name + " has no package " + std::to_string(package_index));
    const auto& package = (*server.packages)[package_index];
    const std::string platform = options.platform.empty() ? default_platform() : options.platform;
    std::string home = options.home;
    if (home.empty())
        if (const char* h = std::getenv("HOME")) home = h;
    const auto& m = extracted.manifest;

    resolution out;
    auto& spec = out.spec;
    spec.source = "packages[" + std::to_string(package_index) + "]";
    spec.transport = package.transport ? package.transport->type : "stdio";
    spec.cwd = extracted.directory;

    if (const auto* compat = m.if_contains("compatibility"); compat && compat->is_object()) {
        if (const auto* platforms = compat->get_object().if_contains("platforms"); platforms && platforms->is_array()) {
            bool listed = false;
            std::string names;
            for (const auto& p : platforms->get_array())
                if (p.is_string()) {
                    listed = listed || p.get_string() == platform;
                    names += (names.empty() ? "" : ", ") + std::string(p.get_string());
                }
            if (!listed) return refused("the bundle runs on " + names + ", not " + platform);
        }
        if (const auto* runtimes = compat->get_object().if_contains("runtimes"); runtimes && runtimes->is_object())
            for (const auto& [runtime, version] : runtimes->get_object())
                spec.notes.push_back("the bundle needs " + std::string(runtime) + " " + text_of(version));
    }

    // user_config values: the user's, else the default; required ones missing are reported as inputs.
    std::map<std::string, std::vector<std::string>, std::less<>> config;
    std::set<std::string> sensitive;
    if (const auto* user_config = m.if_contains("user_config"); user_config && user_config->is_object())
        for (const auto& [key, definition] : user_config->get_object()) {
            if (!definition.is_object()) continue;
            const auto& d = definition.get_object();
            auto flag = [&](std::string_view name) {
                const auto* v = d.if_contains(name);
                return v && v->is_bool() && v->get_bool();
            };
            const std::string type =
                d.contains("type") && d.at("type").is_string() ? std::string(d.at("type").get_string()) : "string";
            std::vector<std::string> values;
            if (auto it = inputs.find(key); it != inputs.end() && !it->second.empty())
                values = flag("multiple") ? it->second : std::vector<std::string>{it->second.front()};
            else if (const auto* def = d.if_contains("default")) {
                if (def->is_array())
                    for (const auto& v : def->get_array()) values.push_back(text_of(v));
                else values.push_back(text_of(*def));
            }
            if (values.empty() && flag("required")) {
                missing_input mi;
                mi.name = std::string(key);
                mi.used_in = "user_config." + std::string(key);
                if (const auto* desc = d.if_contains("description"); desc && desc->is_string())
                    mi.description = std::string(desc->get_string());
                mi.is_secret = flag("sensitive");
                mi.format = type == "number"                          ? "number"
                            : type == "boolean"                       ? "boolean"
                            : (type == "directory" || type == "file") ? "filepath"
                                                                      : "string";
                mi.problem = "required";
                out.missing.push_back(std::move(mi));
            }
            if (flag("sensitive")) sensitive.insert(std::string(key));
            config[std::string(key)] = std::move(values);
        }

    const std::string separator = platform == "win32" ? "\\" : "/";
    // ${...} substitution; an argument that is exactly ${user_config.X} of a multiple value becomes several.
    auto substitute = [&](std::string_view text) {
        std::string result;
        for (std::size_t i = 0; i < text.size();) {
            const auto close = text.substr(i, 2) == "${" ? text.find('}', i) : std::string_view::npos;
            if (close == std::string_view::npos) {
                result += text[i++];
                continue;
            }
            const auto name = text.substr(i + 2, close - i - 2);
            if (name == "__dirname") result += extracted.directory;
            else if (name == "HOME") result += home;
            else if (name == "/") result += separator;
            else if (name.starts_with("user_config.")) {
                const auto it = config.find(name.substr(12));
                if (it != config.end()) {
                    std::string joined;
                    for (const auto& v : it->second) joined += (joined.empty() ? "" : ",") + v;
                    result += joined;
                }
            }
            else {
                spec.warnings.push_back("unknown variable ${" + std::string(name) + "} left as written");
                result += text.substr(i, close - i + 1);
            }
            i = close + 1;
        }
        return result;
    };

    const auto* server_section = m.if_contains("server");
    const auto* config_section = server_section && server_section->is_object()
                                     ? server_section->get_object().if_contains("mcp_config")
                                     : nullptr;
    if (!config_section || !config_section->is_object()) return refused("the manifest has no server.mcp_config");
    json::object mcp_config = config_section->get_object();
    if (const auto* overrides = mcp_config.if_contains("platform_overrides"); overrides && overrides->is_object())
        if (const auto* mine = overrides->get_object().if_contains(platform); mine && mine->is_object()) {
            json::object merged = mcp_config;
            for (const auto& [key, value] : mine->get_object()) {
                if (key == "env" && value.is_object() && merged.contains("env") && merged.at("env").is_object())
                    for (const auto& [name, v] : value.get_object()) merged["env"].get_object()[name] = v;
                else merged[key] = value;
            }
            mcp_config = std::move(merged);
        }
    const auto* command = mcp_config.if_contains("command");
    if (!command || !command->is_string() || command->get_string().empty())
        return refused("the manifest's mcp_config has no command");
    spec.command = substitute(command->get_string());
    if (const auto* args = mcp_config.if_contains("args"); args && args->is_array())
        for (const auto& a : args->get_array()) {
            if (!a.is_string()) continue;
            const std::string_view text = a.get_string();
            if (text.starts_with("${user_config.") && text.ends_with("}") && text.find('}') == text.size() - 1) {
                const auto it = config.find(text.substr(14, text.size() - 15));
                if (it != config.end()) {
                    for (const auto& v : it->second) spec.args.push_back(v);  // one argument per value
                    continue;
                }
            }
            spec.args.push_back(substitute(text));
        }
    if (const auto* env = mcp_config.if_contains("env"); env && env->is_object())
        for (const auto& [name, value] : env->get_object()) {
            if (!value.is_string()) continue;
            spec.env[std::string(name)] = substitute(value.get_string());
            // A value drawn from a sensitive user_config entry is a secret.
            for (const auto& key : sensitive)
                if (value.get_string().find("${user_config." + key + "}") != std::string_view::npos)
                    spec.secret_env.insert(std::string(name));
        }
    // The registry entry's own environment variables come on top.
    detail::input_resolver r{inputs, out.missing, {}};
    r.key_values(package.environment_variables, spec.source, "environmentVariables", spec.env, spec.secret_env);
    return out;
}

}  // namespace mcpreg::resolve
