// mcpreg login | publish | status: writing to a registry with a stored registry token.
#include "cli.hpp"
#include "settings.hpp"
#include "terminal.hpp"

#include <mcpreg/client/blocking_client.hpp>
#include <mcpreg/model/json.hpp>
#include <mcpreg/secret_file.hpp>

#include <boost/json/serialize.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <sys/stat.h>

namespace mcpreg::cli {
namespace json = boost::json;
namespace {

constexpr std::string_view login_usage =
    "usage: mcpreg [--registry URL] login none|admin|dns|http|github|github-oidc|oidc [options]\n"
    "\n"
    "Exchanges a credential for a registry token and stores it for this registry (in\n"
    "$XDG_CONFIG_HOME/mcpreg/tokens.json, else ~/.config/mcpreg/tokens.json, mode 0600).\n"
    "  none                      an anonymous token (registries that enable it)\n"
    "  admin --key KEY           a registry's admin key (or $MCPREG_ADMIN_KEY)\n"
    "  dns|http --domain D --private-key PEM-FILE\n"
    "                            prove control of D with the Ed25519 key published in its DNS TXT record or\n"
    "                            at https://D/.well-known/mcp-registry-auth\n"
    "  github --token TOKEN      a GitHub access token (or $GITHUB_TOKEN)\n"
    "  github-oidc [--token ID-TOKEN] [--audience AUD]\n"
    "                            a GitHub Actions ID token; inside a workflow with 'id-token: write' it is\n"
    "                            requested for AUD (default mcp-registry) from $ACTIONS_ID_TOKEN_REQUEST_URL\n"
    "  oidc --token ID-TOKEN     an administrator's ID token from the registry's OpenID Connect provider\n"
    "Exit status: 0 stored, 1 refused or unreachable, 2 bad arguments.\n";

constexpr std::string_view publish_usage =
    "usage: mcpreg [--registry URL] publish PATH [--token TOKEN]\n"
    "\n"
    "Publishes the server.json at PATH with the token stored by 'mcpreg login' (or --token).\n"
    "Exit status: 0 published, 1 refused or unreachable, 2 bad arguments or unreadable PATH.\n";

constexpr std::string_view status_usage =
    "usage: mcpreg [--registry URL] status NAME[@VERSION] --set active|deprecated|deleted [--message TEXT]\n"
    "                                     [--token TOKEN]\n"
    "\n"
    "Sets the status of one version, or of every version without @VERSION.\n"
    "Exit status: 0 done, 1 refused or unreachable, 2 bad arguments.\n";

std::filesystem::path token_store() { return config_directory() / "tokens.json"; }

// The token store is a secret file: read only when it is ours and private (a planted or readable one is
// ignored, with a warning), written through a fresh private file renamed into place.
json::object read_tokens()
{
    const auto path = token_store();
    std::error_code ec;
    if (!std::filesystem::exists(std::filesystem::symlink_status(path, ec))) return {};
    auto text = read_secret_file(path.string());
    if (!text) {
        std::cerr << "mcpreg: ignoring the token store: " << terminal_text(text.error().diag.message) << '\n';
        return {};
    }
    auto parsed = model::parse_json(*text);
    return parsed && parsed->is_object() ? parsed->get_object() : json::object{};
}

bool store_token(const std::string& registry, const registry_token& token)
{
    auto tokens = read_tokens();
    tokens[registry] = {{"registry_token", token.token}, {"expires_at", token.expires_at}};
    const auto path = token_store();
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    std::filesystem::permissions(path.parent_path(), std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
    auto written = write_secret_file(path.string(), json::serialize(tokens) + "\n", secret_write::replace);
    return written && *written;
}

std::optional<std::string> stored_token(const std::string& registry)
{
    auto tokens = read_tokens();
    const auto* entry = tokens.if_contains(registry);
    if (!entry || !entry->is_object()) return std::nullopt;
    const auto* token = entry->get_object().if_contains("registry_token");
    if (!token || !token->is_string()) return std::nullopt;
    return std::string(token->get_string());
}

// The message may quote the registry's own problem text, hence terminal_text.
int failed(std::string_view command, const error& e)
{
    std::cerr << "mcpreg " << command << ": " << terminal_text(e.what()) << '\n';
    return e.code == errc::invalid_argument ? exit_unreadable : exit_invalid;
}

std::optional<std::string> token_for(std::string_view command, const client_options& options,
                                     const std::optional<std::string>& given)
{
    if (given) return given;
    if (auto stored = stored_token(options.base_url)) return stored;
    std::cerr << "mcpreg " << command << ": no token for " << terminal_text(options.base_url)
              << "; run 'mcpreg login' first\n";
    return std::nullopt;
}

std::string read_text_file(const std::string& path)
{
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Inside a GitHub Actions job with `permissions: id-token: write`, the runner hands out ID tokens: GET
// $ACTIONS_ID_TOKEN_REQUEST_URL&audience=AUD with $ACTIONS_ID_TOKEN_REQUEST_TOKEN as bearer -> {"value": ...}.
result<std::string> request_actions_id_token(const std::string& audience)
{
    const char* url = std::getenv("ACTIONS_ID_TOKEN_REQUEST_URL");
    const char* bearer = std::getenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
    if (!url || !*url || !bearer || !*bearer)
        return make_error(errc::invalid_argument,
                          "--token ID-TOKEN is required outside GitHub Actions (no $ACTIONS_ID_TOKEN_REQUEST_URL; "
                          "does the job have 'permissions: id-token: write'?)");
    std::string target(url);
    target += (target.find('?') == std::string::npos ? "?" : "&") + std::string("audience=") + percent_encode(audience);
    client_options options;
    options.retry.max_attempts = 2;
    auto response = fetch_url(target, options, {{"Authorization", std::string("Bearer ") + bearer}});
    if (!response) return response.error();
    auto parsed = model::parse_json(response->body);
    const auto* value = parsed && parsed->is_object() ? parsed->get_object().if_contains("value") : nullptr;
    if (response->status != 200 || !value || !value->is_string())
        return make_error(errc::bad_response,
                          "the Actions ID token request answered HTTP " + std::to_string(response->status));
    return std::string(value->get_string());
}

// What `mcpreg login` was given after the method.
struct login_flags {
    std::optional<std::string> key, domain, private_key_file, token;
    std::string audience = "mcp-registry";
};

// The token exchange a login method makes: the registry's name for it and its JSON body.
struct token_exchange {
    std::string method;
    std::string body = "{}";
};

// The helpers below that can end the command return the exit code to end it with, after printing why;
// nullopt lets it go on.

// The flags after the method (args[0]).
std::optional<int> parse_login_flags(const arguments& args, login_flags& flags)
{
    for (std::size_t i = 1; i < args.size(); ++i) {
        const bool has_value = i + 1 < args.size();
        if (args[i] == "--key" && has_value) flags.key = std::string(args[++i]);
        else if (args[i] == "--domain" && has_value) flags.domain = std::string(args[++i]);
        else if (args[i] == "--private-key" && has_value) flags.private_key_file = std::string(args[++i]);
        else if (args[i] == "--token" && has_value) flags.token = std::string(args[++i]);
        else if (args[i] == "--audience" && has_value) flags.audience = std::string(args[++i]);
        else {
            std::cerr << "mcpreg login: unexpected argument '" << terminal_text(args[i]) << "'\n" << login_usage;
            return exit_unreadable;
        }
    }
    return std::nullopt;
}

// The exchange `method` makes with the credential from the flags, the environment or, for github-oidc inside
// GitHub Actions, the runner.
std::optional<int> prepare_exchange(const std::string& method, login_flags& flags, token_exchange& exchange)
{
    exchange.method = method;
    if (method == "admin") {
        if (!flags.key)
            if (const char* env = std::getenv("MCPREG_ADMIN_KEY"); env && *env) flags.key = env;
        if (!flags.key) {
            std::cerr << "mcpreg login admin: --key KEY (or $MCPREG_ADMIN_KEY) is required\n";
            return exit_unreadable;
        }
        exchange.body = json::serialize(json::object{{"admin_key", *flags.key}});
    }
    else if (method == "dns" || method == "http") {
        if (!flags.domain || !flags.private_key_file) {
            std::cerr << "mcpreg login " << method << ": --domain and --private-key are required\n";
            return exit_unreadable;
        }
        auto proof = sign_domain_proof(*flags.domain, read_text_file(*flags.private_key_file));
        if (!proof) return failed("login", proof.error());
        exchange.body = *proof;
    }
    else if (method == "github") {
        if (!flags.token)
            if (const char* env = std::getenv("GITHUB_TOKEN"); env && *env) flags.token = env;
        if (!flags.token) {
            std::cerr << "mcpreg login github: --token TOKEN (or $GITHUB_TOKEN) is required\n";
            return exit_unreadable;
        }
        exchange.method = "github-at";
        exchange.body = json::serialize(json::object{{"github_token", *flags.token}});
    }
    else if (method == "github-oidc" || method == "oidc") {
        if (!flags.token && method == "github-oidc") {
            auto requested = request_actions_id_token(flags.audience);
            if (!requested) return failed("login", requested.error());
            flags.token = std::move(*requested);
        }
        if (!flags.token) {
            std::cerr << "mcpreg login oidc: --token ID-TOKEN is required\n";
            return exit_unreadable;
        }
        exchange.body = json::serialize(json::object{{"oidc_token", *flags.token}});
    }
    else if (method != "none") {
        std::cerr << "mcpreg login: unknown method '" << terminal_text(method) << "'\n" << login_usage;
        return exit_unreadable;
    }
    return std::nullopt;
}

}  // namespace

int run_login(const client_options& options, const arguments& args)
{
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
        (args.empty() ? std::cerr : std::cout) << login_usage;
        return args.empty() ? exit_unreadable : exit_ok;
    }
    const std::string method(args[0]);
    login_flags flags;
    if (auto stop = parse_login_flags(args, flags)) return *stop;
    token_exchange exchange;
    if (auto stop = prepare_exchange(method, flags, exchange)) return *stop;
    auto c = blocking_client::create(options);
    if (!c) return failed("login", c.error());
    auto token = c->exchange_token({.method = exchange.method, .json_body = exchange.body});
    if (!token) return failed("login", token.error());
    if (!store_token(options.base_url, *token)) {
        std::cerr << "mcpreg login: cannot write " << terminal_text(token_store().string()) << '\n';
        return exit_invalid;
    }
    std::cout << "logged in to " << terminal_text(options.base_url) << " (token stored in "
              << terminal_text(token_store().string()) << ")\n";
    return exit_ok;
}

int run_publish(const client_options& options, const arguments& args)
{
    std::optional<std::string> path, token;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--help" || args[i] == "-h") {
            std::cout << publish_usage;
            return exit_ok;
        }
        if (args[i] == "--token" && i + 1 < args.size()) token = std::string(args[++i]);
        else if (!path && !args[i].starts_with("-")) path = std::string(args[i]);
        else {
            std::cerr << "mcpreg publish: unexpected argument '" << terminal_text(args[i]) << "'\n" << publish_usage;
            return exit_unreadable;
        }
    }
    if (!path) {
        std::cerr << publish_usage;
        return exit_unreadable;
    }
    auto document = model::read_json_file(*path);
    if (!document) {
        std::cerr << "mcpreg publish: " << terminal_text(document.error().diag.message) << '\n';
        return exit_unreadable;
    }
    auto server = model::server_from_json(*document);
    if (!server) {
        std::cerr << "mcpreg publish: " << terminal_text(*path) << ": " << terminal_text(server.error().diag.message)
                  << '\n';
        return exit_unreadable;
    }
    auto bearer = token_for("publish", options, token);
    if (!bearer) return exit_invalid;
    auto c = blocking_client::create(options);
    if (!c) return failed("publish", c.error());
    auto published = c->publish({.server = *server, .token = *bearer});
    if (!published) return failed("publish", published.error());
    std::cout << "published " << terminal_text(published->server.name) << ' '
              << terminal_text(published->server.version)
              << (published->official() && published->official()->is_latest == true ? " (latest)" : "") << '\n';
    return exit_ok;
}

