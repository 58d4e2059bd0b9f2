// What a registry entry may ask of the program that starts its package. The entry names a package; a runtime
// argument, an environment variable or a registry URL must not turn that into another program, another
// package, or a container with the host's files, devices or namespaces. Each runner has a table of the
// options it accepts from an entry; an option outside it, an operand, or a variable that steers the runner is
// refused unless the caller allows it by name. docs/security.md states the policy; keep the two in step. Private.
#pragma once

#include <mcpreg/resolve/resolve.hpp>

#include "inputs.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mcpreg::resolve::detail {

using allowed_set = std::set<std::string, std::less<>>;

inline bool permitted(const allowed_set& allowed, std::string_view key)
{
    return allowed.contains(all_runner_options) || allowed.contains(key);
}

inline error refusal(std::string what, std::string_view key)
{
    return make_error(errc::invalid_argument, std::move(what) + "; refused (allow it with --allow-runner-option " +
                                                  std::string(key) + ", or options::allowed_runner_options)");
}

inline bool ascii_iequal_prefix(std::string_view text, std::string_view prefix)
{
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(text[i]) != lower(prefix[i])) return false;
    }
    return true;
}

// ---- names, URLs and values ----

// What a process environment can hold under a name that every shell and runner reads the same way.
inline bool valid_env_name(std::string_view name)
{
    if (name.empty() || name.size() > 256 || (name.front() >= '0' && name.front() <= '9')) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
}

// An HTTP field name (RFC 9110 token).
inline bool valid_header_name(std::string_view name)
{
    if (name.empty() || name.size() > 256) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    });
}

inline bool has_control(std::string_view text)
{
    return std::any_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
    });
}

// An http(s) URL without spaces or control characters: what a client can connect to and a runner can take as
// its registry, and nothing it could read as an option or a second argument.
inline bool valid_url(std::string_view url)
{
    if (!ascii_iequal_prefix(url, "https://") && !ascii_iequal_prefix(url, "http://")) return false;
    return url.find(' ') == std::string_view::npos && !has_control(url);
}

// ---- environment variables that steer the runner ----

// Why `name`, set by the entry, would change what the runner runs or trusts; nullopt when it does not.
// `runner` is the program started ("npx", "docker", a cargo binary, a bundle's interpreter: "" for those).
inline std::optional<std::string_view> runner_variable(std::string_view runner, std::string_view name)
{
    struct rule {
        std::string_view name;
        bool prefix;
    };
    // Every program: the dynamic loader, the search path, a script non-interactive bash runs first, the TLS
    // trust of downloads. (ENV is read by interactive shells only, and many servers use it for their own.)
    static constexpr std::array common = {rule{"LD_", true},
                                          rule{"DYLD_", true},
                                          rule{"PATH", false},
                                          rule{"BASH_ENV", false},
                                          rule{"SSL_CERT_FILE", false},
                                          rule{"SSL_CERT_DIR", false},
                                          rule{"REQUESTS_CA_BUNDLE", false},
                                          rule{"CURL_CA_BUNDLE", false}};
    static constexpr std::array node = {rule{"NODE_OPTIONS", false},
                                        rule{"PREFIX", false},
                                        rule{"NODE_PATH", false},
                                        rule{"NODE_EXTRA_CA_CERTS", false},
                                        rule{"NODE_TLS_REJECT_UNAUTHORIZED", false},
                                        rule{"npm_config_", true},
                                        rule{"BUN_", true}};
    static constexpr std::array python = {rule{"UV_", true},
                                          rule{"XDG_CONFIG_HOME", false},
                                          rule{"PIP_", true},
                                          rule{"PIPX_", true},
                                          rule{"PYTHONPATH", false},
                                          rule{"PYTHONHOME", false},
                                          rule{"PYTHONSTARTUP", false},
                                          rule{"PYTHONUSERBASE", false}};
    static constexpr std::array containers = {
        rule{"DOCKER_", true},           rule{"CONTAINER_HOST", false}, rule{"CONTAINER_CONNECTION", false},
        rule{"CONTAINER_SSHKEY", false}, rule{"CONTAINERS_", true},     rule{"REGISTRY_AUTH_FILE", false}};
    static constexpr std::array dotnet = {rule{"NUGET_", true}, rule{"CORECLR_", true}, rule{"COMPlus_", true},
                                          rule{"DOTNET_", true}};
    // Harmless switches inside a refused family.
    static constexpr std::array<std::string_view, 4> harmless = {"DOTNET_NOLOGO", "DOTNET_SKIP_FIRST_TIME_EXPERIENCE",
                                                                 "DOTNET_CLI_TELEMETRY_OPTOUT", "DOTNET_ENVIRONMENT"};
    auto matches = [&](std::span<const rule> rules) {
        return std::any_of(rules.begin(), rules.end(), [&](const rule& r) {
            return r.prefix ? ascii_iequal_prefix(name, r.name)
                            : name.size() == r.name.size() && ascii_iequal_prefix(name, r.name);
        });
    };
    for (auto h : harmless)
        if (name == h) return std::nullopt;
    if (matches(common)) return "changes which programs and libraries load, or which servers downloads trust";
    const bool is_node = runner == "npx" || runner == "bunx" || runner == "bun" || runner.empty();
    const bool is_python = runner == "uvx" || runner == "pipx" || runner.empty();
    if (is_node && matches(node)) return "configures the Node.js or npm runner (code to preload, registry)";
    if (is_python && matches(python)) return "configures the Python runner (index, interpreter, code to preload)";
    if ((runner == "docker" || runner == "podman") && matches(containers))
        return "configures the container client (which daemon, which credentials)";
    if (runner == "dnx" && matches(dotnet)) return "configures the .NET runner (sources, startup hooks, profilers)";
    return std::nullopt;
}

