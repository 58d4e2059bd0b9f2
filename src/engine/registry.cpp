// registry: the socket-free core of the engine. Routes a request the way the official registry's
// middleware and handlers do (internal/api/server.go, router/, handlers/v0/servers.go) and answers from
// storage, with cached, ETag-tagged and gzip-able bodies.
#include <mcpreg/engine/registry.hpp>
#include <mcpreg/model/json.hpp>
#include <mcpreg/version.hpp>

#include "../common/gzip.hpp"
#include "http_util.hpp"
#include "storage.hpp"

#include <boost/json/serialize.hpp>

#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <unordered_map>

namespace mcpreg::engine {
namespace json = boost::json;

namespace {

constexpr int default_limit = 30;
constexpr int max_limit = 100;
constexpr std::size_t min_gzip_bytes = 1024;

// A response body ready to send again: its ETag, and its gzip form once someone asked for it.
struct cached_body {
    int status = 200;
    std::string body;
    std::string etag;
    mutable std::once_flag gzip_once;
    mutable std::string gzip_body;
};

// Least-recently-used cache of response bodies, cleared on every write.
class body_cache {
public:
    explicit body_cache(std::size_t capacity) : capacity_(capacity) {}

    std::shared_ptr<const cached_body> find(const std::string& key)
    {
        std::lock_guard lock(mutex_);
        auto it = index_.find(key);
        if (it == index_.end()) return nullptr;
        order_.splice(order_.begin(), order_, it->second);
        return it->second->second;
    }

    void insert(const std::string& key, std::shared_ptr<const cached_body> body)
    {
        if (capacity_ == 0) return;
        std::lock_guard lock(mutex_);
        if (auto it = index_.find(key); it != index_.end()) {
            it->second->second = std::move(body);
            return;
        }
        order_.emplace_front(key, std::move(body));
        index_[key] = order_.begin();
        if (order_.size() > capacity_) {
            index_.erase(order_.back().first);
            order_.pop_back();
        }
    }

    void clear()
    {
        std::lock_guard lock(mutex_);
        order_.clear();
        index_.clear();
    }

private:
    using entry = std::pair<std::string, std::shared_ptr<const cached_body>>;
    std::size_t capacity_;
    std::mutex mutex_;
    std::list<entry> order_;
    std::unordered_map<std::string, std::list<entry>::iterator> index_;
};

std::string_view reason_phrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Request Entity Too Large";
    case 422: return "Unprocessable Entity";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
    }
}

struct field_error {
    std::string message;
    std::string location;
    json::value value;
};

// RFC 9457 problem details, as huma writes them.
response problem(int status, std::string_view detail, const std::vector<field_error>& errors = {})
{
    json::object body{{"title", reason_phrase(status)}, {"status", status}, {"detail", detail}};
    if (!errors.empty()) {
        json::array list;
        for (const auto& e : errors)
            list.push_back({{"message", e.message}, {"location", e.location}, {"value", e.value}});
        body["errors"] = std::move(list);
    }
    response res;
    res.status = status;
    res.headers.push_back({"Content-Type", "application/problem+json"});
    res.body = json::serialize(body);
    return res;
}

std::string entry_json(const detail::stored_version& row)
{
    json::object official{{"status", row.status}};
    if (row.status_message) official["statusMessage"] = *row.status_message;
    official["publishedAt"] = row.published_at;
    official["updatedAt"] = row.updated_at;
    official["statusChangedAt"] = row.status_changed_at;
    official["isLatest"] = row.is_latest;
    if (row.official_extra)
        if (auto extra = model::parse_json(*row.official_extra); extra && extra->is_object())
            for (const auto& [k, v] : extra->get_object())
                if (!official.contains(k)) official.emplace(k, v);
    json::object meta{{model::official_meta_key, std::move(official)}};
    if (row.meta_other)
        if (auto other = model::parse_json(*row.meta_other); other && other->is_object())
            for (const auto& [k, v] : other->get_object())
                if (!meta.contains(k)) meta.emplace(k, v);
    std::string text = "{\"server\":";
    text += row.document;
    text += ",\"_meta\":";
    text += json::serialize(meta);
    text += '}';
    return text;
}

