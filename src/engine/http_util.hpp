// Small HTTP helpers of the engine: percent-decoding, query strings, path cleaning, ETags, gzip.
// Private to the library.
#pragma once

#include <mcpreg/http_message.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mcpreg::engine::detail {

using mcpreg::iequals;

/// Percent-decodes `text`; nullopt on a malformed escape. With `plus_is_space`, '+' decodes to ' ' (queries).
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space = false);

/// The parameters of a raw query string, decoded, in order. nullopt when an escape is malformed.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view raw_query);

/// Go's path.Clean: collapses repeated slashes, resolves `.` and `..`, drops a trailing slash.
std::string clean_path(std::string_view path);

/// A strong ETag for a body: a quoted hex digest of its SHA-256 (first 128 bits).
std::string make_etag(std::string_view body);

/// True when an If-None-Match header value matches `etag` (a list, `*`, weak comparison as RFC 9110 says).
bool etag_matches(std::string_view if_none_match, std::string_view etag);

/// True when an Accept-Encoding header value accepts gzip (q > 0).
bool accepts_gzip(std::string_view accept_encoding);

/// Escapes `text` as a JSON string literal, quotes included.
std::string json_quote(std::string_view text);

}  // namespace mcpreg::engine::detail