// Environment names must be names; those that steer the runner need the caller's opt-in (`env:NAME`).
inline std::optional<error> check_environment(std::string_view runner, const std::map<std::string, piece>& env,
                                              const allowed_set& allowed, launch_report& report,
                                              std::vector<std::string>& warnings)
{
    for (const auto& [name, value] : env) {
        if (!valid_env_name(name))
            return make_error(errc::invalid_argument,
                              "the environment variable name '" + name +
                                  "' is not a name ([A-Za-z_][A-Za-z0-9_]*); the entry is refused");
        if (auto why = runner_variable(runner, name)) {
            const std::string key = "env:" + name;
            if (!permitted(allowed, key))
                return refusal("the environment variable " + name + " " + std::string(*why), key);
            report.overrides.push_back(key);
            warnings.push_back("the environment variable " + name + " " + std::string(*why) +
                               "; allowed by the caller");
        }
        report.env.push_back(name);
    }
    return std::nullopt;
}

// ---- mounts ----

// `path` without `.`, `..` and repeated slashes, lexically (nothing on disk is read).
inline std::string normal_path(std::string_view path)
{
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (start <= path.size()) {
        const auto end = std::min(path.find('/', start), path.size());
        const auto part = path.substr(start, end - start);
        if (part == "..") {
            if (!parts.empty()) parts.pop_back();
        }
        else if (!part.empty() && part != ".") parts.push_back(part);
        start = end + 1;
    }
    std::string out;
    for (auto part : parts) out += "/" + std::string(part);
    return out.empty() ? "/" : out;
}

inline bool inside_or_same(std::string_view path, std::string_view dir)
{
    if (dir == "/") return true;
    return path == dir || (path.starts_with(dir) && path.size() > dir.size() && path[dir.size()] == '/');
}

inline std::string lower_ascii(std::string text)
{
    for (auto& c : text)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return text;
}