std::string list_json(const std::vector<detail::stored_version>& rows, const std::optional<std::string>& next_cursor)
{
    std::string text = "{\"servers\":[";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (i) text += ',';
        text += entry_json(rows[i]);
    }
    text += "],\"metadata\":{";
    if (next_cursor) text += "\"nextCursor\":" + detail::json_quote(*next_cursor) + ",";
    text += "\"count\":" + std::to_string(rows.size()) + "}}";
    return text;
}

std::optional<bool> parse_bool(std::string_view text)
{
    // Go's strconv.ParseBool.
    for (auto t : {"1", "t", "T", "TRUE", "true", "True"})
        if (text == t) return true;
    for (auto f : {"0", "f", "F", "FALSE", "false", "False"})
        if (text == f) return false;
    return std::nullopt;
}

using query_params = std::vector<std::pair<std::string, std::string>>;

const std::string* param(const query_params& params, std::string_view name)
{
    for (const auto& [k, v] : params)
        if (k == name) return &v;
    return nullptr;
}

// Reads `include_deleted`; a non-boolean is a validation error.
std::optional<bool> read_include_deleted(const query_params& params, std::vector<field_error>& errors)
{
    const auto* text = param(params, "include_deleted");
    if (!text) return std::nullopt;
    auto value = parse_bool(*text);
    if (!value) errors.push_back({"expected boolean", "query.include_deleted", json::string(*text)});
    return value;
}

// Reads an integer parameter within [1, max]; absent gives `fallback`.
int read_limit(const query_params& params, std::vector<field_error>& errors)
{
    const auto* text = param(params, "limit");
    if (!text) return default_limit;
    long long value = 0;
    std::size_t used = 0;
    try {
        value = std::stoll(*text, &used);
    }
    catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != text->size()) {
        errors.push_back({"expected integer", "query.limit", json::string(*text)});
        return default_limit;
    }
    if (value < 1) errors.push_back({"expected number >= 1", "query.limit", value});
    else if (value > max_limit) errors.push_back({"expected number <= 100", "query.limit", value});
    return static_cast<int>(std::clamp<long long>(value, 1, max_limit));
}

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

// Prometheus metrics: request counts and latency histograms per method, route pattern and status.
class request_metrics {
public:
    void record(std::string_view method, std::string_view route, int status, double seconds)
    {
        std::lock_guard lock(mutex_);
        auto& series = series_[key{std::string(method), std::string(route), status}];
        ++series.count;
        series.sum += seconds;
        for (std::size_t i = 0; i < std::size(bounds); ++i)
            if (seconds <= bounds[i]) ++series.buckets[i];
    }

    std::string text() const
    {
        std::lock_guard lock(mutex_);
        std::string out = "# HELP mcp_registry_http_requests_total HTTP requests answered.\n"
                          "# TYPE mcp_registry_http_requests_total counter\n";
        for (const auto& [k, s] : series_)
            out += "mcp_registry_http_requests_total" + labels(k) + " " + std::to_string(s.count) + "\n";
        out += "# HELP mcp_registry_http_request_duration Time to answer an HTTP request, in seconds.\n"
               "# TYPE mcp_registry_http_request_duration histogram\n";
        for (const auto& [k, s] : series_) {
            auto base = labels(k);
            base.pop_back();  // reopen the label set for `le`
            for (std::size_t i = 0; i < std::size(bounds); ++i)
                out += "mcp_registry_http_request_duration_bucket" + base + ",le=\"" + format_bound(bounds[i]) +
                       "\"} " + std::to_string(s.buckets[i]) + "\n";
            out +=
                "mcp_registry_http_request_duration_bucket" + base + ",le=\"+Inf\"} " + std::to_string(s.count) + "\n";
            out += "mcp_registry_http_request_duration_sum" + labels(k) + " " + std::to_string(s.sum) + "\n";
            out += "mcp_registry_http_request_duration_count" + labels(k) + " " + std::to_string(s.count) + "\n";
        }
        return out;
    }

private:
    static constexpr double bounds[] = {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5};
    struct key {
        std::string method, route;
        int status;
        auto operator<=>(const key&) const = default;
    };
    struct values {
        std::uint64_t count = 0;
        double sum = 0;
        std::uint64_t buckets[std::size(bounds)] = {};
    };
    static std::string labels(const key& k)
    {
        return "{method=\"" + k.method + "\",path=\"" + k.route + "\",status=\"" + std::to_string(k.status) + "\"}";
    }
    static std::string format_bound(double bound)
    {
        auto text = std::to_string(bound);
        while (text.back() == '0') text.pop_back();
        if (text.back() == '.') text.pop_back();
        return text;
    }
    mutable std::mutex mutex_;
    std::map<key, values> series_;
};

}  // namespace

