// POST /v0*/auth/oidc: any OIDC provider's token, once the configured claim rules hold, gets the
// administrators' configured publish and edit patterns (upstream's handlers/v0/auth/oidc.go).
#include "jws.hpp"
#include "oidc.hpp"
#include "request_body.hpp"
#include "token_exchange.hpp"

#include <boost/json/serialize.hpp>

namespace mcpreg::engine::detail {
namespace {

response refused(std::string cause) { return exchange_refused("Token exchange failed", std::move(cause)); }

class admin_oidc_exchange final : public token_exchange {
public:
    admin_oidc_exchange(const token_issuer& issuer, admin_oidc_options config)
        : issuer_(issuer), config_(std::move(config)), verifier_(config_.provider)
    {
    }

    response exchange(const request& req) override
    {
        auto credential = read_credential(req, "oidc_token");
        if (auto* refused = std::get_if<response>(&credential)) return std::move(*refused);
        if (config_.provider.audience.empty()) return refused("OIDC exchange disabled: no client id configured");
        auto claims = verifier_.verify(std::get<std::string>(credential), std::chrono::system_clock::now());
        if (!claims) return refused("failed to validate OIDC token: " + claims.error().diag.message);
        for (const auto& rule : config_.required_claims)
            for (const auto& [key, expected] : rule) {
                const auto* actual = claims->if_contains(key);
                if (!actual)
                    return refused("extra claims validation failed: required claim " + std::string(key) + " not found");
                if (!claim_matches(*actual, expected))
                    return refused("extra claims validation failed: " + std::string(key) + " expected " +
                                   boost::json::serialize(expected) + ", got " + boost::json::serialize(*actual));
            }
        std::vector<permission> permissions;
        for (const auto& pattern : config_.publish_patterns) permissions.push_back({"publish", pattern});
        for (const auto& pattern : config_.edit_patterns) permissions.push_back({"edit", pattern});
        return issuer_.issue("oidc", string_claim(*claims, "sub"), std::move(permissions));
    }

private:
    const token_issuer& issuer_;
    admin_oidc_options config_;
    oidc_verifier verifier_;
};

}  // namespace

std::unique_ptr<token_exchange> make_admin_oidc_exchange(const token_issuer& issuer, admin_oidc_options config)
{
    return std::make_unique<admin_oidc_exchange>(issuer, std::move(config));
}

}  // namespace mcpreg::engine::detail