// Why a bind mount of the absolute host path `path` exposes the host; nullopt when it does not. A mount of a
// directory exposes everything below it, so a parent of a system directory (`/`, `/var`) counts as it. The
// comparison ignores case: macOS file systems do, and /ETC is /etc there.
inline std::optional<std::string> exposed_by(std::string_view path, std::string_view home)
{
    const auto p = lower_ascii(normal_path(path));
    static constexpr std::array<std::string_view, 21> system = {"/etc",
                                                                "/root",
                                                                "/proc",
                                                                "/sys",
                                                                "/dev",
                                                                "/boot",
                                                                "/run",
                                                                "/var/run",
                                                                "/var/lib/docker",
                                                                "/var/lib/containers",
                                                                "/var/lib/kubelet",
                                                                "/usr",
                                                                "/bin",
                                                                "/sbin",
                                                                "/lib",
                                                                "/lib32",
                                                                "/lib64",
                                                                "/private",
                                                                "/system",
                                                                "/library",
                                                                "/snap"};
    for (auto dir : system)
        if (inside_or_same(p, dir) || inside_or_same(dir, p)) return "it exposes the host's " + std::string(dir);
    // The home directories: all of them, or the user's own, or the hidden files in it (keys, tokens).
    for (std::string_view homes : {std::string_view("/home"), std::string_view("/users")})
        if (inside_or_same(homes, p)) return "it exposes every home directory";
    if (!home.empty() && home.front() == '/') {
        const auto h = lower_ascii(normal_path(home));
        if (inside_or_same(h, p)) return "it exposes the home directory";
        if (inside_or_same(p, h) && p.size() > h.size() + 1 && p[h.size() + 1] == '.')
            return "it exposes the hidden files of the home directory";
    }
    return std::nullopt;
}

inline bool volume_name(std::string_view text)
{
    if (text.empty() || !((text[0] >= 'a' && text[0] <= 'z') || (text[0] >= 'A' && text[0] <= 'Z') ||
                          (text[0] >= '0' && text[0] <= '9')))
        return false;
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
               c == '-';
    });
}

struct parsed_mount {
    mount what;
    std::optional<std::string> host_access;  ///< why it is refused without an opt-in
};

inline void bind_source(parsed_mount& m, std::string_view source, std::string_view home)
{
    m.what.kind = "bind";
    m.what.host_path = std::string(source);
    if (source.empty() || source.front() != '/') {
        m.host_access = "its host path is not absolute (a relative path depends on where the runner starts)";
        return;
    }
    m.what.host_path = normal_path(source);
    // Any host path is the host's: a registry-chosen one could be a crontab, a web root or a key folder, and no
    // list of dangerous places is complete. The well-known ones get a sharper reason.
    m.host_access =
        exposed_by(source, home).value_or("it mounts the host's " + m.what.host_path + " into the container");
}

// `-v SOURCE:TARGET[:OPTIONS]`, `-v TARGET`.
inline parsed_mount volume_option(std::string_view value, std::string_view home)
{
    parsed_mount m;
    std::vector<std::string_view> parts;
    for (std::size_t start = 0;;) {
        const auto colon = value.find(':', start);
        parts.push_back(value.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start));
        if (colon == std::string_view::npos) break;
        start = colon + 1;
    }
    if (parts.size() == 1) {
        m.what.kind = "volume";
        m.what.container_path = std::string(parts[0]);
        return m;
    }
    if (parts.size() > 3) {
        m.host_access = "mcpreg cannot read it as SOURCE:TARGET[:OPTIONS]";
        return m;
    }
    m.what.container_path = std::string(parts[1]);
    if (parts.size() == 3)
        for (std::size_t start = 0; start <= parts[2].size();) {
            const auto end = std::min(parts[2].find(',', start), parts[2].size());
            const auto flag = parts[2].substr(start, end - start);
            if (flag == "ro" || flag == "readonly") m.what.read_only = true;
            start = end + 1;
        }
    if (!parts[0].empty() && parts[0].front() == '/') bind_source(m, parts[0], home);
    else if (volume_name(parts[0])) {
        m.what.kind = "volume";
        m.what.host_path = std::string(parts[0]);
    }
    else m.host_access = "'" + std::string(parts[0]) + "' is neither an absolute host path nor a volume name";
    return m;
}