namespace detail {
std::string_view openapi_yaml();  // embedded from src/engine/openapi.yaml
}  // namespace detail

struct registry::impl {
    registry_options options;
    std::mutex storage_mutex;
    detail::storage store;
    body_cache cache;
    request_metrics metrics;

    impl(registry_options o, detail::storage s)
        : options(std::move(o)), store(std::move(s)), cache(options.response_cache_entries)
    {
    }

    // `pattern` receives the route template (e.g. /v0/servers/{serverName}/versions) for the metrics.
    response route(const request& req, std::string& pattern);
    response json_ok(const request& req, std::shared_ptr<const cached_body> body);
    response cached_or_build(const request& req, const std::string& key, std::string_view failure,
                             const std::function<result<std::pair<int, std::string>>()>& build);
    response list_servers(const request& req, const query_params& params, const std::string& cache_key);
    response server_versions(const request& req, const std::string& name, const query_params& params,
                             const std::string& cache_key);
    response server_version(const request& req, const std::string& name, const std::string& version,
                            const query_params& params, const std::string& cache_key);
    response search(const request& req, const query_params& params, const std::string& cache_key);
};

registry::registry(std::unique_ptr<impl> p) noexcept : impl_(std::move(p)) {}
registry::registry(registry&&) noexcept = default;
registry& registry::operator=(registry&&) noexcept = default;
registry::~registry() = default;

const registry_options& registry::options() const noexcept { return impl_->options; }

result<registry> registry::open(registry_options options)
{
    auto store = detail::storage::open(options.database);
    if (!store) return store.error();
    if (options.version.empty()) options.version = std::string(version_string);
    registry reg(std::make_unique<impl>(std::move(options), std::move(*store)));
    for (const auto& file : reg.impl_->options.seed_files)
        if (auto imported = reg.import_file(file); !imported) return imported.error();
    return reg;
}

result<std::size_t> registry::size()
{
    std::lock_guard lock(impl_->storage_mutex);
    return impl_->store.count();
}

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
    std::lock_guard lock(impl_->storage_mutex);
    auto report = impl_->store.import(std::move(entries));
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
        return problem(500, "Internal server error");
    }
}

