// The read API: list, versions, one version, search, and the small answers (health, ping, version, metrics,
// the OpenAPI document, the home page). Pages are built from stored entries and cached (body_cache.hpp).
#include "../common/gzip.hpp"
#include "../common/search_query.hpp"
#include "http_util.hpp"
#include "problem.hpp"
#include "registry_impl.hpp"

#include <mcpreg/model/timestamp.hpp>

#include <boost/json/serialize.hpp>

namespace mcpreg::engine {
namespace json = boost::json;

namespace detail {
std::string_view openapi_yaml();  // embedded from src/engine/openapi.yaml
}  // namespace detail

namespace {

constexpr std::size_t min_gzip_bytes = 1024;

constexpr std::string_view home_page = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MCP registry (mcpreg)</title></head>
<body><h1>MCP registry</h1>
<p>This registry serves the MCP registry API, hosted by mcpreg.</p>
<ul>
<li><a href="/v0.1/servers">GET /v0.1/servers</a>: list servers (cursor, limit, search, updated_since, version, include_deleted)</li>
<li>GET /v0.1/servers/{name}/versions: every version of a server</li>
<li>GET /v0.1/servers/{name}/versions/{version}: one version, or <code>latest</code></li>
<li>GET /v0.1/x/io.github.mcpreg/search?q=...: ranked full-text search (limit, include_deleted, all_versions)</li>
<li><a href="/v0.1/health">GET /v0.1/health</a></li>
</ul></body></html>
)";

response text_answer(std::string content_type, std::string body)
{
    response res;
    res.headers.push_back({"Content-Type", std::move(content_type)});
    res.body = std::move(body);
    return res;
}

}  // namespace

response registry::impl::health(const detail::routed_request& r)
{
    json::object body{{"status", "ok"}};
    if (options.github_client_id) body["github_client_id"] = *options.github_client_id;
    return small_json(r.req, body);
}

response registry::impl::version_info(const detail::routed_request& r)
{
    return small_json(
        r.req, {{"version", options.version}, {"git_commit", options.git_commit}, {"build_time", options.build_time}});
}

response registry::impl::small_json(const request& req, const json::object& body)
{
    auto cached = std::make_shared<detail::cached_body>();
    cached->body = json::serialize(body);
    cached->etag = detail::make_etag(cached->body);
    return json_ok(req, std::move(cached));
}

void registry::impl::add_read_routes(const std::string& prefix)
{
    using detail::routed_request;
    routes.add("GET", prefix + "/health", [this](const routed_request& r) { return health(r); });
    routes.add("GET", prefix + "/ping", [this](const routed_request& r) {
        return small_json(r.req, {{"pong", true}});
    });
    routes.add("GET", prefix + "/version", [this](const routed_request& r) { return version_info(r); });
    routes.add("GET", prefix + "/servers", [this](const routed_request& r) { return list_servers(r); });
    routes.add("GET", prefix + "/servers/{serverName}/versions",
               [this](const routed_request& r) { return server_versions(r); });
    routes.add("GET", prefix + "/servers/{serverName}/versions/{version}",
               [this](const routed_request& r) { return server_version(r); });
    routes.add("GET", prefix + "/x/" + std::string(extension_namespace) + "/search",
               [this](const routed_request& r) { return search(r); });
}

void registry::impl::add_site_routes()
{
    using detail::routed_request;
    routes.add("GET", "/", [](const routed_request&) {
        auto res = text_answer("text/html; charset=utf-8", std::string(home_page));
        res.headers.push_back({"Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"});
        res.headers.push_back({"X-Frame-Options", "DENY"});
        return res;
    });
    routes.add("GET", "/metrics",
               [this](const routed_request&) { return text_answer("text/plain; version=0.0.4", metrics.text()); });
    routes.add("GET", "/openapi.yaml", [](const routed_request&) {
        return text_answer("application/yaml", std::string(detail::openapi_yaml()));
    });
}

response registry::impl::json_ok(const request& req, std::shared_ptr<const detail::cached_body> body,
                                 std::string* unshared_body)
{
    response res;
    res.status = body->status;
    if (body->status != 200) {  // a remembered 404: no validators, nothing to revalidate
        res.headers.push_back({"Content-Type", "application/problem+json"});
        res.body = body->body;
        return res;
    }
    res.headers.push_back({"ETag", body->etag});
    res.headers.push_back({"Cache-Control", "public, max-age=" + std::to_string(options.max_age.count())});
    const bool compressible = body->body.size() >= min_gzip_bytes;
    if (compressible) res.headers.push_back({"Vary", "Accept-Encoding"});
    if (auto inm = req.header("If-None-Match"); !inm.empty() && detail::etag_matches(inm, body->etag)) {
        res.status = 304;
        return res;
    }
    res.headers.push_back({"Content-Type", "application/json"});
    if (compressible && detail::accepts_gzip(req.header("Accept-Encoding"))) {
        std::call_once(body->gzip_once, [&] { body->gzip_body = mcpreg::detail::gzip_compress(body->body); });
        res.headers.push_back({"Content-Encoding", "gzip"});
        res.body = body->gzip_body;
    }
    else {
        res.body = unshared_body ? std::move(*unshared_body) : body->body;
    }
    return res;
}

