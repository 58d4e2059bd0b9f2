// registry: the socket-free core of the engine. Routes a request the way the official registry's
// middleware and handlers do (internal/api/server.go, router/, handlers/v0/servers.go) and answers from
// storage, with cached, ETag-tagged and gzip-able bodies.
#include <mcpreg/engine/registry.hpp>
#include <mcpreg/model/json.hpp>
#include <mcpreg/model/validate.hpp>
#include <mcpreg/version.hpp>

#include "../common/gzip.hpp"
#include "../common/search_query.hpp"
#include "domain_auth.hpp"
#include "http_util.hpp"
#include "jws.hpp"
#include "oidc.hpp"
#include "registry_service.hpp"
#include "storage.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <tuple>
#include <unordered_map>
#include <variant>

namespace mcpreg::engine {
namespace json = boost::json;

namespace {

constexpr int default_limit = 30;
constexpr int max_limit = 100;
constexpr std::size_t min_gzip_bytes = 1024;

// The API has seven parameters; thousands are an attack on the cache key and the parser, not a query.
constexpr std::size_t max_query_parameters = 64;

// The query parameters any read handler reads; only these make an answer differ.
bool is_api_parameter(std::string_view name)
{
    for (std::string_view known :
         {"cursor", "limit", "search", "updated_since", "version", "include_deleted", "q", "all_versions"})
        if (name == known) return true;
    return false;
}

// A response body ready to send again: its ETag, and its gzip form once someone asked for it.
struct cached_body {
    int status = 200;
    std::string body;
    std::string etag;
    mutable std::once_flag gzip_once;
    mutable std::string gzip_body;
};

// Least-recently-used cache of response bodies, cleared on every write (here or, through the storage's change
// feed, in another engine process). An entry lives at most `lifetime`, so a missed change is never served
// longer than the responses' max-age.
class body_cache {
public:
    using clock = std::chrono::steady_clock;

    body_cache(std::size_t capacity, std::size_t max_bytes, clock::duration lifetime)
        : capacity_(capacity), max_bytes_(max_bytes), lifetime_(lifetime)
    {
    }

    std::shared_ptr<const cached_body> find(const std::string& key)
    {
        std::lock_guard lock(mutex_);
        auto it = index_.find(key);
        if (it == index_.end()) return nullptr;
        if (clock::now() - it->second->stored > lifetime_) {
            bytes_ -= weight(*it->second->body);
            order_.erase(it->second);
            index_.erase(it);
            return nullptr;
        }
        order_.splice(order_.begin(), order_, it->second);
        return it->second->body;
    }

    /// Counts clears: a body read from storage before a clear must not be stored after it.
    std::uint64_t generation() const
    {
        std::lock_guard lock(mutex_);
        return generation_;
    }

    /// Stores `body`, unless the cache was cleared since `read_at` (the generation when its rows were read);
    /// false when it did not.
    bool insert(const std::string& key, std::shared_ptr<const cached_body> body, std::uint64_t read_at)
    {
        if (capacity_ == 0 || weight(*body) > max_bytes_) return false;
        std::lock_guard lock(mutex_);
        if (read_at != generation_) return false;
        if (auto it = index_.find(key); it != index_.end()) {
            bytes_ -= weight(*it->second->body);
            it->second->body = std::move(body);
            bytes_ += weight(*it->second->body);
            it->second->stored = clock::now();
        }
        else {
            bytes_ += weight(*body);
            order_.push_front({key, std::move(body), clock::now()});
            index_[key] = order_.begin();
        }
        // Bounded in entries and in bytes: a few huge pages (one publisher's large documents) must not hold
        // the process's memory any more than many small ones.
        while (order_.size() > capacity_ || bytes_ > max_bytes_) {
            bytes_ -= weight(*order_.back().body);
            index_.erase(order_.back().key);
            order_.pop_back();
        }
        return true;
    }

    void clear()
    {
        std::lock_guard lock(mutex_);
        ++generation_;
        order_.clear();
        index_.clear();
        bytes_ = 0;
    }

private:
    struct entry {
        std::string key;
        std::shared_ptr<const cached_body> body;
        clock::time_point stored;
    };
    // What an entry may cost: its body, and as much again for the gzip form made on demand.
    static std::size_t weight(const cached_body& body) { return 2 * body.body.size() + body.etag.size() + 64; }

    std::size_t capacity_;
    std::size_t max_bytes_;
    std::size_t bytes_ = 0;
    clock::duration lifetime_;
    mutable std::mutex mutex_;
    std::uint64_t generation_ = 0;
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

// A storage failure is ours, not the client's: 503 with Retry-After while the database server cannot be
// reached (the engine keeps running and recovers), else a generic 500 that never leaks internals.
response storage_fault(const error& e, std::string_view failure)
{
    if (e.code == errc::timeout) {  // a bounded statement (a search) ran out of time: try a narrower one later
        auto res = problem(503, std::string(failure) + ": the query took too long; use longer or fewer words");
        res.headers.push_back({"Retry-After", "1"});
        return res;
    }
    if (e.code != errc::storage_unavailable) return problem(500, failure);
    auto res = problem(503, std::string(failure) + ": the database is unavailable, try again shortly");
    res.headers.push_back({"Retry-After", "1"});
    return res;
}

// The answer to a write the registry's rules refused: the one mapping of refusals to problem+json. `failure` is
// the write's own detail ("Failed to publish server"), under which upstream lists the cause.
response refusal_response(std::string_view failure, const detail::write_refusal& refused)
{
    switch (refused.reason) {
    case detail::refusal_reason::not_found: return problem(404, refused.message);
    case detail::refusal_reason::nothing_to_change: return problem(400, refused.message);
    case detail::refusal_reason::remote_url_taken:
    case detail::refusal_reason::version_limit:
    case detail::refusal_reason::duplicate_version: break;
    }
    return problem(400, failure, {{refused.message, "", nullptr}});
}

// What a read builds: the status, and the body with its ETag (for anything but 200, the problem's detail).
struct built_answer {
    int status = 200;
    std::string body;
    std::string etag;
};

// A page of stored entries, appended as the storage steps through them. Its ETag is hashed from the entries'
// digests and the metadata, which determine the body, so a page costs no hash of its own bytes.
class page_builder {
public:
    /// `expected_rows` sizes the body up front: growing a 100-entry page by doubling copies it about twice.
    explicit page_builder(std::size_t expected_rows = 1)
    {
        page_.body.reserve(expected_rows * typical_entry_bytes + 128);
        page_.body = "{\"servers\":[";
        identity_.reserve(expected_rows * 33 + 64);  // a 32-digit digest and a comma per row, then metadata
    }

