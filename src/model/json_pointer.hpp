// JSON Pointer helpers shared by the reader and the validators. Private to the model library.
#pragma once

#include <string>
#include <string_view>

namespace mcpreg::model::detail {

/// Escapes one reference token of a JSON Pointer (RFC 6901): `~` -> `~0`, `/` -> `~1`.
inline std::string escape_pointer_token(std::string_view token)
{
    std::string escaped;
    escaped.reserve(token.size());
    for (char c : token) {
        if (c == '~') escaped += "~0";
        else if (c == '/') escaped += "~1";
        else escaped += c;
    }
    return escaped;
}

}  // namespace mcpreg::model::detail
