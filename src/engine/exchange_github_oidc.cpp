// POST /v0*/auth/github-oidc: a GitHub Actions OIDC token gets the repository owner's namespace (upstream's
// handlers/v0/auth/github_oidc.go).
#include "jws.hpp"
#include "oidc.hpp"
#include "request_body.hpp"
#include "token_exchange.hpp"

namespace mcpreg::engine::detail {
namespace {

response refused(std::string cause) { return exchange_refused("Token exchange failed", std::move(cause)); }

class github_oidc_exchange final : public token_exchange {
public:
    github_oidc_exchange(const token_issuer& issuer, oidc_issuer github) : issuer_(issuer), verifier_(std::move(github))
    {
    }

    response exchange(const request& req) override
    {
        auto credential = read_credential(req, "oidc_token");
        if (auto* refused = std::get_if<response>(&credential)) return std::move(*refused);
        if (verifier_.issuer().audience.empty())
            return refused("GitHub OIDC exchange disabled: this deployment has no audience configured");
        auto claims = verifier_.verify(std::get<std::string>(credential), std::chrono::system_clock::now());
        if (!claims) return refused("failed to validate OIDC token: " + claims.error().diag.message);
        const auto owner = string_claim(*claims, "repository_owner");
        if (owner.empty()) return refused("failed to validate OIDC token: repository owner claim is required");
        std::vector<permission> permissions;
        if (is_valid_github_name(owner)) permissions.push_back({"publish", "io.github." + owner + "/*"});
        return issuer_.issue("github-oidc", string_claim(*claims, "sub"), std::move(permissions));
    }

private:
    const token_issuer& issuer_;
    oidc_verifier verifier_;
};

}  // namespace

std::unique_ptr<token_exchange> make_github_oidc_exchange(const token_issuer& issuer, oidc_issuer github)
{
    return std::make_unique<github_oidc_exchange>(issuer, std::move(github));
}

}  // namespace mcpreg::engine::detail
