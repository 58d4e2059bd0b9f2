#include <mcpreg/resolve/resolve.hpp>

#include "inputs.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <charconv>
#include <cstdlib>

namespace mcpreg::resolve {
namespace json = boost::json;

using detail::at;
using detail::input_resolver;

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

result<resolution> resolve_package(const model::server& server, std::size_t index, const input_values& inputs,
                                   const options& opts)
{
    const auto& p = (*server.packages)[index];
    resolution out;
    auto& spec = out.spec;
    spec.source = "packages[" + std::to_string(index) + "]";
    const std::string base = spec.source;
    spec.transport = p.transport ? p.transport->type : "stdio";
    input_resolver r{inputs, out.missing, {}};

    const auto kind = p.kind();
    if (kind == model::registry_kind::mcpb)
        return make_error(errc::invalid_argument, "an MCPB package runs from its downloaded bundle: fetch " +
                                                      p.identifier + " (fetch_bundle), then resolve_bundle");
    if (kind == model::registry_kind::unknown)
        return make_error(errc::invalid_argument,
                          "registry type '" + p.registry_type + "' is not one mcpreg knows how to launch");
    if (auto refusal = refuse_identity(p)) return make_error(errc::invalid_argument, std::move(*refusal));

    // Values first (env before arguments so `{NAME}` in argument values can use them), then the argv.
    r.key_values(p.environment_variables, base, "environmentVariables", spec.env, spec.secret_env);
    std::vector<std::string> runtime_args, package_args;
    r.arguments(p.runtime_arguments, base, "runtimeArguments", opts.joined_named_arguments, runtime_args);
    r.arguments(p.package_arguments, base, "packageArguments", opts.joined_named_arguments, package_args);

    const std::string runner_name = runner_for(p, opts, &spec.warnings);
    if (kind == model::registry_kind::cargo) {
        // No one-shot runner for crates: the binary must be installed first; it is named after the crate.
        std::string install = "cargo install " + p.identifier;
        if (p.version && !p.version->empty()) install += " --version " + *p.version;
        if (p.registry_base_url && *p.registry_base_url != "https://crates.io")
            install += " --index " + *p.registry_base_url;
        spec.notes.push_back("install the binary first: " + install);
        spec.command = p.identifier;
        spec.args = runtime_args;
        spec.args.insert(spec.args.end(), package_args.begin(), package_args.end());
    }
    else {
        auto run = runner_named(runner_name);
        if (!run) {
            spec.warnings.push_back("unknown runner '" + runner_name + "'; launched without fixed flags");
            run = runner{{runner_name}, ""};
        }
        std::vector<std::string> argv = run->command;
        const bool custom_registry = p.registry_base_url && !p.registry_base_url->empty();
        auto registry_flag = [&](std::string_view public_default) {
            if (!custom_registry || *p.registry_base_url == public_default) return;
            if (run->registry_flag.empty())
                spec.warnings.push_back(runner_name + " cannot take registryBaseUrl " + *p.registry_base_url);
            else {
                argv.push_back(run->registry_flag);
                argv.push_back(*p.registry_base_url);
            }
        };
        if (kind == model::registry_kind::npm) {
            registry_flag("https://registry.npmjs.org");
            argv.insert(argv.end(), runtime_args.begin(), runtime_args.end());
            argv.push_back(with_version(p, "@"));
            argv.insert(argv.end(), package_args.begin(), package_args.end());
        }
        else if (kind == model::registry_kind::pypi) {
            registry_flag("https://pypi.org");
            argv.insert(argv.end(), runtime_args.begin(), runtime_args.end());
            if (runner_name == "pipx") argv.push_back(with_version(p, "=="));
            else if (opts.pypi_from_form) {
                argv.push_back("--from");
                argv.push_back(with_version(p, "=="));
                argv.push_back(p.identifier);
            }
            else argv.push_back(with_version(p, "@"));
            argv.insert(argv.end(), package_args.begin(), package_args.end());
        }
        else if (kind == model::registry_kind::oci) {
            argv.insert(argv.end(), runtime_args.begin(), runtime_args.end());
            // Values travel in the environment; argv names them only.
            for (const auto& [name, value] : spec.env) {
                argv.push_back("-e");
                argv.push_back(name);
            }
            argv.push_back(oci_reference(p, spec.warnings));
            argv.insert(argv.end(), package_args.begin(), package_args.end());
        }
        else if (kind == model::registry_kind::nuget) {
            argv.insert(argv.end(), runtime_args.begin(), runtime_args.end());
            argv.push_back(with_version(p, "@"));
            argv.push_back("--yes");
            registry_flag("https://api.nuget.org/v3/index.json");
            if (!package_args.empty()) {
                argv.push_back("--");
                argv.insert(argv.end(), package_args.begin(), package_args.end());
            }
        }
        spec.command = argv.front();
        spec.args.assign(argv.begin() + 1, argv.end());
    }

    if (p.transport && p.transport->type != "stdio") {
        if (p.transport->url) {
            if (auto url = r.substitute(*p.transport->url, p.transport->variables, base + ".transport.url"))
                spec.url = std::move(*url);
        }
        else spec.warnings.push_back("the " + p.transport->type + " transport has no url");
        r.key_values(p.transport->headers, base + ".transport", "headers", spec.headers, spec.secret_headers);
    }
    return out;
}

result<resolution> resolve_remote(const model::server& server, std::size_t index, const input_values& inputs)
{
    const auto& remote = (*server.remotes)[index];
    resolution out;
    auto& spec = out.spec;
    spec.source = "remotes[" + std::to_string(index) + "]";
    spec.transport = remote.type;
    input_resolver r{inputs, out.missing, {}};
    if (!remote.url) return make_error(errc::invalid_argument, spec.source + " has no url");
    if (auto url = r.substitute(*remote.url, remote.variables, spec.source + ".url")) spec.url = std::move(*url);
    r.key_values(remote.headers, spec.source, "headers", spec.headers, spec.secret_headers);
    return out;
}

}  // namespace

std::vector<std::string> launch_spec::argv() const
{
    std::vector<std::string> out;
    if (command.empty()) return out;
    out.push_back(command);
    out.insert(out.end(), args.begin(), args.end());
    return out;
}

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
