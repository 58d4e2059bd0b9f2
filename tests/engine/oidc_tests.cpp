// OpenID Connect token exchanges: GitHub Actions ID tokens, generic OIDC for administrators, the JWKS cache,
// forged ID tokens, and the namespace denylist.
#include <mcpreg/engine/registry.hpp>

#include "engine_fixture.hpp"
#include "oidc_issuer.hpp"
#include "test_data.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <unistd.h>

namespace json = boost::json;
using namespace mcpreg;
using engine::permission;
using test::call;

namespace {

constexpr std::string_view issuer_url = "https://token.actions.example";
constexpr std::string_view audience = "https://registry.example";

// A registry whose signing key is on disk, so the test can read back the claims of what it issued.
struct oidc_registry {
    std::filesystem::path dir = std::filesystem::temp_directory_path() / ("mcpreg-oidc-" + std::to_string(::getpid()));
    test::rsa_issuer issuer{"key-1"};
    int jwks_fetches = 0;
    std::string served_jwks = issuer.jwks();
    engine::registry reg;

    explicit oidc_registry(std::string configured_audience = std::string(audience),
                           std::chrono::seconds refresh = std::chrono::seconds(10),
                           std::vector<std::string> blocked = {})
        : reg(open(std::move(configured_audience), refresh, std::move(blocked)))
    {
    }
    ~oidc_registry() { std::filesystem::remove_all(dir); }

    engine::registry open(std::string configured_audience, std::chrono::seconds refresh,
                          std::vector<std::string> blocked)
    {
        std::filesystem::create_directories(dir);
        engine::registry_options options;
        options.jwt_key_file = (dir / "key.pem").string();
        options.github_oidc = engine::oidc_issuer{std::string(issuer_url), std::move(configured_audience),
                                                  [this]() -> result<std::string> {
                                                      ++jwks_fetches;
                                                      return served_jwks;
                                                  },
                                                  refresh};
        options.blocked_namespaces = std::move(blocked);
        return test::open_registry(std::move(options));
    }

    test::answer exchange(const std::string& oidc_token)
    {
        return call(reg, "POST", "/v0.1/auth/github-oidc", json::object{{"oidc_token", oidc_token}});
    }

    engine::token_claims claims_of(const test::answer& a) const
    {
        auto signer = engine::jwt_signer::load_or_create((dir / "key.pem").string()).value();
        return signer.verify(a.body.at("registry_token").as_string()).value();
    }
};

json::object actions_claims(std::string owner = "octo-org",
                            std::string subject = "repo:octo-org/octo-repo:environment:prod")
{
    return test::github_actions_claims(std::string(issuer_url), std::string(audience), owner, subject);
}

}  // namespace

TEST_CASE("GitHub Actions OIDC tokens grant the repository owner's namespace, for the configured audience only" *
          doctest::test_suite("oidc"))
{
    SUBCASE("no audience configured: every token is refused")
    {
        oidc_registry f("");
        auto a = f.exchange(f.issuer.sign(actions_claims()));
        CHECK(a.res.status == 401);
        CHECK(a.mentions("no audience configured"));
    }
    oidc_registry f;
    SUBCASE("a token minted for another audience")
    {
        auto claims = actions_claims();
        claims["aud"] = "https://other.example";
        auto a = f.exchange(f.issuer.sign(claims));
        CHECK(a.res.status == 401);
        CHECK(a.detail() == "Token exchange failed");
        CHECK(a.mentions("invalid audience"));
    }
    SUBCASE("an organisation's repository gets the organisation's namespace, and the sub is kept")
    {
        auto a = f.exchange(f.issuer.sign(actions_claims()));
        REQUIRE(a.res.status == 200);
        const auto claims = f.claims_of(a);
        CHECK(claims.auth_method == "github-oidc");
        CHECK(claims.subject == "repo:octo-org/octo-repo:environment:prod");
        CHECK(claims.permissions == std::vector<permission>{{"publish", "io.github.octo-org/*"}});
    }
    SUBCASE("a user's repository; aud may be a list")
    {
        auto claims = actions_claims("username", "repo:username/tool:ref:refs/heads/main");
        claims["aud"] = json::array{"https://other.example", audience};
        auto a = f.exchange(f.issuer.sign(claims));
        REQUIRE(a.res.status == 200);
        CHECK(f.claims_of(a).permissions == std::vector<permission>{{"publish", "io.github.username/*"}});
    }
    SUBCASE("an owner GitHub would not allow gets a token without permissions")
    {
        auto a = f.exchange(f.issuer.sign(actions_claims("invalid@name")));
        REQUIRE(a.res.status == 200);
        CHECK(f.claims_of(a).permissions.empty());
    }
    SUBCASE("the body is checked like every other: 422 for a missing or non-string token")
    {
        CHECK(call(f.reg, "POST", "/v0.1/auth/github-oidc", json::object{}).res.status == 422);
        CHECK(call(f.reg, "POST", "/v0.1/auth/github-oidc", json::object{{"oidc_token", 5}}).res.status == 422);
        CHECK(call(f.reg, "GET", "/v0.1/auth/github-oidc").res.status == 405);
    }
}

