#include "domain_auth.hpp"

#include "../common/base64.hpp"

#include <mcpreg/model/timestamp.hpp>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <optional>
#include <regex>

namespace mcpreg::engine::detail {
namespace {

error auth_failure(std::string message) { return make_error(errc::invalid_argument, std::move(message)); }

std::optional<std::string> decode_hex(std::string_view hex)
{
    if (hex.size() % 2 != 0) return std::nullopt;
    std::string out;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        auto value = [](char c) -> int {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        };
        const int hi = value(hex[i]), lo = value(hex[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
    }
    return out;
}

struct public_key {
    std::string algorithm;  // "ed25519" or "ecdsap384"
    std::string raw;
};

bool verify_ed25519(const std::string& raw_key, std::string_view message, const std::string& signature)
{
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(raw_key.data()),
                                    raw_key.size()),
        &EVP_PKEY_free);
    if (!key) return false;
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    return EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
           EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                            reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
}

// P-384 with a 96-byte r||s signature over SHA-384, as upstream expects.
bool verify_p384(const std::string& compressed_point, std::string_view message, const std::string& signature)
{
    std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> build(OSSL_PARAM_BLD_new(), &OSSL_PARAM_BLD_free);
    OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, "P-384", 0);
    OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, compressed_point.data(),
                                     compressed_point.size());
    std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(OSSL_PARAM_BLD_to_param(build.get()),
                                                                   &OSSL_PARAM_free);
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> from(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr),
                                                                     &EVP_PKEY_CTX_free);
    EVP_PKEY* raw = nullptr;
    if (!from || EVP_PKEY_fromdata_init(from.get()) != 1 ||
        EVP_PKEY_fromdata(from.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
        return false;
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(raw, &EVP_PKEY_free);
    // r||s -> DER ECDSA-Sig-Value.
    auto integer = [](std::string_view bytes) {
        while (bytes.size() > 1 && bytes.front() == '\0') bytes.remove_prefix(1);
        std::string value(bytes);
        if (static_cast<unsigned char>(value.front()) & 0x80) value.insert(value.begin(), '\0');
        return std::string("\x02", 1) + static_cast<char>(value.size()) + value;
    };
    const std::string body =
        integer(std::string_view(signature).substr(0, 48)) + integer(std::string_view(signature).substr(48));
    const std::string der = std::string("\x30", 1) + static_cast<char>(body.size()) + body;
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    return EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha384(), nullptr, key.get()) == 1 &&
           EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(der.data()), der.size(),
                            reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
}

}  // namespace

std::string reverse_domain(std::string_view domain)
{
    std::vector<std::string_view> labels;
    while (true) {
        auto dot = domain.find('.');
        labels.push_back(domain.substr(0, dot));
        if (dot == std::string_view::npos) break;
        domain.remove_prefix(dot + 1);
    }
    std::string out;
    for (auto it = labels.rbegin(); it != labels.rend(); ++it) out += (out.empty() ? "" : ".") + std::string(*it);
    return out;
}

bool is_valid_domain(std::string_view domain)
{
    if (domain.empty() || domain.size() > 253 || domain.find('.') == std::string_view::npos) return false;
    if (std::all_of(domain.begin(), domain.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; }))
        return false;  // an IPv4 literal
    std::size_t start = 0;
    while (start <= domain.size()) {
        auto end = domain.find('.', start);
        auto label = domain.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
        if (label.empty() || !alnum(label.front()) || !alnum(label.back()) ||
            !std::all_of(label.begin(), label.end(), [&](char c) { return alnum(c) || c == '-'; }))
            return false;
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return true;
}

result<void> verify_domain_proof(std::string_view timestamp, std::string_view signed_timestamp_hex,
                                 const std::vector<std::string>& records, std::string_view source,
                                 std::chrono::system_clock::time_point now)
{
    auto parsed = model::timestamp::parse(timestamp);
    if (!parsed) return auth_failure("invalid timestamp format");
    const auto skew = std::chrono::abs(std::chrono::duration_cast<std::chrono::seconds>(parsed->time() - now));
    if (skew > std::chrono::seconds(15)) return auth_failure("timestamp outside valid window (±15 seconds)");
    auto signature = decode_hex(signed_timestamp_hex);
    if (!signature) return auth_failure("invalid signature format, must be hex");

    static const std::regex record_pattern(R"(v=MCPv1;\s*k=([^;]+);\s*p=([A-Za-z0-9+/=]+))");
    std::vector<public_key> keys;
    std::optional<std::string> only_problem;
    std::size_t parsed_records = 0;
    for (const auto& record : records) {
        if (record.size() > 4096) continue;
        std::smatch match;
        if (!std::regex_search(record, match, record_pattern)) continue;
        ++parsed_records;
        const std::string algorithm = match[1];
        std::size_t bad_at = 0;
        auto raw = mcpreg::detail::base64_decode(match[2].str(), mcpreg::detail::base64_alphabet::standard, &bad_at);
        if (!raw) {
            only_problem = "failed to decode public key: illegal base64 data at input byte " + std::to_string(bad_at);
            continue;
        }
        if (algorithm == "ed25519") {
            if (raw->size() != 32) {
                only_problem = "invalid Ed25519 public key size";
                continue;
            }
        }
        else if (algorithm == "ecdsap384") {
            if (raw->size() != 49) {
                only_problem = "invalid ECDSA P-384 public key size";
                continue;
            }
            if ((*raw)[0] != '\x02' && (*raw)[0] != '\x03') {
                only_problem =
                    "invalid ECDSA P-384 public key format (must be compressed, with a leading 0x02 or 0x03 byte)";
                continue;
            }
        }
        else {
            only_problem = "unsupported public key algorithm: " + algorithm;
            continue;
        }
        keys.push_back({algorithm, std::move(*raw)});
    }
    if (keys.empty()) {
        // One record and it is broken: say why. None at all: say so.
        if (parsed_records == 1 && only_problem) return auth_failure(*only_problem);
        return auth_failure("no MCP public key found in " + std::string(source));
    }
    std::string fingerprints;
    bool size_problem = false;
    for (const auto& key : keys) {
        if (key.algorithm == "ed25519") {
            if (signature->size() != 64) {
                size_problem = true;
                continue;
            }
            if (verify_ed25519(key.raw, timestamp, *signature)) return {};
        }
        else {
            if (signature->size() != 96) {
                size_problem = true;
                continue;
            }
            if (verify_p384(key.raw, timestamp, *signature)) return {};
        }
        const auto b64 = mcpreg::detail::base64_encode(key.raw, mcpreg::detail::base64_alphabet::standard);
        fingerprints += (fingerprints.empty() ? "" : ", ") + key.algorithm + ":" + b64.substr(0, 8);
    }
    if (size_problem && fingerprints.empty())
        return auth_failure(keys.front().algorithm == "ed25519" ? "invalid signature size for Ed25519"
                                                                : "invalid signature size for ECDSA P-384");
    return auth_failure("signature verification failed for every published key (" + fingerprints +
                        "); the record may be stale: publish the key you sign with");
}

}  // namespace mcpreg::engine::detail
