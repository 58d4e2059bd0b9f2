// mcpreg serve [--db PATH|:memory:|postgresql://...] [--seed PATH]... [--listen HOST:PORT]
#include "cli.hpp"
#include "database_location.hpp"
#include "terminal.hpp"

#include <mcpreg/client/blocking_client.hpp>
#include <mcpreg/engine/dns.hpp>
#include <mcpreg/engine/http_server.hpp>
#include <mcpreg/engine/registry.hpp>
#include <mcpreg/model/json.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>
#include <vector>

namespace mcpreg::cli {
namespace {

constexpr std::string_view usage =
    "usage: mcpreg serve [--db PATH|:memory:|URI] [--seed PATH]... [--listen HOST:PORT] [--max-age SECONDS]\n"
    "\n"
    "Hosts an MCP registry: the registry API (/v0 and /v0.1) from an embedded SQLite database, or from a\n"
    "PostgreSQL database that several 'mcpreg serve' processes share (see docs/deploy.md).\n"
    "\n"
    "  --db PATH        database file (created when missing), or :memory:\n"
    "                   (default: $XDG_DATA_HOME/mcpreg/registry.db, else ~/.local/share/mcpreg/registry.db)\n"
    "  --db URI         a PostgreSQL connection URI (postgresql://user@host:5432/db?sslmode=require); the\n"
    "                   schema is created when missing; needs --jwt-key-file, the same file on every process\n"
    "  --db-pool N      PostgreSQL connections this process keeps open (default 8)\n"
    "  --seed PATH      import server.json documents, arrays, ServerResponse arrays or list pages; repeatable\n"
    "  --listen H:P     address to listen on (default 127.0.0.1:8080; port 0 picks a free port)\n"
    "  --max-age S      Cache-Control max-age of read responses (default 30)\n"
    "  --response-cache N  response bodies kept in memory, least recently used evicted (default 4096; 0: off)\n"
    "  --threads N      threads serving requests (default 1)\n"
    "  --auth METHOD    enable a token exchange; repeatable: none (anonymous namespace, for tests),\n"
    "                   admin-key (POST /v0/auth/admin with the key from $MCPREG_ADMIN_KEY or --admin-key),\n"
    "                   dns (TXT record of the domain), http (https://DOMAIN/.well-known/mcp-registry-auth),\n"
    "                   github (a GitHub access token: io.github.<user>/* and the orgs the user administers),\n"
    "                   github-oidc (a GitHub Actions ID token: io.github.<repository owner>/*),\n"
    "                   oidc (administrators' ID tokens from any OpenID Connect provider)\n"
    "  --dns-server H:P name server for --auth dns (repeatable; default: the system's resolvers)\n"
    "  --sqlite-sync M  full (default): every publish is on disk before it is acknowledged; normal: faster\n"
    "                   writes, the last ones may be lost on power loss\n"
    "  --github-api URL the GitHub REST API for --auth github (default https://api.github.com)\n"
    "  --github-oidc-audience AUD  the audience GitHub Actions ID tokens must carry (required by github-oidc)\n"
    "  --github-oidc-issuer URL    their issuer (default https://token.actions.githubusercontent.com); the keys\n"
    "                   are read from URL/.well-known/jwks\n"
    "  --oidc-issuer URL           the provider for --auth oidc (keys found through "
    "URL/.well-known/openid-configuration)\n"
    "  --oidc-client-id ID         the audience its ID tokens must carry\n"
    "  --oidc-publish P,Q          name patterns an administrator may publish (e.g. '*')\n"
    "  --oidc-edit P,Q             name patterns an administrator may edit\n"
    "  --oidc-extra-claims JSON    a list of claim objects every token must match, e.g. '[{\"hd\":\"example.com\"}]'\n"
    "  --blocked-namespace NS      refuse tokens that would cover NS/... or NS.*/...; repeatable\n"
    "  --admin-key KEY  the admin key for --auth admin-key; prefer $MCPREG_ADMIN_KEY, since other users of the\n"
    "                   machine can read a command line\n"
    "  --token-audience A  the audience of registry tokens (default: the database's own identity)\n"
    "  --jwt-key-file P the Ed25519 key (PEM) that signs tokens; created when missing\n"
    "                   (default: beside the database file; a per-process key for :memory:; required\n"
    "                   with PostgreSQL)\n"
    "\n"
    "The first line on standard output is 'listening on http://HOST:PORT' with the bound port. The server\n"
    "runs until SIGINT or SIGTERM, then exits 0. Exit status 2: bad arguments, database or address unusable.\n";

// https://<domain>/.well-known/mcp-registry-auth, as upstream fetches it: no redirects, 10 s, 4 KiB at most.
result<std::string> fetch_http_key(const std::string& domain)
{
    client_options options;
    options.max_redirects = 0;
    options.request_timeout = std::chrono::seconds(10);
    options.operation_timeout = std::chrono::seconds(15);
    options.max_response_bytes = 4096;
    options.retry.max_attempts = 1;
    options.public_addresses_only = true;  // the domain is the caller's: never let it aim us at our own network
    auto response =
        fetch_url("https://" + domain + "/.well-known/mcp-registry-auth", options, {{"Accept", "text/plain"}});
    if (!response) return response.error();
    if (response->status != 200) return make_error(errc::bad_response, "HTTP " + std::to_string(response->status));
    return std::move(response->body);
}

// An issuer's key set: `<issuer>/.well-known/jwks` (GitHub Actions) or the `jwks_uri` of its OpenID
// configuration. The issuer is the operator's configuration, so unlike a domain proof's URL it is trusted
// to name any address (an in-house identity provider often lives on a private network).
std::function<result<std::string>()> jwks_source(std::string issuer, bool discover)
{
    return [issuer = std::move(issuer), discover]() -> result<std::string> {
        auto get = [](const std::string& url) -> result<std::string> {
            client_options options;
            options.request_timeout = std::chrono::seconds(10);
            options.operation_timeout = std::chrono::seconds(20);
            options.max_response_bytes = 1 << 20;
            options.retry.max_attempts = 2;
            auto response = fetch_url(url, options);
            if (!response) return response.error();
            if (response->status != 200)
                return make_error(errc::bad_response, url + ": HTTP " + std::to_string(response->status));
            return std::move(response->body);
        };
        std::string base = issuer;
        while (base.ends_with('/')) base.pop_back();
        if (!discover) return get(base + "/.well-known/jwks");
        auto configuration = get(base + "/.well-known/openid-configuration");
        if (!configuration) return configuration.error();
        auto parsed = model::parse_json(*configuration);
        const auto* uri = parsed && parsed->is_object() ? parsed->get_object().if_contains("jwks_uri") : nullptr;
        if (!uri || !uri->is_string())
            return make_error(errc::bad_response, "the OpenID configuration has no jwks_uri");
        return get(std::string(uri->get_string()));
    };
}

std::vector<std::string> comma_list(std::string_view text)
{
    std::vector<std::string> out;
    while (!text.empty()) {
        const auto comma = text.find(',');
        auto item = text.substr(0, comma);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (!item.empty()) out.emplace_back(item);
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return out;
}

std::string default_database_path()
{
    std::filesystem::path dir;
    if (const char* data = std::getenv("XDG_DATA_HOME"); data && *data) dir = data;
    else if (const char* home = std::getenv("HOME"); home && *home) dir = std::filesystem::path(home) / ".local/share";
    else dir = ".";
    dir /= "mcpreg";
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    return (dir / "registry.db").string();
}

// The command line of `mcpreg serve`, and what the registry options are built from.
struct serve_config {
    engine::registry_options options;
    std::string listen = "127.0.0.1:8080";
    std::size_t threads = 1;
    bool database_given = false;
    bool admin_auth = false;
    bool admin_key_argument = false;
    bool github_auth = false;
    bool dns_auth = false;
    engine::dns_options dns;
    std::string github_api_url = "https://api.github.com";
    bool github_oidc_auth = false, admin_oidc_auth = false;
    engine::oidc_issuer github_oidc{std::string(engine::github_actions_issuer), {}, {}};
    engine::admin_oidc_options admin_oidc;
};

// What became of a flag and its value: taken; refused, after saying what is wrong with the value; or unknown
// (not a flag of serve's).
enum class flag_outcome { taken, refused, unknown };

flag_outcome refuse(std::string_view message)
{
    std::cerr << "mcpreg serve: " << message << '\n';
    return flag_outcome::refused;
}

// The flags whose value is taken as it is.
flag_outcome take_plain_flag(std::string_view flag, const std::string& value, serve_config& config)
{
    auto& options = config.options;
    if (flag == "--db") {
        options.database = value;
        config.database_given = true;
    }
    else if (flag == "--seed") options.seed_files.push_back(value);
    else if (flag == "--dns-server") config.dns.servers.push_back(value);
    else if (flag == "--listen") config.listen = value;
    else if (flag == "--jwt-key-file") options.jwt_key_file = value;
    else if (flag == "--token-audience") options.token_audience = value;
    else if (flag == "--admin-key") {
        options.admin_key = value;
        config.admin_key_argument = true;
    }
    else if (flag == "--github-api") config.github_api_url = value;
    else if (flag == "--github-oidc-audience") config.github_oidc.audience = value;
    else if (flag == "--github-oidc-issuer") config.github_oidc.issuer = value;
    else if (flag == "--oidc-issuer") config.admin_oidc.provider.issuer = value;
    else if (flag == "--oidc-client-id") config.admin_oidc.provider.audience = value;
    else if (flag == "--oidc-publish") config.admin_oidc.publish_patterns = comma_list(value);
    else if (flag == "--oidc-edit") config.admin_oidc.edit_patterns = comma_list(value);
    else if (flag == "--blocked-namespace") options.blocked_namespaces.push_back(value);
    else return flag_outcome::unknown;
    return flag_outcome::taken;
}

flag_outcome take_extra_claims(const std::string& value, engine::admin_oidc_options& admin_oidc)
{
    auto rules = model::parse_json(value);
    const bool list_of_objects = rules && rules->is_array() &&
                                 std::all_of(rules->get_array().begin(), rules->get_array().end(),
                                             [](const boost::json::value& r) { return r.is_object(); });
    if (!list_of_objects) return refuse("--oidc-extra-claims takes a JSON list of objects");
    for (const auto& rule : rules->get_array()) admin_oidc.required_claims.push_back(rule.get_object());
    return flag_outcome::taken;
}

flag_outcome take_auth_method(const std::string& method, serve_config& config)
{
    if (method == "none") config.options.anonymous_auth = true;
    else if (method == "admin-key") config.admin_auth = true;
    else if (method == "dns") config.dns_auth = true;
    else if (method == "http") config.options.http_key_fetch = fetch_http_key;
    else if (method == "github") config.github_auth = true;
    else if (method == "github-oidc") config.github_oidc_auth = true;
    else if (method == "oidc") config.admin_oidc_auth = true;
    else return refuse("--auth takes none, admin-key, dns, http, github, github-oidc or oidc");
    return flag_outcome::taken;
}

// The flags whose value is a count.
flag_outcome take_count_flag(std::string_view flag, const std::string& value, serve_config& config)
{
    const auto count = parse_count(value);
    if (flag == "--max-age") {
        if (!count) return refuse("--max-age takes a number of seconds");
        config.options.max_age = std::chrono::seconds(*count);
    }
    else if (flag == "--response-cache") {
        if (!count) return refuse("--response-cache takes a number of entries");
        config.options.response_cache_entries = *count;
    }
    else if (flag == "--db-pool") {
        if (!count || *count < 1 || *count > 1000) return refuse("--db-pool takes a number from 1 to 1000");
        config.options.database_pool_size = *count;
    }
    else if (flag == "--threads") {
        if (!count || *count < 1 || *count > 256) return refuse("--threads takes a number from 1 to 256");
        config.threads = *count;
    }
    else return flag_outcome::unknown;
    return flag_outcome::taken;
}

flag_outcome take_flag(std::string_view flag, const std::string& value, serve_config& config)
{
    if (flag == "--sqlite-sync") {
        if (value != "full" && value != "normal") return refuse("--sqlite-sync takes full or normal");
        config.options.sqlite_full_sync = value == "full";
        return flag_outcome::taken;
    }
    if (flag == "--oidc-extra-claims") return take_extra_claims(value, config.admin_oidc);
    if (flag == "--auth") return take_auth_method(value, config);
    if (const auto outcome = take_plain_flag(flag, value, config); outcome != flag_outcome::unknown) return outcome;
    return take_count_flag(flag, value, config);
}

// The helpers below that can end the command return the exit code to end it with, after printing why;
// nullopt lets it go on.

// Every flag takes a value; the value after a flag is never read as a flag of its own.
std::optional<int> parse_arguments(const arguments& args, serve_config& config)
{
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto arg = args[i];
        if (arg == "--help" || arg == "-h") {
            std::cout << usage;
            return exit_ok;
        }
        const auto outcome =
            i + 1 < args.size() ? take_flag(arg, std::string(args[i + 1]), config) : flag_outcome::unknown;
        if (outcome == flag_outcome::refused) return exit_unreadable;
        if (outcome == flag_outcome::unknown) {
            std::cerr << "mcpreg serve: unexpected argument '" << terminal_text(arg) << "'\n" << usage;
            return exit_unreadable;
        }
        ++i;  // the value just taken
    }
    return std::nullopt;
}

// The settings that depend on one another, checked; the database and the admin key from their defaults; and
// the lookups and key sources of the authentication methods asked for.
std::optional<int> complete_config(serve_config& config)
{
    auto& options = config.options;
    // Kept for compatibility, but a command line is readable by every user of the machine (ps, /proc/PID/cmdline)
    // and lands in shell history.
    if (config.admin_key_argument)
        std::cerr << "mcpreg serve: warning: --admin-key shows the key to anyone who can list processes; set "
                     "$MCPREG_ADMIN_KEY instead\n";
    if (!config.database_given) options.database = default_database_path();
    if (config.admin_auth && !options.admin_key)
        if (const char* key = std::getenv("MCPREG_ADMIN_KEY"); key && *key) options.admin_key = key;
    if (config.admin_auth != options.admin_key.has_value()) {
        std::cerr << "mcpreg serve: --auth admin-key and an admin key (--admin-key or $MCPREG_ADMIN_KEY) go together\n";
        return exit_unreadable;
    }

    if (config.dns_auth)
        options.dns_txt_lookup = [dns = config.dns](const std::string& domain) {
            return engine::lookup_txt(domain, dns);
        };
    if (config.github_oidc_auth) {
        if (config.github_oidc.audience.empty()) {
            std::cerr << "mcpreg serve: --auth github-oidc needs --github-oidc-audience\n";
            return exit_unreadable;
        }
        config.github_oidc.fetch_jwks = jwks_source(config.github_oidc.issuer, false);
        options.github_oidc = config.github_oidc;
    }
    if (config.admin_oidc_auth) {
        auto& provider = config.admin_oidc.provider;
        if (provider.issuer.empty() || provider.audience.empty()) {
            std::cerr << "mcpreg serve: --auth oidc needs --oidc-issuer and --oidc-client-id\n";
            return exit_unreadable;
        }
        provider.fetch_jwks = jwks_source(provider.issuer, true);
        options.admin_oidc = config.admin_oidc;
    }
    return std::nullopt;
}

struct listen_address {
    std::string host;  ///< without the brackets of an IPv6 address
    unsigned short port = 0;
};

// --listen HOST:PORT, where HOST may be a bracketed IPv6 address; nullopt after saying it is malformed.
std::optional<listen_address> parse_listen(const std::string& listen)
{
    const auto colon = listen.rfind(':');
    listen_address address;
    address.host = colon == std::string::npos ? listen : listen.substr(0, colon);
    if (address.host.size() > 2 && address.host.front() == '[' && address.host.back() == ']')
        address.host = address.host.substr(1, address.host.size() - 2);
    if (colon == std::string::npos ||
        std::from_chars(listen.data() + colon + 1, listen.data() + listen.size(), address.port).ec != std::errc{}) {
        std::cerr << "mcpreg serve: --listen takes HOST:PORT\n";
        return std::nullopt;
    }
    return address;
}

// The client --auth github checks access tokens with; nullopt after saying why there is none.
std::optional<blocking_client> github_client(const std::string& api_url)
{
    client_options github_options;
    github_options.base_url = api_url;
    github_options.retry.max_attempts = 2;
    // An exchange holds a thread of its lane: bounded well within the server's exchange deadline.
    github_options.request_timeout = std::chrono::seconds(10);
    github_options.operation_timeout = std::chrono::seconds(20);
    auto made = blocking_client::create(github_options);
    if (!made) {
        std::cerr << "mcpreg serve: --github-api: " << terminal_text(made.error().what()) << '\n';
        return std::nullopt;
    }
    return std::move(*made);
}

// Serves with `threads` threads, this one included, until SIGINT or SIGTERM stops the server.
void run_until_signalled(boost::asio::io_context& io, engine::http_server& server, std::size_t threads)
{
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&server](const boost::system::error_code& ec, int) {
        if (ec) return;
        std::cerr << "mcpreg serve: stopping\n";
        server.stop();
    });
    std::vector<std::thread> helpers;
    for (std::size_t i = 1; i < threads; ++i) helpers.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& helper : helpers) helper.join();
}

