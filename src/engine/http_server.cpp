// The engine's HTTP/1.1 listener: one coroutine per connection on a strand, with keep-alive and limits.
// The only translation unit of the engine that includes Beast, and only for its request parser: responses
// are serialised here, and timeouts come from one watchdog timer per connection (a deadline that requests
// move forward), because re-arming a timer around every socket operation cost more than the request itself.
#include <mcpreg/engine/http_server.hpp>

#include "http_codec.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <list>
#include <mutex>
#include <optional>

namespace mcpreg::engine {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;

namespace {

using request_parser = http::request_parser<http::string_body>;

// One accepted socket and its deadline. Everything here is touched only on the connection's strand.
struct connection {
    tcp::socket socket;
    asio::steady_timer watchdog;
    clock_type::time_point deadline = clock_type::time_point::max();

    explicit connection(tcp::socket s) : socket(std::move(s)), watchdog(socket.get_executor()) {}
    void expires_after(std::chrono::milliseconds timeout) { deadline = clock_type::now() + timeout; }
};

// Closes the socket once its deadline passes. It wakes at least every `period` (the shortest timeout), so a
// deadline moved earlier is still honoured without re-arming the timer.
asio::awaitable<void> watch(std::shared_ptr<connection> conn, std::chrono::milliseconds period)
{
    while (conn->socket.is_open()) {  // closed: the connection finished before this first ran
        const auto now = clock_type::now();
        if (now >= conn->deadline) {
            boost::system::error_code ignored;
            conn->socket.close(ignored);  // pending reads and writes end with operation_aborted
            co_return;
        }
        conn->watchdog.expires_at(std::min(conn->deadline, now + period));
        boost::system::error_code ec;
        co_await conn->watchdog.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;  // cancelled: the connection is finished
    }
}

// Feeds buffered bytes to the parser. Returns true when a whole request has been parsed, false when more
// bytes are needed or `ec` is set.
bool parse_buffered(request_parser& parser, beast::flat_buffer& buffer, boost::system::error_code& ec)
{
    while (!parser.is_done() && buffer.size() > 0) {
        const auto used = parser.put(buffer.data(), ec);
        buffer.consume(used);
        if (ec == http::error::need_more) {
            ec = {};
            return false;
        }
        if (ec) return false;
    }
    return parser.is_done();
}

void apply_limits(request_parser& parser, const http_server_options& limits)
{
    parser.body_limit(limits.max_body_bytes);
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
    parser.eager(true);  // parse the body as it arrives, so the buffer never holds more than a header
}

request to_engine_request(const request_parser::value_type& in)
{
    request out;
    out.method = std::string(in.method_string());
    out.target = std::string(in.target());
    out.headers.reserve(static_cast<std::size_t>(std::distance(in.begin(), in.end())));
    for (const auto& field : in) out.headers.push_back({std::string(field.name_string()), std::string(field.value())});
    out.body = in.body();
    return out;
}

// A response ready to write: the status line and headers, then the body (empty for HEAD, 1xx, 204 and 304).
struct wire_response {
    std::string head;
    std::string body;
    bool keep_alive = false;

