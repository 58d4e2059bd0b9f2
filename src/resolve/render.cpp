// What surrounds a launch spec: display quoting and the client configuration formats. (The entry lint is in
// lint.cpp.)
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

// Writes one value into `into` as the renderer makes it (secrets as placeholders, `${` refused).
result<void> put_value(renderer& r, json::object& into, std::string_view name, std::string_view text,
                       const std::vector<secret_span>& spans, const std::string& location)
{
    auto v = r.value(text, spans, location);
    if (!v) return v.error();
    into[name] = *v;
    return {};
}

// The environment (`env`) or the headers: every name checked, every value rendered. `root` is the JSON pointer
// of the server's entry.
result<json::object> render_map(renderer& r, const std::map<std::string, std::string>& values,
                                const std::map<std::string, std::vector<secret_span>>& secrets, const std::string& root,
                                std::string_view field, bool env)
{
    json::object out;
    for (const auto& [name, value] : values) {
        if (env ? !detail::valid_env_name(name) : !detail::valid_header_name(name))
            return make_error(
                errc::invalid_argument,
                std::string(env ? "the environment variable name '" : "the header name '") + name +
                    (env ? "' is not [A-Za-z_][A-Za-z0-9_]*; refused" : "' is not an HTTP token; refused"));
        if (auto done = put_value(r, out, name, value, spans_of(secrets, name),
                                  root + "/" + std::string(field) + "/" + pointer_token(name));
            !done)
            return done.error();
    }
    return out;
}

result<json::array> render_args(renderer& r, const launch_spec& spec, const std::string& root)
{
    json::array out;
    for (std::size_t i = 0; i < spec.args.size(); ++i) {
        auto v = r.value(spec.args[i], spans_of(spec.secrets.args, i), root + "/args/" + std::to_string(i));
        if (!v) return v.error();
        out.push_back(json::string(*v));
    }
    return out;
}

// The values of a launch spec as a configuration holds them.
struct rendered_values {
    std::optional<std::string> url;
    json::array args;
    json::object env;
    json::object headers;
};

// In reading order (url, args, env, headers), so the steps to fill in come in that order too.
result<rendered_values> render_values(renderer& r, const launch_spec& spec, const std::string& root)
{
    rendered_values out;
    if (spec.url) {
        auto v = r.value(*spec.url, spec.secrets.url, root + "/url");
        if (!v) return v.error();
        out.url = std::move(*v);
    }
    auto args = render_args(r, spec, root);
    if (!args) return args.error();
    out.args = std::move(*args);
    auto env = render_map(r, spec.env, spec.secrets.env, root, "env", true);
    if (!env) return env.error();
    out.env = std::move(*env);
    auto headers = render_map(r, spec.headers, spec.secrets.headers, root, "headers", false);
    if (!headers) return headers.error();
    out.headers = std::move(*headers);
    return out;
}

// The generic format: the whole launch spec (secrets masked) and its launch report.
result<rendered_config> generic_config(renderer& r, const launch_spec& spec, rendered_values& values)
{
    json::object out{{"transport", spec.transport}};
    if (spec.command.empty()) out["command"] = nullptr;
    else if (auto done = put_value(r, out, "command", spec.command, no_secrets, "/command"); !done) return done.error();
    out["args"] = std::move(values.args);
    out["env"] = std::move(values.env);
    out["cwd"] = spec.cwd ? json::value(*spec.cwd) : json::value(nullptr);
    out["url"] = values.url ? json::value(*values.url) : json::value(nullptr);
    out["headers"] = std::move(values.headers);
    out["notes"] = json::value_from(spec.notes);
    out["warnings"] = json::value_from(spec.warnings);
    out["report"] = report_json(spec.report);
    return rendered_config{json::serialize(out), std::move(r.fill_in)};
}

// The server's entry in a client's configuration: where to connect (a remote) or what to start (a package).
result<json::object> client_entry(renderer& r, const launch_spec& spec, rendered_values& values,
                                  const std::string& root)
{
    json::object entry;
    const bool remote = spec.command.empty();
    if (remote) {
        if (r.format == config_format::vscode) entry["type"] = spec.transport == "sse" ? "sse" : "http";
        entry["url"] = values.url.value_or("");
        if (!spec.headers.empty()) entry["headers"] = std::move(values.headers);
    }
    else {
        if (r.format == config_format::vscode) entry["type"] = "stdio";
        if (auto done = put_value(r, entry, "command", spec.command, no_secrets, root + "/command"); !done)
            return done.error();
        entry["args"] = std::move(values.args);
        if (!spec.env.empty()) entry["env"] = std::move(values.env);
        if (spec.cwd)
            if (auto done = put_value(r, entry, "cwd", *spec.cwd, no_secrets, root + "/cwd"); !done)
                return done.error();
    }
    return entry;
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
    auto values = render_values(r, spec, root);
    if (!values) return values.error();
    if (format == config_format::generic) return generic_config(r, spec, *values);
    auto entry = client_entry(r, spec, *values, root);
    if (!entry) return entry.error();
    json::object servers{{r.key, std::move(*entry)}};
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