// Opens the registry, listens on `address` and serves until stopped.
int serve_registry(const engine::registry_options& options, const listen_address& address, std::size_t threads)
{
    auto reg = engine::registry::open(options);
    if (!reg) {
        // A connection error may quote the location, passwords and all (libpq names a malformed part of it).
        std::cerr << "mcpreg serve: " << terminal_text(without_database_secrets(reg.error().what(), options.database))
                  << '\n';
        return exit_unreadable;
    }
    boost::asio::io_context io;
    engine::http_server server(io.get_executor(), *reg);
    auto bound = server.listen(address.host, address.port);
    if (!bound) {
        std::cerr << "mcpreg serve: " << terminal_text(bound.error().what()) << '\n';
        return exit_unreadable;
    }
    const auto& host = address.host;
    const bool ipv6 = host.find(':') != std::string::npos;
    std::cout << "listening on http://" << (ipv6 ? "[" + host + "]" : host) << ':' << *bound << std::endl;
    std::fflush(stdout);
    auto stored = reg->size();
    std::cerr << "mcpreg serve: " << (stored ? *stored : 0) << " server versions in "
              << terminal_text(masked_database_location(options.database)) << '\n';
    run_until_signalled(io, server, threads);
    return exit_ok;
}

}  // namespace

int run_serve(const arguments& args)
{
    serve_config config;
    if (auto stop = parse_arguments(args, config)) return *stop;
    if (auto stop = complete_config(config)) return *stop;
    const auto address = parse_listen(config.listen);
    if (!address) return exit_unreadable;
    std::optional<blocking_client> github;  // outlives the registry, whose github_api calls it
    if (config.github_auth) {
        github = github_client(config.github_api_url);
        if (!github) return exit_unreadable;
        config.options.github_api = [&github](const http_request& request) { return github->request(request); };
    }
    return serve_registry(config.options, *address, config.threads);
}

}  // namespace mcpreg::cli
