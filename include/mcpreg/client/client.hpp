// The asynchronous registry client: every operation is an Asio initiating function, so the caller picks
// callbacks, use_future, use_awaitable / deferred with co_await, as_tuple, and cancellation.
#pragma once

#include <mcpreg/client/connection.hpp>
#include <mcpreg/client/options.hpp>
#include <mcpreg/client/page_walker.hpp>
#include <mcpreg/client/requests.hpp>
#include <mcpreg/error.hpp>
#include <mcpreg/export.hpp>
#include <mcpreg/model/server.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace mcpreg {

/// A registry token from a token exchange (POST /v0.1/auth/...).
struct registry_token {
    std::string token;
    std::int64_t expires_at = 0;  ///< Unix seconds
};

/// The answer of PATCH /servers/{name}/status: every version after the change.
struct status_update {
    std::int64_t updated_count = 0;
    std::vector<model::server_response> servers;
};

/// One finding of POST /validate.
struct remote_validation_issue {
    std::string type;  ///< "schema", "semantic"
    std::string path;  ///< upstream's bracket notation, e.g. packages[0].version
    std::string message;
    std::string severity;
    std::string reference;
};

/// The answer of POST /validate: whether the registry would accept the document, and why not.
struct remote_validation {
    bool valid = false;
    std::vector<remote_validation_issue> issues;
};

/// A client of one registry (the official one by default, or any sub-registry serving the same API).
///
/// \par Executor
/// Handlers run on their associated executor, else on the client's. The client starts no threads.
///
/// \par Requests
/// Each operation takes one request struct (requests.hpp; list_options for listing), so calls name their
/// fields: `c.async_get_server({.name = "io.github.x/y", .include_deleted = true})`.
///
/// \par Object lifetimes
/// `client` is a cheap handle: copies share one implementation (options, connections). Every operation holds
/// its own reference to that implementation from the call that creates it, so a client may be destroyed
/// while its operations run, and before a deferred operation it created is launched: they complete normally.
///
/// \par Thread safety
/// Distinct objects: safe. Shared objects: operations may be started concurrently from any thread.
class MCPREG_API client {
public:
    using executor_type = boost::asio::any_io_executor;

    /// Checks the options (base URL, API version) and opens the network connection.
    static result<client> create(executor_type executor, client_options options = {});
    /// The same over a connection of the caller's: make_in_process_connection(), or a test double.
    static result<client> create(executor_type executor, client_options options, std::shared_ptr<connection> conn);

    /// The executor handlers run on when they have none of their own.
    executor_type get_executor() const noexcept;
    /// The options the client was created with (base URL, timeouts, cache...).
    const client_options& options() const noexcept;

    // Each initiation captures nothing and takes the implementation as an argument: a deferred operation stores
    // it with the request, so the operation keeps the implementation alive, never the `client` handle.

