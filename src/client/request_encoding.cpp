#include "request_encoding.hpp"

#include <algorithm>
#include <array>

namespace mcpreg::detail {
namespace {

bool is_tchar(unsigned char c) noexcept
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

// Header names the connection writes itself: a caller's copy would contradict (or duplicate) them.
bool connection_header(std::string_view name) noexcept
{
    for (std::string_view reserved : {"Host", "Content-Length", "Transfer-Encoding", "Connection"})
        if (iequals(name, reserved)) return true;
    return false;
}

// A host as a URL parser leaves it: a registered name (percent-encoded bytes included) or an IP literal,
// without brackets. Never whitespace, controls or delimiters that would end the Host header or the authority.
bool is_plain_host(std::string_view host) noexcept
{
    if (host.empty() || host.size() > 255) return false;
    return std::all_of(host.begin(), host.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               std::string_view("-._~%!$&'()*+,;=:").find(ch) != std::string_view::npos;
    });
}

// Origin form: "/" then visible ASCII (RFC 9112 3.2.1: no spaces, no controls, nothing above 0x7E).
bool is_origin_form(std::string_view target) noexcept
{
    if (target.empty() || target.front() != '/' || target.size() > 64 * 1024) return false;
    return std::all_of(target.begin(), target.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c > 0x20 && c < 0x7F;
    });
}

error refuse(std::string what) { return make_error(errc::invalid_argument, "refused to send " + std::move(what)); }

}  // namespace

bool is_http_token(std::string_view name) noexcept
{
    return !name.empty() && name.size() <= 256 &&
           std::all_of(name.begin(), name.end(), [](char c) { return is_tchar(static_cast<unsigned char>(c)); });
}

bool is_http_field_value(std::string_view value) noexcept
{
    if (!value.empty() &&
        (value.front() == ' ' || value.front() == '\t' || value.back() == ' ' || value.back() == '\t'))
        return false;
    return std::all_of(value.begin(), value.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c == '\t' || (c >= 0x20 && c != 0x7F);
    });
}

result<void> check_request(const http_origin& origin, const http_request& request)
{
    if (!is_http_token(request.method)) return refuse("a request whose method is not an HTTP token");
    if (!is_origin_form(request.target)) return refuse("a request target with spaces, control or non-ASCII characters");
    if (!is_plain_host(origin.host)) return refuse("a request to a host name with forbidden characters");
    for (const auto& h : request.headers) {
        if (!is_http_token(h.name)) return refuse("a header whose name is not an HTTP token");
        if (connection_header(h.name)) return refuse("the header " + h.name + ": the connection sets it");
        // The name is known good; the value is not quoted back (it may be a credential).
        if (!is_http_field_value(h.value))
            return refuse("the header " + h.name + ": its value holds control characters (CR, LF, NUL...)");
    }
    return {};
}

result<std::string> encode_request(const http_origin& origin, const http_request& request, bool absolute_form)
{
    if (auto checked = check_request(origin, request); !checked) return checked.error();
    const bool ipv6 = origin.host.find(':') != std::string::npos;
    const std::string host = ipv6 ? "[" + origin.host + "]" : origin.host;
    const bool default_port =
        (origin.scheme == "https" && origin.port == 443) || (origin.scheme == "http" && origin.port == 80);
    const std::string authority = default_port ? host : host + ":" + std::to_string(origin.port);

    std::string out;
    out.reserve(256 + request.target.size() + request.body.size() + request.headers.size() * 64);
    out += request.method;
    out += ' ';
    if (absolute_form) out += "http://" + host + ":" + std::to_string(origin.port);
    out += request.target;
    out += " HTTP/1.1\r\nHost: ";
    out += authority;
    out += "\r\n";
    for (const auto& h : request.headers) {
        out += h.name;
        out += ": ";
        out += h.value;
        out += "\r\n";
    }
    // A body always has its length; so do the methods that imply one (a bodiless POST is "Content-Length: 0").
    const bool implies_body = request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
    if (!request.body.empty() || implies_body) out += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
    out += "\r\n";
    out += request.body;
    return out;
}

}  // namespace mcpreg::detail
