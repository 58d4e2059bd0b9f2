// The token exchanges (POST /v0*/auth/<method>): each method in a file of its own behind one interface, and
// the issuer they share. Upstream's equivalents: internal/api/handlers/v0/auth/. Private to the library.
#pragma once

#include <mcpreg/engine/auth.hpp>
#include <mcpreg/engine/registry.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mcpreg::engine::detail {

/// Claims minted now, valid for jwt_signer::token_lifetime.
token_claims fresh_claims(std::string auth_method, std::string subject, std::vector<permission> permissions);

/// GitHub's rule for user and organisation logins: letters, digits and `-`. Others get no namespace.
bool is_valid_github_name(std::string_view name);

/// An exchange's refusal: 401 `failure` with the cause as its one error.
response exchange_refused(std::string_view failure, std::string cause);

/// What every exchange answers with: a registry token signed by the deployment's key, unless a grant touches a
/// blocked namespace.
class token_issuer {
public:
    token_issuer(const jwt_signer& signer, const std::vector<std::string>& blocked_namespaces)
        : signer_(signer), blocked_namespaces_(blocked_namespaces)
    {
    }

    /// {"registry_token", "expires_at"} for fresh claims, or 401 `failure` when a grant touches a blocked
    /// namespace (a global grant, "*", is the administrator's and is never refused).
    response issue(std::string auth_method, std::string subject, std::vector<permission> permissions,
                   std::string_view failure = "Token exchange failed") const;

private:
    const jwt_signer& signer_;
    const std::vector<std::string>& blocked_namespaces_;
};

/// One way to prove an identity for a registry token.
class token_exchange {
public:
    token_exchange() = default;
    token_exchange(const token_exchange&) = delete;
    token_exchange& operator=(const token_exchange&) = delete;
    virtual ~token_exchange() = default;

    /// The answer to POST /v0*/auth/<method>: a token, or the refusal. May wait on the network (the exchange
    /// lane of the HTTP server runs it).
    virtual response exchange(const request& req) = 0;
};

/// The exchanges `options` enables, each with the path segment after /auth/ that reaches it.
std::vector<std::pair<std::string, std::unique_ptr<token_exchange>>> enabled_exchanges(const registry_options& options,
                                                                                       const token_issuer& issuer);

// One per method (exchange_*.cpp).
std::unique_ptr<token_exchange> make_anonymous_exchange(const token_issuer& issuer);
std::unique_ptr<token_exchange> make_admin_key_exchange(const token_issuer& issuer, std::string admin_key);
/// DNS TXT records (`dns`) or https://<domain>/.well-known/mcp-registry-auth, proving a key for the domain.
std::unique_ptr<token_exchange> make_domain_exchange(const token_issuer& issuer, bool dns,
                                                     const registry_options& options);
std::unique_ptr<token_exchange> make_github_token_exchange(const token_issuer& issuer, const registry_options& options);
std::unique_ptr<token_exchange> make_github_oidc_exchange(const token_issuer& issuer, oidc_issuer github);
std::unique_ptr<token_exchange> make_admin_oidc_exchange(const token_issuer& issuer, admin_oidc_options config);

}  // namespace mcpreg::engine::detail