    /// GET /servers: one page. Handler: void(error_code, model::server_list).
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, model::server_list)) Token = boost::asio::deferred_t>
    auto async_list_servers(list_options query, call_options call = {}, Token&& token = {})
    {
        return boost::asio::async_initiate<Token, void(error_code, model::server_list)>(
            [](auto handler, std::shared_ptr<impl> p, list_options q, call_options c) {
                list_servers_impl(p, std::move(q), c, std::move(handler));
            },
            token, impl_, std::move(query), call);
    }

    /// GET /servers/{name}/versions/{version}; version "latest" (the default) picks the latest.
    /// Handler: void(error_code, model::server_response).
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, model::server_response)) Token = boost::asio::deferred_t>
    auto async_get_server(get_server_request request, call_options call = {}, Token&& token = {})
    {
        return boost::asio::async_initiate<Token, void(error_code, model::server_response)>(
            [](auto handler, std::shared_ptr<impl> p, get_server_request r, call_options c) {
                get_server_impl(p, std::move(r), c, std::move(handler));
            },
            token, impl_, std::move(request), call);
    }

    /// GET /servers/{name}/versions: every version, newest first. Handler: void(error_code, model::server_list).
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, model::server_list)) Token = boost::asio::deferred_t>
    auto async_list_versions(list_versions_request request, call_options call = {}, Token&& token = {})
    {
        return boost::asio::async_initiate<Token, void(error_code, model::server_list)>(
            [](auto handler, std::shared_ptr<impl> p, list_versions_request r, call_options c) {
                list_versions_impl(p, std::move(r), c, std::move(handler));
            },
            token, impl_, std::move(request), call);
    }

    /// Any request to the registry, with the client's retries, redirects and headers. `target` is relative
    /// to the base URL (e.g. "/v0.1/x/io.github.mcpreg/search?q=x"). Error statuses are returned as responses,
    /// not errors. Handler: void(error_code, http_response).
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, http_response)) Token = boost::asio::deferred_t>
    auto async_request(http_request request, call_options call = {}, Token&& token = {})
    {
        return boost::asio::async_initiate<Token, void(error_code, http_response)>(
            [](auto handler, std::shared_ptr<impl> p, http_request r, call_options c) {
                request_impl(p, std::move(r), c, std::move(handler));
            },
            token, impl_, std::move(request), call);
    }

    /// POST /publish with a registry token. Handler: void(error_code, model::server_response).
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, model::server_response)) Token = boost::asio::deferred_t>
    auto async_publish(publish_request request, call_options call = {}, Token&& token = {})
    {
        return boost::asio::async_initiate<Token, void(error_code, model::server_response)>(
            [](auto handler, std::shared_ptr<impl> p, publish_request r, call_options c) {
                publish_impl(p, std::move(r), c, std::move(handler));
            },
            token, impl_, std::move(request), call);
    }

    /// PUT /servers/{name}/versions/{version}: replaces a published version (edit permission).
    /// Handler: void(error_code, model::server_response).
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, model::server_response)) Token = boost::asio::deferred_t>
    auto async_edit(edit_request request, call_options call = {}, Token&& token = {})
    {
        return boost::asio::async_initiate<Token, void(error_code, model::server_response)>(
            [](auto handler, std::shared_ptr<impl> p, edit_request r, call_options c) {
                edit_impl(p, std::move(r), c, std::move(handler));
            },
            token, impl_, std::move(request), call);
    }

    /// DELETE /servers/{name}/versions/{version} (registries that offer it). Handler: void(error_code,
    /// model::server_response) with the removed version.
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, model::server_response)) Token = boost::asio::deferred_t>
    auto async_delete_version(delete_version_request request, call_options call = {}, Token&& token = {})
    {
        return boost::asio::async_initiate<Token, void(error_code, model::server_response)>(
            [](auto handler, std::shared_ptr<impl> p, delete_version_request r, call_options c) {
                delete_version_impl(p, std::move(r), c, std::move(handler));
            },
            token, impl_, std::move(request), call);
    }

    /// PATCH /servers/{name}/versions/{version}/status. Handler: void(error_code, model::server_response).
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, model::server_response)) Token = boost::asio::deferred_t>
    auto async_set_status(set_status_request request, call_options call = {}, Token&& token = {})
    {
        return boost::asio::async_initiate<Token, void(error_code, model::server_response)>(
            [](auto handler, std::shared_ptr<impl> p, set_status_request r, call_options c) {
                set_status_impl(p, std::move(r), c, std::move(handler));
            },
            token, impl_, std::move(request), call);
    }

    /// PATCH /servers/{name}/status: every version at once. Handler: void(error_code, status_update).
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, status_update)) Token = boost::asio::deferred_t>
    auto async_set_status_all(set_status_all_request request, call_options call = {}, Token&& token = {})
    {
        return boost::asio::async_initiate<Token, void(error_code, status_update)>(
            [](auto handler, std::shared_ptr<impl> p, set_status_all_request r, call_options c) {
                set_status_all_impl(p, std::move(r), c, std::move(handler));
            },
            token, impl_, std::move(request), call);
    }

    /// POST /validate: the registry's full check of a server.json. Handler: void(error_code, remote_validation).
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, remote_validation)) Token = boost::asio::deferred_t>
    auto async_validate(validate_request request, call_options call = {}, Token&& token = {})
    {
        return boost::asio::async_initiate<Token, void(error_code, remote_validation)>(
            [](auto handler, std::shared_ptr<impl> p, validate_request r, call_options c) {
                validate_impl(p, std::move(r), c, std::move(handler));
            },
            token, impl_, std::move(request), call);
    }

    /// POST /auth/<method>: exchanges a credential for a registry token (see exchange_token_request for each
    /// method's body). Handler: void(error_code, registry_token).
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, registry_token)) Token = boost::asio::deferred_t>
    auto async_exchange_token(exchange_token_request request, call_options call = {}, Token&& token = {})
    {
        return boost::asio::async_initiate<Token, void(error_code, registry_token)>(
            [](auto handler, std::shared_ptr<impl> p, exchange_token_request r, call_options c) {
                exchange_token_impl(p, std::move(r), c, std::move(handler));
            },
            token, impl_, std::move(request), call);
    }