// `--mount type=bind,source=/x,target=/y,readonly`.
inline parsed_mount mount_option(std::string_view value, std::string_view home)
{
    parsed_mount m;
    std::string type = "volume";
    std::optional<std::string> source;
    for (std::size_t start = 0; start <= value.size();) {
        const auto end = std::min(value.find(',', start), value.size());
        const auto field = value.substr(start, end - start);
        start = end + 1;
        const auto eq = field.find('=');
        const auto key = field.substr(0, eq);
        const auto v = eq == std::string_view::npos ? std::string_view() : field.substr(eq + 1);
        if (key == "type") type = std::string(v);
        else if (key == "source" || key == "src") source = std::string(v);
        else if (key == "target" || key == "destination" || key == "dst") m.what.container_path = std::string(v);
        else if (key == "readonly" || key == "ro")
            m.what.read_only = eq == std::string_view::npos || v == "true" || v == "1";
        else if (key == "volume-nocopy" || key == "volume-subpath" || key == "tmpfs-size" || key == "tmpfs-mode" ||
                 key == "consistency" || key == "bind-nonrecursive" || key == "bind-recursive" || field.empty())
            continue;
        else {
            // volume-opt can make a "volume" that is a bind of any host path; propagation reaches back to the host.
            m.host_access = "mount field '" + std::string(key) + "' is not one mcpreg knows to be safe";
            return m;
        }
    }
    if (type == "bind") bind_source(m, source.value_or(""), home);
    else if (type == "volume") {
        m.what.kind = "volume";
        m.what.host_path = source.value_or("");
        if (!m.what.host_path.empty() && !volume_name(m.what.host_path))
            m.host_access = "'" + m.what.host_path + "' is not a volume name";
    }
    else if (type == "tmpfs") m.what.kind = "tmpfs";
    else m.host_access = "mount type '" + type + "' is not one mcpreg knows to be safe";
    return m;
}

// ---- runtime options ----

enum class effect { allowed, changes_program, host_access };
enum class reading { plain, container_env, port, volume, mount, network, namespace_mode };

struct option_rule {
    std::string_view name;
    bool takes_value;
    effect what;
    reading read = reading::plain;
};

// docker run and podman run. Docker has hundreds of options: an entry gets the common harmless ones, the ones
// read and reported (env, ports, mounts, network, namespaces), and nothing else without an opt-in.
inline constexpr std::array container_rules = {
    option_rule{"-i", false, effect::allowed},
    option_rule{"--interactive", false, effect::allowed},
    option_rule{"-t", false, effect::allowed},
    option_rule{"--tty", false, effect::allowed},
    option_rule{"--rm", false, effect::allowed},
    option_rule{"--init", false, effect::allowed},
    option_rule{"--read-only", false, effect::allowed},
    option_rule{"-P", false, effect::allowed},
    option_rule{"--publish-all", false, effect::allowed},
    option_rule{"-q", false, effect::allowed},
    option_rule{"--quiet", false, effect::allowed},
    option_rule{"-e", true, effect::allowed, reading::container_env},
    option_rule{"--env", true, effect::allowed, reading::container_env},
    option_rule{"-p", true, effect::allowed, reading::port},
    option_rule{"--publish", true, effect::allowed, reading::port},
    option_rule{"--expose", true, effect::allowed},
    option_rule{"-u", true, effect::allowed},
    option_rule{"--user", true, effect::allowed},
    option_rule{"-w", true, effect::allowed},
    option_rule{"--workdir", true, effect::allowed},
    option_rule{"--name", true, effect::allowed},
    option_rule{"-h", true, effect::allowed},
    option_rule{"--hostname", true, effect::allowed},
    option_rule{"--tmpfs", true, effect::allowed},
    option_rule{"-m", true, effect::allowed},
    option_rule{"--memory", true, effect::allowed},
    option_rule{"--cpus", true, effect::allowed},
    option_rule{"--shm-size", true, effect::allowed},
    option_rule{"--pull", true, effect::allowed},
    option_rule{"--platform", true, effect::allowed},
    option_rule{"-l", true, effect::allowed},
    option_rule{"--label", true, effect::allowed},
    option_rule{"--add-host", true, effect::allowed},
    option_rule{"--dns", true, effect::allowed},
    option_rule{"--ulimit", true, effect::allowed},
    option_rule{"--pids-limit", true, effect::allowed},
    option_rule{"--stop-signal", true, effect::allowed},
    option_rule{"--stop-timeout", true, effect::allowed},
    option_rule{"--group-add", true, effect::allowed},
    option_rule{"-v", true, effect::allowed, reading::volume},
    option_rule{"--volume", true, effect::allowed, reading::volume},
    option_rule{"--mount", true, effect::allowed, reading::mount},
    option_rule{"--network", true, effect::allowed, reading::network},
    option_rule{"--net", true, effect::allowed, reading::network},
    option_rule{"--pid", true, effect::allowed, reading::namespace_mode},
    option_rule{"--ipc", true, effect::allowed, reading::namespace_mode},
    option_rule{"--uts", true, effect::allowed, reading::namespace_mode},
    option_rule{"--userns", true, effect::allowed, reading::namespace_mode},
    option_rule{"--cgroupns", true, effect::allowed, reading::namespace_mode},
    option_rule{"--entrypoint", true, effect::changes_program},
    option_rule{"--runtime", true, effect::changes_program},
    option_rule{"--privileged", false, effect::host_access},
    option_rule{"--cap-add", true, effect::host_access},
    option_rule{"--device", true, effect::host_access},
    option_rule{"--device-cgroup-rule", true, effect::host_access},
    option_rule{"--gpus", true, effect::host_access},
    option_rule{"--security-opt", true, effect::host_access},
    option_rule{"--volumes-from", true, effect::host_access},
    option_rule{"--env-file", true, effect::host_access},
    option_rule{"--label-file", true, effect::host_access},
    option_rule{"--cidfile", true, effect::host_access},
    option_rule{"--cgroup-parent", true, effect::host_access},
    option_rule{"--sysctl", true, effect::host_access},
};

