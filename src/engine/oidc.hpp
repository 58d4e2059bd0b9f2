// Verification of OpenID Connect ID tokens (RS256, keys from the issuer's JWKS) for /auth/github-oidc and
// /auth/oidc. Private to the library.
#pragma once

#include <mcpreg/engine/auth.hpp>
#include <mcpreg/error.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

struct evp_pkey_st;

namespace mcpreg::engine::detail {

/// Verifies ID tokens of one issuer, caching its keys by `kid`.
///
/// \par Thread safety
/// Safe to share: verify() may be called from several threads at once.
class oidc_verifier {
public:
    explicit oidc_verifier(oidc_issuer issuer);

    /// The claims of `token` once its RS256 signature (by the key its header names), `iss`, `aud` (must hold
    /// the configured audience), `exp` (required, not passed) and `nbf` check out. Errors are 401 with the
    /// reason upstream reports.
    result<boost::json::object> verify(std::string_view token, std::chrono::system_clock::time_point now);

    const oidc_issuer& issuer() const noexcept { return issuer_; }

private:
    result<std::shared_ptr<evp_pkey_st>> key(const std::string& kid, std::chrono::steady_clock::time_point now);

    oidc_issuer issuer_;
    std::mutex mutex_;
    std::map<std::string, std::shared_ptr<evp_pkey_st>, std::less<>> keys_;
    std::optional<std::chrono::steady_clock::time_point> fetched_at_;
};

/// Parses a JSON Web Key Set: its RSA signing keys by `kid` (other key types and `use` values are skipped).
result<std::map<std::string, std::shared_ptr<evp_pkey_st>, std::less<>>> parse_jwks(std::string_view document);

/// True when `actual` (a claim's value) satisfies `expected`: equal, or a list holding it (any overlap when
/// `expected` is itself a list).
bool claim_matches(const boost::json::value& actual, const boost::json::value& expected);

}  // namespace mcpreg::engine::detail
