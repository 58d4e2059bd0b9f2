#include "http_test_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "../../src/common/gzip.hpp"

#include <stdexcept>

namespace mcpreg::test {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct http_test_client::impl {
    asio::io_context io;
    beast::tcp_stream stream{io};
    beast::flat_buffer buffer;
};

http_test_client::http_test_client(unsigned short port) : impl_(std::make_unique<impl>())
{
    impl_->stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
}

http_test_client::~http_test_client() = default;

engine::response http_test_client::read_response()
{
    http::response_parser<http::string_body> parser;
    parser.body_limit(256u << 20);
    parser.skip(false);
    http::read(impl_->stream, impl_->buffer, parser);
    auto& res = parser.get();
    engine::response out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& field : res) out.headers.push_back({std::string(field.name_string()), std::string(field.value())});
    out.body = std::move(res.body());
    return out;
}

engine::response http_test_client::send(const engine::request& req)
{
    http::request<http::string_body> out{http::string_to_verb(req.method), req.target, 11};
    out.set(http::field::host, "127.0.0.1");
    for (const auto& h : req.headers) out.set(h.name, h.value);
    out.body() = req.body;
    out.prepare_payload();
    http::write(impl_->stream, out);
    if (req.method == "HEAD") {
        http::response_parser<http::empty_body> parser;
        parser.skip(true);
        http::read(impl_->stream, impl_->buffer, parser);
        engine::response res;
        res.status = static_cast<int>(parser.get().result_int());
        for (const auto& field : parser.get())
            res.headers.push_back({std::string(field.name_string()), std::string(field.value())});
        return res;
    }
    return read_response();
}

engine::response http_test_client::get(const std::string& target, std::vector<engine::http_header> headers)
{
    engine::request req;
    req.target = target;
    req.headers = std::move(headers);
    return send(req);
}

void http_test_client::write_raw(const std::string& bytes) { asio::write(impl_->stream, asio::buffer(bytes)); }

bool http_test_client::closed_by_peer(std::chrono::milliseconds wait)
{
    impl_->stream.expires_after(wait);
    char byte;
    boost::system::error_code ec;
    impl_->stream.read_some(asio::buffer(&byte, 1), ec);
    impl_->stream.expires_never();
    return ec == asio::error::eof || ec == asio::error::connection_reset;
}

std::string gunzip(const std::string& compressed)
{
    return mcpreg::detail::gunzip(compressed, std::size_t{256} << 20).value();
}

}  // namespace mcpreg::test