    std::array<asio::const_buffer, 2> buffers() const { return {asio::buffer(head), asio::buffer(body)}; }
    std::string bytes() const { return head + body; }
};

wire_response serialize(response&& in, bool head_request, unsigned version, bool keep_alive)
{
    wire_response out;
    out.keep_alive = keep_alive;
    const auto status = static_cast<unsigned>(in.status);
    out.head.reserve(192 + in.headers.size() * 48);
    out.head += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    out.head += std::to_string(status);
    out.head += ' ';
    out.head += http::obsolete_reason(static_cast<http::status>(status));
    out.head += "\r\nServer: mcpreg\r\n";
    for (const auto& h : in.headers) {
        out.head += h.name;
        out.head += ": ";
        out.head += h.value;
        out.head += "\r\n";
    }
    // No body and no Content-Length for 1xx, 204 and 304 (RFC 9110 6.4.1); HEAD announces what GET sends.
    const bool bodiless_status = status < 200 || status == 204 || status == 304;
    if (!bodiless_status) {
        out.head += "Content-Length: ";
        out.head += std::to_string(in.body.size());
        out.head += "\r\n";
        if (!head_request) out.body = std::move(in.body);
    }
    if (version >= 11 && !keep_alive) out.head += "Connection: close\r\n";
    if (version < 11 && keep_alive) out.head += "Connection: keep-alive\r\n";
    out.head += "\r\n";
    return out;
}

// A problem+json answer the listener makes itself (the registry makes all others); a 503 says when to retry.
response listener_problem(http::status status, std::string_view detail)
{
    response res;
    res.status = static_cast<int>(status);
    res.headers.push_back({"Content-Type", "application/problem+json"});
    res.body = "{\"title\":\"" + std::string(http::obsolete_reason(status)) +
               "\",\"status\":" + std::to_string(static_cast<unsigned>(status)) + ",\"detail\":\"" +
               std::string(detail) + "\"}";
    if (status == http::status::service_unavailable) res.headers.push_back({"Retry-After", "1"});
    return res;
}

wire_response plain_problem(http::status status, std::string_view detail)
{
    return serialize(listener_problem(status, detail), false, 11, false);
}

// The answer to a request that could not be read: what is wrong, then the connection closes.
wire_response unreadable_request(const boost::system::error_code& ec)
{
    if (ec == http::error::body_limit) return plain_problem(http::status::payload_too_large, "Request body too large");
    if (ec == http::error::header_limit)
        return plain_problem(http::status::request_header_fields_too_large, "Request header fields too large");
    return plain_problem(http::status::bad_request, "Malformed HTTP request");
}

wire_response answer(registry& reg, const request_parser::value_type& req, bool keep_alive)
{
    return serialize(reg.handle(to_engine_request(req)), req.method() == http::verb::head, req.version(),
                     keep_alive && req.keep_alive());
}

// Reads are answered where they arrive; anything else may wait on the network or a write lock.
bool is_read(http::verb method)
{
    return method == http::verb::get || method == http::verb::head || method == http::verb::options;
}

// Token exchanges wait on other parties' servers, which an unauthenticated caller may choose; writes wait on a
// database lock. Each kind has its own lane, so exchanges that hang never hold up publishes.
bool is_token_exchange(std::string_view target)
{
    return target.starts_with("/v0/auth/") || target.starts_with("/v0.1/auth/");
}

// A request handed to a lane's pool: the answer comes back on the connection's strand, where the connection
// waits on `done` (cancelled when the answer is in, or expiring at the deadline). `phase` settles, once,
// whether the job ran: a request given up before it started is never run, so the caller may safely retry.
struct offloaded {
    enum : int { queued, started, abandoned };
    asio::steady_timer done;
    std::optional<response> answer;
    std::atomic<int> phase{queued};

    explicit offloaded(const asio::any_io_executor& strand) : done(strand) {}
};

// A pool of threads and a count of the requests running or queued on it.
struct lane {
    asio::thread_pool pool;
    std::atomic<std::size_t> pending{0};
    std::size_t capacity;
    std::string_view busy_detail;

    lane(std::size_t threads, std::size_t max_pending, std::string_view busy)
        : pool(std::max<std::size_t>(1, threads)), capacity(max_pending), busy_detail(busy)
    {
    }
};

}  // namespace

struct http_server::impl : std::enable_shared_from_this<impl> {
    asio::any_io_executor executor;
    registry& reg;
    http_server_options options;
    std::chrono::milliseconds watchdog_period;
    tcp::acceptor acceptor;
    std::atomic<bool> stopping{false};
    std::atomic<std::size_t> open_connections{0};
    // Token exchanges and writes: never on the threads that serve reads, and never on each other's.
    lane exchanges;
    lane writes;

    // Open connections, so stop() can close the idle ones.
    std::mutex sessions_mutex;
    std::list<std::weak_ptr<connection>> sessions;

    impl(asio::any_io_executor ex, registry& r, http_server_options o)
        : executor(std::move(ex)),
          reg(r),
          options(o),
          watchdog_period(
              std::max(std::chrono::milliseconds(1), std::min({o.read_timeout, o.idle_timeout, o.write_timeout}))),
          acceptor(asio::make_strand(executor)),
          exchanges(o.exchange_threads, o.max_pending_exchanges,
                    "Too many token exchanges in progress, try again shortly"),
          writes(o.write_threads, o.max_pending_writes, "Too many writes in progress, try again shortly")
    {
    }