response registry::impl::cached_or_build(const request& req, const std::string& key, std::string_view failure,
                                         const std::function<result<detail::built_answer>()>& build)
{
    // Changes other engine processes made are delivered (clearing the cache) before a cached answer is used;
    // while they cannot be (the change feed is down), nothing is cached.
    const bool cacheable = store->changes_tracked();
    if (auto hit = cacheable ? cache.find(key) : nullptr) return json_ok(req, std::move(hit));
    const auto read_at = cache.generation();
    auto built = build();
    if (!built) return detail::storage_fault(built.error(), failure);
    if (built->status != 200) {
        auto refused = detail::problem(built->status, built->body);
        // "Server not found" is remembered like a page (every write clears the cache), so probing unknown
        // names costs no database read.
        if (built->status == 404) {
            auto body = std::make_shared<detail::cached_body>();
            body->status = 404;
            body->body = refused.body;
            if (cacheable) cache.insert(key, std::move(body), read_at);
        }
        return refused;
    }
    auto body = std::make_shared<detail::cached_body>();
    body->body = std::move(built->body);
    body->etag = std::move(built->etag);
    if (cacheable && cache.insert(key, body, read_at)) return json_ok(req, std::move(body));
    return json_ok(req, body, &body->body);
}

response registry::impl::list_servers(const detail::routed_request& r)
{
    const auto& params = r.query;
    std::vector<detail::field_error> errors;
    model::list_filter filter;
    filter.limit = detail::read_limit(params, errors);
    filter.include_deleted = detail::read_bool(params, "include_deleted", errors);
    if (!errors.empty()) return detail::problem(422, "validation failed", errors);
    if (const auto* since = detail::param(params, "updated_since"); since && !since->empty()) {
        auto parsed = model::timestamp::parse(*since);
        if (!parsed)
            return detail::problem(
                400, "Invalid updated_since format: expected RFC3339 timestamp (e.g., 2025-08-07T13:15:04.280Z)");
        if (filter.include_deleted == false)
            return detail::problem(400, "Cannot set include_deleted=false when using updated_since (incremental sync "
                                        "requires deleted servers)");
        filter.updated_since = *parsed;
    }
    if (const auto* cursor = detail::param(params, "cursor"); cursor && !cursor->empty()) filter.cursor = *cursor;
    if (const auto* search = detail::param(params, "search")) filter.search = *search;
    if (const auto* version = detail::param(params, "version"); version && !version->empty()) filter.version = *version;

    return cached_or_build(r.req, r.cache_key, "Failed to get registry list", [&]() -> result<detail::built_answer> {
        detail::page_builder page(static_cast<std::size_t>(*filter.limit));
        if (auto done = store->list(filter, page.sink()); !done) return done.error();
        return page.finish(static_cast<int>(page.count()) >= *filter.limit);
    });
}

response registry::impl::server_versions(const detail::routed_request& r)
{
    std::vector<detail::field_error> errors;
    const bool include_deleted = detail::read_bool(r.query, "include_deleted", errors).value_or(false);
    if (!errors.empty()) return detail::problem(422, "validation failed", errors);
    return cached_or_build(r.req, r.cache_key, "Failed to get server details", [&]() -> result<detail::built_answer> {
        detail::page_builder page;
        if (auto done = store->versions(r["serverName"], include_deleted, page.sink()); !done) return done.error();
        if (page.count() == 0) return detail::built_answer{404, "Server not found", {}};
        return page.finish(false);
    });
}

response registry::impl::server_version(const detail::routed_request& r)
{
    std::vector<detail::field_error> errors;
    const bool include_deleted = detail::read_bool(r.query, "include_deleted", errors).value_or(false);
    if (!errors.empty()) return detail::problem(422, "validation failed", errors);
    return cached_or_build(r.req, r.cache_key, "Failed to get server details", [&]() -> result<detail::built_answer> {
        detail::built_answer answer{404, "Server not found", {}};
        auto found = store->get(r["serverName"], r["version"], include_deleted, [&](const detail::rendered_row& row) {
            answer = {200, std::string(row.entry), "\"" + std::string(row.digest) + "\""};
        });
        if (!found) return found.error();
        return answer;
    });
}

response registry::impl::search(const detail::routed_request& r)
{
    std::vector<detail::field_error> errors;
    const int limit = detail::read_limit(r.query, errors);
    const bool include_deleted = detail::read_bool(r.query, "include_deleted", errors).value_or(false);
    const bool all_versions = detail::read_bool(r.query, "all_versions", errors).value_or(false);
    const auto* q = detail::param(r.query, "q");
    if (!q || q->empty()) errors.push_back({"expected required property q to be present", "query.q", nullptr});
    // Words as the index tokenizes names (`-`, `_` and `.` inside tokens), bounded in number and length.
    const mcpreg::detail::search_limits bounds;
    auto words = q ? mcpreg::detail::search_words(*q, "-_.", bounds) : std::vector<std::string>{};
    if (!words) errors.push_back({words.error().diag.message, "query.q", json::string(*q)});
    if (!errors.empty()) return detail::problem(422, "validation failed", errors);
    return cached_or_build(r.req, r.cache_key, "Failed to search the registry", [&]() -> result<detail::built_answer> {
        detail::page_builder page(static_cast<std::size_t>(limit));
        if (auto done = store->search(*words, bounds.max_time, include_deleted, !all_versions, limit, page.sink());
            !done)
            return done.error();
        return page.finish(false);
    });
}

}  // namespace mcpreg::engine
