// The asynchronous registry client: every operation is an Asio initiating function, so the caller picks
// callbacks, use_future, use_awaitable / deferred with co_await, as_tuple, and cancellation.
#pragma once

#include <mcpreg/client/connection.hpp>
#include <mcpreg/client/options.hpp>
#include <mcpreg/client/page_walker.hpp>
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
/// \par Object lifetimes
/// Copies share one set of connections. Operations keep what they need alive; the client may be destroyed
/// while they run (they complete normally).
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

    /// GET /servers: one page. Handler: void(error_code, model::server_list).
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, model::server_list)) Token = boost::asio::deferred_t>
    auto async_list_servers(list_options query, call_options call = {}, Token&& token = {})
    {
        return boost::asio::async_initiate<Token, void(error_code, model::server_list)>(
            [this](auto handler, list_options q, call_options c) {
                list_servers_impl(std::move(q), c, std::move(handler));
            },
            token, std::move(query), call);
    }

    /// GET /servers/{name}/versions/{version}; version "latest" (the default) picks the latest.
    /// Handler: void(error_code, model::server_response).
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, model::server_response)) Token = boost::asio::deferred_t>
    auto async_get_server(std::string name, std::string version = "latest", bool include_deleted = false,
                          call_options call = {}, Token&& token = {})
    {
        return boost::asio::async_initiate<Token, void(error_code, model::server_response)>(
            [this](auto handler, std::string n, std::string v, bool deleted, call_options c) {
                get_server_impl(std::move(n), std::move(v), deleted, c, std::move(handler));
            },
            token, std::move(name), std::move(version), include_deleted, call);
    }

    /// GET /servers/{name}/versions: every version, newest first. Handler: void(error_code, model::server_list).
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, model::server_list)) Token = boost::asio::deferred_t>
    auto async_list_versions(std::string name, bool include_deleted = false, call_options call = {}, Token&& token = {})
    {
        return boost::asio::async_initiate<Token, void(error_code, model::server_list)>(
            [this](auto handler, std::string n, bool deleted, call_options c) {
                list_versions_impl(std::move(n), deleted, c, std::move(handler));
            },
            token, std::move(name), include_deleted, call);
    }

    /// Any request to the registry, with the client's retries, redirects and headers. `target` is relative
    /// to the base URL (e.g. "/v0.1/x/io.github.mcpreg/search?q=x"). Error statuses are returned as responses,
    /// not errors. Handler: void(error_code, http_response).
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, http_response)) Token = boost::asio::deferred_t>
    auto async_request(http_request request, call_options call = {}, Token&& token = {})
    {
        return boost::asio::async_initiate<Token, void(error_code, http_response)>(
            [this](auto handler, http_request r, call_options c) { request_impl(std::move(r), c, std::move(handler)); },
            token, std::move(request), call);
    }

    /// POST /publish with a registry token. Handler: void(error_code, model::server_response).
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, model::server_response)) Token = boost::asio::deferred_t>
    auto async_publish(model::server server, std::string token, call_options call = {}, Token&& completion = {})
    {
        return write_op<model::server_response>(write_kind::publish, std::move(server), {}, {}, std::nullopt,
                                                std::nullopt, std::move(token), call, std::forward<Token>(completion));
    }

    /// PUT /servers/{name}/versions/{version}: replaces a published version (edit permission).
    /// Handler: void(error_code, model::server_response).
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, model::server_response)) Token = boost::asio::deferred_t>
    auto async_edit(model::server server, std::string token, call_options call = {}, Token&& completion = {})
    {
        return write_op<model::server_response>(write_kind::edit, std::move(server), {}, {}, std::nullopt, std::nullopt,
                                                std::move(token), call, std::forward<Token>(completion));
    }

    /// DELETE /servers/{name}/versions/{version} (registries that offer it). Handler: void(error_code,
    /// model::server_response) with the removed version.
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, model::server_response)) Token = boost::asio::deferred_t>
    auto async_delete_version(std::string name, std::string version, std::string token, call_options call = {},
                              Token&& completion = {})
    {
        return write_op<model::server_response>(write_kind::remove, {}, std::move(name), std::move(version),
                                                std::nullopt, std::nullopt, std::move(token), call,
                                                std::forward<Token>(completion));
    }

    /// PATCH /servers/{name}/versions/{version}/status. Handler: void(error_code, model::server_response).
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, model::server_response)) Token = boost::asio::deferred_t>
    auto async_set_status(std::string name, std::string version, model::server_status status,
                          std::optional<std::string> message, std::string token, call_options call = {},
                          Token&& completion = {})
    {
        return write_op<model::server_response>(write_kind::status, {}, std::move(name), std::move(version), status,
                                                std::move(message), std::move(token), call,
                                                std::forward<Token>(completion));
    }

    /// PATCH /servers/{name}/status: every version at once. Handler: void(error_code, status_update).
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, status_update)) Token = boost::asio::deferred_t>
    auto async_set_status_all(std::string name, model::server_status status, std::optional<std::string> message,
                              std::string token, call_options call = {}, Token&& completion = {})
    {
        return write_op<status_update>(write_kind::status_all, {}, std::move(name), {}, status, std::move(message),
                                       std::move(token), call, std::forward<Token>(completion));
    }

    /// POST /validate: the registry's full check of a server.json. Handler: void(error_code, remote_validation).
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, remote_validation)) Token = boost::asio::deferred_t>
    auto async_validate(model::server server, call_options call = {}, Token&& completion = {})
    {
        return write_op<remote_validation>(write_kind::validate, std::move(server), {}, {}, std::nullopt, std::nullopt,
                                           {}, call, std::forward<Token>(completion));
    }

    /// POST /auth/<method> with a JSON body: "none" (body {}), "admin" ({"admin_key"}), "dns" and "http"
    /// ({"domain", "timestamp", "signed_timestamp"}, see sign_domain_proof), "github-at" ({"github_token"}),
    /// "github-oidc" ({"oidc_token"}). Handler: void(error_code, registry_token).
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, registry_token)) Token = boost::asio::deferred_t>
    auto async_exchange_token(std::string method, std::string json_body, call_options call = {},
                              Token&& completion = {})
    {
        return boost::asio::async_initiate<Token, void(error_code, registry_token)>(
            [this](auto handler, std::string m, std::string b, call_options c) {
                exchange_token_impl(std::move(m), std::move(b), c, std::move(handler));
            },
            completion, std::move(method), std::move(json_body), call);
    }

    struct impl;

