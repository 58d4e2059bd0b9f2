// Outgoing requests: any method, target, header names and values. Property: encode_request either refuses, or
// its bytes parse (Beast's parser, as a server would) as exactly one request with the same method, target,
// headers and body, and nothing after it: no field can smuggle a second request.
#include "../src/client/request_encoding.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
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
    // Beast's container files a repeated name after its first occurrence, so compare the fields name by name,
    // each name's values in their order.
    std::vector<std::pair<std::string, std::string>> sent, received;
    for (const auto& h : request.headers) sent.emplace_back(h.name, h.value);
    for (const auto& field : parsed) {
        const auto name = field.name_string();
        if (mcpreg::iequals(name, "Host") || mcpreg::iequals(name, "Content-Length")) continue;
        received.emplace_back(std::string(name), std::string(field.value()));
    }
    auto by_name = [](const auto& a, const auto& b) { return a.first < b.first; };
    std::stable_sort(sent.begin(), sent.end(), by_name);
    std::stable_sort(received.begin(), received.end(), by_name);
    if (sent != received) std::abort();
    return 0;
}