response registry::impl::route(const request& req, std::string& pattern)
{
    const std::string_view target = req.target;
    const auto question = target.find('?');
    const std::string_view raw_path = target.substr(0, question);
    const std::string_view raw_query =
        question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);

    // 1. NUL bytes anywhere in the path or query: 400 with a plain JSON body (upstream's guard).
    auto nul_guard = [](std::string_view detail_text) {
        response res;
        res.status = 400;
        res.headers.push_back({"Content-Type", "application/json"});
        res.body = json::serialize(json::object{{"title", "Bad Request"}, {"status", 400}, {"detail", detail_text}});
        return res;
    };
    auto decoded_path = detail::percent_decode(raw_path);
    if (raw_path.find('\0') != std::string_view::npos || raw_path.find("%00") != std::string_view::npos ||
        (decoded_path && decoded_path->find('\0') != std::string::npos))
        return nul_guard("Invalid request: URL path contains null bytes");
    if (raw_query.find('\0') != std::string_view::npos || raw_query.find("%00") != std::string_view::npos)
        return nul_guard("Invalid request: query parameters contain null bytes");
    if (!decoded_path || raw_path.empty() || raw_path.front() != '/') return problem(400, "Invalid request path");

    // 2. A trailing slash redirects to the clean path, never off-host.
    if (raw_path.size() > 1 && raw_path.back() == '/') {
        response res;
        res.status = 308;
        auto location = detail::clean_path(raw_path);
        if (!raw_query.empty()) location += "?" + std::string(raw_query);
        res.headers.push_back({"Location", location});
        return res;
    }

    // 3. CORS preflight.
    if (req.method == "OPTIONS" && !req.header("Origin").empty() &&
        !req.header("Access-Control-Request-Method").empty()) {
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

    // 4. Routes. Segments are split on the raw path, so `%2F` inside a name does not split it.
    std::vector<std::string> segments;
    for (std::size_t pos = 1; pos <= raw_path.size();) {
        auto slash = raw_path.find('/', pos);
        auto segment = raw_path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
        auto decoded = detail::percent_decode(segment);
        if (!decoded) return problem(400, "Invalid request path");
        segments.push_back(std::move(*decoded));
        if (slash == std::string_view::npos) break;
        pos = slash + 1;
    }
    const bool read_method = req.method == "GET" || req.method == "HEAD";
    auto not_found = [&] {
        const bool prefixed = raw_path.starts_with("/v0/") || raw_path.starts_with("/v0.1/");
        auto res =
            problem(404, prefixed ? "Endpoint not found. See /docs for the API documentation."
                                  : "Endpoint not found. Did you mean '/v0.1" + std::string(raw_path) + "' or '/v0" +
                                        std::string(raw_path) + "'? See /docs for the API documentation.");
        res.headers.push_back({"X-Content-Type-Options", "nosniff"});
        return res;
    };
    auto method_not_allowed = [&] {
        auto res = problem(405, "Method not allowed");
        res.headers.push_back({"Allow", "GET, HEAD"});
        return res;
    };

    if (raw_path == "/metrics" || raw_path == "/openapi.yaml") {
        pattern = raw_path;
        if (!read_method) return method_not_allowed();
        response res;
        res.headers.push_back(
            {"Content-Type", raw_path == "/metrics" ? "text/plain; version=0.0.4" : "application/yaml"});
        res.body = raw_path == "/metrics" ? metrics.text() : std::string(detail::openapi_yaml());
        return res;
    }
    if (raw_path == "/") {
        pattern = "/";
        if (!read_method) return method_not_allowed();
        response res;
        res.headers.push_back({"Content-Type", "text/html; charset=utf-8"});
        res.headers.push_back({"Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"});
        res.headers.push_back({"X-Frame-Options", "DENY"});
        res.body = std::string(home_page);
        return res;
    }
    if (segments.size() < 2 || (segments[0] != "v0" && segments[0] != "v0.1")) return not_found();
    const std::vector<std::string> route(segments.begin() + 1, segments.end());
    const std::string prefix = "/" + segments[0];

    auto params = detail::parse_query(raw_query);
    if (!params) return problem(400, "Invalid query string encoding");
    // One cache entry per route and parameter set; /v0 and /v0.1 answer alike, so they share it.
    std::string cache_key;
    for (const auto& segment : route) cache_key += "/" + segment;
    auto sorted = *params;
    std::sort(sorted.begin(), sorted.end());
    for (const auto& [k, v] : sorted) cache_key += "\n" + k + "=" + v;

    auto small_json = [&](json::object body) {
        auto cached = std::make_shared<cached_body>();
        cached->body = json::serialize(body);
        cached->etag = detail::make_etag(cached->body);
        return json_ok(req, std::move(cached));
    };

    if (route.size() == 1 &&
        (route[0] == "health" || route[0] == "ping" || route[0] == "version" || route[0] == "servers"))
        pattern = prefix + "/" + route[0];
    else if (route.size() == 3 && route[0] == "servers" && route[2] == "versions")
        pattern = prefix + "/servers/{serverName}/versions";
    else if (route.size() == 4 && route[0] == "servers" && route[2] == "versions")
        pattern = prefix + "/servers/{serverName}/versions/{version}";
    else if (route.size() == 3 && route[0] == "x")
        pattern = prefix + "/x/" + std::string(extension_namespace) + "/search";

    if (route.size() == 1 && route[0] == "health") {
        if (!read_method) return method_not_allowed();
        json::object body{{"status", "ok"}};
        if (options.github_client_id) body["github_client_id"] = *options.github_client_id;
        return small_json(std::move(body));
    }
    if (route.size() == 1 && route[0] == "ping") {
        if (!read_method) return method_not_allowed();
        return small_json({{"pong", true}});
    }
    if (route.size() == 1 && route[0] == "version") {
        if (!read_method) return method_not_allowed();
        return small_json(
            {{"version", options.version}, {"git_commit", options.git_commit}, {"build_time", options.build_time}});
    }
    if (route.size() == 1 && route[0] == "servers") {
        if (!read_method) return method_not_allowed();
        return list_servers(req, *params, cache_key);
    }
    if (route.size() == 3 && route[0] == "servers" && route[2] == "versions") {
        if (!read_method) return method_not_allowed();
        auto name = detail::percent_decode(route[1]);  // the handler un-escapes once more, as upstream
        if (!name) return problem(400, "Invalid server name encoding");
        return server_versions(req, *name, *params, cache_key);
    }
    if (route.size() == 4 && route[0] == "servers" && route[2] == "versions") {
        if (!read_method) return method_not_allowed();
        auto name = detail::percent_decode(route[1]);
        if (!name) return problem(400, "Invalid server name encoding");
        auto version = detail::percent_decode(route[3]);
        if (!version) return problem(400, "Invalid version encoding");
        return server_version(req, *name, *version, *params, cache_key);
    }
    if (route.size() == 3 && route[0] == "x" && route[1] == extension_namespace && route[2] == "search") {
        if (!read_method) return method_not_allowed();
        return search(req, *params, cache_key);
    }
    return not_found();
}

