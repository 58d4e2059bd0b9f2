// Registry tokens and permissions: verification, expiry, forged tokens, permission patterns, blocked namespaces,
// and the signing key's file.
#include <mcpreg/engine/auth.hpp>
#include <mcpreg/engine/registry.hpp>
#include <mcpreg/model/json.hpp>
#include <mcpreg/secret_file.hpp>

#include "../../src/engine/jws.hpp"
#include "test_data.hpp"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>
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

TEST_CASE("a token verifies, and expired, other-key, malformed and forged ones do not" * doctest::test_suite("auth"))
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

TEST_CASE("permission matching: exact names, prefix patterns and *, case-sensitive, per action" *
          doctest::test_suite("auth"))
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

TEST_CASE("numeric claims beyond any time are no time at all, never undefined behaviour" * doctest::test_suite("auth"))
{
    using detail::numeric_claim;
    auto claims = [](const char* text) { return boost::json::parse(text).as_object(); };
    CHECK(numeric_claim(claims(R"({"exp": 1700000000})"), "exp") == 1700000000);
    CHECK(numeric_claim(claims(R"({"exp": 1700000000.9})"), "exp") == 1700000000);
    for (const char* hostile :
         {R"({"exp": 1e300})", R"({"exp": -1e300})", R"({"exp": 18446744073709551615})", R"({"exp": 1e19})",
          R"({"exp": 1e10})", R"({"exp": 9223372036854775807})", R"({"exp": "1700000000"})", R"({"exp": null})", "{}"})
        CHECK_FALSE_MESSAGE(numeric_claim(claims(hostile), "exp"), hostile);
}

TEST_CASE("a grant touches a blocked namespace when it covers it or lies inside it, in any case" *
          doctest::test_suite("auth"))
{
    using detail::grant_touches_namespace;
    for (const char* inside :
         {"com.evil/*", "com.evil.*", "com.evil.sub/*", "COM.EVIL/*", "com.evil/tool", "com.*", "com.evil*", "*"})
        CHECK_MESSAGE(grant_touches_namespace({"publish", inside}, "com.evil"), inside);
    for (const char* outside : {"com.evilcorp/*", "com.good/*", "org.evil/*", "io.github.evil/*"})
        CHECK_FALSE_MESSAGE(grant_touches_namespace({"publish", outside}, "com.evil"), outside);
    CHECK(grant_touches_namespace({"publish", "com.evil/*"}, "COM.Evil"));
}

TEST_CASE("a signing key is created exclusively, 0600, and a planted, foreign or readable key file is refused" *
          doctest::test_suite("auth"))
{
    namespace fs = std::filesystem;
    const auto dir = fs::temp_directory_path() / ("mcpreg-keys-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const auto key = (dir / "registry.jwt-key.pem").string();
    // A symbolic link planted where the key will be: refused, and its target is never written.
    const auto target = (dir / "attacker-reads-this").string();
    fs::create_symlink(target, key);
    CHECK_FALSE(jwt_signer::load_or_create(key));
    CHECK_FALSE(fs::exists(target));
    fs::remove(key);
    // A key anyone can read (a copy left in a shared folder) is refused, not used.
    auto made = jwt_signer::load_or_create(key);
    REQUIRE(made);
    CHECK((fs::status(key).permissions() & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);
    fs::permissions(key, fs::perms::others_read, fs::perm_options::add);
    auto readable = jwt_signer::load_or_create(key);
    REQUIRE_FALSE(readable);
    CHECK(readable.error().diag.message.find("chmod 600") != std::string::npos);
    fs::permissions(key, fs::perms::others_read, fs::perm_options::remove);
    CHECK(jwt_signer::load_or_create(key));
    // The old predictable temporary name means nothing now: a file planted there is left alone.
    fs::remove(key);
    {
        std::ofstream planted(key + ".tmp");
    }
    CHECK(jwt_signer::load_or_create(key));
    CHECK(fs::file_size(key + ".tmp") == 0);
    // Several processes starting at once agree on one key.
    fs::remove(key);
    std::vector<std::thread> starters;
    std::vector<std::string> pems(8);
    for (std::size_t i = 0; i < pems.size(); ++i)
        starters.emplace_back([&, i] { pems[i] = jwt_signer::load_or_create(key).value().private_key_pem(); });
    for (auto& t : starters) t.join();
    CHECK(std::all_of(pems.begin(), pems.end(), [&](const std::string& p) { return p == pems[0]; }));
    fs::remove_all(dir);
}

TEST_CASE("secret files: replaced atomically, never through a symbolic link" * doctest::test_suite("auth"))
{
    namespace fs = std::filesystem;
    const auto dir = fs::temp_directory_path() / ("mcpreg-secrets-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const auto path = (dir / "tokens.json").string();
    CHECK(write_secret_file(path, "one", secret_write::create_only).value());
    CHECK_FALSE(write_secret_file(path, "two", secret_write::create_only).value());
    CHECK(read_secret_file(path).value() == "one");
    CHECK(write_secret_file(path, "three", secret_write::replace).value());
    CHECK(read_secret_file(path).value() == "three");
    const auto elsewhere = (dir / "elsewhere").string();
    fs::remove(path);
    fs::create_symlink(elsewhere, path);
    CHECK_FALSE(read_secret_file(path));
    CHECK(write_secret_file(path, "four", secret_write::replace).value());  // the link is replaced, not followed
    CHECK_FALSE(fs::exists(elsewhere));
    CHECK(read_secret_file(path).value() == "four");
    CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}) == 1);  // no temporary left
    fs::remove_all(dir);
}

TEST_CASE("deployments sharing a key file never accept each other's tokens, but engines over one database do" *
          doctest::test_suite("auth"))
{
    namespace fs = std::filesystem;
    const auto dir = fs::temp_directory_path() / ("mcpreg-audience-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    auto open = [&](const std::string& database) {
        engine::registry_options options;
        options.database = (dir / database).string();
        options.jwt_key_file = (dir / "shared.pem").string();
        return engine::registry::open(options).value();
    };
    auto a = open("a.db");
    auto b = open("b.db");
    auto a_again = open("a.db");
    const auto token = a.issue_token({{"publish", "*"}});
    auto publish = [&](engine::registry& reg, const std::string& version) {
        engine::request req;
        req.method = "POST";
        req.target = "/v0.1/publish";
        req.headers.push_back({"Authorization", "Bearer " + token});
        req.body = R"({"$schema":")" + std::string(model::current_schema_url) +
                   R"(","name":"com.example/aud","description":"d","version":")" + version + R"("})";
        return reg.handle(req).status;
    };
    CHECK(publish(a, "1.0.0") == 200);
    CHECK(publish(b, "1.0.0") == 401);        // same key, another deployment
    CHECK(publish(a_again, "2.0.0") == 200);  // another engine over the same database
    // An explicit audience is shared by whoever configures it.
    auto signer = jwt_signer::generate().value();
    signer.set_audience("https://registry.example");
    const auto now = std::chrono::system_clock::now();
    const auto audienced = signer.sign(claims_for({{"publish", "*"}}, now));
    CHECK(signer.verify(audienced, now).value().audience == "https://registry.example");
    signer.set_audience("https://other.example");
    CHECK_FALSE(signer.verify(audienced, now));
    fs::remove_all(dir);
}
