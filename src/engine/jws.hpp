// Compact JWS parsing shared by registry tokens and OIDC ID tokens. Private to the library.
#pragma once

#include <mcpreg/engine/auth.hpp>
#include <mcpreg/error.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mcpreg::engine::detail {

/// The three parts of `header.payload.signature`, decoded. Nothing is verified yet.
struct jws {
    boost::json::object header;
    boost::json::object claims;
    std::string signature;
    std::string_view signing_input;  ///< `header.payload` as sent: what the signature covers
};

/// Splits and decodes a token of at most 16 KiB. Errors are 401 with the reason.
result<jws> parse_jws(std::string_view token);

/// A 401 error carrying `message`.
error token_error(std::string message);

/// A numeric claim (JWT NumericDate), or nullopt when absent, not a number, or beyond any time (1e300).
std::optional<std::int64_t> numeric_claim(const boost::json::object& claims, std::string_view name);

/// A string claim, or "" when absent or not a string.
std::string string_claim(const boost::json::object& claims, std::string_view name);

std::int64_t unix_seconds(std::chrono::system_clock::time_point t);

/// Whether a grant touches `blocked_namespace` (compared without ASCII case): a pattern that covers it
/// (`com.*`), or one inside it (`com.evil/*`, `com.evil.sub/*`, `com.evil/tool`).
bool grant_touches_namespace(const permission& grant, std::string_view blocked_namespace);

}  // namespace mcpreg::engine::detail