private:
    enum class write_kind { publish, edit, remove, status, status_all, validate };
    struct write_request {
        write_kind kind;
        model::server server;
        std::string name, version;
        std::optional<model::server_status> status;
        std::optional<std::string> message;
        std::string token;
    };

    template <class T, class Token>
    auto write_op(write_kind kind, model::server server, std::string name, std::string version,
                  std::optional<model::server_status> status, std::optional<std::string> message, std::string token,
                  call_options call, Token&& completion)
    {
        return boost::asio::async_initiate<Token, void(error_code, T)>(
            [this](auto handler, write_request w, call_options c) {
                // any_completion_handler's constructor accepts anything: name the signature to pick the overload.
                write_impl(std::move(w), c,
                           boost::asio::any_completion_handler<void(error_code, T)>(std::move(handler)));
            },
            completion,
            write_request{kind, std::move(server), std::move(name), std::move(version), status, std::move(message),
                          std::move(token)},
            call);
    }

    explicit client(std::shared_ptr<impl> p) noexcept : impl_(std::move(p)) {}
    void write_impl(write_request, call_options,
                    boost::asio::any_completion_handler<void(error_code, model::server_response)>);
    void write_impl(write_request, call_options, boost::asio::any_completion_handler<void(error_code, status_update)>);
    void write_impl(write_request, call_options,
                    boost::asio::any_completion_handler<void(error_code, remote_validation)>);
    void exchange_token_impl(std::string, std::string, call_options,
                             boost::asio::any_completion_handler<void(error_code, registry_token)>);
    void list_servers_impl(list_options, call_options,
                           boost::asio::any_completion_handler<void(error_code, model::server_list)>);
    void get_server_impl(std::string, std::string, bool, call_options,
                         boost::asio::any_completion_handler<void(error_code, model::server_response)>);
    void list_versions_impl(std::string, bool, call_options,
                            boost::asio::any_completion_handler<void(error_code, model::server_list)>);
    void request_impl(http_request, call_options, boost::asio::any_completion_handler<void(error_code, http_response)>);

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
