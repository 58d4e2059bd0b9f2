// What surrounds a launch spec: the entry lint, display quoting and the client configuration formats.
#include <mcpreg/resolve/resolve.hpp>

#include "policy.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>

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

namespace {

// How many bytes at `text[i]` form a character that a terminal or an editor would not show as itself: a C0
// control, DEL, a C1 control (U+0080 to U+009F) or a bidirectional control (U+061C, U+200E, U+200F, U+202A to
// U+202E, U+2066 to U+2069); 0 for anything else. Sets `code` to its code point.
std::size_t invisible_at(std::string_view text, std::size_t i, unsigned& code)
{
    const auto byte = [&](std::size_t k) { return k < text.size() ? static_cast<unsigned char>(text[k]) : 0u; };
    const unsigned c = byte(i);
    if (c < 0x20 || c == 0x7f) return code = c, 1;
    if (c == 0xc2 && byte(i + 1) >= 0x80 && byte(i + 1) <= 0x9f) return code = byte(i + 1), 2;
    if (c == 0xd8 && byte(i + 1) == 0x9c) return code = 0x061c, 2;
    if (c == 0xe2 && byte(i + 1) == 0x80 &&
        (byte(i + 2) == 0x8e || byte(i + 2) == 0x8f || (byte(i + 2) >= 0xaa && byte(i + 2) <= 0xae)))
        return code = 0x2000 + (byte(i + 2) - 0x80), 3;
    if (c == 0xe2 && byte(i + 1) == 0x81 && byte(i + 2) >= 0xa6 && byte(i + 2) <= 0xa9)
        return code = 0x2040 + (byte(i + 2) - 0x80), 3;
    return 0;
}

bool has_invisible(std::string_view text)
{
    unsigned code = 0;
    for (std::size_t i = 0; i < text.size(); ++i)
        if (invisible_at(text, i, code)) return true;
    return false;
}

std::string hex(unsigned value, int digits)
{
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%0*X", digits, value);
    return buffer;
}

// The typographic quotes PowerShell reads as quotes: U+2018 to U+201B as ', U+201C to U+201E as ".
std::size_t typographic_quote_at(std::string_view text, std::size_t i, bool& single)
{
    if (i + 2 < text.size() && static_cast<unsigned char>(text[i]) == 0xe2 &&
        static_cast<unsigned char>(text[i + 1]) == 0x80) {
        const auto third = static_cast<unsigned char>(text[i + 2]);
        if (third >= 0x98 && third <= 0x9b) return single = true, 3;
        if (third >= 0x9c && third <= 0x9e) return single = false, 3;
    }
    return 0;
}

}  // namespace

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
        if (has_invisible(arg)) {
            // $'...' (bash, zsh, ksh, POSIX.1-2024): every character that would not show as itself is escaped.
            out += "$'";
            for (std::size_t i = 0; i < arg.size();) {
                unsigned code = 0;
                if (const auto n = invisible_at(arg, i, code)) {
                    if (code == '\n') out += "\\n";
                    else if (code == '\r') out += "\\r";
                    else if (code == '\t') out += "\\t";
                    else if (code < 0x80) out += "\\x" + hex(code, 2);
                    else out += "\\u" + hex(code, 4);
                    i += n;
                    continue;
                }
                if (arg[i] == '\\' || arg[i] == '\'') out += '\\';
                out += arg[i++];
            }
            out += '\'';
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
        // Bare words only: no `,` (an array), no `--%` (stop parsing), nothing PowerShell reads as a number.
        const bool numeric =
            !arg.empty() && (std::isdigit(static_cast<unsigned char>(arg[0])) ||
                             (arg.size() > 1 && std::string_view("-+.").find(arg[0]) != std::string_view::npos &&
                              std::isdigit(static_cast<unsigned char>(arg[1]))));
        const bool plain = !arg.empty() && arg != "--%" && !numeric && std::all_of(arg.begin(), arg.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) ||
                   std::string_view("%+=:./_-\\").find(c) != std::string_view::npos;
        });
        // `&` runs a quoted command name.
        if (first && !plain) out += "& ";
        first = false;
        if (plain) {
            out += arg;
            continue;
        }
        if (has_invisible(arg)) {
            // A double-quoted string with backtick escapes; `, " (and its typographic forms) and $ escaped too.
            out += '"';
            for (std::size_t i = 0; i < arg.size();) {
                unsigned code = 0;
                bool single = false;
                if (const auto n = invisible_at(arg, i, code)) {
                    switch (code) {
                    case 0: out += "`0"; break;
                    case '\a': out += "`a"; break;
                    case '\b': out += "`b"; break;
                    case '\f': out += "`f"; break;
                    case '\n': out += "`n"; break;
                    case '\r': out += "`r"; break;
                    case '\t': out += "`t"; break;
                    case '\v': out += "`v"; break;
                    case 0x1b: out += "`e"; break;
                    default: out += "`u{" + hex(code, 4) + "}";
                    }
                    i += n;
                    continue;
                }
                if (const auto n = typographic_quote_at(arg, i, single); n && !single) {
                    out += '`';
                    out.append(arg, i, n);
                    i += n;
                    continue;
                }
                if (arg[i] == '`' || arg[i] == '"' || arg[i] == '$') out += '`';
                out += arg[i++];
            }
            out += '"';
            continue;
        }
        // Single-quoted: a quote, straight or typographic (U+2018 to U+201B), is written twice.
        out += '\'';
        for (std::size_t i = 0; i < arg.size();) {
            bool single = false;
            if (const auto n = typographic_quote_at(arg, i, single); n && single) {
                out.append(arg, i, n);
                out.append(arg, i, n);
                i += n;
                continue;
            }
            if (arg[i] == '\'') out += "''";
            else out += arg[i];
            ++i;
        }
        out += '\'';
    }
    return out;
}

