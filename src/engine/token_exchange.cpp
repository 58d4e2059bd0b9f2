#include "token_exchange.hpp"

#include "jws.hpp"
#include "problem.hpp"

#include <boost/json/value.hpp>

#include <algorithm>
#include <cctype>

namespace mcpreg::engine::detail {

token_claims fresh_claims(std::string auth_method, std::string subject, std::vector<permission> permissions)
{
    token_claims claims;
    claims.auth_method = std::move(auth_method);
    claims.subject = std::move(subject);
    claims.permissions = std::move(permissions);
    claims.issued_at = std::chrono::system_clock::now();
    claims.expires_at = claims.issued_at + jwt_signer::token_lifetime;
    return claims;
}

bool is_valid_github_name(std::string_view name)
{
    return !name.empty() && std::all_of(name.begin(), name.end(),
                                        [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; });
}

response exchange_refused(std::string_view failure, std::string cause)
{
    return problem(401, failure, std::vector<field_error>{{std::move(cause), "", nullptr}});
}

response token_issuer::issue(std::string auth_method, std::string subject, std::vector<permission> permissions,
                             std::string_view failure) const
{
    const bool global =
        std::any_of(permissions.begin(), permissions.end(), [](const permission& p) { return p.resource == "*"; });
    if (!global)
        for (const auto& blocked : blocked_namespaces_)
            for (const auto& p : permissions)
                if (grant_touches_namespace(p, blocked))
                    return exchange_refused(failure, "namespace " + blocked + " is blocked");
    const auto claims = fresh_claims(std::move(auth_method), std::move(subject), std::move(permissions));
    const auto expires = std::chrono::duration_cast<std::chrono::seconds>(claims.expires_at.time_since_epoch()).count();
    return json_response(200, boost::json::object{{"registry_token", signer_.sign(claims)}, {"expires_at", expires}});
}

std::vector<std::pair<std::string, std::unique_ptr<token_exchange>>> enabled_exchanges(const registry_options& options,
                                                                                       const token_issuer& issuer)
{
    std::vector<std::pair<std::string, std::unique_ptr<token_exchange>>> exchanges;
    if (options.anonymous_auth) exchanges.emplace_back("none", make_anonymous_exchange(issuer));
    if (options.admin_key) exchanges.emplace_back("admin", make_admin_key_exchange(issuer, *options.admin_key));
    if (options.dns_txt_lookup) exchanges.emplace_back("dns", make_domain_exchange(issuer, true, options));
    if (options.http_key_fetch) exchanges.emplace_back("http", make_domain_exchange(issuer, false, options));
    if (options.github_api) exchanges.emplace_back("github-at", make_github_token_exchange(issuer, options));
    if (options.github_oidc)
        exchanges.emplace_back("github-oidc", make_github_oidc_exchange(issuer, *options.github_oidc));
    if (options.admin_oidc) exchanges.emplace_back("oidc", make_admin_oidc_exchange(issuer, *options.admin_oidc));
    return exchanges;
}

}  // namespace mcpreg::engine::detail
