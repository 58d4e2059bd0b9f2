// Registry tokens: Ed25519-signed JWTs carrying (action, resource pattern) permissions, as the official
// registry issues them (internal/auth/jwt.go).
#pragma once

#include <mcpreg/error.hpp>
#include <mcpreg/export.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mcpreg::engine {

/// What a token allows: `action` is "publish" or "edit"; `resource` a server-name pattern ("*", a prefix
/// ending in "*", or an exact name).
struct permission {
    std::string action;
    std::string resource;

    bool operator==(const permission&) const = default;
};

/// True when some permission grants `action` on `resource`: "*" matches everything, a pattern ending in "*"
/// is a case-sensitive prefix, anything else must be equal.
MCPREG_API bool permits(const std::vector<permission>& permissions, std::string_view action, std::string_view resource);

struct token_claims {
    std::string auth_method;  ///< "none", "admin", "dns", "http", "github-at", "github-oidc", "oidc"
    std::string subject;      ///< auth_method_sub
    std::vector<permission> permissions;
    std::chrono::system_clock::time_point issued_at{};
    std::chrono::system_clock::time_point expires_at{};
    std::string audience;  ///< aud: the deployment the token is for (see jwt_signer::set_audience)
};

/// An OpenID Connect issuer whose RS256 ID tokens a token exchange accepts.
struct oidc_issuer {
    /// The required `iss` claim.
    std::string issuer;
    /// Must be one of the token's `aud` values. Empty: every token is refused ("no audience configured").
    std::string audience;
    /// Returns the issuer's JSON Web Key Set document. Called on first use, and again when a token names a key
    /// id the cached set lacks (key rotation), at most once every `jwks_refresh_interval`.
    std::function<result<std::string>()> fetch_jwks;
    std::chrono::seconds jwks_refresh_interval{10};
};

/// GitHub Actions' issuer (handlers/v0/auth/github_oidc.go); its key set is `<issuer>/.well-known/jwks`.
inline constexpr std::string_view github_actions_issuer = "https://token.actions.githubusercontent.com";

/// Generic OIDC for administrators (POST /v0/auth/oidc, upstream OIDC_* settings): a verified token from the
/// issuer whose claims satisfy every rule gets the configured patterns.
struct admin_oidc_options {
    /// `audience` is the OAuth client id, as go-oidc checks it.
    oidc_issuer provider;
    /// Each object's claims must all be present and equal in the token; a list-valued claim matches when it
    /// contains the expected value (or, for a list, shares one with it). Every object must match.
    std::vector<boost::json::object> required_claims;
    std::vector<std::string> publish_patterns;
    std::vector<std::string> edit_patterns;
};

/// Signs and verifies registry tokens with one Ed25519 key.
///
/// \par Thread safety
/// Safe to share: sign and verify are const.
class MCPREG_API jwt_signer {
public:
    /// A fresh random key.
    static result<jwt_signer> generate();
    /// A key from PEM text (PKCS#8 Ed25519 private key).
    static result<jwt_signer> from_pem(std::string_view pem);
    /// Reads the key at `path`, or creates one there (mode 0600) when the file does not exist, so tokens
    /// survive restarts and several engine processes can share one key.
    static result<jwt_signer> load_or_create(const std::string& path);

    jwt_signer(jwt_signer&&) noexcept;
    jwt_signer& operator=(jwt_signer&&) noexcept;
    ~jwt_signer();

    std::string private_key_pem() const;
    /// The deployment this signer's tokens are for: sign() writes it as `aud`, and verify() then refuses a
    /// token without it or with another, so deployments that share a key file never accept each other's
    /// tokens. Empty (the default): no audience is written or checked. Set it before sharing the signer.
    void set_audience(std::string audience);
    /// A compact JWS: header {"alg":"EdDSA","typ":"JWT"}, claims iss "mcp-registry", iat, nbf, exp,
    /// auth_method, auth_method_sub, permissions.
    std::string sign(const token_claims& claims) const;
    /// Checks the signature (EdDSA only: "none" and every other alg are refused), issuer, audience, nbf and exp.
    result<token_claims> verify(std::string_view token,
                                std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const;

    /// How long issued tokens live (upstream: 5 minutes).
    static constexpr std::chrono::minutes token_lifetime{5};

private:
    struct impl;
    explicit jwt_signer(std::unique_ptr<impl> p) noexcept;
    std::unique_ptr<impl> impl_;
};

}  // namespace mcpreg::engine