namespace {

std::string pointer_token(std::string_view text)
{
    std::string out;
    for (char c : text) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out += c;
    }
    return out;
}

// A name made of [A-Za-z0-9_] (env) or [A-Za-z0-9_.-] (ids) from any input name.
std::string safe_name(std::string_view name, bool env)
{
    std::string out;
    for (char c : name) {
        const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                          (!env && (c == '.' || c == '-'));
        out += keep ? c : '_';
    }
    if (out.empty() || (env && out[0] >= '0' && out[0] <= '9')) out.insert(out.begin(), '_');
    return out.substr(0, 128);
}

bool safe_key(std::string_view key)
{
    if (key.empty() || key.size() > 200 || !std::isalnum(static_cast<unsigned char>(key[0]))) return false;
    return std::all_of(key.begin(), key.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    });
}

// Every string of a client configuration is made here, and nowhere else: registry and input text as it is,
// secrets as the format's placeholder (or masked, or revealed on request), and a refusal for any `${` the
// client would expand that is not a placeholder this function wrote.
struct renderer {
    config_format format;
    const render_options& options;
    std::string key;
    json::array inputs;                            // VS Code prompts
    std::map<std::string, std::string> ids;        // input name -> VS Code input id / Claude placeholder name
    std::map<std::string, std::string> variables;  // input name -> Cursor environment variable
    std::vector<fill_in_step> fill_in;

    std::string_view client() const
    {
        switch (format) {
        case config_format::vscode: return "VS Code";
        case config_format::cursor: return "Cursor";
        case config_format::claude_desktop: return "Claude Desktop";
        default: return "the host";
        }
    }

    static std::string unique(std::map<std::string, std::string>& names, const std::string& input, std::string name)
    {
        if (auto it = names.find(input); it != names.end()) return it->second;
        const auto taken = [&](const std::string& n) {
            return std::any_of(names.begin(), names.end(), [&](const auto& kv) { return kv.second == n; });
        };
        for (int n = 2; taken(name); ++n) name = name.substr(0, name.rfind("__")) + "__" + std::to_string(n);
        names.emplace(input, name);
        return name;
    }

