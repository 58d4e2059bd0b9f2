#include <mcpreg/resolve/resolve.hpp>

#include "inputs.hpp"
#include "policy.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>

namespace mcpreg::resolve {
namespace json = boost::json;

using detail::at;
using detail::input_resolver;
using detail::piece;
using detail::plain;

namespace {

// The runners a package type may be launched with, and how each is invoked.
struct runner {
    std::vector<std::string> command;  ///< the runner and its fixed flags
    std::string registry_flag;         ///< how it takes registryBaseUrl ("" when it cannot)
};

std::optional<runner> runner_named(std::string_view name)
{
    if (name == "npx") return runner{{"npx", "-y"}, "--registry"};
    if (name == "bunx") return runner{{"bunx"}, ""};
    if (name == "bun") return runner{{"bun", "x"}, ""};
    if (name == "uvx") return runner{{"uvx"}, "--index-url"};
    if (name == "pipx") return runner{{"pipx", "run"}, "--index-url"};
    if (name == "docker" || name == "podman") return runner{{std::string(name), "run", "-i", "--rm"}, ""};
    if (name == "dnx") return runner{{"dnx"}, "--source"};
    return std::nullopt;
}

std::string_view default_runner(model::registry_kind kind)
{
    switch (kind) {
    case model::registry_kind::npm: return "npx";
    case model::registry_kind::pypi: return "uvx";
    case model::registry_kind::oci: return "docker";
    case model::registry_kind::nuget: return "dnx";
    case model::registry_kind::cargo: return "cargo";
    default: return "";
    }
}

bool runner_fits(model::registry_kind kind, std::string_view name)
{
    switch (kind) {
    case model::registry_kind::npm: return name == "npx" || name == "bunx" || name == "bun";
    case model::registry_kind::pypi: return name == "uvx" || name == "pipx";
    case model::registry_kind::oci: return name == "docker" || name == "podman";
    case model::registry_kind::nuget: return name == "dnx";
    // A crate's binary is installed first and then run by name; no other program may stand in for it.
    case model::registry_kind::cargo: return name == "cargo";
    default: return false;
    }
}

// What a package's identifier and version may look like, per registry type. They become argv elements next
// to the runner's own options, so a registry must not be able to smuggle an option ("--entrypoint=sh"), a
// path to another program, or anything with spaces or control characters through them.
bool name_chars(std::string_view text, std::string_view extra)
{
    if (text.empty() || text.size() > 512 || text.front() == '-' || text.front() == '.') return false;
    return std::all_of(text.begin(), text.end(), [&](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               extra.find(c) != std::string_view::npos;
    });
}

std::optional<std::string> refuse_identity(const model::package& p)
{
    bool identifier_ok = false;
    switch (p.kind()) {
    case model::registry_kind::npm: {
        // @scope/name or name (npm's own rules, plus upper case for old packages).
        std::string_view id = p.identifier;
        if (id.starts_with('@')) {
            const auto slash = id.find('/');
            identifier_ok = slash != std::string_view::npos && name_chars(id.substr(1, slash - 1), "-._~") &&
                            name_chars(id.substr(slash + 1), "-._~");
        }
        else identifier_ok = name_chars(id, "-._~");
        break;
    }
    case model::registry_kind::pypi: identifier_ok = name_chars(p.identifier, "-._"); break;
    case model::registry_kind::nuget: identifier_ok = name_chars(p.identifier, "-._"); break;
    case model::registry_kind::cargo: identifier_ok = name_chars(p.identifier, "-_"); break;
    // An image reference (host[:port]/path[:tag][@digest]); a URL scheme is dropped later with a warning.
    case model::registry_kind::oci: identifier_ok = name_chars(p.identifier, "-._/:@"); break;
    default: return std::nullopt;
    }
    if (!identifier_ok)
        return "the " + p.registry_type + " identifier '" + p.identifier +
               "' is not a package name; it is refused rather than passed to the runner";
    if (p.version && !p.version->empty() && !name_chars(*p.version, "-._+!~"))
        return "the version '" + *p.version + "' of " + p.identifier +
               " is not a version; it is refused rather than passed to the runner";
    // It becomes the runner's --registry / --index-url / --source value, or the image's host.
    if (p.registry_base_url && !p.registry_base_url->empty() && !detail::valid_url(*p.registry_base_url))
        return "the registryBaseUrl '" + *p.registry_base_url +
               "' is not an http(s) URL; it is refused rather than passed to the runner";
    return std::nullopt;
}

// The runner a package gets: its runtimeHint when that fits the type, else the default; then any override.
std::string runner_for(const model::package& p, const options& opts, std::vector<std::string>* warnings)
{
    std::string name(default_runner(p.kind()));
    if (p.runtime_hint && !p.runtime_hint->empty()) {
        if (runner_fits(p.kind(), *p.runtime_hint)) name = *p.runtime_hint;
        else if (warnings && *p.runtime_hint != name)
            warnings->push_back("runtimeHint '" + *p.runtime_hint + "' does not run " + p.registry_type +
                                " packages here; using " + name);
    }
    if (auto it = opts.runner_overrides.find(name); it != opts.runner_overrides.end()) name = it->second;
    return name;
}

bool has_tag_or_digest(std::string_view image)
{
    if (image.find('@') != std::string_view::npos) return true;
    const auto slash = image.rfind('/');
    return image.find(':', slash == std::string_view::npos ? 0 : slash) != std::string_view::npos;
}

// The image reference: the identifier (with its tag), the version appended for old entries without one, and
// the registry host prefixed when the identifier names none.
std::string oci_reference(const model::package& p, std::vector<std::string>& warnings)
{
    std::string image = p.identifier;
    if (const auto scheme = image.find("://"); scheme != std::string::npos) {
        warnings.push_back("the OCI identifier has a URL scheme; it was dropped");
        image = image.substr(scheme + 3);
    }
    if (!has_tag_or_digest(image) && p.version && !p.version->empty()) image += ":" + *p.version;
    if (p.registry_base_url) {
        std::string host = *p.registry_base_url;
        if (const auto scheme = host.find("://"); scheme != std::string::npos) host = host.substr(scheme + 3);
        while (!host.empty() && host.back() == '/') host.pop_back();
        const auto first = image.substr(0, image.find('/'));
        const bool names_host =
            image.find('/') != std::string::npos &&
            (first.find('.') != std::string::npos || first.find(':') != std::string::npos || first == "localhost");
        const bool docker_hub = host == "docker.io" || host == "registry-1.docker.io" || host == "index.docker.io";
        if (!names_host && !host.empty() && !docker_hub) image = host + "/" + image;
    }
    return image;
}

std::string with_version(const model::package& p, std::string_view separator)
{
    if (!p.version || p.version->empty()) return p.identifier;
    return p.identifier + std::string(separator) + *p.version;
}

// Where `cargo install` puts a crate's binary: the crate runs from there, never as a bare name looked up on
// PATH, where anything of that name (`sh`) would do.
result<std::string> cargo_binary(const model::package& p, const options& opts)
{
    auto env = [](const char* name) -> std::string {
        const char* v = std::getenv(name);
        return v ? v : "";
    };
    std::filesystem::path dir;
    if (opts.cargo_bin_dir) dir = *opts.cargo_bin_dir;
    else if (auto root = env("CARGO_INSTALL_ROOT"); !root.empty()) dir = std::filesystem::path(root) / "bin";
    else if (auto home = env("CARGO_HOME"); !home.empty()) dir = std::filesystem::path(home) / "bin";
#if defined(_WIN32)
    else if (auto user = env("USERPROFILE"); !user.empty()) dir = std::filesystem::path(user) / ".cargo" / "bin";
#else
    else if (auto user = env("HOME"); !user.empty()) dir = std::filesystem::path(user) / ".cargo" / "bin";
#endif
    if (dir.empty() || !dir.is_absolute())
        return make_error(errc::invalid_argument, "cannot tell where cargo install puts " + p.identifier +
                                                      " (an absolute options::cargo_bin_dir is needed)");
#if defined(_WIN32)
    return (dir / (p.identifier + ".exe")).string();
#else
    return (dir / p.identifier).string();
#endif
}

// Moves the pieces of an argv, an environment or headers into the launch spec, with their secrets' places.
void place_args(const std::vector<piece>& argv, launch_spec& spec)
{
    spec.command = argv.front().text;
    for (std::size_t i = 1; i < argv.size(); ++i) {
        if (!argv[i].spans.empty()) spec.secrets.args[spec.args.size()] = argv[i].spans;
        spec.args.push_back(argv[i].text);
    }
}

void place_values(std::map<std::string, piece>& values, std::map<std::string, std::string>& into,
                  std::map<std::string, std::vector<secret_span>>& secrets, std::set<std::string>& secret_names)
{
    for (auto& [name, value] : values) {
        if (!value.spans.empty()) {
            secrets[name] = value.spans;
            secret_names.insert(name);
        }
        into[name] = std::move(value.text);
    }
}

// What no launch spec may hold, whatever the entry or the inputs say: a NUL (execve would cut the value
// short), a URL a client should not connect to, a header that is not a header.
std::optional<error> refuse_malformed_spec(const launch_spec& spec)
{
    auto bad = [](std::string_view what) {
        return make_error(errc::invalid_argument, std::string(what) + " holds a NUL character; it is refused");
    };
    if (spec.command.find('\0') != std::string::npos) return bad("the command");
    for (const auto& a : spec.args)
        if (a.find('\0') != std::string::npos) return bad("an argument");
    for (const auto& [name, value] : spec.env)
        if (value.find('\0') != std::string::npos) return bad("the environment variable " + name);
    if (spec.url && !detail::valid_url(*spec.url))
        return make_error(errc::invalid_argument,
                          "the URL of " + spec.source +
                              " is not an http(s) URL without spaces or control characters; it is refused");
    for (const auto& [name, value] : spec.headers) {
        if (!detail::valid_header_name(name))
            return make_error(errc::invalid_argument, "the header name '" + name + "' is not an HTTP token; refused");
        if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
            return make_error(errc::invalid_argument,
                              "the value of the header " + name + " holds a line break or NUL; it is refused");
    }
    return std::nullopt;
}

// Why a package cannot be launched from the registry data alone, or is refused; nullopt when it can be.
std::optional<error> refuse_unlaunchable(const model::package& p)
{
    const auto kind = p.kind();
    if (kind == model::registry_kind::mcpb)
        return make_error(errc::invalid_argument, "an MCPB package runs from its downloaded bundle: fetch " +
                                                      p.identifier + " (fetch_bundle), then resolve_bundle");
    if (kind == model::registry_kind::unknown)
        return make_error(errc::invalid_argument,
                          "registry type '" + p.registry_type + "' is not one mcpreg knows how to launch");
    if (auto refusal = refuse_identity(p)) return make_error(errc::invalid_argument, std::move(*refusal));
    return std::nullopt;
}

bool has_registry_url(const model::package& p) { return p.registry_base_url && !p.registry_base_url->empty(); }

// The resolved values of a package, before they are put in order.
struct package_values {
    std::map<std::string, piece> env;
    std::vector<piece> runtime_args;
    std::vector<piece> package_args;
};

// Values first (env before arguments so `{NAME}` in argument values can use them).
package_values resolve_values(const model::package& p, const std::string& base, const options& opts, input_resolver& r)
{
    detail::collect_secret_names(p.environment_variables, r.secret_names);
    detail::collect_secret_names(p.runtime_arguments, r.secret_names);
    detail::collect_secret_names(p.package_arguments, r.secret_names);
    if (p.transport) {
        detail::collect_secret_names(p.transport->headers, r.secret_names);
        detail::collect_secret_names(p.transport->variables, r.secret_names);
    }
    package_values values;
    r.key_values(p.environment_variables, base, "environmentVariables", values.env);
    r.arguments(p.runtime_arguments, base, "runtimeArguments", opts.joined_named_arguments, values.runtime_args);
    r.arguments(p.package_arguments, base, "packageArguments", opts.joined_named_arguments, values.package_args);
    return values;
}

// No one-shot runner for crates: the binary must be installed first, and runs from where cargo puts it.
result<std::vector<piece>> cargo_argv(const model::package& p, const options& opts, const package_values& values,
                                      launch_spec& spec)
{
    auto binary = cargo_binary(p, opts);
    if (!binary) return binary.error();
    std::vector<std::string> install = {"cargo", "install", p.identifier};
    if (p.version && !p.version->empty()) install.insert(install.end(), {"--version", *p.version});
    if (p.registry_base_url && !p.registry_base_url->empty() && *p.registry_base_url != "https://crates.io")
        install.insert(install.end(), {"--index", *p.registry_base_url});
    spec.notes.push_back("install the binary first: " + posix_command_line(install));
    if (auto e =
            detail::check_environment("cargo", values.env, opts.allowed_runner_options, spec.report, spec.warnings))
        return *e;
    spec.report.runner = *binary;
    spec.report.package = with_version(p, "@");
    // Runtime arguments go to the binary itself: there is no runner to steer.
    std::vector<piece> argv;
    argv.push_back(plain(*binary));
    argv.insert(argv.end(), values.runtime_args.begin(), values.runtime_args.end());
    argv.insert(argv.end(), values.package_args.begin(), values.package_args.end());
    return argv;
}

// The package reference a runner gets; what the runtime arguments must not replace.
result<std::string> package_reference(const model::package& p, const options& opts, const std::string& runner_name,
                                      launch_spec& spec)
{
    const auto kind = p.kind();
    if (kind == model::registry_kind::npm || kind == model::registry_kind::nuget) return with_version(p, "@");
    if (kind == model::registry_kind::pypi)
        return runner_name == "pipx" ? with_version(p, "==") : with_version(p, opts.pypi_from_form ? "==" : "@");
    if (kind != model::registry_kind::oci) return std::string();
    std::string reference = oci_reference(p, spec.warnings);
    // The host prefix comes from registryBaseUrl: the whole reference must still be an image name.
    if (!name_chars(reference, "-._/:@"))
        return make_error(errc::invalid_argument, "the image reference '" + reference +
                                                      "' is not an image name; it is refused rather than "
                                                      "passed to the runner");
    if (has_registry_url(p)) spec.report.package_registry = *p.registry_base_url;
    return reference;
}

// The entry's environment and runtime arguments, checked against the runner policy (policy.hpp).
std::optional<error> check_runner_policy(const std::string& runner_name, const std::string& reference,
                                         const package_values& values, const options& opts, launch_spec& spec)
{
    if (auto e =
            detail::check_environment(runner_name, values.env, opts.allowed_runner_options, spec.report, spec.warnings))
        return e;
    const std::string home = opts.home ? *opts.home : [] {
        const char* h = std::getenv("HOME");
        return std::string(h ? h : "");
    }();
    detail::runtime_check check{runner_name, reference, opts.allowed_runner_options, home, spec.report, spec.warnings};
    return check.run(values.runtime_args);
}

// A package started by a runner (npx, uvx, docker, dnx...), while its argv is put together.
struct runner_launch {
    const model::package& p;
    const std::string& runner_name;
    const runner& run;
    const std::string& reference;
    const package_values& values;
    std::vector<piece>& argv;
    launch_spec& spec;
};

// registryBaseUrl as the runner's option, unless it is the registry type's public default.
void add_registry_flag(runner_launch& l, std::string_view public_default)
{
    if (!has_registry_url(l.p) || *l.p.registry_base_url == public_default) return;
    if (l.run.registry_flag.empty())
        l.spec.warnings.push_back(l.runner_name + " cannot take registryBaseUrl " + *l.p.registry_base_url);
    else {
        l.argv.push_back(plain(l.run.registry_flag));
        l.argv.push_back(plain(*l.p.registry_base_url));
        l.spec.report.package_registry = *l.p.registry_base_url;
    }
}

// After the runner's fixed flags: the registry, the runtime arguments, the package reference and the package
// arguments, in the order each runner reads them.
void add_package_argv(runner_launch& l, const options& opts)
{
    auto& argv = l.argv;
    const auto& runtime_args = l.values.runtime_args;
    const auto& package_args = l.values.package_args;
    const auto kind = l.p.kind();
    if (kind == model::registry_kind::npm) {
        add_registry_flag(l, "https://registry.npmjs.org");
        argv.insert(argv.end(), runtime_args.begin(), runtime_args.end());
        argv.push_back(plain(l.reference));
        argv.insert(argv.end(), package_args.begin(), package_args.end());
    }
    else if (kind == model::registry_kind::pypi) {
        add_registry_flag(l, "https://pypi.org");
        argv.insert(argv.end(), runtime_args.begin(), runtime_args.end());
        if (l.runner_name != "pipx" && opts.pypi_from_form) {
            argv.push_back(plain("--from"));
            argv.push_back(plain(l.reference));
            argv.push_back(plain(l.p.identifier));
        }
        else argv.push_back(plain(l.reference));
        argv.insert(argv.end(), package_args.begin(), package_args.end());
    }
    else if (kind == model::registry_kind::oci) {
        argv.insert(argv.end(), runtime_args.begin(), runtime_args.end());
        // Values travel in the environment; argv names them only.
        for (const auto& [name, value] : l.values.env) {
            argv.push_back(plain("-e"));
            argv.push_back(plain(name));
        }
        argv.push_back(plain(l.reference));
        argv.insert(argv.end(), package_args.begin(), package_args.end());
    }
    else if (kind == model::registry_kind::nuget) {
        argv.insert(argv.end(), runtime_args.begin(), runtime_args.end());
        argv.push_back(plain(l.reference));
        argv.push_back(plain("--yes"));
        add_registry_flag(l, "https://api.nuget.org/v3/index.json");
        if (!package_args.empty()) {
            argv.push_back(plain("--"));
            argv.insert(argv.end(), package_args.begin(), package_args.end());
        }
    }
}

result<std::vector<piece>> runner_argv(const model::package& p, const options& opts, const std::string& runner_name,
                                       const package_values& values, launch_spec& spec)
{
    auto run = runner_named(runner_name);
    if (!run) {
        spec.warnings.push_back("unknown runner '" + runner_name + "'; launched without fixed flags");
        run = runner{{runner_name}, ""};
    }
    std::vector<piece> argv;
    for (const auto& fixed : run->command) argv.push_back(plain(fixed));
    auto reference = package_reference(p, opts, runner_name, spec);
    if (!reference) return reference.error();
    spec.report.runner = runner_name;
    spec.report.package = *reference;
    if (auto e = check_runner_policy(runner_name, *reference, values, opts, spec)) return *e;
    runner_launch launch{p, runner_name, *run, *reference, values, argv, spec};
    add_package_argv(launch, opts);
    return argv;
}

// A transport other than stdio: the URL the package serves on, and the headers to send it.
void place_transport(const model::package& p, const std::string& base, input_resolver& r, launch_spec& spec)
{
    if (!p.transport || p.transport->type == "stdio") return;
    if (p.transport->url) {
        if (auto url = r.substitute(*p.transport->url, p.transport->variables, base + ".transport.url")) {
            spec.url = std::move(url->text);
            spec.secrets.url = std::move(url->spans);
        }
    }
    else spec.warnings.push_back("the " + p.transport->type + " transport has no url");
    std::map<std::string, piece> headers;
    r.key_values(p.transport->headers, base + ".transport", "headers", headers);
    place_values(headers, spec.headers, spec.secrets.headers, spec.secret_headers);
}

result<resolution> resolve_package(const model::server& server, std::size_t index, const input_values& inputs,
                                   const options& opts)
{
    const auto& p = (*server.packages)[index];
    resolution out;
    auto& spec = out.spec;
    spec.source = "packages[" + std::to_string(index) + "]";
    const std::string base = spec.source;
    spec.transport = p.transport ? p.transport->type : "stdio";
    if (auto refusal = refuse_unlaunchable(p)) return std::move(*refusal);

    input_resolver r{inputs, out.missing, {}, {}};
    auto values = resolve_values(p, base, opts, r);
    const std::string runner_name = runner_for(p, opts, &spec.warnings);
    if (runner_name.empty()) return make_error(errc::invalid_argument, "an empty runner for " + p.registry_type);
    auto argv = p.kind() == model::registry_kind::cargo ? cargo_argv(p, opts, values, spec)
                                                        : runner_argv(p, opts, runner_name, values, spec);
    if (!argv) return argv.error();
    place_args(*argv, spec);
    place_values(values.env, spec.env, spec.secrets.env, spec.secret_env);
    place_transport(p, base, r, spec);
    if (auto e = refuse_malformed_spec(spec)) return *e;
    return out;
}

result<resolution> resolve_remote(const model::server& server, std::size_t index, const input_values& inputs)
{
    const auto& remote = (*server.remotes)[index];
    resolution out;
    auto& spec = out.spec;
    spec.source = "remotes[" + std::to_string(index) + "]";
    spec.transport = remote.type;
    input_resolver r{inputs, out.missing, {}, {}};
    detail::collect_secret_names(remote.headers, r.secret_names);
    detail::collect_secret_names(remote.variables, r.secret_names);
    if (!remote.url) return make_error(errc::invalid_argument, spec.source + " has no url");
    if (auto url = r.substitute(*remote.url, remote.variables, spec.source + ".url")) {
        spec.url = std::move(url->text);
        spec.secrets.url = std::move(url->spans);
        spec.report.package = mask_secrets(*spec.url, spec.secrets.url);
    }
    std::map<std::string, piece> headers;
    r.key_values(remote.headers, spec.source, "headers", headers);
    place_values(headers, spec.headers, spec.secrets.headers, spec.secret_headers);
    if (auto e = refuse_malformed_spec(spec)) return *e;
    return out;
}

}  // namespace

result<selection> selection::parse(std::string_view text)
{
    selection s;
    auto number = [](std::string_view digits) -> std::optional<std::size_t> {
        std::size_t n = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
        if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
        return n;
    };
    if (text == "remote") s.remote = true;
    else if (text.starts_with("remote:")) {
        s.remote_index = number(text.substr(7));
        if (!s.remote_index) return make_error(errc::invalid_argument, "remote:N takes a number");
    }
    else if (auto n = number(text)) s.package_index = n;
    else if (!text.empty()) s.package_type = std::string(text);
    else return make_error(errc::invalid_argument, "an empty package selection");
    return s;
}

result<choice> choose(const model::server& server, const selection& which, const options& opts)
{
    const std::size_t packages = server.packages ? server.packages->size() : 0;
    const std::size_t remotes = server.remotes ? server.remotes->size() : 0;
    if (which.remote || which.remote_index) {
        const auto i = which.remote_index.value_or(0);
        if (i >= remotes)
            return make_error(errc::invalid_argument, server.name + " has no remote " + std::to_string(i));
        return choice{true, i};
    }
    if (which.package_index) {
        if (*which.package_index >= packages)
            return make_error(errc::invalid_argument,
                              server.name + " has no package " + std::to_string(*which.package_index));
        return choice{false, *which.package_index};
    }
    if (which.package_type) {
        for (std::size_t i = 0; i < packages; ++i)
            if ((*server.packages)[i].registry_type == *which.package_type) return choice{false, i};
        return make_error(errc::invalid_argument, server.name + " has no " + *which.package_type + " package");
    }
    if (remotes > 0 && opts.allow_remotes) return choice{true, 0};
    // Packages in preference order, then the rest in document order; the first whose runner is here wins.
    std::vector<std::size_t> order;
    for (const auto& type : opts.preference)
        for (std::size_t i = 0; i < packages; ++i)
            if ((*server.packages)[i].registry_type == type) order.push_back(i);
    for (std::size_t i = 0; i < packages; ++i)
        if (std::find(order.begin(), order.end(), i) == order.end()) order.push_back(i);
    for (auto i : order) {
        const auto& p = (*server.packages)[i];
        const auto runner = p.kind() == model::registry_kind::mcpb ? std::string() : runner_for(p, opts, nullptr);
        if (!opts.runner_available || runner.empty() || opts.runner_available(runner)) return choice{false, i};
    }
    if (remotes > 0)
        return make_error(errc::invalid_argument, server.name + " has only remotes, and they are not allowed");
    if (packages > 0) return make_error(errc::invalid_argument, "no package of " + server.name + " can run here");
    return make_error(errc::invalid_argument, server.name + " has neither packages nor remotes");
}

result<resolution> resolve(const model::server& server, const selection& which, const input_values& inputs,
                           const options& opts)
{
    if (auto refusal = detail::refuse_malformed_inputs(inputs)) return std::move(*refusal);
    auto chosen = choose(server, which, opts);
    if (!chosen) return chosen.error();
    return chosen->remote ? resolve_remote(server, chosen->index, inputs)
                          : resolve_package(server, chosen->index, inputs, opts);
}

}  // namespace mcpreg::resolve
