#include "base64.hpp"

namespace mcpreg::detail {
namespace {

constexpr std::string_view standard_chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view url_chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

}  // namespace

std::string base64_encode(std::string_view bytes, base64_alphabet alphabet)
{
    const auto chars = alphabet == base64_alphabet::url ? url_chars : standard_chars;
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
        unsigned value = 0;
        for (std::size_t j = 0; j < 3; ++j)
            value = (value << 8) | (j < n ? static_cast<unsigned char>(bytes[i + j]) : 0u);
        for (std::size_t j = 0; j < 4; ++j) {
            if (j <= n) out += chars[(value >> (18 - 6 * j)) & 63];
            else if (alphabet == base64_alphabet::standard) out += '=';
        }
    }
    return out;
}

std::optional<std::string> base64_decode(std::string_view text, base64_alphabet alphabet, std::size_t* bad_at)
{
    auto fail = [&](std::size_t at) -> std::optional<std::string> {
        if (bad_at) *bad_at = at;
        return std::nullopt;
    };
    if (alphabet == base64_alphabet::standard && text.size() % 4 != 0) return fail(text.size() / 4 * 4);
    if (alphabet == base64_alphabet::url && text.size() % 4 == 1) return fail(text.size() - 1);
    const auto chars = alphabet == base64_alphabet::url ? url_chars : standard_chars;
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (alphabet == base64_alphabet::standard && text[i] == '=' && i + 2 >= text.size()) break;  // padding
        const auto value = chars.find(text[i]);
        if (value == std::string_view::npos) return fail(i);
        buffer = (buffer << 6) | static_cast<unsigned>(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xFF);
        }
    }
    return out;
}

}  // namespace mcpreg::detail