// npx (npm exec). npm reads ANY --key=value as configuration (--call, --script-shell, --userconfig, --registry,
// --node-options...), and abbreviations of them, so only these exact spellings are accepted.
inline constexpr std::array npx_rules = {
    option_rule{"-y", false, effect::allowed},
    option_rule{"--yes", false, effect::allowed},
    option_rule{"-q", false, effect::allowed},
    option_rule{"--quiet", false, effect::allowed},
    option_rule{"--silent", false, effect::allowed},
    option_rule{"--prefer-offline", false, effect::allowed},
    option_rule{"--prefer-online", false, effect::allowed},
    option_rule{"--offline", false, effect::allowed},
    option_rule{"--no-fund", false, effect::allowed},
    option_rule{"--no-audit", false, effect::allowed},
    option_rule{"--no-update-notifier", false, effect::allowed},
    option_rule{"--loglevel", true, effect::allowed},
    option_rule{"--call", true, effect::changes_program},
    option_rule{"-c", true, effect::changes_program},
    option_rule{"--package", true, effect::changes_program},
    option_rule{"-p", true, effect::changes_program},
    option_rule{"--node-options", true, effect::changes_program},
    option_rule{"--script-shell", true, effect::changes_program},
    option_rule{"--shell", true, effect::changes_program},
    option_rule{"--userconfig", true, effect::changes_program},
    option_rule{"--globalconfig", true, effect::changes_program},
    option_rule{"--registry", true, effect::changes_program},
    option_rule{"--prefix", true, effect::changes_program},
    option_rule{"--workspace", true, effect::changes_program},
    option_rule{"-w", true, effect::changes_program},
    option_rule{"--cache", true, effect::changes_program},
};

// bunx and bun x.
inline constexpr std::array bun_rules = {
    option_rule{"--bun", false, effect::allowed},
    option_rule{"--silent", false, effect::allowed},
    option_rule{"--verbose", false, effect::allowed},
    option_rule{"--no-install", false, effect::allowed},
    option_rule{"--package", true, effect::changes_program},
    option_rule{"-p", true, effect::changes_program},
    option_rule{"--config", true, effect::changes_program},
    option_rule{"-c", true, effect::changes_program},
    option_rule{"--cwd", true, effect::changes_program},
};

