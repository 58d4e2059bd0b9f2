// The body of a DNS or HTTP token exchange: a timestamp signed with the domain's Ed25519 key (the key the
// domain publishes in a TXT record or at /.well-known/mcp-registry-auth).
#include <mcpreg/client/client.hpp>
#include <mcpreg/model/timestamp.hpp>

#include <boost/json/serialize.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>

namespace mcpreg {
namespace json = boost::json;

result<std::string> sign_domain_proof(std::string_view domain, std::string_view private_key_pem, std::string timestamp)
{
    if (timestamp.empty()) {
        const auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
        timestamp = model::format_rfc3339(now);
    }
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(private_key_pem.data(), static_cast<int>(private_key_pem.size())), &BIO_free);
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
    if (!key || EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519)
        return make_error(errc::invalid_argument, "not an Ed25519 private key in PEM");
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    unsigned char signature[64];
    std::size_t length = sizeof signature;
    if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
        EVP_DigestSign(ctx.get(), signature, &length, reinterpret_cast<const unsigned char*>(timestamp.data()),
                       timestamp.size()) != 1)
        return make_error(errc::invalid_argument, "signing failed");
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    for (std::size_t i = 0; i < length; ++i) {
        hex += digits[signature[i] >> 4];
        hex += digits[signature[i] & 15];
    }
    return json::serialize(json::object{{"domain", domain}, {"timestamp", timestamp}, {"signed_timestamp", hex}});
}

}  // namespace mcpreg
