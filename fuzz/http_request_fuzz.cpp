// Outgoing requests: any method, target, header names and values. Property: encode_request either refuses, or
// its bytes parse (Beast's parser, as a server would) as exactly one request with the same method, target,
// headers and body, and nothing after it: no field can smuggle a second request.
#include "../src/client/request_encoding.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

// Splits the input at 0xFF bytes: method, target, then name/value pairs, the last part the body.
std::vector<std::string> fields(std::string_view bytes)
{
    std::vector<std::string> out(1);
    for (char c : bytes) {
        if (static_cast<unsigned char>(c) == 0xFF) out.emplace_back();
        else out.back() += c;
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    namespace http = boost::beast::http;
    const auto parts = fields(std::string_view(reinterpret_cast<const char*>(data), size));
    if (parts.size() < 3) return 0;
    mcpreg::http_request request;
    request.method = parts[0];
    request.target = parts[1];
    std::size_t i = 2;
    for (; i + 2 < parts.size(); i += 2) request.headers.push_back({parts[i], parts[i + 1]});
    request.body = i < parts.size() ? parts[i] : "";
    const mcpreg::http_origin origin{"https", "registry.example", 443};
    auto bytes = mcpreg::detail::encode_request(origin, request, false);
    if (!bytes) return 0;

    http::request_parser<http::string_body> parser;
    parser.eager(true);
    boost::system::error_code ec;
    const auto used = parser.put(boost::asio::buffer(*bytes), ec);
    if (ec || !parser.is_done() || used != bytes->size()) std::abort();  // one whole request, nothing after
    const auto& parsed = parser.get();
    if (parsed.method_string() != request.method || parsed.target() != request.target) std::abort();
    if (parsed.body() != request.body) std::abort();
    std::size_t headers = 0;
    for (const auto& field : parsed) {
        const auto name = field.name_string();
        if (mcpreg::iequals(name, "Host") || mcpreg::iequals(name, "Content-Length")) continue;
        if (headers >= request.headers.size()) std::abort();
        if (name != request.headers[headers].name || field.value() != request.headers[headers].value) std::abort();
        ++headers;
    }
    if (headers != request.headers.size()) std::abort();
    return 0;
}
