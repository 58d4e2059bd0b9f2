#include <mcpreg/model/json.hpp>
#include <mcpreg/resolve/mcpb.hpp>

#include "../common/sha256.hpp"
#include "inputs.hpp"
#include "policy.hpp"

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

bool is_sha256_hex(std::string_view text)
{
    return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
           });
}

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

result<std::string> bundle_directory(const std::string& cache_dir, std::string_view sha256)
{
    // fileSha256 comes from the registry: as a path it could name any directory (absolute, `..`), whose
    // manifest.json would then be trusted as a verified bundle. Only a hash is a name here.
    if (!is_sha256_hex(sha256)) return refused("fileSha256 is not a SHA-256 (64 hex digits); the bundle is refused");
    if (cache_dir.empty()) return refused("no bundle cache directory");
    std::error_code ec;
    const auto base = fs::absolute(fs::path(cache_dir), ec);
    if (ec) return make_error(errc::io_error, "cannot resolve " + cache_dir + ": " + ec.message());
    return (base.lexically_normal() / lower(sha256)).string();
}

result<bundle> extract_bundle(std::string_view archive_bytes, std::string_view expected_sha256,
                              const std::string& cache_dir, const bundle_limits& limits)
{
    if (expected_sha256.empty()) return refused("no fileSha256 to verify the bundle against");
    auto final_path = bundle_directory(cache_dir, expected_sha256);
    if (!final_path) return final_path.error();
    if (archive_bytes.size() > limits.max_download_bytes)
        return refused("the bundle is larger than " + std::to_string(limits.max_download_bytes) + " bytes");
    const auto actual = mcpreg::detail::sha256_hex(archive_bytes);
    if (lower(expected_sha256) != actual)
        return refused("the bundle's SHA-256 is " + actual + ", not the fileSha256 " + std::string(expected_sha256));
    const fs::path final_dir = *final_path;
    if (fs::exists(final_dir / "manifest.json")) return read_bundle(final_dir, actual);
    const fs::path cache = final_dir.parent_path();
    std::error_code ec;
    fs::create_directories(cache, ec);
    if (ec) return make_error(errc::io_error, "cannot create " + cache.string() + ": " + ec.message());
    const fs::path partial = cache / (".partial-" + actual + "-" + std::to_string(::getpid()));
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
    auto cached = bundle_directory(cache_dir, *package.file_sha256);
    if (!cached) return cached.error();
    if (fs::exists(fs::path(*cached) / "manifest.json")) return read_bundle(*cached, lower(*package.file_sha256));
    if (!package.identifier.starts_with("https://"))
        return refused("an MCPB bundle is downloaded over HTTPS only: " + package.identifier);
    auto bytes = fetch(package.identifier, limits.max_download_bytes);
    if (!bytes) return bytes.error();
    return extract_bundle(*bytes, *package.file_sha256, cache_dir, limits);
}

namespace {

using detail::piece;

// Where a bundle is to run: the platform (the manifest's name for it), its path separator, the home directory.
struct bundle_host {
    std::string platform;
    std::string separator;
    std::string home;
};

bundle_host host_of(const mcpb_options& options)
{
    bundle_host host;
    host.platform = options.platform.empty() ? default_platform() : options.platform;
    host.separator = host.platform == "win32" ? "\\" : "/";
    host.home = options.home;
    if (host.home.empty())
        if (const char* h = std::getenv(host.platform == "win32" ? "USERPROFILE" : "HOME")) host.home = h;
    return host;
}

// The system folders, as the reference implementation's host provides them (systemDirs).
std::map<std::string, std::string, std::less<>> system_folders(const bundle_host& host, const bundle& extracted,
                                                               const mcpb_options& options)
{
    auto in_home = [&](const std::string& given, std::string_view folder) {
        return !given.empty()      ? given
               : host.home.empty() ? std::string()
                                   : host.home + host.separator + std::string(folder);
    };
    return {{"__dirname", extracted.directory},
            {"HOME", host.home},
            {"DESKTOP", in_home(options.desktop, "Desktop")},
            {"DOCUMENTS", in_home(options.documents, "Documents")},
            {"DOWNLOADS", in_home(options.downloads, "Downloads")},
            {"pathSeparator", host.separator},
            {"/", host.separator}};
}

// The manifest's compatibility: a platform it does not list is refused; the runtimes it needs become notes.
std::optional<error> check_compatibility(const json::object& m, const std::string& platform, launch_spec& spec)
{
    const auto* compat = m.if_contains("compatibility");
    if (!compat || !compat->is_object()) return std::nullopt;
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
    return std::nullopt;
}

// The `${...}` variables of a manifest and their values.
struct manifest_variables {
    std::map<std::string, std::string, std::less<>> folders;        ///< the system folders
    std::map<std::string, std::vector<piece>, std::less<>> config;  ///< user_config values by key
    std::vector<std::string> unknown;                               ///< names nothing defines, in the order met

