// The one way a request leaves the client: every field checked, then written as HTTP/1.1 bytes. Header values
// come from callers and from other parties (a token a user pasted, a GitHub token in an exchange body), so
// nothing here trusts them: a CR or LF in a value would end the header and smuggle a second request.
#pragma once

#include <mcpreg/client/connection.hpp>
#include <mcpreg/error.hpp>
#include <mcpreg/http_message.hpp>

#include <string>
#include <string_view>

namespace mcpreg::detail {

/// Whether `name` is an HTTP token (RFC 9110 5.1): a header name or a method.
bool is_http_token(std::string_view name) noexcept;
/// Whether `value` may be a header field value: no control characters but HTAB, no DEL (RFC 9110 5.5),
/// and no leading or trailing whitespace.
bool is_http_field_value(std::string_view value) noexcept;

/// The checks, alone: errc::invalid_argument naming the first field that may not be sent. Refused: a method
/// that is not a token; a target that is not origin-form visible ASCII; a header name that is not a token, or
/// one the connection sets itself (Host, Content-Length, Transfer-Encoding, Connection); a value with control
/// characters; a host that is not a plain host name or address.
result<void> check_request(const http_origin& origin, const http_request& request);

/// `request` checked, then serialised: request line (origin form, or absolute form for a plain-HTTP proxy),
/// Host, the caller's headers, Content-Length when there is a body (or the method implies one), the body.
result<std::string> encode_request(const http_origin& origin, const http_request& request, bool absolute_form);

}  // namespace mcpreg::detail
