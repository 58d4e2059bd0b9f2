#include "terminal.hpp"

#include <boost/json/serialize.hpp>

#include <cstdint>

namespace mcpreg::cli {
namespace {

enum class form {
    line,   ///< terminal_text
    block,  ///< terminal_block: \n kept
    json,   ///< inside JSON text: escapes are JSON's
};

/// The length (1 to 4) of the well-formed UTF-8 sequence at text[at], with its code point in `code`; 0 when the
/// bytes there are not one (a stray continuation byte, a truncated sequence, an overlong form, a surrogate or
/// a value above U+10FFFF). Overlong forms matter: C0 80 would otherwise be a hidden NUL, C0 9B a hidden ESC.
std::size_t decode(std::string_view text, std::size_t at, char32_t& code)
{
    const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[at + i]); };
    const std::uint8_t lead = byte(0);
    if (lead < 0x80) {
        code = lead;
        return 1;
    }
    std::size_t length = 0;
    std::uint8_t low = 0x80, high = 0xBF;  // the range of the second byte (narrower after E0, ED, F0, F4)
    if (lead >= 0xC2 && lead <= 0xDF) length = 2;
    else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) low = 0xA0;   // overlong
        if (lead == 0xED) high = 0x9F;  // UTF-16 surrogates
    }
    else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) low = 0x90;   // overlong
        if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
    }
    else return 0;  // a continuation byte, the lead bytes C0 and C1 (always overlong), or F5..FF
    if (text.size() - at < length) return 0;
    if (byte(1) < low || byte(1) > high) return 0;
    for (std::size_t i = 2; i < length; ++i)
        if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
    char32_t value = static_cast<char32_t>(lead & (0xFFu >> (length + 1)));
    for (std::size_t i = 1; i < length; ++i) value = (value << 6) | static_cast<char32_t>(byte(i) & 0x3Fu);
    code = value;
    return length;
}

bool is_bidi_control(char32_t code)
{
    return code == 0x061C || code == 0x200E || code == 0x200F || (code >= 0x202A && code <= 0x202E) ||
           (code >= 0x2066 && code <= 0x2069);
}

bool needs_escape(char32_t code)
{
    return code < 0x20 || code == 0x7F || (code >= 0x80 && code <= 0x9F) || is_bidi_control(code);
}

void append_hex(std::string& out, char32_t value, int digits)
{
    static constexpr char hex[] = "0123456789abcdef";
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += hex[(value >> shift) & 0xF];
}

void append_escape(std::string& out, char32_t code, form how)
{
    if (how == form::json) {
        out += "\\u";
        append_hex(out, code, 4);
    }
    else if (code == '\n') out += "\\n";
    else if (code == '\r') out += "\\r";
    else if (code == '\t') out += "\\t";
    else if (code < 0x80) {
        out += "\\x";
        append_hex(out, code, 2);
    }
    else {
        out += "\\u";
        append_hex(out, code, 4);
    }
}

bool plain_ascii(std::string_view text)
{
    for (const char c : text)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F) return false;
    return true;
}

std::string sanitize(std::string_view text, form how)
{
    if (plain_ascii(text)) return std::string(text);
    std::string out;
    out.reserve(text.size() + 16);
    for (std::size_t at = 0; at < text.size();) {
        char32_t code = 0;
        const std::size_t length = decode(text, at, code);
        if (length == 0) {
            // One replacement per byte that starts no well-formed sequence; the next byte is looked at afresh.
            out += how == form::json ? "\\ufffd" : "\xEF\xBF\xBD";
            ++at;
            continue;
        }
        const bool kept_newline = code == '\n' && how != form::line;
        if (needs_escape(code) && !kept_newline) append_escape(out, code, how);
        else out.append(text.substr(at, length));
        at += length;
    }
    return out;
}

}  // namespace

std::string terminal_text(std::string_view text) { return sanitize(text, form::line); }

std::string terminal_block(std::string_view text) { return sanitize(text, form::block); }

std::string terminal_json(const boost::json::value& v) { return terminal_json_text(boost::json::serialize(v)); }

std::string terminal_json_text(std::string_view json_text) { return sanitize(json_text, form::json); }

}  // namespace mcpreg::cli
