// Base64 (RFC 4648): the standard alphabet with padding, and the URL-safe one without (JWTs). Private.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mcpreg::detail {

enum class base64_alphabet { standard, url };

/// Standard: padded with '='. URL: unpadded.
std::string base64_encode(std::string_view bytes, base64_alphabet alphabet);

/// nullopt on a character outside the alphabet or a bad length; `bad_at` (when given) receives the offset
/// of the first bad input byte, as Go's decoder reports it.
std::optional<std::string> base64_decode(std::string_view text, base64_alphabet alphabet,
                                         std::size_t* bad_at = nullptr);

}  // namespace mcpreg::detail