    detail::row_sink sink()
    {
        return [this](const detail::rendered_row& row) {
            if (count_++) page_.body += ',';
            page_.body += row.entry;
            identity_ += row.digest;
            identity_ += ',';
            last_name_ = row.name;
            last_version_ = row.version;
        };
    }

    std::size_t count() const { return count_; }

    /// The page, with a `nextCursor` to its last row when `full`.
    built_answer finish(bool full)
    {
        std::string metadata = "{";
        if (full && count_ > 0)
            metadata += "\"nextCursor\":" + detail::json_quote(last_name_ + ":" + last_version_) + ",";
        metadata += "\"count\":" + std::to_string(count_) + "}";
        page_.body += "],\"metadata\":";
        page_.body += metadata;
        page_.body += '}';
        identity_ += metadata;
        page_.etag = detail::make_etag(identity_);
        return std::move(page_);
    }

private:
    // The bundled snapshot's first page averages 765 bytes an entry, all its entries 1,077; a page of larger
    // ones grows once or twice.
    static constexpr std::size_t typical_entry_bytes = 1024;

    built_answer page_;
    std::string identity_;
    std::string last_name_, last_version_;
    std::size_t count_ = 0;
};

// The sink of reads that only ask whether a row exists.
void ignore_row(const detail::rendered_row&) {}

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

// Prometheus metrics: request counts and latency histograms per method, route pattern and status. Every label
// comes from a bounded set (a client chooses the method string, so unknown methods are one "other" series).
class request_metrics {
public:
    void record(std::string_view method, std::string_view route, int status, double seconds)
    {
        static constexpr std::string_view known[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
        const bool listed = std::find(std::begin(known), std::end(known), method) != std::end(known);
        std::lock_guard lock(mutex_);
        auto& series = series_[key{std::string(listed ? method : "other"), std::string(route), status}];
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
    std::unique_ptr<detail::storage> store;
    detail::registry_service service;
    body_cache cache;
    request_metrics metrics;
    jwt_signer signer;
    std::optional<detail::oidc_verifier> github_oidc;
    std::optional<detail::oidc_verifier> admin_oidc;

    impl(registry_options o, std::unique_ptr<detail::storage> s, jwt_signer key)
        : options(std::move(o)),
          store(std::move(s)),
          service(*store, options.max_versions_per_server),
          cache(options.response_cache_entries, options.response_cache_bytes, options.max_age),
          signer(std::move(key))
    {
        store->watch_changes([this] { cache.clear(); });
        if (options.github_oidc) github_oidc.emplace(*options.github_oidc);
        if (options.admin_oidc) admin_oidc.emplace(options.admin_oidc->provider);
    }

    // Writes (src/engine/registry.cpp, below the reads).
    response publish(const request& req);
    response edit(const request& req, const std::string& name, const std::string& version);
    response remove(const request& req, const std::string& name, const std::string& version);
    response set_status(const request& req, const std::string& name, const std::optional<std::string>& version);
    response validate(const request& req);
    response auth_none(const request& req);
    response auth_admin(const request& req);
    response auth_domain(const request& req, bool dns);
    response auth_github(const request& req);
    response auth_github_oidc(const request& req);
    response auth_admin_oidc(const request& req);
    // A token exchange's answer: {"registry_token", "expires_at"} for freshly minted claims, or 401 `failure`
    // when a grant touches a blocked namespace.
    response issue(std::string auth_method, std::string subject, std::vector<permission> permissions,
                   std::string_view failure = "Token exchange failed") const;
    // The bearer token's claims, or the response that refuses the request.
    std::variant<token_claims, response> authenticate(const request& req, const json::value* body_errors_source);
    // A server.json write (publish, edit): its body read and checked, then its token; or the refusal.
    struct authenticated_write {
        json::value document;
        token_claims who;
    };
    std::variant<authenticated_write, response> read_authenticated_write(const request& req);
    void record(const token_claims* who, std::string_view action, const std::string& name, const std::string& version,
                int status, std::string detail);

    // `pattern` receives the route template (e.g. /v0/servers/{serverName}/versions) for the metrics.
    response route(const request& req, std::string& pattern);
    // `unshared_body`, when given, is `body->body` held by no one else (not cached): its bytes move into the
    // answer instead of being copied.
    response json_ok(const request& req, std::shared_ptr<const cached_body> body, std::string* unshared_body = nullptr);
    response cached_or_build(const request& req, const std::string& key, std::string_view failure,
                             const std::function<result<built_answer>()>& build);
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

namespace {

token_claims fresh_claims(std::string auth_method, std::string subject, std::vector<permission> permissions)
{
    token_claims claims;
    claims.auth_method = std::move(auth_method);
    claims.subject = std::move(subject);
    claims.permissions = std::move(permissions);
    claims.issued_at = std::chrono::system_clock::now();
    claims.expires_at = claims.issued_at + jwt_signer::token_lifetime;
    return claims;
}

}  // namespace

std::string registry::issue_token(std::vector<permission> permissions, std::string auth_method, std::string subject)
{
    return impl_->signer.sign(fresh_claims(std::move(auth_method), std::move(subject), std::move(permissions)));
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
    auto method_not_allowed = [&](std::string_view allowed = "GET, HEAD") {
        auto res = problem(405, "Method not allowed");
        res.headers.push_back({"Allow", std::string(allowed)});
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
    if (params->size() > max_query_parameters) return problem(400, "Too many query parameters");
    // One cache entry per route and the parameters the API reads (others change nothing in the answer, so
    // they must not make new entries); /v0 and /v0.1 answer alike, so they share it.
    std::string cache_key;
    for (const auto& segment : route) cache_key += "/" + segment;
    auto sorted = *params;
    std::erase_if(sorted, [](const auto& p) { return !is_api_parameter(p.first); });
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

    // Writes.
    if (route.size() == 1 && route[0] == "publish") {
        pattern = prefix + "/publish";
        if (req.method != "POST") return method_not_allowed("POST");
        return publish(req);
    }
    if (route.size() == 1 && route[0] == "validate") {
        pattern = prefix + "/validate";
        if (req.method != "POST") return method_not_allowed("POST");
        return validate(req);
    }
    if (route.size() == 2 && route[0] == "auth") {
        const auto& method = route[1];
        const bool enabled =
            (method == "none" && options.anonymous_auth) || (method == "admin" && options.admin_key) ||
            (method == "dns" && options.dns_txt_lookup) || (method == "http" && options.http_key_fetch) ||
            (method == "github-at" && options.github_api) || (method == "github-oidc" && options.github_oidc) ||
            (method == "oidc" && options.admin_oidc);
        if (!enabled) return not_found();
        pattern = prefix + "/auth/" + method;
        if (req.method != "POST") return method_not_allowed("POST");
        if (method == "none") return auth_none(req);
        if (method == "admin") return auth_admin(req);
        if (method == "github-at") return auth_github(req);
        if (method == "github-oidc") return auth_github_oidc(req);
        if (method == "oidc") return auth_admin_oidc(req);
        return auth_domain(req, method == "dns");
    }
    if ((route.size() == 3 && route[0] == "servers" && route[2] == "status") ||
        (route.size() == 5 && route[0] == "servers" && route[2] == "versions" && route[4] == "status")) {
        pattern = prefix + (route.size() == 3 ? "/servers/{serverName}/status"
                                              : "/servers/{serverName}/versions/{version}/status");
        if (req.method != "PATCH") return method_not_allowed("PATCH");
        auto name = detail::percent_decode(route[1]);
        if (!name) return problem(400, "Invalid server name encoding");
        std::optional<std::string> version;
        if (route.size() == 5) {
            version = detail::percent_decode(route[3]);
            if (!version) return problem(400, "Invalid version encoding");
        }
        return set_status(req, *name, version);
    }
    if (route.size() == 4 && route[0] == "servers" && route[2] == "versions" &&
        (req.method == "PUT" || req.method == "DELETE")) {
        auto name = detail::percent_decode(route[1]);
        if (!name) return problem(400, "Invalid server name encoding");
        auto version = detail::percent_decode(route[3]);
        if (!version) return problem(400, "Invalid version encoding");
        return req.method == "PUT" ? edit(req, *name, *version) : remove(req, *name, *version);
    }

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

// A cached answer: for 200, caching headers, a 304 when the client's copy is current, gzip when accepted.
response registry::impl::json_ok(const request& req, std::shared_ptr<const cached_body> body,
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
                                         const std::function<result<built_answer>()>& build)
{
    // Changes other engine processes made are delivered (clearing the cache) before a cached answer is used;
    // while they cannot be (the change feed is down), nothing is cached.
    const bool cacheable = store->changes_tracked();
    if (auto hit = cacheable ? cache.find(key) : nullptr) return json_ok(req, std::move(hit));
    const auto read_at = cache.generation();
    auto built = build();
    if (!built) return storage_fault(built.error(), failure);
    if (built->status != 200) {
        auto refused = problem(built->status, built->body);
        // "Server not found" is remembered like a page (every write clears the cache), so probing unknown
        // names costs no database read.
        if (built->status == 404) {
            auto body = std::make_shared<cached_body>();
            body->status = 404;
            body->body = refused.body;
            if (cacheable) cache.insert(key, std::move(body), read_at);
        }
        return refused;
    }
    auto body = std::make_shared<cached_body>();
    body->body = std::move(built->body);
    body->etag = std::move(built->etag);
    if (cacheable && cache.insert(key, body, read_at)) return json_ok(req, std::move(body));
    return json_ok(req, body, &body->body);
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

    return cached_or_build(req, cache_key, "Failed to get registry list", [&]() -> result<built_answer> {
        page_builder page(static_cast<std::size_t>(query.limit));
        if (auto done = store->list(query, page.sink()); !done) return done.error();
        return page.finish(static_cast<int>(page.count()) >= query.limit);
    });
}

response registry::impl::server_versions(const request& req, const std::string& name, const query_params& params,
                                         const std::string& cache_key)
{
    std::vector<field_error> errors;
    const bool include_deleted = read_include_deleted(params, errors).value_or(false);
    if (!errors.empty()) return problem(422, "validation failed", errors);
    return cached_or_build(req, cache_key, "Failed to get server details", [&]() -> result<built_answer> {
        page_builder page;
        if (auto done = store->versions(name, include_deleted, page.sink()); !done) return done.error();
        if (page.count() == 0) return built_answer{404, "Server not found", {}};
        return page.finish(false);
    });
}

response registry::impl::server_version(const request& req, const std::string& name, const std::string& version,
                                        const query_params& params, const std::string& cache_key)
{
    std::vector<field_error> errors;
    const bool include_deleted = read_include_deleted(params, errors).value_or(false);
    if (!errors.empty()) return problem(422, "validation failed", errors);
    return cached_or_build(req, cache_key, "Failed to get server details", [&]() -> result<built_answer> {
        built_answer answer{404, "Server not found", {}};
        auto found = store->get(name, version, include_deleted, [&](const detail::rendered_row& row) {
            answer = {200, std::string(row.entry), "\"" + std::string(row.digest) + "\""};
        });
        if (!found) return found.error();
        return answer;
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
    // Words as the index tokenizes names (`-`, `_` and `.` inside tokens), bounded in number and length.
    const mcpreg::detail::search_limits bounds;
    auto words = q ? mcpreg::detail::search_words(*q, "-_.", bounds) : std::vector<std::string>{};
    if (!words) errors.push_back({words.error().diag.message, "query.q", json::string(*q)});
    if (!errors.empty()) return problem(422, "validation failed", errors);
    return cached_or_build(req, cache_key, "Failed to search the registry", [&]() -> result<built_answer> {
        page_builder page(static_cast<std::size_t>(limit));
        if (auto done = store->search(*words, bounds.max_time, include_deleted, !all_versions, limit, page.sink());
            !done)
            return done.error();
        return page.finish(false);
    });
}

// ---- writes ----

namespace {

// Where a problem sits, in huma's notation: body.packages[0].registryType.
std::string location(const std::string& parent, std::string_view key) { return parent + "." + std::string(key); }
std::string location(const std::string& parent, std::size_t index)
{
    return parent + "[" + std::to_string(index) + "]";
}

struct object_shape {
    std::vector<std::string_view> allowed;
    std::vector<std::string_view> required;
};

// huma's strict decoding of a ServerJSON body (pkg/api/v0/types.go, pkg/model/types.go): unknown properties,
// missing required ones, wrong JSON types and the name pattern are 422s before any handler runs.
class body_checker {
public:
    std::vector<field_error> errors;

    void server(const json::value& v)
    {
        static const object_shape shape{{"$schema", "name", "description", "version", "title", "repository",
                                         "websiteUrl", "icons", "packages", "remotes", "_meta"},
                                        {"$schema", "name", "description", "version"}};
        const std::string at = "body";
        if (!object(v, at, shape)) return;
        const auto& o = v.get_object();
        for (auto key : {"$schema", "name", "description", "version", "title", "websiteUrl"}) string_field(o, at, key);
        if (auto* name = o.if_contains("name"); name && name->is_string()) {
            const std::string_view text = name->get_string();
            const auto slash = text.find('/');
            auto ok = [](std::string_view part, std::string_view extra) {
                return !part.empty() && std::all_of(part.begin(), part.end(), [&](char c) {
                    return std::isalnum(static_cast<unsigned char>(c)) || extra.find(c) != std::string_view::npos;
                });
            };
            if (slash == std::string_view::npos || !ok(text.substr(0, slash), ".-") ||
                !ok(text.substr(slash + 1), "._-"))
                errors.push_back(
                    {"expected string to match pattern ^[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+$", location(at, "name"), *name});
        }
        if (auto* schema = o.if_contains("$schema"); schema && schema->is_string() && schema->get_string().empty())
            errors.push_back({"expected length >= 1", location(at, "$schema"), *schema});
        // The struct tags' lengths (in characters, as huma counts them).
        for (auto [key, min, max] : {std::tuple{"name", 3, 200}, std::tuple{"description", 1, 100},
                                     std::tuple{"version", 1, 255}, std::tuple{"title", 1, 100}}) {
            const auto* field = o.if_contains(key);
            if (!field || !field->is_string()) continue;
            const std::string_view text = field->get_string();
            const auto length = static_cast<int>(std::count_if(
                text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
            if (length < min)
                errors.push_back({"expected length >= " + std::to_string(min), location(at, key), *field});
            if (length > max)
                errors.push_back({"expected length <= " + std::to_string(max), location(at, key), *field});
        }
        if (auto* r = o.if_contains("repository"))
            object(*r, location(at, "repository"), {{"url", "source", "id", "subfolder"}, {}});
        array_of(o, at, "icons", [&](const json::value& icon, const std::string& where) {
            object(icon, where, {{"src", "mimeType", "sizes", "theme"}, {"src"}});
        });
        array_of(o, at, "packages", [&](const json::value& p, const std::string& where) { package(p, where); });
        array_of(o, at, "remotes", [&](const json::value& t, const std::string& where) { transport(t, where); });
        if (auto* meta = o.if_contains("_meta"))
            object(*meta, location(at, "_meta"), {{"io.modelcontextprotocol.registry/publisher-provided"}, {}});
    }

    bool object(const json::value& v, const std::string& at, const object_shape& shape)
    {
        if (!v.is_object()) {
            errors.push_back({"expected object", at, v});
            return false;
        }
        for (const auto& [key, value] : v.get_object())
            if (std::find(shape.allowed.begin(), shape.allowed.end(), std::string_view(key)) == shape.allowed.end())
                errors.push_back({"unexpected property", location(at, key), value});
        for (auto key : shape.required)
            if (!v.get_object().contains(key))
                errors.push_back({"expected required property " + std::string(key) + " to be present", at, v});
        return true;
    }

private:
    void string_field(const json::object& o, const std::string& at, std::string_view key)
    {
        if (auto* v = o.if_contains(key); v && !v->is_string())
            errors.push_back({"expected string", location(at, key), *v});
    }

    template <class Each>
    void array_of(const json::object& o, const std::string& at, std::string_view key, Each each)
    {
        const auto* v = o.if_contains(key);
        if (!v) return;
        if (!v->is_array()) {
            errors.push_back({"expected array", location(at, key), *v});
            return;
        }
        for (std::size_t i = 0; i < v->get_array().size(); ++i) each(v->get_array()[i], location(location(at, key), i));
    }

    void package(const json::value& p, const std::string& at)
    {
        if (!object(p, at,
                    {{"registryType", "registryBaseUrl", "identifier", "version", "fileSha256", "runtimeHint",
                      "transport", "runtimeArguments", "packageArguments", "environmentVariables"},
                     {"registryType", "identifier", "transport"}}))
            return;
        const auto& o = p.get_object();
        if (auto* t = o.if_contains("transport")) transport(*t, location(at, "transport"));
        for (auto key : {"runtimeArguments", "packageArguments"})
            array_of(o, at, key, [&](const json::value& a, const std::string& where) {
                input(a, where, {"type", "name", "valueHint", "isRepeated", "variables"}, {"type"});
            });
        array_of(o, at, "environmentVariables", [&](const json::value& e, const std::string& where) {
            input(e, where, {"name", "variables"}, {"name"});
        });
    }

    void transport(const json::value& t, const std::string& at)
    {
        if (!object(t, at, {{"type", "url", "headers", "variables"}, {"type"}})) return;
        const auto& o = t.get_object();
        array_of(o, at, "headers", [&](const json::value& h, const std::string& where) {
            input(h, where, {"name", "variables"}, {"name"});
        });
        variables(o, at);
    }

    void input(const json::value& v, const std::string& at, std::vector<std::string_view> extra,
               std::vector<std::string_view> required)
    {
        object_shape shape{
            {"description", "isRequired", "format", "value", "isSecret", "default", "placeholder", "choices"},
            std::move(required)};
        shape.allowed.insert(shape.allowed.end(), extra.begin(), extra.end());
        if (!object(v, at, shape)) return;
        variables(v.get_object(), at);
    }

    void variables(const json::object& o, const std::string& at)
    {
        const auto* vars = o.if_contains("variables");
        if (!vars) return;
        if (!vars->is_object()) {
            errors.push_back({"expected object", location(at, "variables"), *vars});
            return;
        }
        for (const auto& [key, value] : vars->get_object())
            object(value, location(location(at, "variables"), key),
                   {{"description", "isRequired", "format", "value", "isSecret", "default", "placeholder", "choices"},
                    {}});
    }
};

// What a server.json must meet to be stored: one set of rules for publish, edit and /validate (the JSON Schema
// of its generation, patterns, enums and formats included, and the official registry's publish profile), so
// a write stores exactly what /validate calls valid.
std::vector<model::validation_issue> registry_rules(const json::value& document)
{
    model::validate_options rules;
    rules.official_registry = true;
    return model::validate(document, rules);
}

std::string issues_path(std::string pointer)
{
    // "/packages/0/version" -> "packages[0].version", as upstream's /validate reports paths.
    std::string out;
    std::size_t pos = 0;
    while (pos < pointer.size()) {
        auto next = pointer.find('/', pos + 1);
        auto token = pointer.substr(pos + 1, next == std::string::npos ? std::string::npos : next - pos - 1);
        const bool index =
            !token.empty() && std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (index) out += "[" + token + "]";
        else out += (out.empty() ? "" : ".") + (token == "$schema" ? std::string("schema") : token);
        pos = next == std::string::npos ? pointer.size() : next;
    }
    return out;
}

response json_response(int status, std::string body)
{
    response res;
    res.status = status;
    res.headers.push_back({"Content-Type", "application/json"});
    res.body = std::move(body);
    return res;
}

response json_response(int status, const json::value& body) { return json_response(status, json::serialize(body)); }

std::string permission_list(const std::vector<permission>& permissions, std::string_view action)
{
    std::string list;
    for (const auto& p : permissions)
        if (p.action == action) list += (list.empty() ? "" : ", ") + p.resource;
    return list;
}

}  // namespace

std::variant<token_claims, response> registry::impl::authenticate(const request& req, const json::value* body)
{
    // huma checks the required header together with the body: one 422 lists every problem.
    body_checker checker;
    if (body) checker.server(*body);
    const auto header = req.header("Authorization");
    if (header.empty())
        checker.errors.insert(checker.errors.begin(),
                              {"required header parameter is missing", "header.Authorization", nullptr});
    if (!checker.errors.empty()) return problem(422, "validation failed", checker.errors);
    if (header.size() < 7 || !iequals(header.substr(0, 7), "Bearer "))
        return problem(401, "Invalid Authorization header format. Expected 'Bearer <token>'");
    auto claims = signer.verify(header.substr(7));
    if (!claims) return problem(401, "Invalid or expired Registry JWT token");
    return std::move(*claims);
}

void registry::impl::record(const token_claims* who, std::string_view action, const std::string& name,
                            const std::string& version, int status, std::string detail_text)
{
    audit_entry entry{model::timestamp::now().to_string(),
                      who ? who->auth_method + ":" + who->subject : std::string("anonymous"),
                      std::string(action),
                      name,
                      version,
                      status < 300 ? "ok" : std::to_string(status),
                      std::move(detail_text)};
    (void)store->audit(entry);  // the audit log must not turn a done write into a failure
}

namespace {

// Reads a JSON request body: 400 for text that is not JSON.
std::variant<json::value, response> read_body(const request& req)
{
    auto parsed = model::parse_json(req.body);
    if (!parsed)
        return problem(400, "Request body is not valid JSON", {{parsed.error().diag.message, "body", nullptr}});
    return std::move(*parsed);
}

}  // namespace

namespace {

// The host's package ownership check, package by package; the refusal upstream reports, if any.
std::optional<std::string> verify_packages(const registry_options& options, const model::server& server)
{
    if (!options.package_verifier || !server.packages) return std::nullopt;
    for (std::size_t i = 0; i < server.packages->size(); ++i) {
        const auto& package = (*server.packages)[i];
        if (auto reason = options.package_verifier(package, server))
            return "registry validation failed for package " + std::to_string(i) + " (" + package.identifier +
                   "): " + *reason;
    }
    return std::nullopt;
}

}  // namespace

std::variant<registry::impl::authenticated_write, response> registry::impl::read_authenticated_write(const request& req)
{
    auto body = read_body(req);
    if (auto* refused = std::get_if<response>(&body)) return std::move(*refused);
    auto& document = std::get<json::value>(body);
    auto authenticated = authenticate(req, &document);
    if (auto* refused = std::get_if<response>(&authenticated)) return std::move(*refused);
    return authenticated_write{std::move(document), std::move(std::get<token_claims>(authenticated))};
}

response registry::impl::publish(const request& req)
{
    auto write = read_authenticated_write(req);
    if (auto* refused = std::get_if<response>(&write)) return std::move(*refused);
    const auto& [document, who] = std::get<authenticated_write>(write);
    const auto& name_value = document.at("name");
    const std::string name(name_value.as_string());
    if (!permits(who.permissions, "publish", name)) {
        const auto granted = permission_list(who.permissions, "publish");
        std::string message = "You do not have permission to publish this server." +
                              (granted.empty() ? std::string(" You do not have any publish permissions")
                                               : " You have permission to publish: " + granted) +
                              ". Attempting to publish: " + name;
        if (name.starts_with("io.github."))
            message += ". If this is an organization namespace, make sure your membership is public or that your token "
                       "can read organization membership.";
        record(&who, "publish", name, std::string(document.at("version").as_string()), 403, message);
        return problem(403, message);
    }
    auto issues = registry_rules(document);
    // The publisher `_meta` size is a service check upstream (400 with its cause), not a schema failure.
    std::optional<std::string> meta_too_large;
    std::erase_if(issues, [&](const model::validation_issue& i) {
        if (i.rule != "publisher-meta-too-large") return false;
        meta_too_large = i.message;
        return true;
    });
    if (!model::is_valid(issues))
        return problem(422, "Failed to publish server, invalid schema: call /validate for details");
    auto server = model::server_from_json(document);
    if (!server) return problem(422, "Failed to publish server, invalid schema: call /validate for details");
    if (options.publish_policy) {
        if (auto reason = options.publish_policy(*server, who)) {
            record(&who, "publish", server->name, server->version, 403, *reason);
            return problem(403, *reason);
        }
    }
    if (meta_too_large) {
        record(&who, "publish", server->name, server->version, 400, *meta_too_large);
        return problem(400, "Failed to publish server", std::vector<field_error>{{*meta_too_large, "", nullptr}});
    }
    if (auto refused = verify_packages(options, *server)) {
        record(&who, "publish", server->name, server->version, 400, *refused);
        return problem(400, "Failed to publish server", std::vector<field_error>{{*refused, "", nullptr}});
    }
    const std::string stored_document = json::serialize(model::to_json(*server));
    auto outcome = service.publish(*server, stored_document);
    if (!outcome) {
        record(&who, "publish", server->name, server->version, 500, outcome.error().diag.message);
        return storage_fault(outcome.error(), "Failed to publish server");
    }
    if (auto* refused = std::get_if<detail::write_refusal>(&*outcome)) {
        auto res = refusal_response("Failed to publish server", *refused);
        record(&who, "publish", server->name, server->version, res.status, refused->message);
        return res;
    }
    cache.clear();
    record(&who, "publish", server->name, server->version, 200, "");
    return json_response(200, detail::render_entry(std::get<detail::stored_version>(*outcome)));
}

response registry::impl::edit(const request& req, const std::string& name, const std::string& version)
{
    auto write = read_authenticated_write(req);
    if (auto* refused = std::get_if<response>(&write)) return std::move(*refused);
    const auto& [document, who] = std::get<authenticated_write>(write);
    {
        auto existing = store->get(name, version, false, ignore_row);
        if (!existing) return storage_fault(existing.error(), "Failed to edit server");
        if (!*existing) return problem(404, "Server not found");
    }
    if (!permits(who.permissions, "edit", name)) {
        record(&who, "edit", name, version, 403, "no edit permission");
        return problem(403, "You do not have edit permissions for this server");
    }
    if (document.at("name").as_string() != name) return problem(400, "Cannot rename server");
    if (document.at("version").as_string() != version)
        return problem(400, "Version in request body must match URL path parameter");
    auto server = model::server_from_json(document);
    if (!model::is_valid(registry_rules(document)) || !server)
        return problem(422, "Failed to edit server, invalid schema: call /validate for details");
    if (options.publish_policy) {
        if (auto reason = options.publish_policy(*server, who)) {
            record(&who, "edit", name, version, 403, *reason);
            return problem(403, *reason);
        }
    }
    if (auto refused = verify_packages(options, *server)) {
        record(&who, "edit", name, version, 400, *refused);
        return problem(400, "Failed to edit server", std::vector<field_error>{{*refused, "", nullptr}});
    }
    auto outcome = service.edit(*server, json::serialize(model::to_json(*server)));
    if (!outcome) return storage_fault(outcome.error(), "Failed to edit server");
    if (auto* refused = std::get_if<detail::write_refusal>(&*outcome)) {
        auto res = refusal_response("Failed to edit server", *refused);
        record(&who, "edit", name, version, res.status, refused->message);
        return res;
    }
    cache.clear();
    record(&who, "edit", name, version, 200, "");
    return json_response(200, detail::render_entry(std::get<detail::stored_version>(*outcome)));
}

response registry::impl::remove(const request& req, const std::string& name, const std::string& version)
{
    auto authenticated = authenticate(req, nullptr);
    if (auto* refused = std::get_if<response>(&authenticated)) return std::move(*refused);
    const auto& who = std::get<token_claims>(authenticated);
    if (!permits(who.permissions, "edit", name)) {
        record(&who, "delete", name, version, 403, "no edit permission");
        return problem(403, "You do not have edit permissions for this server");
    }
    // A tombstone, never an erasure (registry_service::remove): the row stays, hidden, so its number can never
    // be published again with other content, and incremental mirrors (updated_since) see it go.
    auto outcome = service.remove(name, version);
    if (!outcome) return storage_fault(outcome.error(), "Failed to delete server");
    if (auto* refused = std::get_if<detail::write_refusal>(&*outcome))
        return refusal_response("Failed to delete server", *refused);
    cache.clear();
    record(&who, "delete", name, version, 200, "");
    return json_response(200, detail::render_entry(std::get<detail::stored_version>(*outcome)));
}

response registry::impl::set_status(const request& req, const std::string& name,
                                    const std::optional<std::string>& version)
{
    auto body = read_body(req);
    if (auto* refused = std::get_if<response>(&body)) return std::move(*refused);
    const auto& document = std::get<json::value>(body);
    // huma's checks of the status body come with the header check.
    body_checker checker;
    std::optional<model::server_status> status;
    std::optional<std::string> message;
    if (checker.object(document, "body", {{"status", "statusMessage"}, {"status"}})) {
        const auto& o = document.get_object();
        if (auto* s = o.if_contains("status")) {
            if (s->is_string()) status = model::parse_server_status(s->get_string());
            if (!status)
                checker.errors.push_back(
                    {"expected value to be one of \"active, deprecated, deleted\"", "body.status", *s});
        }
        if (auto* m = o.if_contains("statusMessage")) {
            if (!m->is_string()) checker.errors.push_back({"expected string", "body.statusMessage", *m});
            else if (m->get_string().size() > 500)
                checker.errors.push_back({"expected length <= 500", "body.statusMessage", *m});
            else message = std::string(m->get_string());
        }
    }
    if (req.header("Authorization").empty())
        checker.errors.insert(checker.errors.begin(),
                              {"required header parameter is missing", "header.Authorization", nullptr});
    if (!checker.errors.empty()) return problem(422, "validation failed", checker.errors);
    auto authenticated = authenticate(req, nullptr);
    if (auto* refused = std::get_if<response>(&authenticated)) return std::move(*refused);
    const auto& who = std::get<token_claims>(authenticated);
    const std::string version_label = version.value_or("*");

    if (version) {
        auto existing = store->get(name, *version, true, ignore_row);
        if (!existing) return storage_fault(existing.error(), "Failed to update server status");
        if (!*existing) return problem(404, "Server version not found");
    }
    else {
        auto latest = store->get(name, "latest", true, ignore_row);
        if (!latest) return storage_fault(latest.error(), "Failed to update server status");
        if (!*latest) return problem(404, "Server not found");
    }
    if (!permits(who.permissions, "publish", name) && !permits(who.permissions, "edit", name)) {
        record(&who, "status", name, version_label, 403, "no publish or edit permission");
        return problem(403, "You do not have publish or edit permissions for this server");
    }
    if (*status == model::server_status::active && message)
        return problem(400, "status_message cannot be provided when setting status to active");
    auto refusal = [&](const detail::write_refusal& r) {
        auto res = refusal_response("Failed to update server status", r);
        record(&who, "status", name, version_label, res.status, r.message);
        return res;
    };
    if (version) {
        auto outcome = service.set_status(name, *version, *status, message);
        if (!outcome) return storage_fault(outcome.error(), "Failed to update server status");
        if (auto* refused = std::get_if<detail::write_refusal>(&*outcome)) return refusal(*refused);
        cache.clear();
        record(&who, "status", name, *version, 200, std::string(model::to_string(*status)));
        return json_response(200, detail::render_entry(std::get<detail::stored_version>(*outcome)));
    }
    auto outcome = service.set_status_all(name, *status, message);
    if (!outcome) return storage_fault(outcome.error(), "Failed to update server status");
    if (auto* refused = std::get_if<detail::write_refusal>(&*outcome)) return refusal(*refused);
    cache.clear();
    record(&who, "status", name, "*", 200, std::string(model::to_string(*status)));
    json::array servers;
    for (const auto& row : std::get<std::vector<detail::stored_version>>(*outcome))
        servers.push_back(model::parse_json(detail::render_entry(row)).value());
    const auto count = servers.size();
    return json_response(200, json::object{{"updatedCount", count}, {"servers", std::move(servers)}});
}

response registry::impl::validate(const request& req)
{
    auto body = read_body(req);
    if (auto* refused = std::get_if<response>(&body)) return std::move(*refused);
    const auto& document = std::get<json::value>(body);
    body_checker checker;
    checker.server(document);
    if (!checker.errors.empty()) return problem(422, "validation failed", checker.errors);
    json::array issues;
    bool valid = true;
    for (const auto& issue : registry_rules(document)) {
        valid = valid && issue.severity != model::severity::error;
        issues.push_back({{"type", issue.rule.starts_with("schema-") && issue.rule != "schema-field-required" &&
                                           !issue.rule.starts_with("schema-version")
                                       ? "schema"
                                       : "semantic"},
                          {"path", issues_path(issue.path)},
                          {"message", issue.message},
                          {"severity", model::to_string(issue.severity)},
                          {"reference", issue.rule}});
    }
    return json_response(200, json::object{{"valid", valid}, {"issues", std::move(issues)}});
}

response registry::impl::issue(std::string auth_method, std::string subject, std::vector<permission> permissions,
                               std::string_view failure) const
{
    const bool global =
        std::any_of(permissions.begin(), permissions.end(), [](const permission& p) { return p.resource == "*"; });
    if (!global)
        for (const auto& blocked : options.blocked_namespaces)
            for (const auto& p : permissions)
                if (detail::grant_touches_namespace(p, blocked))
                    return problem(401, failure,
                                   std::vector<field_error>{{"namespace " + blocked + " is blocked", "", nullptr}});
    const auto claims = fresh_claims(std::move(auth_method), std::move(subject), std::move(permissions));
    const auto expires = std::chrono::duration_cast<std::chrono::seconds>(claims.expires_at.time_since_epoch()).count();
    return json_response(200, json::object{{"registry_token", signer.sign(claims)}, {"expires_at", expires}});
}

response registry::impl::auth_none(const request&)
{
    return issue("none", "anonymous",
                 {{"publish", "io.modelcontextprotocol.anonymous/*"}, {"edit", "io.modelcontextprotocol.anonymous/*"}});
}

response registry::impl::auth_admin(const request& req)
{
    auto body = read_body(req);
    if (auto* refused = std::get_if<response>(&body)) return std::move(*refused);
    const auto& document = std::get<json::value>(body);
    const auto* key = document.is_object() ? document.get_object().if_contains("admin_key") : nullptr;
    // Compared in constant time: the key is a password.
    bool match = key && key->is_string() && key->get_string().size() == options.admin_key->size();
    if (match) {
        unsigned char diff = 0;
        const std::string_view given = key->get_string();
        for (std::size_t i = 0; i < given.size(); ++i)
            diff |= static_cast<unsigned char>(given[i] ^ (*options.admin_key)[i]);
        match = diff == 0;
    }
    if (!match) return problem(401, "Token exchange failed");
    return issue("admin", "admin", {{"publish", "*"}, {"edit", "*"}});
}

response registry::impl::auth_domain(const request& req, bool dns)
{
    const std::string_view failure = dns ? "DNS authentication failed" : "HTTP authentication failed";
    auto body = read_body(req);
    if (auto* refused = std::get_if<response>(&body)) return std::move(*refused);
    const auto& document = std::get<json::value>(body);
    body_checker checker;
    if (checker.object(document, "body",
                       {{"domain", "timestamp", "signed_timestamp"}, {"domain", "timestamp", "signed_timestamp"}}))
        for (auto key : {"domain", "timestamp", "signed_timestamp"})
            if (auto* v = document.get_object().if_contains(key); v && !v->is_string())
                checker.errors.push_back({"expected string", location("body", key), *v});
    if (!checker.errors.empty()) return problem(422, "validation failed", checker.errors);
    // Domain names are case-insensitive: one spelling, so `EVIL.COM` and `evil.com` are one namespace.
    std::string domain(document.at("domain").as_string());
    for (auto& c : domain) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto refuse = [&](std::string cause) {
        return problem(401, failure, std::vector<field_error>{{std::move(cause), "", nullptr}});
    };
    if (!detail::is_valid_domain(domain)) return refuse("invalid domain format");
    std::vector<std::string> records;
    if (dns) {
        auto found = options.dns_txt_lookup(domain);
        if (!found) return refuse("failed to lookup DNS TXT records: " + found.error().diag.message);
        records = std::move(*found);
    }
    else {
        auto fetched = options.http_key_fetch(domain);
        if (!fetched) return refuse("failed to fetch public key: " + fetched.error().diag.message);
        if (fetched->size() > 4096) return refuse("failed to fetch public key: response larger than 4096 bytes");
        std::string_view trimmed = *fetched;
        while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.front()))) trimmed.remove_prefix(1);
        while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) trimmed.remove_suffix(1);
        records.emplace_back(trimmed);
    }
    auto verified = detail::verify_domain_proof(
        document.at("timestamp").as_string(), document.at("signed_timestamp").as_string(), records,
        dns ? "DNS TXT records" : "HTTP response", std::chrono::system_clock::now());
    if (!verified) return refuse(verified.error().diag.message);
    const auto reversed = detail::reverse_domain(domain);
    token_claims claims;
    claims.auth_method = dns ? "dns" : "http";
    claims.subject = domain;
    claims.permissions = {{"publish", reversed + "/*"}};
    if (dns) claims.permissions.push_back({"publish", reversed + ".*"});  // DNS proofs cover subdomains too
    return issue(std::move(claims.auth_method), std::move(claims.subject), std::move(claims.permissions), failure);
}

namespace {

// GitHub's rule for user and organisation logins.
bool is_valid_github_name(std::string_view name)
{
    return !name.empty() && std::all_of(name.begin(), name.end(),
                                        [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; });
}

// The one required string of a token exchange's body ({"github_token": ...}, {"oidc_token": ...}), or the 4xx.
std::variant<std::string, response> read_credential(const request& req, std::string_view field)
{
    auto body = read_body(req);
    if (auto* refused = std::get_if<response>(&body)) return std::move(*refused);
    const auto& document = std::get<json::value>(body);
    body_checker checker;
    const std::string key(field);
    if (checker.object(document, "body", {{key}, {key}}))
        if (const auto* t = document.get_object().if_contains(field); t && !t->is_string())
            checker.errors.push_back({"expected string", location("body", field), *t});
    if (!checker.errors.empty()) return problem(422, "validation failed", checker.errors);
    return std::string(document.at(field).as_string());
}

}  // namespace

// GitHub access token (upstream handlers/v0/auth/github_at.go): the user's own namespace, plus every
// organisation where the membership is active and the role is admin.
response registry::impl::auth_github(const request& req)
{
    auto credential = read_credential(req, "github_token");
    if (auto* refused = std::get_if<response>(&credential)) return std::move(*refused);
    const auto& github_token = std::get<std::string>(credential);
    auto failed = [] { return problem(401, "Token exchange failed"); };  // the cause stays private, as upstream
    auto github_get = [&](std::string target) {
        http_request r;
        r.target = std::move(target);
        r.headers = {{"Authorization", "Bearer " + github_token},
                     {"Accept", "application/vnd.github+json"},
                     {"X-GitHub-Api-Version", "2022-11-28"}};
        return options.github_api(r);
    };
    auto user = github_get("/user");
    if (!user || user->status != 200) return failed();
    auto user_json = model::parse_json(user->body);
    const auto* login = user_json && user_json->is_object() ? user_json->get_object().if_contains("login") : nullptr;
    if (!login || !login->is_string()) return failed();
    const std::string user_login(login->get_string());

    token_claims claims;
    claims.auth_method = "github-at";
    claims.subject = user_login;
    if (is_valid_github_name(user_login)) {  // an invalid login gets no permissions at all
        claims.permissions.push_back({"publish", "io.github." + user_login + "/*"});
        constexpr int max_pages = 100;
        for (int page = 1;; ++page) {
            if (page > max_pages) return failed();
            auto orgs = github_get("/user/memberships/orgs?state=active&per_page=100&page=" + std::to_string(page));
            if (!orgs) return failed();
            if (orgs->status == 403) {
                // Without read:org GitHub answers 403 with none of these: personal namespace only. With them it
                // is a rate limit or SSO enforcement: fail closed.
                if (orgs->header("X-RateLimit-Remaining") == "0" || !orgs->header("Retry-After").empty() ||
                    !orgs->header("X-GitHub-SSO").empty())
                    return failed();
                break;
            }
            if (orgs->status != 200) return failed();
            auto list = model::parse_json(orgs->body);
            if (!list || !list->is_array()) return failed();
            for (const auto& m : list->get_array()) {
                if (!m.is_object()) continue;
                const auto& o = m.get_object();
                auto text = [&](const json::object& from, std::string_view key) {
                    const auto* v = from.if_contains(key);
                    return v && v->is_string() ? std::string(v->get_string()) : std::string();
                };
                const auto* org = o.if_contains("organization");
                const std::string org_login = org && org->is_object() ? text(org->get_object(), "login") : "";
                if (text(o, "state") == "active" && text(o, "role") == "admin" && is_valid_github_name(org_login))
                    claims.permissions.push_back({"publish", "io.github." + org_login + "/*"});
            }
            if (list->get_array().size() < 100) break;
        }
    }
    return issue(std::move(claims.auth_method), std::move(claims.subject), std::move(claims.permissions));
}

// GitHub Actions OIDC (upstream handlers/v0/auth/github_oidc.go): the repository owner's namespace.
response registry::impl::auth_github_oidc(const request& req)
{
    auto credential = read_credential(req, "oidc_token");
    if (auto* refused = std::get_if<response>(&credential)) return std::move(*refused);
    auto failed = [](std::string cause) {
        return problem(401, "Token exchange failed", std::vector<field_error>{{std::move(cause), "", nullptr}});
    };
    if (github_oidc->issuer().audience.empty())
        return failed("GitHub OIDC exchange disabled: this deployment has no audience configured");
    auto claims = github_oidc->verify(std::get<std::string>(credential), std::chrono::system_clock::now());
    if (!claims) return failed("failed to validate OIDC token: " + claims.error().diag.message);
    const auto owner = detail::string_claim(*claims, "repository_owner");
    if (owner.empty()) return failed("failed to validate OIDC token: repository owner claim is required");
    std::vector<permission> permissions;
    if (is_valid_github_name(owner)) permissions.push_back({"publish", "io.github." + owner + "/*"});
    return issue("github-oidc", detail::string_claim(*claims, "sub"), std::move(permissions));
}

// Generic OIDC for administrators (upstream handlers/v0/auth/oidc.go): configured patterns after claim rules.
response registry::impl::auth_admin_oidc(const request& req)
{
    auto credential = read_credential(req, "oidc_token");
    if (auto* refused = std::get_if<response>(&credential)) return std::move(*refused);
    auto failed = [](std::string cause) {
        return problem(401, "Token exchange failed", std::vector<field_error>{{std::move(cause), "", nullptr}});
    };
    const auto& config = *options.admin_oidc;
    if (config.provider.audience.empty()) return failed("OIDC exchange disabled: no client id configured");
    auto claims = admin_oidc->verify(std::get<std::string>(credential), std::chrono::system_clock::now());
    if (!claims) return failed("failed to validate OIDC token: " + claims.error().diag.message);
    for (const auto& rule : config.required_claims)
        for (const auto& [key, expected] : rule) {
            const auto* actual = claims->if_contains(key);
            if (!actual)
                return failed("extra claims validation failed: required claim " + std::string(key) + " not found");
            if (!detail::claim_matches(*actual, expected))
                return failed("extra claims validation failed: " + std::string(key) + " expected " +
                              json::serialize(expected) + ", got " + json::serialize(*actual));
        }
    std::vector<permission> permissions;
    for (const auto& pattern : config.publish_patterns) permissions.push_back({"publish", pattern});
    for (const auto& pattern : config.edit_patterns) permissions.push_back({"edit", pattern});
    return issue("oidc", detail::string_claim(*claims, "sub"), std::move(permissions));
}

}  // namespace mcpreg::engine