// A 200 JSON answer with caching headers, a 304 when the client's copy is current, gzip when accepted.
response registry::impl::json_ok(const request& req, std::shared_ptr<const cached_body> body)
{
    response res;
    res.status = body->status;
    res.headers.push_back({"ETag", body->etag});
    if (body->status == 200)
        res.headers.push_back({"Cache-Control", "public, max-age=" + std::to_string(options.max_age.count())});
    const bool compressible = body->body.size() >= min_gzip_bytes;
    if (compressible) res.headers.push_back({"Vary", "Accept-Encoding"});
    if (auto inm = req.header("If-None-Match"); !inm.empty() && detail::etag_matches(inm, body->etag)) {
        res.status = 304;
        return res;
    }
    res.headers.push_back({"Content-Type", body->status == 200 ? "application/json" : "application/problem+json"});
    if (compressible && detail::accepts_gzip(req.header("Accept-Encoding"))) {
        std::call_once(body->gzip_once, [&] { body->gzip_body = mcpreg::detail::gzip_compress(body->body); });
        res.headers.push_back({"Content-Encoding", "gzip"});
        res.body = body->gzip_body;
    }
    else {
        res.body = body->body;
    }
    return res;
}

response registry::impl::cached_or_build(const request& req, const std::string& key, std::string_view failure,
                                         const std::function<result<std::pair<int, std::string>>()>& build)
{
    if (auto hit = cache.find(key)) return json_ok(req, std::move(hit));
    result<std::pair<int, std::string>> built = [&] {
        std::lock_guard lock(storage_mutex);
        return build();
    }();
    // A storage failure is ours, not the client's: a generic 500 that never leaks internals.
    if (!built) return problem(500, failure);
    if (built->first != 200) return problem(built->first, built->second);
    auto body = std::make_shared<cached_body>();
    body->body = std::move(built->second);
    body->etag = detail::make_etag(body->body);
    cache.insert(key, body);
    return json_ok(req, std::move(body));
}

