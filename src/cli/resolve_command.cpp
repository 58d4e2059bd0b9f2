// mcpreg resolve: a registry entry as an argv vector, a JSON launch spec or a client configuration.
#include "cli.hpp"

#include <mcpreg/client/blocking_client.hpp>
#include <mcpreg/model/json.hpp>
#include <mcpreg/resolve/mcpb.hpp>
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
    "  --format F      argv (default): NAME=VALUE environment lines (secrets masked), then one argument\n"
    "                  per line; for a remote, the URL, then 'Header: value' lines.\n"
    "                  json: "
    "{\"transport\",\"command\",\"args\",\"env\",\"cwd\",\"url\",\"headers\",\"notes\",\"warnings\"}.\n"
    "                  vscode | claude | cursor: that client's configuration (secrets become prompts or\n"
    "                  ${env:NAME}). posix | powershell: the command line, quoted for display only.\n"
    "Exit status: 0 resolved, 1 not found or not launchable, 2 bad arguments, 3 inputs missing (listed).\n";

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

}  // namespace

int run_resolve(const client_options& options, const arguments& args)
{
    std::optional<std::string> reference, file;
    resolve::selection which;
    resolve::input_values inputs;
    resolve::options opts;
    std::string format = "argv";
    std::string bundle_cache = default_bundle_cache();
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
                std::cerr << "mcpreg resolve: --package: " << parsed.error() << '\n';
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
        else if (arg == "--joined") opts.joined_named_arguments = true;
        else if (arg == "--no-remotes") opts.allow_remotes = false;
        else if (!arg.starts_with("--") && !reference) reference = std::string(arg);
        else {
            std::cerr << "mcpreg resolve: unexpected argument '" << arg << "'\n" << usage;
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
            std::cerr << "mcpreg resolve: " << document.error() << '\n';
            return exit_unreadable;
        }
        auto parsed = model::server_from_json(*document);
        if (!parsed) {
            std::cerr << "mcpreg resolve: " << *file << ": " << parsed.error() << '\n';
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
            std::cerr << "mcpreg resolve: " << c.error() << '\n';
            return exit_unreadable;
        }
        auto entry = c->get_server(name, version);
        if (!entry) {
            std::cerr << "mcpreg resolve: " << entry.error() << '\n';
            return exit_invalid;
        }
        server = std::move(entry->server);
    }

    for (const auto& issue : resolve::lint(server))
        std::cerr << "lint: " << issue.path << ": " << issue.rule << ": " << issue.message << '\n';
    auto chosen = resolve::choose(server, which, opts);
    if (!chosen) {
        std::cerr << "mcpreg resolve: " << chosen.error() << '\n';
        return exit_invalid;
    }
    result<resolve::resolution> resolved = resolve::resolution{};
    const bool bundle = !chosen->remote && (*server.packages)[chosen->index].kind() == model::registry_kind::mcpb;
    if (bundle) {
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
            std::cerr << "mcpreg resolve: " << extracted.error() << '\n';
            return exit_invalid;
        }
        resolved = resolve::resolve_bundle(server, index, *extracted, inputs);
    }
    else {
        resolved = resolve::resolve(server, which, inputs, opts);
    }
    if (!resolved) {
        std::cerr << "mcpreg resolve: " << resolved.error() << '\n';
        return exit_invalid;
    }
    if (!resolved->complete()) {
        if (format == "json") {
            json::array list;
            for (const auto& m : resolved->missing) list.push_back(missing_json(m));
            std::cout << json::serialize(json::object{{"missing", list}}) << '\n';
        }
        else {
            std::cerr << "mcpreg resolve: " << server.name << " needs inputs (supply each with --input NAME=VALUE):\n";
            for (const auto& m : resolved->missing) {
                std::cout << m.name << "\t" << m.used_in << "\t" << m.problem;
                if (m.is_secret) std::cout << "\tsecret";
                if (m.default_value) std::cout << "\tdefault " << *m.default_value;
                if (m.choices) {
                    std::string list;
                    for (const auto& c : *m.choices) list += (list.empty() ? "" : "|") + c;
                    std::cout << "\tchoices " << list;
                }
                if (m.description) std::cout << "\t" << *m.description;
                std::cout << '\n';
            }
        }
        return exit_missing_inputs;
    }
    const auto& spec = resolved->spec;
    for (const auto& n : spec.notes) std::cerr << "note: " << n << '\n';
    for (const auto& w : spec.warnings) std::cerr << "warning: " << w << '\n';
    if (format == "json")
        std::cout << resolve::client_config(spec, server.name, resolve::config_format::generic) << '\n';
    else if (format == "vscode")
        std::cout << resolve::client_config(spec, server.name, resolve::config_format::vscode) << '\n';
    else if (format == "claude")
        std::cout << resolve::client_config(spec, server.name, resolve::config_format::claude_desktop) << '\n';
    else if (format == "cursor")
        std::cout << resolve::client_config(spec, server.name, resolve::config_format::cursor) << '\n';
    else if ((format == "posix" || format == "powershell") && spec.command.empty())
        std::cout << spec.url.value_or("") << '\n';  // a remote has no command line
    else if (format == "posix") std::cout << resolve::posix_command_line(spec.argv()) << '\n';
    else if (format == "powershell") std::cout << resolve::powershell_command_line(spec.argv()) << '\n';
    else {
        auto masked = [](const std::map<std::string, std::string>& values, const std::set<std::string>& secrets,
                         std::string_view separator) {
            for (const auto& [name, value] : values)
                std::cout << name << separator << (secrets.contains(name) ? "********" : value) << '\n';
        };
        if (spec.command.empty()) {
            std::cout << spec.url.value_or("") << '\n';
            masked(spec.headers, spec.secret_headers, ": ");
        }
        else {
            masked(spec.env, spec.secret_env, "=");
            for (const auto& a : spec.argv()) std::cout << a << '\n';
        }
    }
    return exit_ok;
}

}  // namespace mcpreg::cli
