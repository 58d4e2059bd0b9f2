// SHA-256 through OpenSSL. Private to the library.
#pragma once

#include <string>
#include <string_view>

namespace mcpreg::detail {

/// The 32-byte digest of `data`.
std::string sha256(std::string_view data);
/// The digest in lower-case hex.
std::string sha256_hex(std::string_view data);

}  // namespace mcpreg::detail