// uvx (uv tool run).
inline constexpr std::array uvx_rules = {
    option_rule{"-q", false, effect::allowed},
    option_rule{"--quiet", false, effect::allowed},
    option_rule{"-v", false, effect::allowed},
    option_rule{"--verbose", false, effect::allowed},
    option_rule{"--offline", false, effect::allowed},
    option_rule{"--no-progress", false, effect::allowed},
    option_rule{"--isolated", false, effect::allowed},
    option_rule{"--refresh", false, effect::allowed},
    option_rule{"-n", false, effect::allowed},
    option_rule{"--no-cache", false, effect::allowed},
    option_rule{"--native-tls", false, effect::allowed},
    option_rule{"--from", true, effect::changes_program},
    option_rule{"--with", true, effect::changes_program},
    option_rule{"-w", true, effect::changes_program},
    option_rule{"--with-editable", true, effect::changes_program},
    option_rule{"--with-requirements", true, effect::changes_program},
    option_rule{"--index", true, effect::changes_program},
    option_rule{"--index-url", true, effect::changes_program},
    option_rule{"-i", true, effect::changes_program},
    option_rule{"--extra-index-url", true, effect::changes_program},
    option_rule{"--default-index", true, effect::changes_program},
    option_rule{"--find-links", true, effect::changes_program},
    option_rule{"-f", true, effect::changes_program},
    option_rule{"--python", true, effect::changes_program},
    option_rule{"-p", true, effect::changes_program},
    option_rule{"--config-file", true, effect::changes_program},
    option_rule{"--directory", true, effect::changes_program},
    option_rule{"--project", true, effect::changes_program},
    option_rule{"--constraints", true, effect::changes_program},
    option_rule{"--overrides", true, effect::changes_program},
    option_rule{"--env-file", true, effect::host_access},
};

// pipx run.
inline constexpr std::array pipx_rules = {
    option_rule{"-q", false, effect::allowed},
    option_rule{"--quiet", false, effect::allowed},
    option_rule{"-v", false, effect::allowed},
    option_rule{"--verbose", false, effect::allowed},
    option_rule{"--no-cache", false, effect::allowed},
    option_rule{"--spec", true, effect::changes_program},
    option_rule{"--pip-args", true, effect::changes_program},
    option_rule{"--index-url", true, effect::changes_program},
    option_rule{"-i", true, effect::changes_program},
    option_rule{"--python", true, effect::changes_program},
    option_rule{"--editable", false, effect::changes_program},
    option_rule{"-e", false, effect::changes_program},
    option_rule{"--path", false, effect::changes_program},
    option_rule{"--preinstall", true, effect::changes_program},
    option_rule{"--system-site-packages", false, effect::host_access},
};

// dnx (dotnet tool exec).
inline constexpr std::array dnx_rules = {
    option_rule{"--yes", false, effect::allowed},
    option_rule{"-y", false, effect::allowed},
    option_rule{"--prerelease", false, effect::allowed},
    option_rule{"--allow-roll-forward", false, effect::allowed},
    option_rule{"-v", true, effect::allowed},
    option_rule{"--verbosity", true, effect::allowed},
    option_rule{"--source", true, effect::changes_program},
    option_rule{"--add-source", true, effect::changes_program},
    option_rule{"--configfile", true, effect::changes_program},
    option_rule{"--framework", true, effect::changes_program},
};

struct runner_grammar {
    std::span<const option_rule> rules;
    bool combined_short = false;  ///< `-it`, `-eNAME=value`, `-p8080:80` (docker and podman)
    std::string_view unknown;     ///< why an option outside the table is refused
};

