// POST /v0*/auth/github-at: a GitHub access token (upstream's handlers/v0/auth/github_at.go) gets the user's
// own namespace, plus every organisation where the membership is active and the role is admin. GitHub is
// reached through the host's registry_options::github_api.
#include <mcpreg/model/json.hpp>

#include "problem.hpp"
#include "request_body.hpp"
#include "token_exchange.hpp"

namespace mcpreg::engine::detail {
namespace json = boost::json;
namespace {

std::string text_member(const json::object& from, std::string_view key)
{
    const auto* v = from.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

class github_token_exchange final : public token_exchange {
public:
    github_token_exchange(const token_issuer& issuer, const registry_options& options)
        : issuer_(issuer), options_(options)
    {
    }

    response exchange(const request& req) override
    {
        auto credential = read_credential(req, "github_token");
        if (auto* refused = std::get_if<response>(&credential)) return std::move(*refused);
        const auto& token = std::get<std::string>(credential);
        auto user = github_get(token, "/user");
        if (!user || user->status != 200) return failed();
        auto user_json = model::parse_json(user->body);
        const auto* login =
            user_json && user_json->is_object() ? user_json->get_object().if_contains("login") : nullptr;
        if (!login || !login->is_string()) return failed();
        const std::string user_login(login->get_string());
        std::vector<permission> permissions;
        if (is_valid_github_name(user_login)) {  // an invalid login gets no permissions at all
            permissions.push_back({"publish", "io.github." + user_login + "/*"});
            if (!add_admin_organisations(token, permissions)) return failed();
        }
        return issuer_.issue("github-at", user_login, std::move(permissions));
    }

private:
    static response failed() { return problem(401, "Token exchange failed"); }  // the cause stays private

    // Exchanges run on several threads at once: everything of one request stays in its call.
    result<http_response> github_get(const std::string& token, std::string target) const
    {
        http_request r;
        r.target = std::move(target);
        r.headers = {{"Authorization", "Bearer " + token},
                     {"Accept", "application/vnd.github+json"},
                     {"X-GitHub-Api-Version", "2022-11-28"}};
        return options_.github_api(r);
    }

    // Every organisation the user administers, page by page; false when GitHub could not say (fail closed).
    bool add_admin_organisations(const std::string& token, std::vector<permission>& permissions) const
    {
        constexpr int max_pages = 100;
        for (int page = 1; page <= max_pages; ++page) {
            auto orgs =
                github_get(token, "/user/memberships/orgs?state=active&per_page=100&page=" + std::to_string(page));
            if (!orgs) return false;
            if (orgs->status == 403) {
                // Without read:org GitHub answers 403 with none of these: personal namespace only. With them it
                // is a rate limit or SSO enforcement: fail closed.
                return orgs->header("X-RateLimit-Remaining") != "0" && orgs->header("Retry-After").empty() &&
                       orgs->header("X-GitHub-SSO").empty();
            }
            if (orgs->status != 200) return false;
            auto list = model::parse_json(orgs->body);
            if (!list || !list->is_array()) return false;
            for (const auto& m : list->get_array()) {
                if (!m.is_object()) continue;
                const auto& o = m.get_object();
                const auto* org = o.if_contains("organization");
                const std::string org_login = org && org->is_object() ? text_member(org->get_object(), "login") : "";
                if (text_member(o, "state") == "active" && text_member(o, "role") == "admin" &&
                    is_valid_github_name(org_login))
                    permissions.push_back({"publish", "io.github." + org_login + "/*"});
            }
            if (list->get_array().size() < 100) return true;
        }
        return false;
    }

    const token_issuer& issuer_;
    const registry_options& options_;
};

}  // namespace

std::unique_ptr<token_exchange> make_github_token_exchange(const token_issuer& issuer, const registry_options& options)
{
    return std::make_unique<github_token_exchange>(issuer, options);
}

}  // namespace mcpreg::engine::detail
