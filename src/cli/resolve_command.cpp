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

}  // namespace

int run_resolve(const client_options& options, const arguments& args)
{
    std::optional<std::string> reference, file;
    resolve::selection which;
    resolve::input_values inputs;
    resolve::options opts;
    std::string format = "argv";
    std::string bundle_cache = default_bundle_cache();
    resolve::render_options rendering;
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
            which = *parsed;
        }
        else if ((arg == "--input" || arg == "--runner") && has_value) {
            const auto text = args[++i];
            const auto eq = text.find('=', text.starts_with("-") ? text.find_first_not_of('-') : 0);
            if (eq == std::string_view::npos || eq == 0) {
                std::cerr << "mcpreg resolve: " << arg << " takes KEY=VALUE\n";
                return exit_unreadable;
            }
            if (arg == "--input") inputs[std::string(text.substr(0, eq))].emplace_back(text.substr(eq + 1));
            else opts.runner_overrides[std::string(text.substr(0, eq))] = std::string(text.substr(eq + 1));
        }
        else if (arg == "--format" && has_value) format = std::string(args[++i]);
        else if (arg == "--file" && has_value) file = std::string(args[++i]);
        else if (arg == "--bundle-cache" && has_value) bundle_cache = std::string(args[++i]);
        else if (arg == "--allow-runner-option" && has_value) opts.allowed_runner_options.emplace(args[++i]);
        else if (arg.starts_with("--allow-runner-option=")) opts.allowed_runner_options.emplace(arg.substr(22));
        else if (arg == "--reveal-secrets") rendering.reveal_secrets = true;
        else if (arg == "--joined") opts.joined_named_arguments = true;
        else if (arg == "--no-remotes") opts.allow_remotes = false;
        else if (!arg.starts_with("--") && !reference) reference = std::string(arg);
        else {
            std::cerr << "mcpreg resolve: unexpected argument '" << terminal_text(arg) << "'\n" << usage;
            return exit_unreadable;
        }
    }
    static const std::set<std::string> formats = {"argv", "json", "vscode", "claude", "cursor", "posix", "powershell"};
    if (!formats.contains(format)) {
        std::cerr << "mcpreg resolve: --format takes argv, json, vscode, claude, cursor, posix or powershell\n";
        return exit_unreadable;
    }
    if (reference.has_value() == file.has_value()) {
        std::cerr << "mcpreg resolve: give NAME[@VERSION] or --file PATH\n" << usage;
        return exit_unreadable;
    }

    model::server server;
    if (file) {
        auto document = model::read_json_file(*file);
        if (!document) {
            std::cerr << "mcpreg resolve: " << shown(document.error()) << '\n';
            return exit_unreadable;
        }
        auto parsed = model::server_from_json(*document);
        if (!parsed) {
            std::cerr << "mcpreg resolve: " << terminal_text(*file) << ": " << shown(parsed.error()) << '\n';
            return exit_unreadable;
        }
        server = std::move(*parsed);
    }
    else {
        const auto at = reference->find('@');
        const std::string name = reference->substr(0, at);
        const std::string version = at == std::string::npos ? "latest" : reference->substr(at + 1);
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
    }

    for (const auto& issue : resolve::lint(server))
        std::cerr << "lint: " << terminal_text(issue.path) << ": " << terminal_text(issue.rule) << ": "
                  << terminal_text(issue.message) << '\n';
    auto chosen = resolve::choose(server, which, opts);
    if (!chosen) {
        std::cerr << "mcpreg resolve: " << shown(chosen.error()) << '\n';
        return exit_invalid;
    }
    result<resolve::resolution> resolved = resolve::resolution{};
    const bool bundle = !chosen->remote && (*server.packages)[chosen->index].kind() == model::registry_kind::mcpb;
    if (bundle) {
#if MCPREG_WITH_MCPB
        const auto index = chosen->index;
        resolve::bundle_fetcher fetch = [&](const std::string& url, std::uint64_t max_bytes) -> result<std::string> {
            auto download = options;
            download.max_response_bytes = max_bytes;
            auto got = fetch_url(url, download);
            if (!got) return got.error();
            if (got->status != 200)
                return make_error(errc::bad_response, url + ": HTTP " + std::to_string(got->status));
            return std::move(got->body);
        };
        auto extracted = resolve::fetch_bundle((*server.packages)[index], bundle_cache, fetch);
        if (!extracted) {
            std::cerr << "mcpreg resolve: " << shown(extracted.error()) << '\n';
            return exit_invalid;
        }
        resolve::mcpb_options bundle_options;
        bundle_options.allowed_runner_options = opts.allowed_runner_options;
        resolved = resolve::resolve_bundle(server, index, *extracted, inputs, bundle_options);
#else
        std::cerr << "mcpreg resolve: this mcpreg was built without MCPB bundles (MCPREG_WITH_MCPB=OFF)\n";
        return exit_invalid;
#endif
    }
    else {
        resolved = resolve::resolve(server, which, inputs, opts);
    }
    if (!resolved) {
        std::cerr << "mcpreg resolve: " << shown(resolved.error()) << '\n';
        return exit_invalid;
    }
    if (!resolved->complete()) {
        if (format == "json") {
            json::array list;
            for (const auto& m : resolved->missing) list.push_back(missing_json(m));
            std::cout << terminal_json(json::object{{"missing", list}}) << '\n';
        }
        else {
            std::cerr << "mcpreg resolve: " << terminal_text(server.name)
                      << " needs inputs (supply each with --input NAME=VALUE):\n";
            for (const auto& m : resolved->missing) {
                std::cout << terminal_text(m.name) << "\t" << terminal_text(m.used_in) << "\t"
                          << terminal_text(m.problem);
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
        }
        return exit_missing_inputs;
    }
    const auto& spec = resolved->spec;
    for (const auto& n : spec.notes) std::cerr << "note: " << terminal_text(n) << '\n';
    for (const auto& w : spec.warnings) std::cerr << "warning: " << terminal_text(w) << '\n';
    const bool reveal = rendering.reveal_secrets;
    auto display = [&](const std::string& value, const std::vector<resolve::secret_span>& spans) {
        return reveal ? value : resolve::mask_secrets(value, spans);
    };
    auto spans_of = [](const auto& map, const auto& key) {
        static const std::vector<resolve::secret_span> none;
        auto it = map.find(key);
        return it == map.end() ? none : it->second;
    };
    static const std::map<std::string, resolve::config_format> configs = {
        {"json", resolve::config_format::generic},
        {"vscode", resolve::config_format::vscode},
        {"claude", resolve::config_format::claude_desktop},
        {"cursor", resolve::config_format::cursor}};
    if (auto config = configs.find(format); config != configs.end()) {
        auto rendered = resolve::render_config(spec, server.name, config->second, rendering);
        if (!rendered) {
            std::cerr << "mcpreg resolve: " << shown(rendered.error()) << '\n';
            return exit_invalid;
        }
        std::cout << terminal_json_text(rendered->text) << '\n';
        for (const auto& step : rendered->fill_in) std::cerr << "fill in: " << terminal_text(step.instruction) << '\n';
        return exit_ok;
    }
    const auto argv = reveal ? spec.argv() : spec.masked_argv();
    const auto url = spec.url ? display(*spec.url, spec.secrets.url) : std::string();
    if ((format == "posix" || format == "powershell") && spec.command.empty())
        std::cout << terminal_text(url) << '\n';  // a remote has no command line
    else if (format == "posix") std::cout << terminal_text(resolve::posix_command_line(argv)) << '\n';
    else if (format == "powershell") std::cout << terminal_text(resolve::powershell_command_line(argv)) << '\n';
    else {
        // One value per line: every line is checked before anything is printed.
        std::vector<std::string> lines;
        auto add = [&](std::string_view what, std::string line) {
            if (!one_line(line)) {
                std::cerr << "mcpreg resolve: " << terminal_text(what)
                          << " holds a line break or another control character, which --format argv cannot show "
                             "one per line as it is; use --format json\n";
                return false;
            }
            lines.push_back(std::move(line));
            return true;
        };
        auto values = [&](const std::map<std::string, std::string>& map, const auto& secrets, std::string_view sep,
                          std::string_view kind) {
            for (const auto& [name, value] : map)
                if (!add(std::string(kind) + " " + name,
                         name + std::string(sep) + display(value, spans_of(secrets, name))))
                    return false;
            return true;
        };
        bool ok = true;
        if (spec.command.empty())
            ok = add("the URL", url) && values(spec.headers, spec.secrets.headers, ": ", "the header");
        else {
            ok = values(spec.env, spec.secrets.env, "=", "the environment variable");
            for (std::size_t i = 0; ok && i < argv.size(); ++i) ok = add("argument " + std::to_string(i), argv[i]);
        }
        if (!ok) return exit_invalid;
        for (const auto& line : lines) std::cout << terminal_text(line) << '\n';
    }
    return exit_ok;
}

}  // namespace mcpreg::cli