    // ${...} of the system folders (and, unless `system_only`, of user_config) replaced in one pass: a value
    // put in is never read again for variables.
    piece substitute(std::string_view text, bool system_only)
    {
        piece result;
        for (std::size_t i = 0; i < text.size();) {
            const auto close = text.substr(i, 2) == "${" ? text.find('}', i) : std::string_view::npos;
            if (close == std::string_view::npos) {
                result.text += text[i++];
                continue;
            }
            const auto name = text.substr(i + 2, close - i - 2);
            if (auto it = folders.find(name); it != folders.end()) result.append(it->second);
            else if (name.starts_with("user_config.") && !system_only && config.find(name.substr(12)) != config.end()) {
                bool first = true;
                for (const auto& v : config.find(name.substr(12))->second) {
                    if (!first) result.append(",");
                    result.append(v);
                    first = false;
                }
            }
            else {
                unknown.emplace_back(name);
                result.append(text.substr(i, close - i + 1));
            }
            i = close + 1;
        }
        return result;
    }
};

bool flag_set(const json::object& definition, std::string_view name)
{
    const auto* v = definition.if_contains(name);
    return v && v->is_bool() && v->get_bool();
}

// The values of one user_config entry: the user's (all of them when it takes `multiple`), else its default with
// the system folders substituted.
std::vector<piece> user_config_values(json::string_view key, const json::object& d, const input_values& inputs,
                                      manifest_variables& variables)
{
    std::vector<piece> values;
    if (auto it = inputs.find(key); it != inputs.end() && !it->second.empty()) {
        for (const auto& v : it->second) {
            values.push_back(detail::plain(v));
            if (!flag_set(d, "multiple")) break;
        }
    }
    else if (const auto* def = d.if_contains("default")) {
        if (def->is_array())
            for (const auto& v : def->get_array()) values.push_back(variables.substitute(text_of(v), true));
        else values.push_back(variables.substitute(text_of(*def), true));
    }
    return values;
}

// A required user_config entry without a value, as an input the user must supply.
missing_input missing_user_config(json::string_view key, const json::object& d)
{
    const std::string type =
        d.contains("type") && d.at("type").is_string() ? std::string(d.at("type").get_string()) : "string";
    missing_input mi;
    mi.name = std::string(key);
    mi.used_in = "user_config." + std::string(key);
    if (const auto* desc = d.if_contains("description"); desc && desc->is_string())
        mi.description = std::string(desc->get_string());
    mi.is_secret = flag_set(d, "sensitive");
    mi.format = type == "number"                          ? "number"
                : type == "boolean"                       ? "boolean"
                : (type == "directory" || type == "file") ? "filepath"
                                                          : "string";
    mi.problem = "required";
    return mi;
}

// user_config values: the user's, else the default (with the system folders substituted); required ones
// missing are reported as inputs; sensitive ones are secrets wherever they are substituted.
void read_user_config(const json::object& m, const input_values& inputs, manifest_variables& variables,
                      std::vector<missing_input>& missing)
{
    const auto* user_config = m.if_contains("user_config");
    if (!user_config || !user_config->is_object()) return;
    for (const auto& [key, definition] : user_config->get_object()) {
        if (!definition.is_object()) continue;
        const auto& d = definition.get_object();
        auto values = user_config_values(key, d, inputs, variables);
        if (values.empty() && flag_set(d, "required")) missing.push_back(missing_user_config(key, d));
        if (flag_set(d, "sensitive"))
            for (auto& v : values) v.all_secret(std::string(key));
        variables.config[std::string(key)] = std::move(values);
    }
}

// The manifest's server.mcp_config, with the platform's override applied. The override replaces command, args
// and env whole, as the reference implementation does (`platformConfig.env ?? result.env`): an override's env
// is the whole environment, not an addition.
result<json::object> mcp_config_of(const json::object& m, const std::string& platform)
{
    const auto* server_section = m.if_contains("server");
    const auto* config_section = server_section && server_section->is_object()
                                     ? server_section->get_object().if_contains("mcp_config")
                                     : nullptr;
    if (!config_section || !config_section->is_object()) return refused("the manifest has no server.mcp_config");
    json::object mcp_config = config_section->get_object();
    if (const auto* overrides = mcp_config.if_contains("platform_overrides"); overrides && overrides->is_object())
        if (const auto* mine = overrides->get_object().if_contains(platform); mine && mine->is_object())
            for (auto key : {"command", "args", "env"})
                if (const auto* v = mine->get_object().if_contains(key); v && !v->is_null()) mcp_config[key] = *v;
    return mcp_config;
}

bool binary_server(const json::object& m)
{
    const auto* server_section = m.if_contains("server");
    if (!server_section || !server_section->is_object()) return false;
    const auto* server_type = server_section->get_object().if_contains("type");
    return server_type && server_type->is_string() && server_type->get_string() == "binary";
}

// The command, substituted; it may not hold a sensitive value.
result<std::string> bundle_command(const json::object& mcp_config, const json::object& m, const bundle_host& host,
                                   const std::string& directory, manifest_variables& variables)
{
    const auto* given = mcp_config.if_contains("command");
    if (!given || !given->is_string() || given->get_string().empty())
        return refused("the manifest's mcp_config has no command");
    auto command_piece = variables.substitute(given->get_string(), false);
    if (!command_piece.spans.empty()) return refused("the manifest's command holds a sensitive user_config value");
    std::string command = std::move(command_piece.text);
    // A command relative with a path separator names a file in the bundle ("server/my-server"): host configs
    // (mcpServers) ignore cwd, so it is made absolute. A bare name ("node") is looked up as usual.
    if (command.find_first_of(host.platform == "win32" ? "/\\" : "/") != std::string::npos &&
        !fs::path(command).is_absolute() && !(host.platform == "win32" && command.size() > 1 && command[1] == ':')) {
        const auto inside = fs::path(command).lexically_normal();
        if (inside.empty() || *inside.begin() == "..")
            return refused("the manifest's command '" + command + "' leaves the bundle directory");
        command = directory + host.separator + inside.string();
    }
    // Binaries get .exe on Windows, as the MCPB manifest specification (upstream MCPB's MANIFEST.md) says hosts do.
    if (host.platform == "win32" && binary_server(m) && !command.ends_with(".exe")) command += ".exe";
    return command;
}

// The arguments, substituted; `${user_config.KEY}` standing alone gives one argument per value.
std::vector<piece> bundle_args(const json::object& mcp_config, manifest_variables& variables)
{
    std::vector<piece> args;
    if (const auto* list = mcp_config.if_contains("args"); list && list->is_array())
        for (const auto& a : list->get_array()) {
            if (!a.is_string()) continue;
            const std::string_view text = a.get_string();
            if (text.starts_with("${user_config.") && text.ends_with("}") && text.find('}') == text.size() - 1) {
                const auto it = variables.config.find(text.substr(14, text.size() - 15));
                if (it != variables.config.end()) {
                    for (const auto& v : it->second) args.push_back(v);  // one argument per value
                    continue;
                }
            }
            args.push_back(variables.substitute(text, false));
        }
    return args;
}

std::map<std::string, piece> manifest_env(const json::object& mcp_config, manifest_variables& variables)
{
    std::map<std::string, piece> env;
    if (const auto* vars = mcp_config.if_contains("env"); vars && vars->is_object())
        for (const auto& [name, value] : vars->get_object())
            if (value.is_string()) env[std::string(name)] = variables.substitute(value.get_string(), false);
    return env;
}

// The registry entry's own environment variables come on top; they are registry text, checked as any entry's
// are (names, and variables that steer node or python). The check records what it allowed in `report`.
result<std::map<std::string, piece>> entry_environment(const model::package& package, const input_values& inputs,
                                                       const mcpb_options& options, resolution& out,
                                                       launch_report& report)
{
    detail::input_resolver r{inputs, out.missing, {}, {}};
    detail::collect_secret_names(package.environment_variables, r.secret_names);
    std::map<std::string, piece> entry_env;
    r.key_values(package.environment_variables, out.spec.source, "environmentVariables", entry_env);
    if (auto e = detail::check_environment("", entry_env, options.allowed_runner_options, report, out.spec.warnings))
        return *e;
    return entry_env;
}

// The environment: the manifest's, then the entry's on top (each name checked), placed with its secrets.
std::optional<error> place_env(std::map<std::string, piece> env, const model::package& package,
                               const input_values& inputs, const mcpb_options& options, resolution& out)
{
    auto& spec = out.spec;
    for (const auto& [name, value] : env)
        if (!detail::valid_env_name(name))
            return refused("the manifest's environment variable name '" + name + "' is not a name");
    launch_report scratch;
    auto entry_env = entry_environment(package, inputs, options, out, scratch);
    if (!entry_env) return entry_env.error();
    for (auto& [name, value] : *entry_env) env[name] = std::move(value);
    for (auto& [name, value] : env) {
        if (!value.spans.empty()) {
            spec.secrets.env[name] = value.spans;
            spec.secret_env.insert(name);
        }
        spec.env[name] = std::move(value.text);
        spec.report.env.push_back(name);
    }
    spec.report.overrides = std::move(scratch.overrides);
    return std::nullopt;
}

}  // namespace

