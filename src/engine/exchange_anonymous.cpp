// POST /v0*/auth/none: an anonymous token for the io.modelcontextprotocol.anonymous namespace, as upstream's
// handlers/v0/auth/none.go grants it (test deployments only).
#include "token_exchange.hpp"

namespace mcpreg::engine::detail {
namespace {

class anonymous_exchange final : public token_exchange {
public:
    explicit anonymous_exchange(const token_issuer& issuer) : issuer_(issuer) {}

    response exchange(const request&) override
    {
        return issuer_.issue(
            "none", "anonymous",
            {{"publish", "io.modelcontextprotocol.anonymous/*"}, {"edit", "io.modelcontextprotocol.anonymous/*"}});
    }

private:
    const token_issuer& issuer_;
};

}  // namespace

std::unique_ptr<token_exchange> make_anonymous_exchange(const token_issuer& issuer)
{
    return std::make_unique<anonymous_exchange>(issuer);
}

}  // namespace mcpreg::engine::detail