    asio::awaitable<void> accept_loop();
    asio::awaitable<void> serve(std::shared_ptr<connection> conn);
    asio::awaitable<void> refuse(std::shared_ptr<connection> conn);
    asio::awaitable<boost::system::error_code> write(connection& conn, const wire_response& res);
    asio::awaitable<response> offload(connection& conn, lane& on, request req);
    asio::awaitable<wire_response> respond(connection& conn, const request_parser::value_type& req, bool keep_alive);
};

std::string detail::answer_raw(registry& reg, std::string_view bytes, const http_server_options& limits)
{
    request_parser parser;
    apply_limits(parser, limits);
    beast::flat_buffer buffer;
    const auto copied = asio::buffer_copy(buffer.prepare(bytes.size()), asio::buffer(bytes));
    buffer.commit(copied);
    boost::system::error_code ec;
    if (!parse_buffered(parser, buffer, ec) && !ec) parser.put_eof(ec);  // the bytes end here
    if (ec) return unreadable_request(ec).bytes();
    return answer(reg, parser.get(), true).bytes();
}

asio::awaitable<void> http_server::impl::accept_loop()
{
    auto self = shared_from_this();
    while (!stopping) {
        boost::system::error_code ec;
        tcp::socket socket =
            co_await acceptor.async_accept(asio::make_strand(executor), asio::redirect_error(asio::use_awaitable, ec));
        if (stopping || ec == asio::error::operation_aborted) co_return;
        if (ec) {
            // Out of file descriptors or a connection reset before accept: wait a moment, keep serving.
            asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(50));
            co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            continue;
        }
        // Each response goes out in one write, so Nagle's algorithm could only delay its last segment.
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto conn = std::make_shared<connection>(std::move(socket));
        if (open_connections.load() >= options.max_connections) {
            asio::co_spawn(conn->socket.get_executor(), refuse(conn), asio::detached);
            continue;
        }
        {
            std::lock_guard lock(sessions_mutex);
            sessions.remove_if([](const auto& weak) { return weak.expired(); });
            sessions.push_back(conn);
        }
        ++open_connections;
        asio::co_spawn(conn->socket.get_executor(), serve(conn), asio::detached);
    }
}

asio::awaitable<boost::system::error_code> http_server::impl::write(connection& conn, const wire_response& res)
{
    conn.expires_after(options.write_timeout);
    boost::system::error_code ec;
    co_await asio::async_write(conn.socket, res.buffers(), asio::redirect_error(asio::use_awaitable, ec));
    co_return ec;
}

asio::awaitable<response> http_server::impl::offload(connection& conn, lane& on, request req)
{
    if (++on.pending > on.capacity) {
        --on.pending;
        co_return listener_problem(http::status::service_unavailable, on.busy_detail);
    }
    auto state = std::make_shared<offloaded>(conn.socket.get_executor());
    state->done.expires_after(options.exchange_timeout);
    // The job holds the registry (which outlives the server: the destructor joins the pools), the connection's
    // strand and the shared state, never the server itself, so a pool is never joined from one of its own
    // threads. The state goes back to the strand with the answer (or empty-handed): it is only ever released
    // there, so its timer's executor is never touched from a pool thread.
    using strand_type = asio::strand<asio::any_io_executor>;
    const auto* connection_strand = conn.socket.get_executor().target<strand_type>();
    if (!connection_strand) {  // every accepted socket gets one (accept_loop); never reached
        --on.pending;
        co_return listener_problem(http::status::service_unavailable, on.busy_detail);
    }
    asio::post(on.pool,
               [&reg = reg, &pending = on.pending, strand = *connection_strand, state, req = std::move(req)]() mutable {
                   int expected = offloaded::queued;
                   if (!state->phase.compare_exchange_strong(expected, offloaded::started)) {
                       --pending;  // its caller was answered already: never run it
                       asio::post(strand, [state = std::move(state)] {});
                       return;
                   }
                   auto res = reg.handle(req);
                   --pending;
                   asio::post(strand, [state = std::move(state), res = std::move(res)]() mutable {
                       state->answer = std::move(res);
                       state->done.cancel();
                   });
               });
    // The connection may wait as long as the request may take, then write.
    conn.expires_after(options.exchange_timeout + options.write_timeout);
    boost::system::error_code ec;
    co_await state->done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (state->answer) co_return std::move(*state->answer);
    int expected = offloaded::queued;
    if (state->phase.compare_exchange_strong(expected, offloaded::abandoned))
        co_return listener_problem(http::status::service_unavailable,
                                   "The request waited too long and was not run; try again");
    co_return listener_problem(http::status::gateway_timeout,
                               "The request did not finish in time; it may still complete, so check before retrying");
}

asio::awaitable<wire_response> http_server::impl::respond(connection& conn, const request_parser::value_type& req,
                                                          bool keep_alive)
{
    if (is_read(req.method())) co_return answer(reg, req, keep_alive);
    auto engine_request = to_engine_request(req);
    auto& on = is_token_exchange(engine_request.target) ? exchanges : writes;
    auto res = co_await offload(conn, on, std::move(engine_request));
    co_return serialize(std::move(res), false, req.version(), keep_alive && req.keep_alive());
}