TEST_CASE("forged, stale and foreign ID tokens are refused with 401 and the reason" * doctest::test_suite("oidc"))
{
    oidc_registry f;
    auto refused = [&](const std::string& token, std::string_view reason) {
        auto a = f.exchange(token);
        INFO(a.res.body);
        CHECK(a.res.status == 401);
        CHECK(a.mentions(reason));
    };
    const auto good = f.issuer.sign(actions_claims());
    const auto dot = good.rfind('.');

    refused(good.substr(0, dot) + ".AAAA", "token signature is invalid");
    refused(f.issuer.sign(actions_claims(), "none"), "signing method none is invalid");
    refused(f.issuer.sign(actions_claims(), "HS256"), "signing method HS256 is invalid");
    refused("not-a-token", "malformed token");
    refused(std::string(20'000, 'a'), "token too large");

    auto claims = actions_claims();
    claims["iss"] = "https://evil.example";
    refused(f.issuer.sign(claims), "invalid issuer");
    claims = actions_claims();
    claims["exp"] = 1'000;
    refused(f.issuer.sign(claims), "token is expired");
    claims.erase("exp");
    refused(f.issuer.sign(claims), "missing required claim: exp");
    claims = actions_claims();
    claims["nbf"] = claims["exp"];
    refused(f.issuer.sign(claims), "not valid yet");
    claims = actions_claims();
    claims.erase("repository_owner");
    refused(f.issuer.sign(claims), "repository owner claim is required");

    // Another key under the same kid: the signature does not verify.
    test::rsa_issuer impostor("key-1");
    refused(impostor.sign(actions_claims()), "token signature is invalid");
    // An unknown kid, and a JWKS whose only key is too weak to trust.
    test::rsa_issuer stranger("key-2");
    refused(stranger.sign(actions_claims()), "key with ID key-2 not found");
    test::rsa_issuer weak("weak", 1024);
    f.served_jwks = weak.jwks();
    refused(weak.sign(actions_claims()), "key with ID weak not found");
}

TEST_CASE("the key set is fetched once, and again on an unknown kid at most once per interval" *
          doctest::test_suite("oidc"))
{
    SUBCASE("cached")
    {
        oidc_registry f;
        for (int i = 0; i < 3; ++i) CHECK(f.exchange(f.issuer.sign(actions_claims())).res.status == 200);
        CHECK(f.jwks_fetches == 1);
        test::rsa_issuer stranger("forged-kid");
        for (int i = 0; i < 3; ++i) CHECK(f.exchange(stranger.sign(actions_claims())).res.status == 401);
        CHECK(f.jwks_fetches == 1);  // forged kids do not turn the registry into a fetch amplifier
    }
    SUBCASE("rotated")
    {
        oidc_registry f(std::string(audience), std::chrono::seconds(0));
        CHECK(f.exchange(f.issuer.sign(actions_claims())).res.status == 200);
        test::rsa_issuer rotated("key-2");
        f.served_jwks = rotated.jwks();
        CHECK(f.exchange(rotated.sign(actions_claims())).res.status == 200);
        CHECK(f.jwks_fetches == 2);
    }
    SUBCASE("an unreachable or broken key set is a 401 with the cause, not a 500")
    {
        oidc_registry f;
        f.served_jwks = "{not json";
        auto a = f.exchange(f.issuer.sign(actions_claims()));
        CHECK(a.res.status == 401);
        CHECK(a.mentions("failed to decode JWKS"));
        // An issuer that is down is not asked again for every token within the interval.
        for (int i = 0; i < 5; ++i) CHECK(f.exchange(f.issuer.sign(actions_claims())).res.status == 401);
        CHECK(f.jwks_fetches == 1);
    }
}

TEST_CASE("generic OIDC for administrators: claim rules, then the configured patterns" * doctest::test_suite("oidc"))
{
    test::rsa_issuer idp("idp-key");
    engine::admin_oidc_options admin;
    admin.provider = {"https://idp.example", "registry-client", [&]() -> result<std::string> { return idp.jwks(); }};
    admin.required_claims = {json::object{{"hd", "example.com"}}, json::object{{"groups", "registry-admins"}}};
    admin.publish_patterns = {"*"};
    admin.edit_patterns = {"*"};
    engine::registry_options options;
    options.admin_oidc = admin;
    options.anonymous_auth = true;
    auto reg = test::open_registry(options);

    auto id_token = [&](json::object extra) {
        auto claims = test::github_actions_claims("https://idp.example", "registry-client", "", "admin@example.com");
        claims.erase("repository_owner");
        for (auto& [k, v] : extra) claims[k] = v;
        return idp.sign(claims);
    };
    auto exchange = [&](const std::string& token) {
        return call(reg, "POST", "/v0/auth/oidc", json::object{{"oidc_token", token}});
    };

    auto ok = exchange(id_token({{"hd", "example.com"}, {"groups", json::array{"staff", "registry-admins"}}}));
    REQUIRE(ok.res.status == 200);
    const std::string token(ok.body.at("registry_token").as_string());
    // Edit on everything: an administrator can deprecate someone else's server.
    auto anonymous = call(reg, "POST", "/v0/auth/none").body.at("registry_token").as_string();
    REQUIRE(call(reg, "POST", "/v0/publish",
                 json::object{{"$schema", model::current_schema_url},
                              {"name", "io.modelcontextprotocol.anonymous/tool"},
                              {"description", "d"},
                              {"version", "1.0.0"}},
                 std::string(anonymous))
                .res.status == 200);
    CHECK(call(reg, "PATCH", "/v0.1/servers/io.modelcontextprotocol.anonymous%2Ftool/versions/1.0.0/status",
               json::object{{"status", "deprecated"}}, token)
              .res.status == 200);

    auto missing = exchange(id_token({{"groups", json::array{"registry-admins"}}}));
    CHECK(missing.res.status == 401);
    CHECK(missing.mentions("required claim hd not found"));
    auto wrong = exchange(id_token({{"hd", "example.com"}, {"groups", json::array{"staff"}}}));
    CHECK(wrong.res.status == 401);
    CHECK(wrong.mentions("extra claims validation failed: groups"));
    auto foreign = idp.sign(test::github_actions_claims("https://idp.example", "another-client", "", "x"));
    CHECK(exchange(foreign).mentions("invalid audience"));
    // Not configured: not served.
    auto plain = test::open_registry();
    CHECK(call(plain, "POST", "/v0/auth/oidc", json::object{{"oidc_token", "x"}}).res.status == 404);
}

TEST_CASE("tokens touching a blocked namespace are refused unless they hold *" * doctest::test_suite("oidc"))
{
    test::rsa_issuer idp("idp-key");
    auto registry_with = [&](std::vector<std::string> publish) {
        engine::admin_oidc_options admin;
        admin.provider = {"https://idp.example", "client", [&]() -> result<std::string> { return idp.jwks(); }};
        admin.publish_patterns = std::move(publish);
        engine::registry_options options;
        options.admin_oidc = admin;
        options.blocked_namespaces = {"com.evil"};
        return test::open_registry(options);
    };
    auto status = [&](std::vector<std::string> publish) {
        auto reg = registry_with(std::move(publish));
        auto claims = test::github_actions_claims("https://idp.example", "client", "", "someone");
        auto a = call(reg, "POST", "/v0/auth/oidc", json::object{{"oidc_token", idp.sign(claims)}});
        if (a.res.status == 401) CHECK(a.mentions("namespace com.evil is blocked"));
        return a.res.status;
    };
    CHECK(status({"com.evil/*"}) == 401);
    CHECK(status({"com.evil.*"}) == 401);  // subdomains of a blocked namespace
    CHECK(status({"com.good/*"}) == 200);
    CHECK(status({"com.good/*", "com.evil/tool"}) == 401);  // a name inside the blocked namespace
    CHECK(status({"COM.EVIL/*"}) == 401);                   // namespaces compare without case
    CHECK(status({"com.evil.sub/*"}) == 401);               // a subdomain's namespace is inside it
    CHECK(status({"com.evilcorp/*"}) == 200);               // another name that merely starts alike
    CHECK(status({"com.good/*", "com.evil/*"}) == 401);     // one blocked grant among many
    CHECK(status({"com.evil/*", "*"}) == 200);              // a global grant bypasses the denylist
    CHECK(status({"com.*"}) == 401);                        // a wider pattern covers it too

    oidc_registry github(std::string(audience), std::chrono::seconds(10), {"io.github.evil-org"});
    CHECK(github.exchange(github.issuer.sign(actions_claims("evil-org"))).res.status == 401);
    CHECK(github.exchange(github.issuer.sign(actions_claims("good-org"))).res.status == 200);
}