response registry::impl::list_servers(const request& req, const query_params& params, const std::string& cache_key)
{
    std::vector<field_error> errors;
    detail::list_query query;
    query.limit = read_limit(params, errors);
    const auto include_deleted = read_include_deleted(params, errors);
    if (!errors.empty()) return problem(422, "validation failed", errors);

    if (const auto* since = param(params, "updated_since"); since && !since->empty()) {
        auto parsed = model::timestamp::parse(*since);
        if (!parsed)
            return problem(400,
                           "Invalid updated_since format: expected RFC3339 timestamp (e.g., 2025-08-07T13:15:04.280Z)");
        if (include_deleted == false)
            return problem(400, "Cannot set include_deleted=false when using updated_since (incremental sync "
                                "requires deleted servers)");
        query.updated_since = parsed->time().time_since_epoch().count();
        query.include_deleted = true;
    }
    else {
        query.include_deleted = include_deleted.value_or(false);
    }
    if (const auto* cursor = param(params, "cursor"); cursor && !cursor->empty()) {
        auto colon = cursor->find(':');
        query.cursor_name = cursor->substr(0, colon);
        if (colon != std::string::npos) query.cursor_version = cursor->substr(colon + 1);
    }
    if (const auto* search = param(params, "search")) query.search = *search;
    if (const auto* version = param(params, "version"); version && !version->empty()) {
        if (*version == "latest") query.latest_only = true;
        else query.version = *version;
    }

    return cached_or_build(req, cache_key, "Failed to get registry list", [&]() -> result<std::pair<int, std::string>> {
        auto rows = store.list(query);
        if (!rows) return rows.error();
        std::optional<std::string> next_cursor;
        if (!rows->empty() && static_cast<int>(rows->size()) >= query.limit)
            next_cursor = rows->back().name + ":" + rows->back().version;
        return std::pair{200, list_json(*rows, next_cursor)};
    });
}

response registry::impl::server_versions(const request& req, const std::string& name, const query_params& params,
                                         const std::string& cache_key)
{
    std::vector<field_error> errors;
    const bool include_deleted = read_include_deleted(params, errors).value_or(false);
    if (!errors.empty()) return problem(422, "validation failed", errors);
    return cached_or_build(req, cache_key, "Failed to get server details",
                           [&]() -> result<std::pair<int, std::string>> {
                               auto rows = store.versions(name, include_deleted);
                               if (!rows) return rows.error();
                               if (rows->empty()) return std::pair{404, std::string("Server not found")};
                               return std::pair{200, list_json(*rows, std::nullopt)};
                           });
}

response registry::impl::server_version(const request& req, const std::string& name, const std::string& version,
                                        const query_params& params, const std::string& cache_key)
{
    std::vector<field_error> errors;
    const bool include_deleted = read_include_deleted(params, errors).value_or(false);
    if (!errors.empty()) return problem(422, "validation failed", errors);
    return cached_or_build(req, cache_key, "Failed to get server details",
                           [&]() -> result<std::pair<int, std::string>> {
                               auto row = store.get(name, version, include_deleted);
                               if (!row) return row.error();
                               if (!*row) return std::pair{404, std::string("Server not found")};
                               return std::pair{200, entry_json(**row)};
                           });
}

response registry::impl::search(const request& req, const query_params& params, const std::string& cache_key)
{
    std::vector<field_error> errors;
    const int limit = read_limit(params, errors);
    const bool include_deleted = read_include_deleted(params, errors).value_or(false);
    bool all_versions = false;
    if (const auto* text = param(params, "all_versions")) {
        auto value = parse_bool(*text);
        if (!value) errors.push_back({"expected boolean", "query.all_versions", json::string(*text)});
        all_versions = value.value_or(false);
    }
    const auto* q = param(params, "q");
    if (!q || q->empty()) errors.push_back({"expected required property q to be present", "query.q", nullptr});
    if (!errors.empty()) return problem(422, "validation failed", errors);
    return cached_or_build(req, cache_key, "Failed to search the registry",
                           [&]() -> result<std::pair<int, std::string>> {
                               auto rows = store.search(*q, include_deleted, !all_versions, limit);
                               if (!rows) return rows.error();
                               return std::pair{200, list_json(*rows, std::nullopt)};
                           });
}

}  // namespace mcpreg::engine
