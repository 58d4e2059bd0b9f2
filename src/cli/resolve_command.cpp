// mcpreg resolve: a registry entry as an argv vector, a JSON launch spec or a client configuration.
#include "cli.hpp"
#include "terminal.hpp"

#include <mcpreg/client/blocking_client.hpp>
#include <mcpreg/config.hpp>
#include <mcpreg/model/json.hpp>
#if MCPREG_WITH_MCPB
#include <mcpreg/resolve/mcpb.hpp>
#endif
#include <mcpreg/resolve/resolve.hpp>

#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace mcpreg::cli {
namespace json = boost::json;
namespace {

constexpr std::string_view usage =
    "usage: mcpreg [--registry URL] resolve NAME[@VERSION] | --file PATH\n"
    "                                       [--package TYPE|INDEX|remote[:N]] [--input KEY=VALUE]...\n"
    "                                       [--runner FROM=TO]... [--joined] [--no-remotes] [--bundle-cache DIR]\n"
    "                                       [--allow-runner-option OPT]... [--reveal-secrets]\n"
    "                                       [--format argv|json|vscode|claude|cursor|posix|powershell]\n"
    "\n"
    "Turns a registry entry into what a host runs or connects to. Nothing is launched. Problems that make\n"
    "the entry hard to launch are reported on standard error as 'lint: POINTER: RULE: message'.\n"
    "  --package P     a package by registry type (npm, pypi, oci, nuget, cargo) or index, or a remote;\n"
    "                  default: a remote when there is one, else the first package in the order\n"
    "                  npm, pypi, oci, nuget, cargo\n"
    "  --input K=V     a value for an input: a named argument (--port=8080), a positional argument's\n"
    "                  valueHint, an environment variable, a header or a {variable}; repeat for lists\n"
    "  --runner F=T    use runner T where F would run (docker=podman, npx=bunx)\n"
    "  --joined        named arguments as one token, --name=value\n"
    "  --no-remotes    prefer packages even when the entry has remotes\n"
    "  --bundle-cache D  where MCPB bundles are kept, by SHA-256 (default $XDG_CACHE_HOME/mcpreg/bundles,\n"
    "                  else ~/.cache/mcpreg/bundles); a bundle is downloaded over HTTPS, verified against\n"
    "                  fileSha256 and extracted safely before its manifest is read\n"
    "  --allow-runner-option OPT  accept what the runner policy refuses, as the refusal names it: a runtime\n"
    "                  option (--privileged, --network, -v, --call...), 'operands', 'env:NAME', or 'all'\n"
    "  --reveal-secrets  print secret values instead of masks and placeholders\n"
    "  --format F      argv (default): NAME=VALUE environment lines (secrets masked), then one argument\n"
    "                  per line; for a remote, the URL, then 'Header: value' lines. A value holding a line\n"
    "                  break or another control character is refused (exit 1): use json.\n"
    "                  json: {\"transport\",\"command\",\"args\",\"env\",\"cwd\",\"url\",\"headers\",\"notes\",\n"
    "                  \"warnings\",\"report\"} (secrets masked; report: what the launch will do).\n"
    "                  vscode | claude | cursor: that client's configuration; secrets become VS Code password\n"
    "                  prompts, Cursor ${env:NAME}, Claude Desktop <NAME> placeholders; what to fill in is\n"
    "                  listed on standard error. posix | powershell: the command line, quoted for display only.\n"
    "Exit status: 0 resolved, 1 not found, not launchable or refused, 2 bad arguments, 3 inputs missing (listed).\n";

constexpr int exit_missing_inputs = 3;

std::string default_bundle_cache()
{
    std::filesystem::path dir;
    if (const char* cache = std::getenv("XDG_CACHE_HOME"); cache && *cache) dir = cache;
    else if (const char* home = std::getenv("HOME"); home && *home) dir = std::filesystem::path(home) / ".cache";
    else dir = ".";
    return (dir / "mcpreg" / "bundles").string();
}

json::object missing_json(const resolve::missing_input& m)
{
    json::object o{{"name", m.name},          {"usedIn", m.used_in}, {"isRequired", m.is_required},
                   {"isSecret", m.is_secret}, {"format", m.format},  {"problem", m.problem}};
    if (m.description) o["description"] = *m.description;
    if (m.default_value) o["default"] = *m.default_value;
    if (m.choices) o["choices"] = json::value_from(*m.choices);
    return o;
}

// Error messages quote registry text (names, options, values): printed as visible text only.
std::string shown(const error& e) { return terminal_text(e.what()); }

// A value --format argv can print on one line as it is: a line break would start a line of its own (a value
// could add an `LD_PRELOAD=` line), and other controls (C0, DEL, C1, bidi) would be shown escaped, not as they
// are. terminal_text changes exactly those.
bool one_line(std::string_view text) { return terminal_text(text) == text; }

// The command line of `mcpreg resolve`, read but not yet checked against the entry.
struct resolve_request {
    std::optional<std::string> reference, file;
    resolve::selection which;
    resolve::input_values inputs;
    resolve::options opts;
    std::string format = "argv";
    std::string bundle_cache = default_bundle_cache();
    resolve::render_options rendering;
};

// The helpers below that can end the command return the exit code to end it with, after printing why;
// nullopt lets it go on.

// The value of --input KEY=VALUE (KEY may be a named argument's flag: --port=8080) or --runner FROM=TO.
std::optional<int> take_key_value(std::string_view flag, std::string_view text, resolve_request& request)
{
    const auto eq = text.find('=', text.starts_with("-") ? text.find_first_not_of('-') : 0);
    if (eq == std::string_view::npos || eq == 0) {
        std::cerr << "mcpreg resolve: " << flag << " takes KEY=VALUE\n";
        return exit_unreadable;
    }
    if (flag == "--input") request.inputs[std::string(text.substr(0, eq))].emplace_back(text.substr(eq + 1));
    else request.opts.runner_overrides[std::string(text.substr(0, eq))] = std::string(text.substr(eq + 1));
    return std::nullopt;
}

std::optional<int> parse_arguments(const arguments& args, resolve_request& request)
{
    for (std::size_t i = 0; i < args.size(); ++i) {
        const bool has_value = i + 1 < args.size();
        const auto arg = args[i];
        if (arg == "--help" || arg == "-h") {
            std::cout << usage;
            return exit_ok;
        }
        if (arg == "--package" && has_value) {
            auto parsed = resolve::selection::parse(args[++i]);
            if (!parsed) {
                std::cerr << "mcpreg resolve: --package: " << shown(parsed.error()) << '\n';
                return exit_unreadable;
            }
            request.which = *parsed;
        }
        else if ((arg == "--input" || arg == "--runner") && has_value) {
            if (auto stop = take_key_value(arg, args[++i], request)) return stop;
        }
        else if (arg == "--format" && has_value) request.format = std::string(args[++i]);
        else if (arg == "--file" && has_value) request.file = std::string(args[++i]);
        else if (arg == "--bundle-cache" && has_value) request.bundle_cache = std::string(args[++i]);
        else if (arg == "--allow-runner-option" && has_value) request.opts.allowed_runner_options.emplace(args[++i]);
        else if (arg.starts_with("--allow-runner-option=")) request.opts.allowed_runner_options.emplace(arg.substr(22));
        else if (arg == "--reveal-secrets") request.rendering.reveal_secrets = true;
        else if (arg == "--joined") request.opts.joined_named_arguments = true;
        else if (arg == "--no-remotes") request.opts.allow_remotes = false;
        else if (!arg.starts_with("--") && !request.reference) request.reference = std::string(arg);
        else {
            std::cerr << "mcpreg resolve: unexpected argument '" << terminal_text(arg) << "'\n" << usage;
            return exit_unreadable;
        }
    }
    static const std::set<std::string> formats = {"argv", "json", "vscode", "claude", "cursor", "posix", "powershell"};
    if (!formats.contains(request.format)) {
        std::cerr << "mcpreg resolve: --format takes argv, json, vscode, claude, cursor, posix or powershell\n";
        return exit_unreadable;
    }
    if (request.reference.has_value() == request.file.has_value()) {
        std::cerr << "mcpreg resolve: give NAME[@VERSION] or --file PATH\n" << usage;
        return exit_unreadable;
    }
    return std::nullopt;
}

// The entry in the server.json at `path` (--file).
std::optional<int> read_server_file(const std::string& path, model::server& server)
{
    auto document = model::read_json_file(path);
    if (!document) {
        std::cerr << "mcpreg resolve: " << shown(document.error()) << '\n';
        return exit_unreadable;
    }
    auto parsed = model::server_from_json(*document);
    if (!parsed) {
        std::cerr << "mcpreg resolve: " << terminal_text(path) << ": " << shown(parsed.error()) << '\n';
        return exit_unreadable;
    }
    server = std::move(*parsed);
    return std::nullopt;
}

// The entry NAME[@VERSION] names in the registry; its latest version without @VERSION.
std::optional<int> fetch_server(const client_options& options, const std::string& reference, model::server& server)
{
    const auto at = reference.find('@');
    const std::string name = reference.substr(0, at);
    const std::string version = at == std::string::npos ? "latest" : reference.substr(at + 1);
    auto c = blocking_client::create(options);
    if (!c) {
        std::cerr << "mcpreg resolve: " << shown(c.error()) << '\n';
        return exit_unreadable;
    }
    auto entry = c->get_server({.name = name, .version = version});
    if (!entry) {
        std::cerr << "mcpreg resolve: " << shown(entry.error()) << '\n';
        return exit_invalid;
    }
    server = std::move(entry->server);
    return std::nullopt;
}

void print_lint(const model::server& server)
{
    for (const auto& issue : resolve::lint(server))
        std::cerr << "lint: " << terminal_text(issue.path) << ": " << terminal_text(issue.rule) << ": "
                  << terminal_text(issue.message) << '\n';
}

#if MCPREG_WITH_MCPB
// packages[index] is an MCPB bundle: downloaded (with the tool's client options, up to the bundle's size limit),
// verified and extracted into the bundle cache, then resolved from its manifest.
result<resolve::resolution> resolve_bundle_package(const client_options& options, const resolve_request& request,
                                                   const model::server& server, std::size_t index)
{
    resolve::bundle_fetcher fetch = [&options](const std::string& url, std::uint64_t max_bytes) -> result<std::string> {
        auto download = options;
        download.max_response_bytes = max_bytes;
        auto got = fetch_url(url, download);
        if (!got) return got.error();
        if (got->status != 200) return make_error(errc::bad_response, url + ": HTTP " + std::to_string(got->status));
        return std::move(got->body);
    };
    auto extracted = resolve::fetch_bundle((*server.packages)[index], request.bundle_cache, fetch);
    if (!extracted) return extracted.error();
    resolve::mcpb_options bundle_options;
    bundle_options.allowed_runner_options = request.opts.allowed_runner_options;
    return resolve::resolve_bundle(server, index, *extracted, request.inputs, bundle_options);
}
#endif

// The chosen package or remote resolved; nullopt (after printing why) when it cannot be: the command then ends
// with exit_invalid. `options` is unused when MCPB bundles are not built in.
std::optional<resolve::resolution> resolve_entry([[maybe_unused]] const client_options& options,
                                                 const resolve_request& request, const model::server& server)
{
    auto chosen = resolve::choose(server, request.which, request.opts);
    if (!chosen) {
        std::cerr << "mcpreg resolve: " << shown(chosen.error()) << '\n';
        return std::nullopt;
    }
    result<resolve::resolution> resolved = resolve::resolution{};
    const bool bundle = !chosen->remote && (*server.packages)[chosen->index].kind() == model::registry_kind::mcpb;
    if (bundle) {
#if MCPREG_WITH_MCPB
        resolved = resolve_bundle_package(options, request, server, chosen->index);
#else
        std::cerr << "mcpreg resolve: this mcpreg was built without MCPB bundles (MCPREG_WITH_MCPB=OFF)\n";
        return std::nullopt;
#endif
    }
    else {
        resolved = resolve::resolve(server, request.which, request.inputs, request.opts);
    }
    if (!resolved) {
        std::cerr << "mcpreg resolve: " << shown(resolved.error()) << '\n';
        return std::nullopt;
    }
    return std::move(*resolved);
}

// One line per missing input: name, where it is used and the problem, then what is known about it, tab-separated.
void print_missing_line(const resolve::missing_input& m)
{
    std::cout << terminal_text(m.name) << "\t" << terminal_text(m.used_in) << "\t" << terminal_text(m.problem);
    if (m.is_secret) std::cout << "\tsecret";
    if (m.default_value) std::cout << "\tdefault " << terminal_text(*m.default_value);
    if (m.choices) {
        std::string list;
        for (const auto& c : *m.choices) list += (list.empty() ? "" : "|") + c;
        std::cout << "\tchoices " << terminal_text(list);
    }
    if (m.description) std::cout << "\t" << terminal_text(*m.description);
    std::cout << '\n';
}

// The inputs still needed: a JSON document with --format json, else a heading on standard error and a line each.
void print_missing_inputs(std::string_view format, const std::string& server_name,
                          const std::vector<resolve::missing_input>& missing)
{
    if (format == "json") {
        json::array list;
        for (const auto& m : missing) list.push_back(missing_json(m));
        std::cout << terminal_json(json::object{{"missing", list}}) << '\n';
        return;
    }
    std::cerr << "mcpreg resolve: " << terminal_text(server_name)
              << " needs inputs (supply each with --input NAME=VALUE):\n";
    for (const auto& m : missing) print_missing_line(m);
}

using secret_spans_by_name = std::map<std::string, std::vector<resolve::secret_span>>;

// Where the secrets sit in the value `name` (an environment variable or a header); none when it holds none.
const std::vector<resolve::secret_span>& spans_of(const secret_spans_by_name& spans, const std::string& name)
{
    static const std::vector<resolve::secret_span> none;
    auto it = spans.find(name);
    return it == spans.end() ? none : it->second;
}

// A value as it is shown: its secrets masked unless --reveal-secrets.
std::string displayed(const std::string& value, const std::vector<resolve::secret_span>& spans, bool reveal)
{
    return reveal ? value : resolve::mask_secrets(value, spans);
}

// The configuration formats (json is the generic launch spec), by --format name.
std::optional<resolve::config_format> config_format_of(const std::string& format)
{
    static const std::map<std::string, resolve::config_format> configs = {
        {"json", resolve::config_format::generic},
        {"vscode", resolve::config_format::vscode},
        {"claude", resolve::config_format::claude_desktop},
        {"cursor", resolve::config_format::cursor}};
    if (auto config = configs.find(format); config != configs.end()) return config->second;
    return std::nullopt;
}

int print_config(const resolve::launch_spec& spec, const std::string& server_name, resolve::config_format format,
                 const resolve::render_options& rendering)
{
    auto rendered = resolve::render_config(spec, server_name, format, rendering);
    if (!rendered) {
        std::cerr << "mcpreg resolve: " << shown(rendered.error()) << '\n';
        return exit_invalid;
    }
    std::cout << terminal_json_text(rendered->text) << '\n';
    for (const auto& step : rendered->fill_in) std::cerr << "fill in: " << terminal_text(step.instruction) << '\n';
    return exit_ok;
}

// Adds `line` to what --format argv prints; false, after naming `what` holds it, when it cannot be one line.
bool add_argv_line(std::vector<std::string>& lines, std::string_view what, std::string line)
{
    if (!one_line(line)) {
        std::cerr << "mcpreg resolve: " << terminal_text(what)
                  << " holds a line break or another control character, which --format argv cannot show "
                     "one per line as it is; use --format json\n";
        return false;
    }
    lines.push_back(std::move(line));
    return true;
}

// NAME<separator>VALUE lines for environment variables or headers; `kind` names them in a refusal.
bool add_named_lines(std::vector<std::string>& lines, const std::map<std::string, std::string>& values,
                     const secret_spans_by_name& secrets, std::string_view separator, std::string_view kind,
                     bool reveal)
{
    for (const auto& [name, value] : values)
        if (!add_argv_line(lines, std::string(kind) + " " + name,
                           name + std::string(separator) + displayed(value, spans_of(secrets, name), reveal)))
            return false;
    return true;
}

// --format argv: a package's environment lines then its arguments, or a remote's URL then its header lines.
// One value per line: every line is checked before anything is printed.
int print_argv_lines(const resolve::launch_spec& spec, const std::vector<std::string>& argv, const std::string& url,
                     bool reveal)
{
    std::vector<std::string> lines;
    bool ok = true;
    if (spec.command.empty())
        ok = add_argv_line(lines, "the URL", url) &&
             add_named_lines(lines, spec.headers, spec.secrets.headers, ": ", "the header", reveal);
    else {
        ok = add_named_lines(lines, spec.env, spec.secrets.env, "=", "the environment variable", reveal);
        for (std::size_t i = 0; ok && i < argv.size(); ++i)
            ok = add_argv_line(lines, "argument " + std::to_string(i), argv[i]);
    }
    if (!ok) return exit_invalid;
    for (const auto& line : lines) std::cout << terminal_text(line) << '\n';
    return exit_ok;
}

// --format posix, powershell or argv.
int print_command_line(const resolve::launch_spec& spec, std::string_view format, bool reveal)
{
    const auto argv = reveal ? spec.argv() : spec.masked_argv();
    const auto url = spec.url ? displayed(*spec.url, spec.secrets.url, reveal) : std::string();
    if ((format == "posix" || format == "powershell") && spec.command.empty())
        std::cout << terminal_text(url) << '\n';  // a remote has no command line
    else if (format == "posix") std::cout << terminal_text(resolve::posix_command_line(argv)) << '\n';
    else if (format == "powershell") std::cout << terminal_text(resolve::powershell_command_line(argv)) << '\n';
    else return print_argv_lines(spec, argv, url, reveal);
    return exit_ok;
}

// A complete resolution: its notes and warnings on standard error, then the spec in the requested format.
int print_resolution(const resolve_request& request, const std::string& server_name, const resolve::launch_spec& spec)
{
    for (const auto& n : spec.notes) std::cerr << "note: " << terminal_text(n) << '\n';
    for (const auto& w : spec.warnings) std::cerr << "warning: " << terminal_text(w) << '\n';
    if (auto config = config_format_of(request.format))
        return print_config(spec, server_name, *config, request.rendering);
    return print_command_line(spec, request.format, request.rendering.reveal_secrets);
}

}  // namespace

int run_resolve(const client_options& options, const arguments& args)
{
    resolve_request request;
    if (auto stop = parse_arguments(args, request)) return *stop;
    model::server server;
    if (auto stop =
            request.file ? read_server_file(*request.file, server) : fetch_server(options, *request.reference, server))
        return *stop;
    print_lint(server);
    const auto resolved = resolve_entry(options, request, server);
    if (!resolved) return exit_invalid;
    if (!resolved->complete()) {
        print_missing_inputs(request.format, server.name, resolved->missing);
        return exit_missing_inputs;
    }
    return print_resolution(request, server.name, resolved->spec);
}

}  // namespace mcpreg::cli
