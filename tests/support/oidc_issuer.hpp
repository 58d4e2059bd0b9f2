// A test OpenID Connect issuer: an RSA key that signs ID tokens, and its JSON Web Key Set.
#pragma once

#include <boost/json/object.hpp>

#include <memory>
#include <string>

namespace mcpreg::test {

class rsa_issuer {
public:
    /// A fresh RSA key of `bits` (2048 unless a test wants a weak one), published under `kid`.
    explicit rsa_issuer(std::string kid = "test-key", int bits = 2048);
    ~rsa_issuer();
    rsa_issuer(rsa_issuer&&) noexcept;

    /// {"keys":[{"kty":"RSA","kid":...,"use":"sig","alg":"RS256","n":...,"e":...}]}
    std::string jwks() const;
    /// A compact JWS of `claims`; the header says `alg` (signing is always RS256, so another alg lies).
    std::string sign(const boost::json::object& claims, const std::string& alg = "RS256") const;
    const std::string& kid() const noexcept { return kid_; }

private:
    struct impl;
    std::unique_ptr<impl> impl_;
    std::string kid_;
};

/// GitHub Actions-shaped claims: iss, aud, sub, repository_owner, iat, nbf, and exp one hour ahead.
boost::json::object github_actions_claims(const std::string& issuer, const std::string& audience,
                                          const std::string& owner, const std::string& subject);

}  // namespace mcpreg::test
