// gzip with zlib. Private to the library.
#pragma once

#include <mcpreg/error.hpp>

#include <string>
#include <string_view>

namespace mcpreg::detail {

/// gzip-compresses `body` at zlib's default level.
std::string gzip_compress(std::string_view body);

/// Inflates a gzip body. errc::response_too_large past `max_bytes` of output (a decompression bomb stops
/// there), errc::bad_response for data that is not gzip.
result<std::string> gunzip(std::string_view body, std::size_t max_bytes);

}  // namespace mcpreg::detail