    std::string placeholder(const secret_span& span, std::string_view secret_text, const std::string& location)
    {
        const secret held{std::string(secret_text)};
        switch (format) {
        case config_format::vscode: {
            // The id is ours, not the registry's: prefixed, so it never meets another server's inputs.
            const auto id = unique(ids, span.input, safe_name("mcpreg." + key + "." + span.input, false));
            if (std::none_of(inputs.begin(), inputs.end(),
                             [&](const json::value& v) { return v.as_object().at("id").as_string() == id; }))
                inputs.push_back(json::object{{"type", "promptString"},
                                              {"id", id},
                                              {"description", safe_name(span.input, false) + " for " + key},
                                              {"password", true}});
            return "${input:" + id + "}";
        }
        case config_format::cursor: {
            const bool known = variables.contains(span.input);
            // Cursor fills ${env:NAME} from its own environment: a name the registry chose could hand the server
            // any variable the user has (AWS_SECRET_ACCESS_KEY). Ours are MCPREG_<server>_<input>, set for it.
            const auto name = unique(variables, span.input, safe_name("MCPREG_" + key + "_" + span.input, true));
            const auto text = "${env:" + name + "}";
            if (!known)
                fill_in.push_back({span.input, text, location,
                                   "set the environment variable " + name + " to the value of " +
                                       safe_name(span.input, false) + " in the environment Cursor starts from",
                                   held});
            return text;
        }
        case config_format::claude_desktop: {
            const auto text = "<" + unique(ids, span.input, safe_name(span.input, false)) + ">";
            fill_in.push_back(
                {span.input, text, location,
                 "replace " + text + " at " + location + " with the value of " + safe_name(span.input, false), held});
            return text;
        }
        default: return "********";
        }
    }

    result<std::string> value(std::string_view text, const std::vector<secret_span>& spans, const std::string& location)
    {
        auto sorted = spans;
        std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.offset < b.offset; });
        std::string out;
        std::vector<std::size_t> ours;  // where this function's placeholders start
        std::size_t at = 0;
        for (const auto& span : sorted) {
            const auto start = std::min(span.offset, text.size());
            const auto end = std::min(span.offset + span.length, text.size());
            if (start < at) {  // overlapping spans: the placeholder written covers the rest too
                at = std::max(at, end);
                continue;
            }
            out += text.substr(at, start - at);
            if (options.reveal_secrets) out += text.substr(start, end - start);
            else {
                if (format == config_format::vscode || format == config_format::cursor) ours.push_back(out.size());
                out += placeholder(span, text.substr(start, end - start), location);
            }
            at = end;
        }
        out += text.substr(std::min(at, text.size()));
        if (format != config_format::generic)
            for (auto found = out.find("${"); found != std::string::npos; found = out.find("${", found + 1))
                if (std::find(ours.begin(), ours.end(), found) == ours.end())
                    return make_error(errc::invalid_argument,
                                      "the value at " + location + " holds '${', which " + std::string(client()) +
                                          " would expand (a registry entry must not make the client read its "
                                          "variables, environment or commands); it is refused");
        return out;
    }
};

const std::vector<secret_span> no_secrets;

template <class Map>
const std::vector<secret_span>& spans_of(const Map& map, const typename Map::key_type& key)
{
    auto it = map.find(key);
    return it == map.end() ? no_secrets : it->second;
}

json::object report_json(const launch_report& r)
{
    json::array mounts;
    for (const auto& m : r.mounts)
        mounts.push_back(json::object{{"hostPath", m.host_path},
                                      {"containerPath", m.container_path},
                                      {"readOnly", m.read_only},
                                      {"kind", m.kind}});
    return json::object{
        {"runner", r.runner},
        {"package", r.package},
        {"packageRegistry", r.package_registry ? json::value(*r.package_registry) : json::value(nullptr)},
        {"mounts", std::move(mounts)},
        {"publishedPorts", json::value_from(r.published_ports)},
        {"network", r.network ? json::value(*r.network) : json::value(nullptr)},
        {"hostAccess", json::value_from(r.host_access)},
        {"overrides", json::value_from(r.overrides)},
        {"env", json::value_from(r.env)},
        {"runnerOptions", json::value_from(r.runner_options)}};
}

}  // namespace