inline std::optional<runner_grammar> grammar_of(std::string_view runner)
{
    if (runner == "docker" || runner == "podman")
        return runner_grammar{container_rules, true, "is not among the container options mcpreg accepts from an entry"};
    if (runner == "npx")
        return runner_grammar{npx_rules, false,
                              "is not among the npx options mcpreg accepts (npm reads any option "
                              "as configuration)"};
    if (runner == "bunx" || runner == "bun")
        return runner_grammar{bun_rules, false, "is not among the bunx options mcpreg accepts"};
    if (runner == "uvx") return runner_grammar{uvx_rules, false, "is not among the uvx options mcpreg accepts"};
    if (runner == "pipx") return runner_grammar{pipx_rules, false, "is not among the pipx options mcpreg accepts"};
    if (runner == "dnx") return runner_grammar{dnx_rules, false, "is not among the dnx options mcpreg accepts"};
    return std::nullopt;
}

inline const option_rule* find_rule(const runner_grammar& g, std::string_view name)
{
    for (const auto& r : g.rules)
        if (r.name == name) return &r;
    return nullptr;
}

struct runtime_check {
    std::string_view runner;
    std::string_view package;  ///< the package reference, for messages
    const allowed_set& allowed;
    std::string_view home;
    launch_report& report;
    std::vector<std::string>& warnings;

    // One option with its value (if any). `shown` is how it reads in messages and the report (secrets masked).
    std::optional<error> option(const option_rule& rule, const std::optional<piece>& value, std::string shown)
    {
        effect what = rule.what;
        std::string why;
        if (what == effect::changes_program) why = "changes the program or package " + std::string(runner) + " runs";
        if (what == effect::host_access) why = "gives the container access to the host";
        const std::string v = value ? value->text : std::string();
        // What the report shows: the value with its secrets masked.
        const std::string masked = value ? mask_secrets(value->text, value->spans) : std::string();
        switch (rule.read) {
        case reading::plain: break;
        case reading::container_env: report.env.push_back(masked.substr(0, masked.find('='))); break;
        case reading::port: report.published_ports.push_back(masked); break;
        case reading::volume:
        case reading::mount: {
            auto m = rule.read == reading::volume ? volume_option(v, home) : mount_option(v, home);
            if (m.host_access) {
                what = effect::host_access;
                // A refusal quotes the mount; a secret in it must not reach the message.
                why = "gives the container access to the host: " +
                      (value && !value->spans.empty() ? std::string("a mount holding a secret") : *m.host_access);
            }
            if (value && !value->spans.empty())
                m.what = (rule.read == reading::volume ? volume_option(masked, home) : mount_option(masked, home)).what;
            report.mounts.push_back(std::move(m.what));
            break;
        }
        case reading::network:
            report.network = masked;
            if (v == "host" || v.starts_with("container:") || v.starts_with("ns:")) {
                what = effect::host_access;
                why = "shares the host's (or another container's) network";
            }
            break;
        case reading::namespace_mode:
            if (v == "host" || v.starts_with("container:") || v.starts_with("ns:")) {
                what = effect::host_access;
                why = "shares a namespace of the host (or of another container)";
            }
            break;
        }
        if (what != effect::allowed) {
            if (!permitted(allowed, rule.name))
                return refusal("the runtime option '" + shown + "' of " + std::string(runner) + " " + why, rule.name);
            (what == effect::host_access ? report.host_access : report.overrides).push_back(shown);
            warnings.push_back("the runtime option '" + shown + "' " + why + "; allowed by the caller");
        }
        report.runner_options.push_back(std::move(shown));
        return std::nullopt;
    }

    std::optional<error> unknown(std::string_view name, std::string shown, std::string_view why)
    {
        if (!permitted(allowed, name)) return refusal("the runtime option '" + shown + "' " + std::string(why), name);
        report.overrides.push_back(shown);
        warnings.push_back("the runtime option '" + shown + "' is passed to " + std::string(runner) +
                           " unchecked; allowed by the caller");
        report.runner_options.push_back(std::move(shown));
        return std::nullopt;
    }

