// The engine's registry inside: its parts, and the handlers the route table calls (read_handlers.cpp,
// write_handlers.cpp). Private to the library; docs/architecture.md says which file holds what.
#pragma once

#include <mcpreg/engine/registry.hpp>

#include "body_cache.hpp"
#include "page_builder.hpp"
#include "registry_service.hpp"
#include "request_metrics.hpp"
#include "route_table.hpp"
#include "storage.hpp"
#include "token_exchange.hpp"

#include <boost/json/value.hpp>

#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace mcpreg::engine {

struct registry::impl {
    registry_options options;
    std::unique_ptr<detail::storage> store;
    detail::registry_service service;
    detail::body_cache cache;
    detail::request_metrics metrics;
    jwt_signer signer;
    detail::token_issuer issuer;
    std::vector<std::pair<std::string, std::unique_ptr<detail::token_exchange>>> exchanges;
    detail::route_table routes;

    impl(registry_options o, std::unique_ptr<detail::storage> s, jwt_signer key);
    impl(const impl&) = delete;
    impl& operator=(const impl&) = delete;

    /// The answer to `req`; `pattern` receives the route's pattern (or "unmatched") for the metrics.
    response route(const request& req, std::string& pattern);
    /// The routes under /v0 or /v0.1 (`prefix`), and those outside (/, /metrics, /openapi.yaml).
    void add_read_routes(const std::string& prefix);
    void add_write_routes(const std::string& prefix);
    void add_exchange_routes(const std::string& prefix);
    void add_site_routes();

    // ---- reads (read_handlers.cpp) ----
    response list_servers(const detail::routed_request& r);
    response server_versions(const detail::routed_request& r);
    response server_version(const detail::routed_request& r);
    response search(const detail::routed_request& r);
    response health(const detail::routed_request& r);
    response version_info(const detail::routed_request& r);
    /// A small JSON answer with an ETag, revalidated like the pages.
    response small_json(const request& req, const boost::json::object& body);
    /// A cached answer: for 200, caching headers, a 304 when the client's copy is current, gzip when accepted.
    /// `unshared_body`, when given, is `body->body` held by no one else (not cached): its bytes move into the
    /// answer instead of being copied.
    response json_ok(const request& req, std::shared_ptr<const detail::cached_body> body,
                     std::string* unshared_body = nullptr);
    /// The cached answer under `key`, else the one `build` makes (cached when the storage tracks changes).
    response cached_or_build(const request& req, const std::string& key, std::string_view failure,
                             const std::function<result<detail::built_answer>()>& build);

    // ---- writes (write_handlers.cpp) ----
    response publish(const detail::routed_request& r);
    response edit(const detail::routed_request& r);
    response remove(const detail::routed_request& r);
    response set_status(const detail::routed_request& r);
    response validate(const detail::routed_request& r);
    /// The bearer token's claims, or the response that refuses the request; `body`, when given, is checked
    /// as a ServerJSON with the header (huma lists every problem in one 422).
    std::variant<token_claims, response> authenticate(const request& req, const boost::json::value* body);
    /// A server.json write (publish, edit): its body read and checked, then its token; or the refusal.
    struct authenticated_write {
        boost::json::value document;
        token_claims who;
    };
    std::variant<authenticated_write, response> read_authenticated_write(const request& req);
    void record(const token_claims* who, std::string_view action, const std::string& name, const std::string& version,
                int status, std::string detail);
};

}  // namespace mcpreg::engine
