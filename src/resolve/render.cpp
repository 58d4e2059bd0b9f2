// What surrounds a launch spec: the entry lint, display quoting and the client configuration formats.
#include <mcpreg/resolve/resolve.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <boost/json/value_from.hpp>
#include <cctype>

namespace mcpreg::resolve {
namespace json = boost::json;

namespace {

// The `{name}` placeholders of a text.
std::vector<std::string> placeholders(std::string_view text)
{
    std::vector<std::string> out;
    for (std::size_t open = text.find('{'); open != std::string_view::npos; open = text.find('{', open + 1)) {
        const auto close = text.find('}', open);
        if (close == std::string_view::npos) break;
        out.emplace_back(text.substr(open + 1, close - open - 1));
    }
    return out;
}

}  // namespace

std::vector<lint_issue> lint(const model::server& server)
{
    std::vector<lint_issue> issues;
    // Names that `{x}` in a transport URL may refer to: arguments and environment variables of the package.
    auto check_value = [&](const model::input_with_variables& in, const std::string& path,
                           const std::set<std::string>& also_defined) {
        if (!in.value) return;
        for (const auto& name : placeholders(*in.value)) {
            const bool defined = (in.variables && in.variables->contains(name)) || also_defined.contains(name);
            if (!defined)
                issues.push_back(
                    {path + "/value", "undefined-variable", "{" + name + "} is used but no variable defines it"});
        }
    };
    if (server.packages)
        for (std::size_t i = 0; i < server.packages->size(); ++i) {
            const auto& p = (*server.packages)[i];
            const std::string base = "/packages/" + std::to_string(i);
            std::set<std::string> names;
            for (const auto* list : {&p.runtime_arguments, &p.package_arguments})
                if (*list)
                    for (const auto& a : **list) {
                        if (a.name) names.insert(*a.name);
                        if (a.value_hint) names.insert(*a.value_hint);
                    }
            if (p.environment_variables)
                for (const auto& e : *p.environment_variables) names.insert(e.name);
            for (auto [list, field] : {std::pair{&p.runtime_arguments, "runtimeArguments"},
                                       std::pair{&p.package_arguments, "packageArguments"}}) {
                if (!*list) continue;
                for (std::size_t j = 0; j < (*list)->size(); ++j) {
                    const auto& a = (**list)[j];
                    const auto path = base + "/" + field + "/" + std::to_string(j);
                    if (a.is_named() && a.name && !a.name->starts_with("-"))
                        issues.push_back({path + "/name", "named-argument-without-dashes",
                                          "named argument '" + *a.name + "' has no leading dash"});
                    check_value(a, path, {});
                }
            }
            if (p.environment_variables)
                for (std::size_t j = 0; j < p.environment_variables->size(); ++j)
                    check_value((*p.environment_variables)[j], base + "/environmentVariables/" + std::to_string(j), {});
            if (p.transport && p.transport->url)
                for (const auto& name : placeholders(*p.transport->url))
                    if (!names.contains(name) && !(p.transport->variables && p.transport->variables->contains(name)))
                        issues.push_back({base + "/transport/url", "undefined-variable",
                                          "{" + name + "} is used but no argument or variable defines it"});
            if (p.kind() == model::registry_kind::oci && p.identifier.find("://") != std::string::npos)
                issues.push_back({base + "/identifier", "oci-reference-with-scheme",
                                  "an image reference has no URL scheme: " + p.identifier});
            if (p.kind() == model::registry_kind::mcpb && (!p.file_sha256 || p.file_sha256->empty()))
                issues.push_back({base + "/fileSha256", "mcpb-without-hash",
                                  "an MCPB bundle cannot be verified without fileSha256"});
            // A version inside the identifier that disagrees with `version`.
            if (p.version && !p.version->empty()) {
                std::string_view id = p.identifier;
                std::optional<std::string_view> embedded;
                if (p.kind() == model::registry_kind::oci) {
                    const auto slash = id.rfind('/');
                    const auto colon = id.find(':', slash == std::string_view::npos ? 0 : slash);
                    if (colon != std::string_view::npos && id.find('@') == std::string_view::npos)
                        embedded = id.substr(colon + 1);
                }
                else if (p.kind() == model::registry_kind::npm) {
                    const auto version_at = id.find('@', 1);
                    if (version_at != std::string_view::npos) embedded = id.substr(version_at + 1);
                }
                if (embedded && *embedded != *p.version && *embedded != "latest")
                    issues.push_back(
                        {base + "/version", "identifier-version-mismatch",
                         "the identifier says " + std::string(*embedded) + ", version says " + *p.version});
            }
        }
    if (server.remotes)
        for (std::size_t i = 0; i < server.remotes->size(); ++i) {
            const auto& r = (*server.remotes)[i];
            if (!r.url) continue;
            for (const auto& name : placeholders(*r.url))
                if (!(r.variables && r.variables->contains(name)))
                    issues.push_back({"/remotes/" + std::to_string(i) + "/url", "undefined-variable",
                                      "{" + name + "} is used but no variable defines it"});
            if (r.headers)
                for (std::size_t j = 0; j < r.headers->size(); ++j)
                    check_value((*r.headers)[j], "/remotes/" + std::to_string(i) + "/headers/" + std::to_string(j), {});
        }
    return issues;
}

std::string posix_command_line(const std::vector<std::string>& argv)
{
    std::string out;
    for (const auto& arg : argv) {
        if (!out.empty()) out += ' ';
        const bool plain = !arg.empty() && std::all_of(arg.begin(), arg.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) ||
                   std::string_view("@%+=:,./_-").find(c) != std::string_view::npos;
        });
        if (plain) {
            out += arg;
            continue;
        }
        out += '\'';
        for (char c : arg) {
            if (c == '\'') out += "'\\''";
            else out += c;
        }
        out += '\'';
    }
    return out;
}

