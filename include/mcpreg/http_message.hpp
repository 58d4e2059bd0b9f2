// Plain HTTP messages shared by the client (what it sends and receives) and the engine (what it serves),
// so an in-process connection passes them through unchanged. No Beast here.
#pragma once

#include <mcpreg/model/export.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mcpreg {

struct http_header {
    std::string name;
    std::string value;
};

/// An HTTP request. `target` is the origin-form request target: path and query, still percent-encoded.
struct http_request {
    std::string method = "GET";
    std::string target = "/";
    std::vector<http_header> headers;
    std::string body;

    /// The first header of that name (case-insensitive), or empty.
    MCPREG_MODEL_API std::string_view header(std::string_view name) const noexcept;
};

struct http_response {
    int status = 200;
    std::vector<http_header> headers;
    std::string body;

    /// The first header of that name (case-insensitive), or empty.
    MCPREG_MODEL_API std::string_view header(std::string_view name) const noexcept;
};

/// Percent-encodes every byte outside RFC 3986's unreserved set (so '/' in a server name becomes %2F).
MCPREG_MODEL_API std::string percent_encode(std::string_view text);

/// Case-insensitive ASCII comparison, as HTTP field names compare.
MCPREG_MODEL_API bool iequals(std::string_view a, std::string_view b) noexcept;

/// An HTTP date in IMF-fixdate form ("Sun, 06 Nov 1994 08:49:37 GMT"); nullopt for anything else.
MCPREG_MODEL_API std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);
/// `t` as an IMF-fixdate.
MCPREG_MODEL_API std::string format_http_date(std::chrono::system_clock::time_point t);

}  // namespace mcpreg