result<rendered_config> render_config(const launch_spec& spec, std::string_view server_name, config_format format,
                                      const render_options& options)
{
    const auto slash = server_name.rfind('/');
    renderer r{format, options, std::string(server_name.substr(slash == std::string_view::npos ? 0 : slash + 1)),
               {},     {},      {},
               {}};
    if (!safe_key(r.key))
        return make_error(errc::invalid_argument, "the server name's last segment is not a safe configuration key "
                                                  "([A-Za-z0-9][A-Za-z0-9._-]*); refused");
    const std::string root = format == config_format::generic  ? ""
                             : format == config_format::vscode ? "/servers/" + pointer_token(r.key)
                                                               : "/mcpServers/" + pointer_token(r.key);
    json::object entry;
    auto put = [&](json::object& into, std::string_view name, std::string_view text,
                   const std::vector<secret_span>& spans, const std::string& location) -> result<void> {
        auto v = r.value(text, spans, location);
        if (!v) return v.error();
        into[name] = *v;
        return {};
    };
    auto map_of = [&](const std::map<std::string, std::string>& values,
                      const std::map<std::string, std::vector<secret_span>>& secrets, std::string_view field,
                      bool env) -> result<json::object> {
        json::object out;
        for (const auto& [name, value] : values) {
            if (env ? !detail::valid_env_name(name) : !detail::valid_header_name(name))
                return make_error(
                    errc::invalid_argument,
                    std::string(env ? "the environment variable name '" : "the header name '") + name +
                        (env ? "' is not [A-Za-z_][A-Za-z0-9_]*; refused" : "' is not an HTTP token; refused"));
            if (auto done = put(out, name, value, spans_of(secrets, name),
                                root + "/" + std::string(field) + "/" + pointer_token(name));
                !done)
                return done.error();
        }
        return out;
    };
    auto args_of = [&]() -> result<json::array> {
        json::array out;
        for (std::size_t i = 0; i < spec.args.size(); ++i) {
            auto v = r.value(spec.args[i], spans_of(spec.secrets.args, i), root + "/args/" + std::to_string(i));
            if (!v) return v.error();
            out.push_back(json::string(*v));
        }
        return out;
    };
    // In reading order (url, args, env, headers), so the steps to fill in come in that order too.
    std::optional<std::string> url;
    if (spec.url) {
        auto v = r.value(*spec.url, spec.secrets.url, root + "/url");
        if (!v) return v.error();
        url = std::move(*v);
    }
    auto args = args_of();
    if (!args) return args.error();
    auto env = map_of(spec.env, spec.secrets.env, "env", true);
    if (!env) return env.error();
    auto headers = map_of(spec.headers, spec.secrets.headers, "headers", false);
    if (!headers) return headers.error();

    if (format == config_format::generic) {
        json::object out{{"transport", spec.transport}};
        if (spec.command.empty()) out["command"] = nullptr;
        else if (auto done = put(out, "command", spec.command, no_secrets, "/command"); !done) return done.error();
        out["args"] = std::move(*args);
        out["env"] = std::move(*env);
        out["cwd"] = spec.cwd ? json::value(*spec.cwd) : json::value(nullptr);
        out["url"] = url ? json::value(*url) : json::value(nullptr);
        out["headers"] = std::move(*headers);
        out["notes"] = json::value_from(spec.notes);
        out["warnings"] = json::value_from(spec.warnings);
        out["report"] = report_json(spec.report);
        return rendered_config{json::serialize(out), std::move(r.fill_in)};
    }
    const bool remote = spec.command.empty();
    if (remote) {
        if (format == config_format::vscode) entry["type"] = spec.transport == "sse" ? "sse" : "http";
        entry["url"] = url.value_or("");
        if (!spec.headers.empty()) entry["headers"] = std::move(*headers);
    }
    else {
        if (format == config_format::vscode) entry["type"] = "stdio";
        if (auto done = put(entry, "command", spec.command, no_secrets, root + "/command"); !done) return done.error();
        entry["args"] = std::move(*args);
        if (!spec.env.empty()) entry["env"] = std::move(*env);
        if (spec.cwd)
            if (auto done = put(entry, "cwd", *spec.cwd, no_secrets, root + "/cwd"); !done) return done.error();
    }
    json::object servers{{r.key, std::move(entry)}};
    if (format == config_format::vscode)
        return rendered_config{json::serialize(json::object{{"servers", servers}, {"inputs", r.inputs}}),
                               std::move(r.fill_in)};
    return rendered_config{json::serialize(json::object{{"mcpServers", servers}}), std::move(r.fill_in)};
}

std::string client_config(const launch_spec& spec, std::string_view server_name, config_format format)
{
    auto rendered = render_config(spec, server_name, format);
    return rendered ? std::move(rendered->text) : std::string();
}

}  // namespace mcpreg::resolve