    std::optional<error> run(const std::vector<piece>& tokens)
    {
        const auto grammar = grammar_of(runner);
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            const auto& token = tokens[i];
            const std::string_view text = token.text;
            const std::string shown = mask_secrets(token.text, token.spans);
            const bool option_like = text.size() > 1 && text.front() == '-';
            if (!option_like) {
                // An operand: the runner would take it for the package (or image) to run, or for its command.
                if (!permitted(allowed, "operands"))
                    return refusal("the runtime argument '" + shown + "' is an operand: " + std::string(runner) +
                                       " would take it for what to run instead of " + std::string(package),
                                   "operands");
                report.overrides.push_back(shown);
                warnings.push_back("the runtime operand '" + shown + "' is passed to " + std::string(runner) +
                                   "; allowed by the caller");
                report.runner_options.push_back(shown);
                continue;
            }
            if (!grammar) {
                const auto name = text.substr(0, text.find('='));
                if (auto e = unknown(name, shown,
                                     "is passed to " + std::string(runner) +
                                         ", a runner whose options mcpreg does not know"))
                    return e;
                continue;
            }
            if (text == "--") {
                if (auto e = unknown("--", shown, "ends the options: what follows would be taken for what to run"))
                    return e;
                continue;
            }
            // The option's name, and its value written into the same token.
            std::string name(text);
            std::optional<piece> inline_value;
            std::vector<const option_rule*> flags;  // combined short flags: -it
            if (text.starts_with("--")) {
                if (const auto eq = text.find('='); eq != std::string_view::npos) {
                    name = std::string(text.substr(0, eq));
                    inline_value = tail(token, eq + 1);
                }
            }
            else if (text.size() > 2) {
                name = std::string(text.substr(0, 2));
                const auto* first = find_rule(*grammar, name);
                if (!grammar->combined_short || !first) name = std::string(text);  // -yq: not a known spelling
                else if (first->takes_value) inline_value = tail(token, text[2] == '=' ? 3 : 2);
                else
                    for (std::size_t k = 1; k < text.size(); ++k) {
                        const auto* f = find_rule(*grammar, std::string{'-', text[k]});
                        if (!f || f->takes_value) {
                            flags.clear();
                            name = std::string(text);
                            break;
                        }
                        flags.push_back(f);
                    }
            }
            if (!flags.empty()) {
                for (const auto* f : flags)
                    if (auto e = option(*f, std::nullopt, std::string(f->name))) return e;
                continue;
            }
            const auto* rule = find_rule(*grammar, name);
            if (!rule) {
                if (auto e = unknown(name, shown, grammar->unknown)) return e;
                continue;
            }
            if (!rule->takes_value) {
                if (inline_value && inline_value->text != "true" && inline_value->text != "false")
                    return refusal("the runtime option '" + shown + "' takes no value", rule->name);
                if (auto e = option(*rule, std::nullopt, shown)) return e;
                continue;
            }
            std::optional<piece> value = inline_value;
            if (!value) {
                // The value is the next argument. Without one the runner would take the package reference as
                // the value and run whatever follows; one that looks like an option may be read as one.
                if (i + 1 >= tokens.size() && !permitted(allowed, rule->name))
                    return refusal("the runtime option '" + shown + "' has no value: " + std::string(runner) +
                                       " would take " + std::string(package) + " as its value",
                                   rule->name);
                if (i + 1 >= tokens.size()) {
                    if (auto e = unknown(rule->name, shown, "")) return e;
                    continue;
                }
                value = tokens[++i];
                if (value->text.starts_with("-") && !permitted(allowed, rule->name))
                    return refusal("the value '" + mask_secrets(value->text, value->spans) +
                                       "' of the runtime option '" + shown + "' looks like an option",
                                   rule->name);
                if (auto e = option(*rule, value, shown + " " + mask_secrets(value->text, value->spans))) return e;
            }
            else if (auto e = option(*rule, value, shown)) return e;
        }
        return std::nullopt;
    }

    static piece tail(const piece& token, std::size_t from)
    {
        piece out{token.text.substr(std::min(from, token.text.size())), {}};
        for (auto span : token.spans) {
            const auto end = span.offset + span.length;
            if (end <= from && span.length > 0) continue;
            const auto start = std::max(span.offset, from);
            span.length = end > start ? end - start : 0;
            span.offset = start - from;
            out.spans.push_back(std::move(span));
        }
        return out;
    }
};

}  // namespace mcpreg::resolve::detail
