// The client's sockets: Beast over TCP and TLS (OpenSSL), keep-alive reuse, proxies, gzip. The only
// translation unit of the client that includes Beast or OpenSSL.
#include <mcpreg/client/connection.hpp>

#include "../common/gzip.hpp"
#include "request_encoding.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <cstdlib>
#include <map>
#include <mutex>

namespace mcpreg {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

connection::~connection() = default;

namespace {

// One open connection: plain TCP, or TLS over TCP.
struct http_stream {
    std::unique_ptr<beast::tcp_stream> plain;
    std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;

    beast::tcp_stream& tcp_layer() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
};

struct proxy_route {
    std::string host;
    unsigned short port = 0;
};

std::string environment(const char* upper, const char* lower)
{
    if (const char* v = std::getenv(upper); v && *v) return v;
    if (const char* v = std::getenv(lower); v && *v) return v;
    return {};
}

// NO_PROXY: comma-separated host suffixes ("example.com", ".example.com"), or "*".
bool excluded_by_no_proxy(std::string_view host)
{
    const std::string list = environment("NO_PROXY", "no_proxy");
    std::string_view rest = list;
    while (!rest.empty()) {
        auto comma = rest.find(',');
        auto item = rest.substr(0, comma);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (item.starts_with(".")) item.remove_prefix(1);
        if (item == "*" || (!item.empty() && (host == item || (host.ends_with(item) && host.size() > item.size() &&
                                                               host[host.size() - item.size() - 1] == '.'))))
            return true;
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    return false;
}

std::optional<proxy_route> proxy_for(const http_origin& origin)
{
    const std::string url =
        origin.scheme == "https" ? environment("HTTPS_PROXY", "https_proxy") : environment("HTTP_PROXY", "http_proxy");
    if (url.empty() || excluded_by_no_proxy(origin.host)) return std::nullopt;
    std::string_view rest = url;
    if (auto scheme = rest.find("://"); scheme != std::string_view::npos) rest.remove_prefix(scheme + 3);
    rest = rest.substr(0, rest.find('/'));
    if (auto at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
    proxy_route route;
    auto colon = rest.rfind(':');
    route.host = std::string(rest.substr(0, colon));
    route.port = 80;
    if (colon != std::string_view::npos) {
        unsigned long port = std::strtoul(std::string(rest.substr(colon + 1)).c_str(), nullptr, 10);
        if (port == 0 || port > 65535) return std::nullopt;
        route.port = static_cast<unsigned short>(port);
    }
    if (route.host.empty()) return std::nullopt;
    return route;
}

error make_transport_error(error_code ec, std::string message)
{
    error e{ec, {}};
    e.diag.message = std::move(message);
    return e;
}

error_code map_error(const error_code& ec)
{
    if (ec == beast::error::timeout) return make_error_code(errc::timeout);
    // The connection ended inside a response: the same as a reset, and worth another attempt.
    if (ec == http::error::partial_message || ec == http::error::end_of_stream)
        return make_error_code(boost::system::errc::connection_reset);
    if (ec == http::error::body_limit || ec == http::error::buffer_overflow)
        return make_error_code(errc::response_too_large);
    return ec;
}

class network_connection final : public connection, public std::enable_shared_from_this<network_connection> {
public:
    network_connection(asio::any_io_executor executor, ssl::context context, bool verify, bool use_proxy,
                       bool public_only)
        : executor_(std::move(executor)),
          context_(std::move(context)),
          verify_(verify),
          use_proxy_(use_proxy),
          public_only_(public_only)
    {
    }

    void async_exchange(const http_origin& origin, http_request request, const exchange_limits& limits,
                        asio::any_completion_handler<void(error_code, http_response)> handler) override
    {
        auto slot = asio::get_associated_cancellation_slot(handler);
        auto completion = [handler = std::move(handler)](std::exception_ptr failure,
                                                         std::pair<error_code, http_response> exchanged) mutable {
            if (failure) exchanged.first = make_error_code(errc::bad_response);  // never reached: no throws inside
            std::move(handler)(exchanged.first, std::move(exchanged.second));
        };
        asio::co_spawn(executor_, exchange(origin, std::move(request), limits),
                       asio::bind_cancellation_slot(slot, std::move(completion)));
    }

private:
    using outcome = std::pair<error_code, http_response>;

    asio::awaitable<outcome> exchange(http_origin origin, http_request request, exchange_limits limits)
    {
        auto self = shared_from_this();
        // Checked before anything is dialed: a request that may not be sent costs no connection.
        if (auto checked = detail::check_request(origin, request); !checked)
            co_return outcome{checked.error().code, {}};
        const auto route = use_proxy_ && !public_only_ ? proxy_for(origin) : std::nullopt;
        // A reused keep-alive connection may have been closed by the server meanwhile: one fresh retry.
        for (int tries = 0; tries < 2; ++tries) {
            bool reused = false;
            auto stream = take_idle(origin, route.has_value());
            if (stream) reused = true;
            else {
                auto opened = co_await open(origin, route, limits);
                if (opened.first) co_return outcome{opened.first, {}};
                stream = std::move(opened.second);
            }
            bool wrote = false;
            auto result = co_await send(*stream, origin, route, request, limits, wrote);
            const bool idempotent = request.method != "POST" && request.method != "PATCH";
            if (result.first && reused && (idempotent || !wrote) &&
                (result.first == http::error::end_of_stream || result.first == asio::error::eof ||
                 result.first == asio::error::connection_reset || result.first == asio::error::broken_pipe))
                continue;
            if (!result.first && result.second.header("Connection") != "close")
                put_idle(origin, route.has_value(), std::move(stream));
            if (!result.first && result.second.header("Content-Encoding") == "gzip") {
                auto plain = detail::gunzip(result.second.body, limits.max_response_bytes);
                if (!plain) co_return outcome{plain.error().code, {}};
                result.second.body = std::move(*plain);
                std::erase_if(result.second.headers,
                              [](const http_header& h) { return iequals(h.name, "Content-Encoding"); });
            }
            co_return result;
        }
        co_return outcome{make_error_code(errc::bad_response), {}};
    }

    asio::awaitable<std::pair<error_code, std::unique_ptr<http_stream>>>
    open(const http_origin& origin, const std::optional<proxy_route>& route, const exchange_limits& limits)
    {
        error_code ec;
        tcp::resolver resolver(executor_);
        const std::string host = route ? route->host : origin.host;
        const unsigned short port = route ? route->port : origin.port;
        auto endpoints =
            co_await resolver.async_resolve(host, std::to_string(port), asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return std::pair{ec, nullptr};
        std::vector<tcp::endpoint> allowed;
        for (const auto& entry : endpoints)
            if (!public_only_ || is_public_address(entry.endpoint().address().to_string()))
                allowed.push_back(entry.endpoint());
        if (allowed.empty()) co_return std::pair{make_error_code(errc::non_public_address), nullptr};
        auto tcp_layer = std::make_unique<beast::tcp_stream>(executor_);
        tcp_layer->expires_after(limits.connect_timeout);
        co_await tcp_layer->async_connect(allowed, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return std::pair{map_error(ec), nullptr};

        if (route && origin.scheme == "https") {
            // A tunnel through the proxy: CONNECT host:port, then TLS end to end.
            const std::string authority = origin.host + ":" + std::to_string(origin.port);
            const std::string connect = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n";
            co_await asio::async_write(*tcp_layer, asio::buffer(connect),
                                       asio::redirect_error(asio::use_awaitable, ec));
            if (ec) co_return std::pair{map_error(ec), nullptr};
            std::string reply;
            co_await asio::async_read_until(*tcp_layer, asio::dynamic_buffer(reply, 16 * 1024), "\r\n\r\n",
                                            asio::redirect_error(asio::use_awaitable, ec));
            if (ec) co_return std::pair{map_error(ec), nullptr};
            if (!(reply.starts_with("HTTP/1.1 200") || reply.starts_with("HTTP/1.0 200")))
                co_return std::pair{make_error_code(errc::bad_response), nullptr};
        }

        auto stream = std::make_unique<http_stream>();
        if (origin.scheme != "https") {
            stream->plain = std::move(tcp_layer);
            co_return std::pair{error_code{}, std::move(stream)};
        }
        stream->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(std::move(*tcp_layer), context_);
        // SNI. (SSL_set_tlsext_host_name is this call behind a macro with an old-style cast.)
        if (!SSL_ctrl(stream->tls->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                      const_cast<char*>(origin.host.c_str())))
            co_return std::pair{error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()),
                                nullptr};
        if (verify_) {
            stream->tls->set_verify_mode(ssl::verify_peer);
            stream->tls->set_verify_callback(ssl::host_name_verification(origin.host));
        }
        stream->tcp_layer().expires_after(limits.connect_timeout);
        co_await stream->tls->async_handshake(ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return std::pair{map_error(ec), nullptr};
        co_return std::pair{error_code{}, std::move(stream)};
    }

    asio::awaitable<outcome> send(http_stream& stream, const http_origin& origin,
                                  const std::optional<proxy_route>& route, const http_request& request,
                                  const exchange_limits& limits, bool& wrote)
    {
        // Through a plain-HTTP proxy the request names the whole URL (absolute form).
        auto bytes = detail::encode_request(origin, request, route && origin.scheme == "http");
        if (!bytes) co_return outcome{bytes.error().code, {}};

        error_code ec;
        stream.tcp_layer().expires_after(limits.timeout);
        if (stream.tls)
            co_await asio::async_write(*stream.tls, asio::buffer(*bytes),
                                       asio::redirect_error(asio::use_awaitable, ec));
        else
            co_await asio::async_write(*stream.plain, asio::buffer(*bytes),
                                       asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return outcome{map_error(ec), {}};
        wrote = true;

        http::response_parser<http::string_body> parser;
        parser.body_limit(limits.max_response_bytes);
        parser.header_limit(64 * 1024);
        if (request.method == "HEAD") parser.skip(true);
        beast::flat_buffer buffer;
        if (stream.tls)
            co_await http::async_read(*stream.tls, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
        else co_await http::async_read(*stream.plain, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return outcome{map_error(ec), {}};
        auto& in = parser.get();
        http_response response;
        response.status = static_cast<int>(in.result_int());
        for (const auto& field : in)
            response.headers.push_back({std::string(field.name_string()), std::string(field.value())});
        response.body = std::move(in.body());
        // Reused only when exactly this one response was read: bytes after it (a second response a server
        // was tricked into sending) would be taken for the answer to the next request.
        if (!in.keep_alive() || buffer.size() > 0) response.headers.push_back({"Connection", "close"});
        co_return outcome{error_code{}, std::move(response)};
    }

    std::string pool_key(const http_origin& origin, bool proxied) const
    {
        return origin.scheme + "://" + origin.host + ":" + std::to_string(origin.port) + (proxied ? "+proxy" : "");
    }

    std::unique_ptr<http_stream> take_idle(const http_origin& origin, bool proxied)
    {
        std::lock_guard lock(mutex_);
        auto it = idle_.find(pool_key(origin, proxied));
        if (it == idle_.end() || it->second.empty()) return nullptr;
        while (!it->second.empty()) {
            auto stream = std::move(it->second.back());
            it->second.pop_back();
            // Bytes that arrived while the connection sat idle answer no request of ours: never reuse it.
            error_code ec;
            if (stream->tcp_layer().socket().available(ec) == 0 && !ec) return stream;
        }
        return nullptr;
    }

    void put_idle(const http_origin& origin, bool proxied, std::unique_ptr<http_stream> stream)
    {
        constexpr std::size_t max_idle_per_origin = 4;
        stream->tcp_layer().expires_never();
        std::lock_guard lock(mutex_);
        auto& list = idle_[pool_key(origin, proxied)];
        if (list.size() < max_idle_per_origin) list.push_back(std::move(stream));
    }

    asio::any_io_executor executor_;
    ssl::context context_;
    bool verify_;
    bool use_proxy_;
    bool public_only_;
    std::mutex mutex_;
    std::map<std::string, std::vector<std::unique_ptr<http_stream>>> idle_;
};

class in_process_connection final : public connection {
public:
    in_process_connection(asio::any_io_executor executor, std::function<http_response(const http_request&)> handler)
        : executor_(std::move(executor)), handler_(std::move(handler))
    {
    }

    void async_exchange(const http_origin&, http_request request, const exchange_limits& limits,
                        asio::any_completion_handler<void(error_code, http_response)> handler) override
    {
        // Completes through the executor, never inline, as a network exchange would.
        asio::post(executor_, [this, request = std::move(request), max = limits.max_response_bytes,
                               handler = std::move(handler)]() mutable {
            auto response = handler_(request);
            if (response.header("Content-Encoding") == "gzip") {
                auto plain = detail::gunzip(response.body, max);
                if (!plain) return std::move(handler)(plain.error().code, http_response{});
                response.body = std::move(*plain);
            }
            if (response.body.size() > max)
                return std::move(handler)(make_error_code(errc::response_too_large), http_response{});
            std::move(handler)(error_code{}, std::move(response));
        });
    }

private:
    asio::any_io_executor executor_;
    std::function<http_response(const http_request&)> handler_;
};

}  // namespace

bool is_public_address(std::string_view text)
{
    error_code ec;
    auto address = asio::ip::make_address(std::string(text), ec);
    if (ec) return false;
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    if (address.is_v4()) {
        const auto v = address.to_v4().to_uint();
        auto in = [v](std::uint32_t network, int prefix) {
            const std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
            return (v & mask) == network;
        };
        return !(in(0x00000000, 8) || in(0x0A000000, 8) || in(0x64400000, 10) || in(0x7F000000, 8) ||
                 in(0xA9FE0000, 16) || in(0xAC100000, 12) || in(0xC0A80000, 16) || in(0xE0000000, 4) ||
                 in(0xF0000000, 4));  // this, 10/8, CGNAT, loopback, link-local, 172.16/12, 192.168/16,
                                      // multicast, reserved and broadcast
    }
    const auto bytes = address.to_v6().to_bytes();
    auto starts = [&](std::initializer_list<unsigned> prefix, int bits) {
        int i = 0;
        for (unsigned byte : prefix) {
            const int take = std::min(8, bits - 8 * i);
            const unsigned mask = (0xFFu << (8 - take)) & 0xFFu;
            if ((bytes[static_cast<std::size_t>(i)] & mask) != (byte & mask)) return false;
            ++i;
        }
        return true;
    };
    const auto v6 = address.to_v6();
    return !(v6.is_unspecified() || v6.is_loopback() || v6.is_multicast() || starts({0xFE, 0x80}, 10) ||
             starts({0xFE, 0xC0}, 10) || starts({0xFC}, 7) || starts({0x20, 0x02}, 16) ||
             starts({0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0}, 96));
}

result<std::shared_ptr<connection>> make_network_connection(asio::any_io_executor executor, const tls_options& tls,
                                                            bool use_environment_proxy, bool public_addresses_only)
{
    ssl::context context(ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
    error_code ec;
    const bool verify = !tls.disable_verification_dangerously;
    if (verify) {
        context.set_verify_mode(ssl::verify_peer, ec);
        if (!ec) {
            if (!tls.ca_file.empty()) context.load_verify_file(tls.ca_file, ec);
            else context.set_default_verify_paths(ec);
        }
        if (ec) return make_transport_error(ec, "cannot load trusted certificates: " + ec.message());
    }
    else {
        context.set_verify_mode(ssl::verify_none);
    }
    return std::shared_ptr<connection>(std::make_shared<network_connection>(
        std::move(executor), std::move(context), verify, use_environment_proxy, public_addresses_only));
}

std::shared_ptr<connection> make_in_process_connection(asio::any_io_executor executor,
                                                       std::function<http_response(const http_request&)> handler)
{
    return std::make_shared<in_process_connection>(std::move(executor), std::move(handler));
}

}  // namespace mcpreg
