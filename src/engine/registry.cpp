// registry: the socket-free core of the engine. Routes a request the way the official registry's middleware
// and router do (internal/api/server.go, router/) through one route table (route_table.hpp) to the read
// handlers, the write handlers and the token exchanges, each in files of their own (docs/architecture.md).
#include "registry_impl.hpp"

#include <mcpreg/model/json.hpp>
#include <mcpreg/version.hpp>

#include "http_util.hpp"
#include "problem.hpp"

#include <boost/json/serialize.hpp>

#include <cctype>

namespace mcpreg::engine {
namespace json = boost::json;

registry::impl::impl(registry_options o, std::unique_ptr<detail::storage> s, jwt_signer key)
    : options(std::move(o)),
      store(std::move(s)),
      service(*store, options.max_versions_per_server),
      cache(options.response_cache_entries, options.response_cache_bytes, options.max_age),
      signer(std::move(key)),
      issuer(signer, options.blocked_namespaces),
      exchanges(detail::enabled_exchanges(options, issuer)),
      routes({{"serverName", "Invalid server name encoding"}, {"version", "Invalid version encoding"}})
{
    store->watch_changes([this] { cache.clear(); });
    for (const std::string prefix : {"/v0", "/v0.1"}) {
        add_read_routes(prefix);
        add_write_routes(prefix);
        add_exchange_routes(prefix);
    }
    add_site_routes();
}

void registry::impl::add_exchange_routes(const std::string& prefix)
{
    // Only the enabled exchanges have routes: the others are 404, as upstream registers only those configured.
    for (auto& [method, exchange] : exchanges)
        routes.add("POST", prefix + "/auth/" + method,
                   [handler = exchange.get()](const detail::routed_request& r) { return handler->exchange(r.req); });
}

registry::registry(std::unique_ptr<impl> p) noexcept : impl_(std::move(p)) {}
registry::registry(registry&&) noexcept = default;
registry& registry::operator=(registry&&) noexcept = default;
registry::~registry() = default;

const registry_options& registry::options() const noexcept { return impl_->options; }

result<registry> registry::open(registry_options options)
{
    if (options.jwt_key_file.empty() && detail::is_database_uri(options.database))
        return make_error(errc::invalid_argument,
                          "a PostgreSQL registry needs jwt_key_file (--jwt-key-file): every engine process over "
                          "the database must sign tokens with the same key");
    detail::storage_options storage_settings;
    storage_settings.pool_size = options.database_pool_size;
    storage_settings.sqlite_full_sync = options.sqlite_full_sync;
    auto store = detail::storage::open(options.database, storage_settings);
    if (!store) return store.error();
    if (options.version.empty()) options.version = std::string(version_string);
    std::string key_file = options.jwt_key_file;
    if (key_file.empty() && options.database != ":memory:" && !options.database.empty())
        key_file = options.database + ".jwt-key.pem";
    auto signer = key_file.empty() ? jwt_signer::generate() : jwt_signer::load_or_create(key_file);
    if (!signer) return signer.error();
    if (options.token_audience) signer->set_audience(*options.token_audience);
    else {
        auto identity = (*store)->deployment_id();
        if (!identity) return identity.error();
        signer->set_audience("mcpreg:" + *identity);
    }
    registry reg(std::make_unique<impl>(std::move(options), std::move(*store), std::move(*signer)));
    for (const auto& file : reg.impl_->options.seed_files)
        if (auto imported = reg.import_file(file); !imported) return imported.error();
    return reg;
}

result<std::size_t> registry::size() { return impl_->store->count(); }

std::string registry::issue_token(std::vector<permission> permissions, std::string auth_method, std::string subject)
{
    return impl_->signer.sign(detail::fresh_claims(std::move(auth_method), std::move(subject), std::move(permissions)));
}

result<std::vector<audit_entry>> registry::audit_log(std::size_t limit) { return impl_->store->audit_log(limit); }

result<import_report> registry::import_file(const std::string& path)
{
    auto document = model::read_json_file(path);
    if (!document) return document.error();
    return import_json(*document);
}

result<import_report> registry::import_json(const json::value& document)
{
    std::vector<detail::import_entry> entries;
    std::size_t index = 0;
    for (const auto& located : model::locate_servers(document)) {
        detail::import_entry entry;
        auto server = model::server_from_json(*located.server);
        if (!server) {
            auto e = server.error();
            e.diag.message = "entry " + std::to_string(index) + " (" + located.pointer + "): " + e.diag.message;
            return e;
        }
        entry.server = std::move(*server);
        entry.document = json::serialize(*located.server);
        // The enclosing response, when there is one, holds the registry's metadata.
        if (located.response) {
            auto enclosing = model::server_response_from_json(*located.response);
            if (!enclosing) return enclosing.error();
            if (enclosing->meta) {
                entry.official = enclosing->meta->official;
                if (!enclosing->meta->other.empty()) entry.meta_other = json::serialize(enclosing->meta->other);
            }
        }
        entries.push_back(std::move(entry));
        ++index;
    }
    auto report = impl_->store->import(std::move(entries));
    impl_->cache.clear();
    return report;
}

response registry::handle(const request& req)
{
    try {
        const auto started = std::chrono::steady_clock::now();
        std::string pattern = "unmatched";
        auto res = impl_->route(req, pattern);
        impl_->metrics.record(req.method, pattern, res.status,
                              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        // CORS as upstream (rs/cors): any origin, no credentials; only when the request carries an Origin.
        if (!req.header("Origin").empty() && res.header("Access-Control-Allow-Origin").empty()) {
            res.headers.push_back({"Access-Control-Allow-Origin", "*"});
            res.headers.push_back({"Access-Control-Expose-Headers", "Content-Type, Content-Length"});
            res.headers.push_back({"Vary", "Origin"});
        }
        return res;
    }
    catch (const std::exception&) {
        // Only resource exhaustion or a broken invariant gets here; never echo internals.
        return detail::problem(500, "Internal server error");
    }
}

namespace {

// NUL bytes anywhere in the path or query: 400 with a plain JSON body (upstream's guard), else nothing.
std::optional<response> null_byte_guard(std::string_view raw_path, std::string_view raw_query,
                                        const std::optional<std::string>& decoded_path)
{
    auto refuse = [](std::string_view detail_text) {
        response res;
        res.status = 400;
        res.headers.push_back({"Content-Type", "application/json"});
        res.body = json::serialize(json::object{{"title", "Bad Request"}, {"status", 400}, {"detail", detail_text}});
        return res;
    };
    if (raw_path.find('\0') != std::string_view::npos || raw_path.find("%00") != std::string_view::npos ||
        (decoded_path && decoded_path->find('\0') != std::string::npos))
        return refuse("Invalid request: URL path contains null bytes");
    if (raw_query.find('\0') != std::string_view::npos || raw_query.find("%00") != std::string_view::npos)
        return refuse("Invalid request: query parameters contain null bytes");
    return std::nullopt;
}

// A trailing slash redirects to the clean path, never off-host.
response trailing_slash_redirect(std::string_view raw_path, std::string_view raw_query)
{
    response res;
    res.status = 308;
    // Browsers read `\` in a path as `/`, so `/\evil.example` would leave the origin: encode it.
    std::string location;
    for (char c : detail::clean_path(raw_path)) {
        if (c == '\\') location += "%5C";
        else location += c;
    }
    if (!raw_query.empty()) location += "?" + std::string(raw_query);
    res.headers.push_back({"Location", location});
    return res;
}

bool is_preflight(const request& req)
{
    return req.method == "OPTIONS" && !req.header("Origin").empty() &&
           !req.header("Access-Control-Request-Method").empty();
}

// CORS as upstream (rs/cors): any origin, the method and headers asked for, a day's max age.
response preflight(const request& req)
{
    response res;
    res.status = 204;
    res.headers.push_back({"Access-Control-Allow-Origin", "*"});
    std::string method(req.header("Access-Control-Request-Method"));
    for (auto& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    res.headers.push_back({"Access-Control-Allow-Methods", method});
    if (auto requested = req.header("Access-Control-Request-Headers"); !requested.empty())
        res.headers.push_back({"Access-Control-Allow-Headers", std::string(requested)});
    res.headers.push_back({"Access-Control-Max-Age", "86400"});
    res.headers.push_back({"Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"});
    return res;
}

// The path's segments, each percent-decoded once; split on the raw path, so `%2F` inside a name does not split
// it. Nothing when a segment does not decode.
std::optional<std::vector<std::string>> path_segments(std::string_view raw_path)
{
    std::vector<std::string> segments;
    for (auto segment : detail::split_path(raw_path)) {
        auto decoded = detail::percent_decode(segment);
        if (!decoded) return std::nullopt;
        segments.push_back(std::move(*decoded));
    }
    return segments;
}

response not_found(std::string_view raw_path)
{
    const bool prefixed = raw_path.starts_with("/v0/") || raw_path.starts_with("/v0.1/");
    auto res = detail::problem(404, prefixed ? "Endpoint not found. See /docs for the API documentation."
                                             : "Endpoint not found. Did you mean '/v0.1" + std::string(raw_path) +
                                                   "' or '/v0" + std::string(raw_path) +
                                                   "'? See /docs for the API documentation.");
    res.headers.push_back({"X-Content-Type-Options", "nosniff"});
    return res;
}

// The route without its version prefix: /v0 and /v0.1 answer alike, so they share cached answers.
std::string_view unprefixed(std::string_view raw_path)
{
    for (std::string_view prefix : {"/v0.1/", "/v0/"})
        if (raw_path.starts_with(prefix)) return raw_path.substr(prefix.size() - 1);
    return raw_path;
}

}  // namespace

response registry::impl::route(const request& req, std::string& pattern)
{
    const std::string_view target = req.target;
    const auto question = target.find('?');
    const std::string_view raw_path = target.substr(0, question);
    const std::string_view raw_query =
        question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);

    const auto decoded_path = detail::percent_decode(raw_path);
    if (auto refused = null_byte_guard(raw_path, raw_query, decoded_path)) return std::move(*refused);
    if (!decoded_path || raw_path.empty() || raw_path.front() != '/')
        return detail::problem(400, "Invalid request path");
    if (raw_path.size() > 1 && raw_path.back() == '/') return trailing_slash_redirect(raw_path, raw_query);
    if (is_preflight(req)) return preflight(req);
    const auto segments = path_segments(raw_path);
    if (!segments) return detail::problem(400, "Invalid request path");

    auto found = routes.find(req.method, *segments);
    if (std::holds_alternative<detail::route_table::no_route>(found)) return not_found(raw_path);
    if (auto* wrong = std::get_if<detail::route_table::wrong_method>(&found)) {
        pattern = *wrong->pattern;
        auto res = detail::problem(405, "Method not allowed");
        res.headers.push_back({"Allow", wrong->allow});
        return res;
    }
    if (auto* bad = std::get_if<detail::route_table::bad_parameter>(&found)) {
        pattern = *bad->pattern;
        return detail::problem(400, bad->detail);
    }
    auto& matched = std::get<detail::route_table::match>(found);
    pattern = *matched.pattern;
    auto params = detail::parse_query(raw_query);
    if (!params) return detail::problem(400, "Invalid query string encoding");
    if (params->size() > detail::max_query_parameters) return detail::problem(400, "Too many query parameters");
    const auto key = detail::cache_key(unprefixed(raw_path), *params);
    return (*matched.handler)(detail::routed_request{req, matched.path, *params, key});
}

}  // namespace mcpreg::engine
