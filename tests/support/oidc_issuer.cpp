#include "oidc_issuer.hpp"

#include <boost/json/serialize.hpp>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <chrono>
#include <stdexcept>
#include <vector>

namespace mcpreg::test {
namespace json = boost::json;

namespace {

std::string base64url(const unsigned char* data, std::size_t size)
{
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < size; i += 3) {
        const unsigned v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
        for (int shift : {18, 12, 6, 0}) out += alphabet[(v >> shift) & 63];
    }
    if (size - i == 1) {
        const unsigned v = data[i] << 16;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
    }
    else if (size - i == 2) {
        const unsigned v = (data[i] << 16) | (data[i + 1] << 8);
        for (int shift : {18, 12, 6}) out += alphabet[(v >> shift) & 63];
    }
    return out;
}

std::string base64url(std::string_view text)
{
    return base64url(reinterpret_cast<const unsigned char*>(text.data()), text.size());
}

std::string bignum_param(EVP_PKEY* key, const char* name)
{
    BIGNUM* value = nullptr;
    if (EVP_PKEY_get_bn_param(key, name, &value) != 1) throw std::runtime_error("EVP_PKEY_get_bn_param");
    std::vector<unsigned char> bytes(static_cast<std::size_t>(BN_num_bytes(value)));
    BN_bn2bin(value, bytes.data());
    BN_free(value);
    return base64url(bytes.data(), bytes.size());
}

}  // namespace

struct rsa_issuer::impl {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{nullptr, &EVP_PKEY_free};
};

rsa_issuer::rsa_issuer(std::string kid, int bits) : impl_(std::make_unique<impl>()), kid_(std::move(kid))
{
    impl_->key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits)));
    if (!impl_->key) throw std::runtime_error("RSA key generation failed");
}

rsa_issuer::~rsa_issuer() = default;
rsa_issuer::rsa_issuer(rsa_issuer&&) noexcept = default;

std::string rsa_issuer::jwks() const
{
    const json::object key{{"kty", "RSA"},
                           {"kid", kid_},
                           {"use", "sig"},
                           {"alg", "RS256"},
                           {"n", bignum_param(impl_->key.get(), OSSL_PKEY_PARAM_RSA_N)},
                           {"e", bignum_param(impl_->key.get(), OSSL_PKEY_PARAM_RSA_E)}};
    return json::serialize(json::object{{"keys", json::array{key}}});
}

std::string rsa_issuer::sign(const json::object& claims, const std::string& alg) const
{
    const std::string input = base64url(json::serialize(json::object{{"alg", alg}, {"kid", kid_}, {"typ", "JWT"}})) +
                              "." + base64url(json::serialize(claims));
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    std::size_t length = 0;
    EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, impl_->key.get());
    EVP_DigestSign(ctx.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(input.data()), input.size());
    std::vector<unsigned char> signature(length);
    EVP_DigestSign(ctx.get(), signature.data(), &length, reinterpret_cast<const unsigned char*>(input.data()),
                   input.size());
    return input + "." + base64url(signature.data(), length);
}

json::object github_actions_claims(const std::string& issuer, const std::string& audience, const std::string& owner,
                                   const std::string& subject)
{
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    return json::object{{"iss", issuer}, {"aud", audience}, {"sub", subject},   {"repository_owner", owner},
                        {"iat", now},    {"nbf", now},      {"exp", now + 3600}};
}

}  // namespace mcpreg::test