result<resolution> resolve_bundle(const model::server& server, std::size_t package_index, const bundle& extracted,
                                  const input_values& inputs, const mcpb_options& options)
{
    if (auto refusal = detail::refuse_malformed_inputs(inputs)) return std::move(*refusal);
    if (!server.packages || package_index >= server.packages->size())
        return refused(server.name + " has no package " + std::to_string(package_index));
    const auto& package = (*server.packages)[package_index];
    const auto host = host_of(options);
    const auto& m = extracted.manifest;

    resolution out;
    auto& spec = out.spec;
    spec.source = "packages[" + std::to_string(package_index) + "]";
    spec.transport = package.transport ? package.transport->type : "stdio";
    spec.cwd = extracted.directory;
    if (auto e = check_compatibility(m, host.platform, spec)) return *e;

    manifest_variables variables{system_folders(host, extracted, options), {}, {}};
    read_user_config(m, inputs, variables, out.missing);
    auto mcp_config = mcp_config_of(m, host.platform);
    if (!mcp_config) return mcp_config.error();
    auto command = bundle_command(*mcp_config, m, host, extracted.directory, variables);
    if (!command) return command.error();
    spec.command = std::move(*command);
    for (auto& a : bundle_args(*mcp_config, variables)) {
        if (!a.spans.empty()) spec.secrets.args[spec.args.size()] = a.spans;
        spec.args.push_back(std::move(a.text));
    }
    auto env = manifest_env(*mcp_config, variables);
    for (const auto& name : variables.unknown)
        spec.warnings.push_back("unknown variable ${" + name + "} left as written");
    if (auto e = place_env(std::move(env), package, inputs, options, out)) return *e;
    spec.report.runner = spec.command;
    spec.report.package = extracted.directory;
    for (const auto& [name, value] : spec.env)
        if (value.find('\0') != std::string::npos) return refused("the environment variable " + name + " holds a NUL");
    for (const auto& a : spec.args)
        if (a.find('\0') != std::string::npos) return refused("an argument holds a NUL");
    return out;
}

}  // namespace mcpreg::resolve