int run_status(const client_options& options, const arguments& args)
{
    std::optional<std::string> target, to, message, token;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const bool has_value = i + 1 < args.size();
        if (args[i] == "--help" || args[i] == "-h") {
            std::cout << status_usage;
            return exit_ok;
        }
        if (args[i] == "--set" && has_value) to = std::string(args[++i]);
        else if (args[i] == "--message" && has_value) message = std::string(args[++i]);
        else if (args[i] == "--token" && has_value) token = std::string(args[++i]);
        else if (!target && !args[i].starts_with("-")) target = std::string(args[i]);
        else {
            std::cerr << "mcpreg status: unexpected argument '" << terminal_text(args[i]) << "'\n" << status_usage;
            return exit_unreadable;
        }
    }
    const auto status = to ? model::parse_server_status(*to) : std::nullopt;
    if (!target || !status) {
        std::cerr << status_usage;
        return exit_unreadable;
    }
    std::string name = *target;
    std::optional<std::string> version;
    if (auto at = target->rfind('@'); at != std::string::npos && at > 0) {
        name = target->substr(0, at);
        version = target->substr(at + 1);
    }
    auto bearer = token_for("status", options, token);
    if (!bearer) return exit_invalid;
    auto c = blocking_client::create(options);
    if (!c) return failed("status", c.error());
    if (version) {
        auto updated =
            c->set_status({.name = name, .version = *version, .status = *status, .message = message, .token = *bearer});
        if (!updated) return failed("status", updated.error());
        std::cout << terminal_text(name) << ' ' << terminal_text(*version) << ": " << *to << '\n';
        return exit_ok;
    }
    auto updated = c->set_status_all({.name = name, .status = *status, .message = message, .token = *bearer});
    if (!updated) return failed("status", updated.error());
    std::cout << terminal_text(name) << ": " << *to << " (" << updated->updated_count << " versions)\n";
    return exit_ok;
}

}  // namespace mcpreg::cli
