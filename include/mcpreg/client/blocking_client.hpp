// A synchronous facade over the async client: each call runs a private io_context on the caller's thread until
// it runs out of work.
#pragma once

#include <mcpreg/client/client.hpp>

#include <functional>
#include <iterator>
#include <memory>

namespace mcpreg {

class blocking_client;

/// Every server of a query, page after page, as an input range of result<server_response>. A failure is
/// yielded once, as an error, and ends the range.
class MCPREG_API server_range {
public:
    class iterator {
    public:
        using iterator_category = std::input_iterator_tag;
        using value_type = result<model::server_response>;
        using difference_type = std::ptrdiff_t;
        using pointer = const value_type*;
        using reference = const value_type&;

        iterator() = default;
        reference operator*() const { return *current_; }
        pointer operator->() const { return &*current_; }
        MCPREG_API iterator& operator++();
        void operator++(int) { ++*this; }
        friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.range_ == b.range_; }

    private:
        friend class server_range;
        explicit iterator(server_range* range) : range_(range) { ++*this; }
        server_range* range_ = nullptr;
        std::optional<value_type> current_;
    };

    iterator begin() { return iterator(this); }
    iterator end() { return iterator(); }

    /// Where the walk would resume (the cursor of the next page).
    const std::optional<std::string>& cursor() const noexcept { return pager_.cursor(); }

private:
    friend class blocking_client;
    server_range(blocking_client& owner, pager p) : owner_(&owner), pager_(std::move(p)) {}
    std::optional<result<model::server_response>> next();

    blocking_client* owner_;
    pager pager_;
    std::vector<model::server_response> buffered_;
    std::size_t position_ = 0;
    bool failed_ = false;
};

/// The client's operations as blocking calls returning result<T> (with diagnostics on failure).
///
/// \par Threads and I/O
/// The blocking client starts no thread. It owns a private io_context, and each call starts the asynchronous
/// operation on it and then runs that io_context on the calling thread until it has no work left, so every
/// handler runs on the caller's thread, inside the call. Between calls nothing runs: idle keep-alive
/// connections wait unread. (Host name resolution is Asio's: it may use a resolver thread of its own.)
///
/// \par Thread safety
/// Calls may come from several threads; a mutex makes them run one at a time. Do not call from inside a
/// handler running on the client's own io_context, e.g. from an operation started through async_client():
/// the call would wait for the mutex its own caller holds.
class MCPREG_API blocking_client {
public:
    /// A client over the network, on a private io_context that each call runs on the caller's thread.
    static result<blocking_client> create(client_options options = {});
    /// Requests go to `handler` in-process (e.g. an embedded engine::registry), with no sockets. `handler` runs
    /// on the calling thread, inside each call.
    static result<blocking_client> create_in_process(client_options options,
                                                     std::function<http_response(const http_request&)> handler);

    blocking_client(blocking_client&&) noexcept;
    blocking_client& operator=(blocking_client&&) noexcept;
    ~blocking_client();

    /// Each call is the blocking form of the client operation of the same name (see mcpreg::client):
    /// the same request, the result or the error with its diagnostics.
    result<model::server_list> list_servers(const list_options& query = {}, call_options call = {});
    result<model::server_response> get_server(get_server_request req, call_options call = {});
    result<model::server_list> list_versions(list_versions_request req, call_options call = {});
    result<model::server_response> publish(publish_request req, call_options call = {});
    result<model::server_response> edit(edit_request req, call_options call = {});
    result<model::server_response> delete_version(delete_version_request req, call_options call = {});
    result<model::server_response> set_status(set_status_request req, call_options call = {});
    result<status_update> set_status_all(set_status_all_request req, call_options call = {});
    result<remote_validation> validate(validate_request req, call_options call = {});
    /// See client::async_exchange_token.
    result<registry_token> exchange_token(exchange_token_request req, call_options call = {});

    /// Any request; HTTP error statuses come back as responses.
    result<http_response> request(http_request req, call_options call = {});
    /// Every server matching `query`, fetched lazily page by page.
    server_range all_servers(list_options query = {});

    /// The asynchronous client underneath. Its executor is the blocking client's private io_context, which
    /// runs only inside a blocking call: an operation started here makes progress (and its handler runs) only
    /// during the next blocking call on this client, which also waits for it to finish.
    mcpreg::client& async_client() noexcept;

private:
    struct impl;
    friend class server_range;
    explicit blocking_client(std::unique_ptr<impl> p) noexcept;
    std::unique_ptr<impl> impl_;
};

/// GET an absolute URL (path and query as given) with `options` (its base_url is replaced) and extra
/// `headers`: for downloads and calls outside the registry API (MCPB bundles, key sets, domain proofs).
/// HTTP error statuses come back as responses.
MCPREG_API result<http_response> fetch_url(std::string_view url, client_options options,
                                           std::vector<http_header> headers = {});

}  // namespace mcpreg
