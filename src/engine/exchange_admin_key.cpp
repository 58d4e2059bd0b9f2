// POST /v0*/auth/admin: {"admin_key": ...} equal to the configured key gets publish and edit on every name.
#include "problem.hpp"
#include "request_body.hpp"
#include "token_exchange.hpp"

namespace mcpreg::engine::detail {
namespace {

class admin_key_exchange final : public token_exchange {
public:
    admin_key_exchange(const token_issuer& issuer, std::string key) : issuer_(issuer), key_(std::move(key)) {}

    response exchange(const request& req) override
    {
        auto body = read_body(req);
        if (auto* refused = std::get_if<response>(&body)) return std::move(*refused);
        const auto& document = std::get<boost::json::value>(body);
        const auto* given = document.is_object() ? document.get_object().if_contains("admin_key") : nullptr;
        if (!given || !given->is_string() || !equal_in_constant_time(given->get_string(), key_))
            return problem(401, "Token exchange failed");
        return issuer_.issue("admin", "admin", {{"publish", "*"}, {"edit", "*"}});
    }

private:
    // The key is a password: how much of it matched must not show in the time the comparison takes.
    static bool equal_in_constant_time(std::string_view given, std::string_view key)
    {
        if (given.size() != key.size()) return false;
        unsigned char diff = 0;
        for (std::size_t i = 0; i < given.size(); ++i) diff |= static_cast<unsigned char>(given[i] ^ key[i]);
        return diff == 0;
    }

    const token_issuer& issuer_;
    std::string key_;
};

}  // namespace

std::unique_ptr<token_exchange> make_admin_key_exchange(const token_issuer& issuer, std::string admin_key)
{
    return std::make_unique<admin_key_exchange>(issuer, std::move(admin_key));
}

}  // namespace mcpreg::engine::detail