asio::awaitable<void> http_server::impl::refuse(std::shared_ptr<connection> conn)
{
    auto self = shared_from_this();
    asio::co_spawn(conn->socket.get_executor(), watch(conn, watchdog_period), asio::detached);
    co_await write(*conn, plain_problem(http::status::service_unavailable, "Too many connections"));
    boost::system::error_code ignored;
    conn->socket.shutdown(tcp::socket::shutdown_both, ignored);
    conn->socket.close(ignored);
    conn->watchdog.cancel();
}

asio::awaitable<void> http_server::impl::serve(std::shared_ptr<connection> conn)
{
    auto self = shared_from_this();
    struct connection_count {
        std::atomic<std::size_t>& count;
        ~connection_count() { --count; }
    } counted{open_connections};

    // The first request must arrive within read_timeout. Later, an idle keep-alive connection waits up to
    // idle_timeout for the first byte of its next request, and that request must then arrive whole within
    // read_timeout, so a client trickling bytes is dropped.
    conn->expires_after(options.read_timeout);
    asio::co_spawn(conn->socket.get_executor(), watch(conn, watchdog_period), asio::detached);
    beast::flat_buffer buffer;
    while (!stopping) {
        request_parser parser;
        apply_limits(parser, options);
        boost::system::error_code ec;
        while (!parse_buffered(parser, buffer, ec) && !ec) {
            const bool waiting_for_first_byte = !parser.got_some() && buffer.size() == 0;
            const auto received = co_await conn->socket.async_read_some(buffer.prepare(8192),
                                                                        asio::redirect_error(asio::use_awaitable, ec));
            buffer.commit(received);
            if (ec == asio::error::eof && parser.got_some()) parser.put_eof(ec);  // cut off mid-request
            if (ec) break;
            if (waiting_for_first_byte) conn->expires_after(options.read_timeout);
        }
        if (ec == asio::error::eof || ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
            ec == asio::error::bad_descriptor)
            break;  // the peer left, the deadline passed, or stop()
        if (ec) {
            // The request cannot be read: answer what is wrong and close, never 500.
            co_await write(*conn, unreadable_request(ec));
            break;
        }
        const auto res = co_await respond(*conn, parser.get(), !stopping);
        if (co_await write(*conn, res) || !res.keep_alive) break;
        conn->expires_after(options.idle_timeout);
    }
    boost::system::error_code ignored;
    conn->socket.shutdown(tcp::socket::shutdown_send, ignored);
    conn->socket.close(ignored);
    conn->watchdog.cancel();
}

http_server::http_server(asio::any_io_executor executor, registry& reg, http_server_options options)
    : impl_(std::make_shared<impl>(std::move(executor), reg, options))
{
}

http_server::~http_server()
{
    stop();
    // Requests still running on the pool use the registry, which may go once the server is gone.
    for (auto* on : {&impl_->exchanges, &impl_->writes}) {
        on->pool.stop();
        on->pool.join();
    }
}

result<unsigned short> http_server::listen(const std::string& host, unsigned short port)
{
    boost::system::error_code ec;
    auto address = asio::ip::make_address(host, ec);
    if (ec) {
        tcp::resolver resolver(impl_->executor);
        auto results = resolver.resolve(host, std::to_string(port), ec);
        if (ec || results.empty()) return make_error(errc::invalid_argument, "cannot resolve listen address " + host);
        address = results.begin()->endpoint().address();
    }
    const tcp::endpoint endpoint(address, port);
    auto& acceptor = impl_->acceptor;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        error e{ec, {}};
        e.diag.message = "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message();
        return e;
    }
    const auto bound = acceptor.local_endpoint().port();
    asio::co_spawn(acceptor.get_executor(), impl_->accept_loop(), asio::detached);
    return bound;
}

void http_server::stop()
{
    if (impl_->stopping.exchange(true)) return;
    asio::post(impl_->acceptor.get_executor(), [self = impl_] {
        boost::system::error_code ignored;
        self->acceptor.close(ignored);
    });
    std::lock_guard lock(impl_->sessions_mutex);
    for (auto& weak : impl_->sessions) {
        if (auto conn = weak.lock()) {
            // End pending reads (they see end of stream); a response being written still completes. The handler
            // takes this thread's reference: a connection is never released here, while its own strand may be
            // releasing it too.
            const auto& executor = conn->socket.get_executor();
            asio::post(executor, [conn = std::move(conn)] {
                boost::system::error_code ignored;
                conn->socket.shutdown(tcp::socket::shutdown_receive, ignored);
            });
        }
    }
}

std::size_t http_server::connections() const noexcept { return impl_->open_connections.load(); }

}  // namespace mcpreg::engine
