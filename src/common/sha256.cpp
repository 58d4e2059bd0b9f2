#include "sha256.hpp"

#include <openssl/evp.h>

namespace mcpreg::detail {

std::string sha256(std::string_view data)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
    return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string sha256_hex(std::string_view data)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (char c : sha256(data)) {
        const auto byte = static_cast<unsigned char>(c);
        out += digits[byte >> 4];
        out += digits[byte & 15];
    }
    return out;
}

}  // namespace mcpreg::detail
