// POST /v0*/auth/dns and /v0*/auth/http: a signed timestamp, checked against the Ed25519 (or ECDSA) public key
// the domain publishes in DNS TXT records or at https://<domain>/.well-known/mcp-registry-auth (upstream's
// handlers/v0/auth/dns.go and http.go). The lookups are the host's (registry_options).
#include "domain_auth.hpp"
#include "problem.hpp"
#include "request_body.hpp"
#include "token_exchange.hpp"

#include <cctype>

namespace mcpreg::engine::detail {
namespace {

class domain_exchange final : public token_exchange {
public:
    domain_exchange(const token_issuer& issuer, bool dns, const registry_options& options)
        : issuer_(issuer), dns_(dns), options_(options)
    {
    }

    response exchange(const request& req) override
    {
        auto body = read_body(req);
        if (auto* refused = std::get_if<response>(&body)) return std::move(*refused);
        const auto& document = std::get<boost::json::value>(body);
        if (auto errors = check_string_members(document, {"domain", "timestamp", "signed_timestamp"}); !errors.empty())
            return problem(422, "validation failed", errors);
        // Domain names are case-insensitive: one spelling, so `EVIL.COM` and `evil.com` are one namespace.
        std::string domain(document.at("domain").as_string());
        for (auto& c : domain) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (!is_valid_domain(domain)) return refuse("invalid domain format");
        auto records = proof_records(domain);
        if (auto* refused = std::get_if<response>(&records)) return std::move(*refused);
        auto verified =
            verify_domain_proof(document.at("timestamp").as_string(), document.at("signed_timestamp").as_string(),
                                std::get<std::vector<std::string>>(records), dns_ ? "DNS TXT records" : "HTTP response",
                                std::chrono::system_clock::now());
        if (!verified) return refuse(verified.error().diag.message);
        const auto reversed = reverse_domain(domain);
        std::vector<permission> permissions{{"publish", reversed + "/*"}};
        if (dns_) permissions.push_back({"publish", reversed + ".*"});  // DNS proofs cover subdomains too
        return issuer_.issue(dns_ ? "dns" : "http", domain, std::move(permissions), failure());
    }

private:
    std::string_view failure() const { return dns_ ? "DNS authentication failed" : "HTTP authentication failed"; }

    response refuse(std::string cause) const { return exchange_refused(failure(), std::move(cause)); }

    // The texts the key may be in: the TXT records, or the well-known file's content, trimmed.
    std::variant<std::vector<std::string>, response> proof_records(const std::string& domain) const
    {
        if (dns_) {
            auto found = options_.dns_txt_lookup(domain);
            if (!found) return refuse("failed to lookup DNS TXT records: " + found.error().diag.message);
            return std::move(*found);
        }
        auto fetched = options_.http_key_fetch(domain);
        if (!fetched) return refuse("failed to fetch public key: " + fetched.error().diag.message);
        if (fetched->size() > 4096) return refuse("failed to fetch public key: response larger than 4096 bytes");
        std::string_view trimmed = *fetched;
        while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.front()))) trimmed.remove_prefix(1);
        while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) trimmed.remove_suffix(1);
        return std::vector<std::string>{std::string(trimmed)};
    }

    const token_issuer& issuer_;
    bool dns_;
    const registry_options& options_;
};

}  // namespace

std::unique_ptr<token_exchange> make_domain_exchange(const token_issuer& issuer, bool dns,
                                                     const registry_options& options)
{
    return std::make_unique<domain_exchange>(issuer, dns, options);
}

}  // namespace mcpreg::engine::detail
