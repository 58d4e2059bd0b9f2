// Registry tokens and permissions: CONFORMANCE.md K18 and K19, and forged tokens.
#include <mcpreg/engine/auth.hpp>

#include "test_data.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <unistd.h>

using namespace mcpreg;
using namespace mcpreg::engine;
using namespace std::chrono_literals;

namespace {

token_claims claims_for(std::vector<permission> permissions, std::chrono::system_clock::time_point now)
{
    token_claims c;
    c.auth_method = "none";
    c.subject = "anonymous";
    c.permissions = std::move(permissions);
    c.issued_at = now;
    c.expires_at = now + jwt_signer::token_lifetime;
    return c;
}

std::string swap_part(const std::string& token, int part, const std::string& replacement)
{
    const auto first = token.find('.'), second = token.find('.', first + 1);
    if (part == 0) return replacement + token.substr(first);
    if (part == 1) return token.substr(0, first + 1) + replacement + token.substr(second);
    return token.substr(0, second + 1) + replacement;
}

}  // namespace

TEST_CASE("K18: a token verifies; expired, other-key, malformed and forged ones do not" * doctest::test_suite("auth"))
{
    auto signer = jwt_signer::generate().value();
    const auto now = std::chrono::system_clock::now();
    const auto token = signer.sign(claims_for({{"publish", "io.github.alice/*"}}, now));
    auto verified = signer.verify(token, now);
    REQUIRE(verified);
    CHECK(verified->auth_method == "none");
    CHECK(verified->subject == "anonymous");
    CHECK(verified->permissions == std::vector<permission>{{"publish", "io.github.alice/*"}});

    auto expired = signer.verify(token, now + 6min);
    REQUIRE_FALSE(expired);
    CHECK(expired.error().code == condition::unauthorized);
    CHECK(expired.error().diag.message == "token is expired");
    CHECK_FALSE(jwt_signer::generate().value().verify(token, now));  // another key
    for (const char* malformed : {"", "a.b", "a.b.c.d", "not a token", "....", "eyJ.eyJ.sig"})
        CHECK_FALSE_MESSAGE(signer.verify(malformed, now), malformed);
    // alg "none" with no signature, and a tampered claim set under the old signature.
    CHECK_FALSE(signer.verify(swap_part(swap_part(token, 0, "eyJhbGciOiJub25lIn0"), 2, ""), now));
    CHECK_FALSE(signer.verify(swap_part(token, 0, "eyJhbGciOiJIUzI1NiJ9"), now));
    const auto other = signer.sign(claims_for({{"publish", "*"}}, now));
    const auto other_claims = other.substr(other.find('.') + 1, other.rfind('.') - other.find('.') - 1);
    CHECK_FALSE(signer.verify(swap_part(token, 1, other_claims), now));  // claims swapped, signature kept
    CHECK_FALSE(signer.verify(std::string(20'000, 'a'), now));
}

TEST_CASE("K19: permission matching" * doctest::test_suite("auth"))
{
    const std::vector<permission> user{{"publish", "io.github.user/*"}};
    CHECK(permits(user, "publish", "io.github.user/server"));
    CHECK_FALSE(permits(user, "publish", "io.github.User/server"));  // case-sensitive
    CHECK_FALSE(permits(user, "edit", "io.github.user/server"));     // wrong action
    CHECK_FALSE(permits(user, "publish", "io.github.other/server"));
    CHECK(permits({{"publish", "com.example.*"}}, "publish", "com.example.api/x"));
    CHECK(permits({{"edit", "*"}}, "edit", "anything/at-all"));
    CHECK(permits({{"publish", "com.example/exact"}}, "publish", "com.example/exact"));
    CHECK_FALSE(permits({{"publish", "com.example/exact"}}, "publish", "com.example/exactly"));
    CHECK_FALSE(permits({}, "publish", "com.example/x"));
}

TEST_CASE("the signing key persists in a file and is shared by every process that reads it" *
          doctest::test_suite("auth"))
{
    const auto path = std::filesystem::temp_directory_path() / ("mcpreg-jwt-" + std::to_string(::getpid()) + ".pem");
    std::filesystem::remove(path);
    auto first = jwt_signer::load_or_create(path.string()).value();
    CHECK(std::filesystem::exists(path));
    CHECK((std::filesystem::status(path).permissions() & std::filesystem::perms::others_read) ==
          std::filesystem::perms::none);
    auto second = jwt_signer::load_or_create(path.string()).value();
    const auto now = std::chrono::system_clock::now();
    CHECK(second.verify(first.sign(claims_for({{"publish", "*"}}, now)), now));
    std::filesystem::remove(path);
    CHECK_FALSE(jwt_signer::from_pem("-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n"));
}
