// The engine's HTTP/1.1 listener: Beast over TCP, one coroutine per connection, with keep-alive and limits.
// The only translation unit of the engine that includes Beast.
#include <mcpreg/engine/http_server.hpp>

#include "http_codec.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <atomic>
#include <list>
#include <mutex>
#include <sstream>

namespace mcpreg::engine {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct http_server::impl : std::enable_shared_from_this<impl> {
    asio::any_io_executor executor;
    registry& reg;
    http_server_options options;
    tcp::acceptor acceptor;
    std::atomic<bool> stopping{false};
    std::atomic<std::size_t> open_connections{0};

    // Streams of open connections, so stop() can close the idle ones.
    std::mutex sessions_mutex;
    std::list<std::weak_ptr<beast::tcp_stream>> sessions;

    impl(asio::any_io_executor ex, registry& r, http_server_options o)
        : executor(std::move(ex)), reg(r), options(o), acceptor(asio::make_strand(executor))
    {
    }

    asio::awaitable<void> accept_loop();
    asio::awaitable<void> serve(std::shared_ptr<beast::tcp_stream> stream);
    asio::awaitable<void> refuse(tcp::socket socket);
};

namespace {

using beast_request = http::request<http::string_body>;
using beast_response = http::response<http::string_body>;

request to_engine_request(const beast_request& in)
{
    request out;
    out.method = std::string(in.method_string());
    out.target = std::string(in.target());
    out.headers.reserve(static_cast<std::size_t>(std::distance(in.begin(), in.end())));
    for (const auto& field : in) out.headers.push_back({std::string(field.name_string()), std::string(field.value())});
    out.body = in.body();
    return out;
}

beast_response to_beast_response(response&& in, bool head, unsigned version, bool keep_alive)
{
    beast_response out{static_cast<http::status>(in.status), version};
    out.set(http::field::server, "mcpreg");
    for (auto& h : in.headers) out.insert(h.name, h.value);
    const auto length = in.body.size();
    if (!head) out.body() = std::move(in.body);
    out.keep_alive(keep_alive);
    if (head) out.content_length(length);  // what GET would send, without the body
    else out.prepare_payload();
    return out;
}

beast_response plain_problem(http::status status, std::string_view detail, unsigned version)
{
    beast_response out{status, version};
    out.set(http::field::server, "mcpreg");
    out.set(http::field::content_type, "application/problem+json");
    out.body() = "{\"title\":\"" + std::string(http::obsolete_reason(status)) +
                 "\",\"status\":" + std::to_string(static_cast<unsigned>(status)) + ",\"detail\":\"" +
                 std::string(detail) + "\"}";
    out.keep_alive(false);
    out.prepare_payload();
    return out;
}

// The answer to a request that could not be read: what is wrong, then the connection closes.
beast_response unreadable_request(const boost::system::error_code& ec)
{
    if (ec == http::error::body_limit)
        return plain_problem(http::status::payload_too_large, "Request body too large", 11);
    if (ec == http::error::header_limit)
        return plain_problem(http::status::request_header_fields_too_large, "Request header fields too large", 11);
    return plain_problem(http::status::bad_request, "Malformed HTTP request", 11);
}

}  // namespace

std::string detail::answer_raw(registry& reg, std::string_view bytes, const http_server_options& limits)
{
    http::request_parser<http::string_body> parser;
    parser.body_limit(limits.max_body_bytes);
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
    parser.eager(true);
    boost::system::error_code ec;
    std::size_t used = 0;
    while (!ec && used < bytes.size() && !parser.is_done())
        used += parser.put(asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    if (!ec && !parser.is_done()) parser.put_eof(ec);
    std::ostringstream out;
    if (ec) {
        out << unreadable_request(ec);
        return out.str();
    }
    const auto& req = parser.get();
    out << to_beast_response(reg.handle(to_engine_request(req)), req.method() == http::verb::head, req.version(),
                             req.keep_alive());
    return out.str();
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
        if (open_connections.load() >= options.max_connections) {
            asio::co_spawn(socket.get_executor(), refuse(std::move(socket)), asio::detached);
            continue;
        }
        auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
        {
            std::lock_guard lock(sessions_mutex);
            sessions.remove_if([](const auto& weak) { return weak.expired(); });
            sessions.push_back(stream);
        }
        ++open_connections;
        asio::co_spawn(stream->get_executor(), serve(stream), asio::detached);
    }
}

asio::awaitable<void> http_server::impl::refuse(tcp::socket socket)
{
    auto self = shared_from_this();
    beast::tcp_stream stream(std::move(socket));
    stream.expires_after(options.write_timeout);
    auto res = plain_problem(http::status::service_unavailable, "Too many connections", 11);
    res.set(http::field::retry_after, "1");
    boost::system::error_code ec;
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
}

asio::awaitable<void> http_server::impl::serve(std::shared_ptr<beast::tcp_stream> stream)
{
    auto self = shared_from_this();
    struct connection_count {
        std::atomic<std::size_t>& count;
        ~connection_count() { --count; }
    } counted{open_connections};

    beast::flat_buffer buffer;
    bool first = true;
    while (!stopping) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(options.max_body_bytes);
        parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
        boost::system::error_code ec;

        // Idle keep-alive connections wait up to idle_timeout for the first byte of the next request; then the
        // whole request must arrive within read_timeout, so a client trickling bytes is dropped.
        stream->expires_after(first ? options.read_timeout : options.idle_timeout);
        if (!first && buffer.size() == 0) {
            const auto received =
                co_await stream->async_read_some(buffer.prepare(512), asio::redirect_error(asio::use_awaitable, ec));
            if (ec) break;
            buffer.commit(received);
        }
        stream->expires_after(options.read_timeout);
        co_await http::async_read(*stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
        first = false;
        if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == beast::error::timeout ||
            ec == asio::error::operation_aborted || ec == asio::error::connection_reset)
            break;
        if (ec) {
            // The request cannot be read: answer what is wrong and close, never 500.
            auto res = unreadable_request(ec);
            stream->expires_after(options.write_timeout);
            co_await http::async_write(*stream, res, asio::redirect_error(asio::use_awaitable, ec));
            break;
        }

        const auto& req = parser.get();
        const bool head = req.method() == http::verb::head;
        const bool keep_alive = req.keep_alive() && !stopping;
        auto res = to_beast_response(reg.handle(to_engine_request(req)), head, req.version(), keep_alive);
        stream->expires_after(options.write_timeout);
        co_await http::async_write(*stream, res, asio::redirect_error(asio::use_awaitable, ec));
        if (ec || !keep_alive) break;
    }
    boost::system::error_code ignored;
    stream->socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream->close();
}

http_server::http_server(asio::any_io_executor executor, registry& reg, http_server_options options)
    : impl_(std::make_shared<impl>(std::move(executor), reg, options))
{
}

http_server::~http_server() { stop(); }

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
        if (auto stream = weak.lock()) {
            // End pending reads (they see end of stream); a response being written still completes.
            asio::post(stream->get_executor(), [stream] {
                boost::system::error_code ignored;
                stream->socket().shutdown(tcp::socket::shutdown_receive, ignored);
            });
        }
    }
}

std::size_t http_server::connections() const noexcept { return impl_->open_connections.load(); }

}  // namespace mcpreg::engine