std::string powershell_command_line(const std::vector<std::string>& argv)
{
    std::string out;
    bool first = true;
    for (const auto& arg : argv) {
        if (!out.empty()) out += ' ';
        const bool plain = !arg.empty() && std::all_of(arg.begin(), arg.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) ||
                   std::string_view("%+=:,./_-\\").find(c) != std::string_view::npos;
        });
        // `&` runs a quoted command name; arguments are single-quoted with '' for a quote.
        if (first && !plain) out += "& ";
        first = false;
        if (plain) {
            out += arg;
            continue;
        }
        out += '\'';
        for (char c : arg) {
            if (c == '\'') out += "''";
            else out += c;
        }
        out += '\'';
    }
    return out;
}

std::string client_config(const launch_spec& spec, std::string_view server_name, config_format format)
{
    const std::string key(
        server_name.substr(server_name.rfind('/') == std::string_view::npos ? 0 : server_name.rfind('/') + 1));
    json::array inputs;
    auto secret = [&](const std::string& name) -> std::string {
        if (format == config_format::vscode) {
            inputs.push_back(json::object{{"type", "promptString"},
                                          {"id", name},
                                          {"description", name + " for " + std::string(server_name)},
                                          {"password", true}});
            return "${input:" + name + "}";
        }
        if (format == config_format::generic) return "********";
        return "${env:" + name + "}";
    };
    auto map_of = [&](const std::map<std::string, std::string>& values, const std::set<std::string>& secrets) {
        json::object out;
        for (const auto& [name, value] : values) out[name] = secrets.contains(name) ? secret(name) : value;
        return out;
    };
    if (format == config_format::generic) {
        json::object out{{"transport", spec.transport},
                         {"command", spec.command.empty() ? json::value(nullptr) : json::value(spec.command)},
                         {"args", json::value_from(spec.args)},
                         {"env", map_of(spec.env, spec.secret_env)},
                         {"cwd", spec.cwd ? json::value(*spec.cwd) : json::value(nullptr)},
                         {"url", spec.url ? json::value(*spec.url) : json::value(nullptr)},
                         {"headers", map_of(spec.headers, spec.secret_headers)},
                         {"notes", json::value_from(spec.notes)},
                         {"warnings", json::value_from(spec.warnings)}};
        return json::serialize(out);
    }
    json::object entry;
    const bool remote = spec.command.empty();
    if (remote) {
        if (format == config_format::vscode) entry["type"] = spec.transport == "sse" ? "sse" : "http";
        entry["url"] = spec.url.value_or("");
        if (!spec.headers.empty()) entry["headers"] = map_of(spec.headers, spec.secret_headers);
    }
    else {
        if (format == config_format::vscode) entry["type"] = "stdio";
        entry["command"] = spec.command;
        entry["args"] = json::value_from(spec.args);
        if (!spec.env.empty()) entry["env"] = map_of(spec.env, spec.secret_env);
        if (spec.cwd) entry["cwd"] = *spec.cwd;
    }
    json::object servers{{key, std::move(entry)}};
    if (format == config_format::vscode) return json::serialize(json::object{{"servers", servers}, {"inputs", inputs}});
    return json::serialize(json::object{{"mcpServers", servers}});
}

}  // namespace mcpreg::resolve