private:
    struct impl;

    explicit client(std::shared_ptr<impl> p) noexcept : impl_(std::move(p)) {}

    // One compiled implementation per operation. Each takes the implementation by shared_ptr: the initiation
    // hands over its own copy, so an operation launched later (deferred) or outliving every client handle
    // still has the connections, options and executor it needs.
    static void list_servers_impl(std::shared_ptr<impl>, list_options, call_options,
                                  boost::asio::any_completion_handler<void(error_code, model::server_list)>);
    static void get_server_impl(std::shared_ptr<impl>, get_server_request, call_options,
                                boost::asio::any_completion_handler<void(error_code, model::server_response)>);
    static void list_versions_impl(std::shared_ptr<impl>, list_versions_request, call_options,
                                   boost::asio::any_completion_handler<void(error_code, model::server_list)>);
    static void request_impl(std::shared_ptr<impl>, http_request, call_options,
                             boost::asio::any_completion_handler<void(error_code, http_response)>);
    static void publish_impl(std::shared_ptr<impl>, publish_request, call_options,
                             boost::asio::any_completion_handler<void(error_code, model::server_response)>);
    static void edit_impl(std::shared_ptr<impl>, edit_request, call_options,
                          boost::asio::any_completion_handler<void(error_code, model::server_response)>);
    static void delete_version_impl(std::shared_ptr<impl>, delete_version_request, call_options,
                                    boost::asio::any_completion_handler<void(error_code, model::server_response)>);
    static void set_status_impl(std::shared_ptr<impl>, set_status_request, call_options,
                                boost::asio::any_completion_handler<void(error_code, model::server_response)>);
    static void set_status_all_impl(std::shared_ptr<impl>, set_status_all_request, call_options,
                                    boost::asio::any_completion_handler<void(error_code, status_update)>);
    static void validate_impl(std::shared_ptr<impl>, validate_request, call_options,
                              boost::asio::any_completion_handler<void(error_code, remote_validation)>);
    static void exchange_token_impl(std::shared_ptr<impl>, exchange_token_request, call_options,
                                    boost::asio::any_completion_handler<void(error_code, registry_token)>);

    std::shared_ptr<impl> impl_;
};

/// The body of a DNS or HTTP token exchange: signs `timestamp` (RFC 3339, UTC, e.g. "now") with an Ed25519
/// private key (PEM) and returns {"domain", "timestamp", "signed_timestamp"} as JSON text.
MCPREG_API result<std::string> sign_domain_proof(std::string_view domain, std::string_view private_key_pem,
                                                 std::string timestamp = {});

/// Walks every page of a query, resumably, with page_walker's guards: a cursor the registry already sent is an
/// error (errc::bad_response) rather than an endless loop, a (name, version) already returned is dropped from
/// later pages (counted in duplicates_dropped()), and a page over the response size cap is asked for again
/// with a smaller limit.
///
/// \par Thread safety
/// One operation at a time per pager.
class MCPREG_API pager {
public:
    /// Starts at `query.cursor` (or the beginning).
    pager(client c, list_options query);

    /// The next page. After the last page, completes with an empty list. A failed page can be asked for
    /// again: the pager stays where it was. Handler: void(error_code, model::server_list).
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, model::server_list)) Token = boost::asio::deferred_t>
    auto async_next_page(Token&& token = {})
    {
        return boost::asio::async_initiate<Token, void(error_code, model::server_list)>(
            [this](auto handler) { next_page_impl(std::move(handler)); }, token);
    }

    bool done() const noexcept { return walker_.done(); }
    /// Where the next page starts; pass it as list_options::cursor to resume later.
    const std::optional<std::string>& cursor() const noexcept { return walker_.query().cursor; }
    std::size_t pages() const noexcept { return walker_.pages(); }
    std::size_t duplicates_dropped() const noexcept { return walker_.duplicates_dropped(); }

private:
    void next_page_impl(boost::asio::any_completion_handler<void(error_code, model::server_list)> handler);

    client client_;
    page_walker walker_;
};

}  // namespace mcpreg
