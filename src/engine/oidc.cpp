#include "oidc.hpp"

#include <mcpreg/model/json.hpp>

#include "../common/base64.hpp"
#include "jws.hpp"

#include <boost/json/serialize.hpp>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <algorithm>

namespace mcpreg::engine::detail {
namespace json = boost::json;

namespace {

// RS256 keys below this size are refused: GitHub and the common providers use 2048 bits or more.
constexpr int min_rsa_bits = 2048;

std::shared_ptr<evp_pkey_st> rsa_public_key(std::string_view modulus, std::string_view exponent)
{
    std::unique_ptr<BIGNUM, decltype(&BN_free)> n(
        BN_bin2bn(reinterpret_cast<const unsigned char*>(modulus.data()), static_cast<int>(modulus.size()), nullptr),
        &BN_free);
    std::unique_ptr<BIGNUM, decltype(&BN_free)> e(
        BN_bin2bn(reinterpret_cast<const unsigned char*>(exponent.data()), static_cast<int>(exponent.size()), nullptr),
        &BN_free);
    std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> build(OSSL_PARAM_BLD_new(), &OSSL_PARAM_BLD_free);
    if (!n || !e || !build || OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1)
        return nullptr;
    std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(OSSL_PARAM_BLD_to_param(build.get()),
                                                                   &OSSL_PARAM_free);
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr),
                                                                    &EVP_PKEY_CTX_free);
    EVP_PKEY* key = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
        return nullptr;
    std::shared_ptr<evp_pkey_st> owned(key, &EVP_PKEY_free);
    if (EVP_PKEY_get_bits(key) < min_rsa_bits) return nullptr;
    return owned;
}

bool rs256_verify(evp_pkey_st* key, std::string_view signing_input, std::string_view signature)
{
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
           EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                            reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size()) == 1;
}

}  // namespace

result<std::map<std::string, std::shared_ptr<evp_pkey_st>, std::less<>>> parse_jwks(std::string_view document)
{
    auto parsed = model::parse_json(document);
    const auto* keys = parsed && parsed->is_object() ? parsed->get_object().if_contains("keys") : nullptr;
    if (!keys || !keys->is_array()) return token_error("failed to decode JWKS: no \"keys\" array");
    std::map<std::string, std::shared_ptr<evp_pkey_st>, std::less<>> out;
    for (const auto& entry : keys->get_array()) {
        if (!entry.is_object()) continue;
        const auto& jwk = entry.get_object();
        const auto use = string_claim(jwk, "use");
        if (string_claim(jwk, "kty") != "RSA" || (!use.empty() && use != "sig")) continue;
        using mcpreg::detail::base64_alphabet;
        auto modulus = mcpreg::detail::base64_decode(string_claim(jwk, "n"), base64_alphabet::url);
        auto exponent = mcpreg::detail::base64_decode(string_claim(jwk, "e"), base64_alphabet::url);
        if (!modulus || !exponent || modulus->empty() || exponent->empty()) continue;
        if (auto key = rsa_public_key(*modulus, *exponent)) out[string_claim(jwk, "kid")] = std::move(key);
    }
    return out;
}

bool claim_matches(const json::value& actual, const json::value& expected)
{
    if (actual == expected) return true;
    if (!actual.is_array()) return false;
    const auto& values = actual.get_array();
    auto holds = [&](const json::value& v) { return std::find(values.begin(), values.end(), v) != values.end(); };
    if (!expected.is_array()) return holds(expected);
    return std::any_of(expected.get_array().begin(), expected.get_array().end(), holds);
}

oidc_verifier::oidc_verifier(oidc_issuer issuer) : issuer_(std::move(issuer)) {}

result<std::shared_ptr<evp_pkey_st>> oidc_verifier::key(const std::string& kid,
                                                        std::chrono::steady_clock::time_point now)
{
    std::lock_guard lock(mutex_);
    if (auto found = keys_.find(kid); found != keys_.end()) return found->second;
    // An unknown kid may mean the issuer rotated its keys: refetch, but not for every forged kid.
    if (!fetched_at_ || now - *fetched_at_ >= issuer_.jwks_refresh_interval) {
        if (!issuer_.fetch_jwks) return token_error("failed to fetch JWKS: no key set source configured");
        // A failed fetch waits the interval too: an issuer that is down is not asked again for every token.
        fetched_at_ = now;
        auto document = issuer_.fetch_jwks();
        if (!document) return token_error("failed to fetch JWKS: " + document.error().diag.message);
        auto keys = parse_jwks(*document);
        if (!keys) return keys.error();
        keys_ = std::move(*keys);
        if (auto found = keys_.find(kid); found != keys_.end()) return found->second;
    }
    return token_error("key with ID " + kid + " not found");
}

result<json::object> oidc_verifier::verify(std::string_view token, std::chrono::system_clock::time_point now)
{
    auto parsed = parse_jws(token);
    if (!parsed) return token_error("failed to parse token: " + parsed.error().diag.message);
    const auto alg = string_claim(parsed->header, "alg");
    if (alg != "RS256") return token_error("failed to parse token: signing method " + alg + " is invalid");
    const auto* kid = parsed->header.if_contains("kid");
    if (!kid || !kid->is_string()) return token_error("failed to parse token: missing kid in token header");
    auto public_key = key(std::string(kid->get_string()), std::chrono::steady_clock::now());
    if (!public_key) return token_error("failed to get public key: " + public_key.error().diag.message);
    if (!rs256_verify(public_key->get(), parsed->signing_input, parsed->signature))
        return token_error("failed to parse token: token signature is invalid");

    auto& claims = parsed->claims;
    const auto exp = numeric_claim(claims, "exp");
    if (!exp) return token_error("failed to parse token: token is missing required claim: exp");
    const auto now_seconds = unix_seconds(now);
    if (now_seconds >= *exp) return token_error("failed to parse token: token is expired");
    if (auto nbf = numeric_claim(claims, "nbf"); nbf && now_seconds < *nbf)
        return token_error("failed to parse token: token is not valid yet");
    if (const auto iss = string_claim(claims, "iss"); iss != issuer_.issuer)
        return token_error("invalid issuer: expected " + issuer_.issuer + ", got " + iss);

    // `aud` is a string or a list of strings (RFC 7519 section 4.1.3).
    bool audience_found = false;
    std::string audiences;
    if (const auto* aud = claims.if_contains("aud")) {
        const json::array list = aud->is_array() ? aud->get_array() : json::array{*aud};
        for (const auto& a : list) {
            if (!a.is_string()) continue;
            audiences += (audiences.empty() ? "" : " ") + std::string(a.get_string());
            audience_found = audience_found || a.get_string() == issuer_.audience;
        }
    }
    if (!audience_found)
        return token_error("invalid audience: expected " + issuer_.audience + ", got [" + audiences + "]");
    return std::move(claims);
}

}  // namespace mcpreg::engine::detail
