// Any bytes as registry text on a terminal (src/cli/terminal.cpp). Properties: the output of terminal_text holds
// no C0 control, DEL, C1 control or bidi control and is valid UTF-8 (terminal_block: the same, \n allowed);
// text with nothing to escape comes back unchanged; terminal_json's output is the same JSON value, with the
// same guarantees. The checks decode UTF-8 on their own rather than trusting the code under test.
#include "../src/cli/terminal.hpp"

#include <mcpreg/model/json.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace {

// The code points of well-formed UTF-8, or nullopt: shortest form only, no surrogates, nothing past U+10FFFF.
std::optional<std::vector<char32_t>> code_points(std::string_view text)
{
    // Each sequence length: the lead byte's pattern, its payload bits, and the smallest code point it may hold.
    struct shape {
        unsigned mask, pattern, payload;
        std::size_t length;
        char32_t minimum;
    };
    static constexpr shape shapes[] = {{0x80, 0x00, 0x7F, 1, 0},
                                       {0xE0, 0xC0, 0x1F, 2, 0x80},
                                       {0xF0, 0xE0, 0x0F, 3, 0x800},
                                       {0xF8, 0xF0, 0x07, 4, 0x10000}};
    std::vector<char32_t> out;
    for (std::size_t i = 0; i < text.size();) {
        const unsigned lead = static_cast<std::uint8_t>(text[i]);
        const shape* found = nullptr;
        for (const auto& s : shapes)
            if ((lead & s.mask) == s.pattern) {
                found = &s;
                break;
            }
        if (!found || text.size() - i < found->length) return std::nullopt;
        char32_t code = lead & found->payload;
        for (std::size_t k = 1; k < found->length; ++k) {
            const unsigned next = static_cast<std::uint8_t>(text[i + k]);
            if ((next & 0xC0) != 0x80) return std::nullopt;
            code = (code << 6) | (next & 0x3F);
        }
        if (code < found->minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return std::nullopt;
        out.push_back(code);
        i += found->length;
    }
    return out;
}

bool acts_on_terminal(char32_t code)
{
    return code < 0x20 || code == 0x7F || (code >= 0x80 && code <= 0x9F) || code == 0x061C || code == 0x200E ||
           code == 0x200F || (code >= 0x202A && code <= 0x202E) || (code >= 0x2066 && code <= 0x2069);
}

// Aborts unless `text` is valid UTF-8 without a code point a terminal acts on (\n allowed when newline_ok).
void require_inert(std::string_view text, bool newline_ok)
{
    auto codes = code_points(text);
    if (!codes) std::abort();
    for (const char32_t code : *codes)
        if (acts_on_terminal(code) && !(newline_ok && code == '\n')) std::abort();
}

// Whether every number in `v` is finite. Boost.JSON reads 1e400 as infinity and writes that as `Infinity`,
// which is not JSON: a serialization matter, not the terminal's, so such documents skip the round trip.
bool finite(const boost::json::value& v)
{
    if (v.is_double()) return std::isfinite(v.get_double());
    if (v.is_array())
        return std::all_of(v.get_array().begin(), v.get_array().end(), [](const auto& e) { return finite(e); });
    if (v.is_object())
        return std::all_of(v.get_object().begin(), v.get_object().end(),
                           [](const auto& member) { return finite(member.value()); });
    return true;
}

void require_same_json(std::string_view text, const boost::json::value& expected)
{
    boost::system::error_code ec;
    const auto parsed = boost::json::parse(text, ec);
    if (ec || parsed != expected) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace mcpreg::cli;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);

    const auto line = terminal_text(bytes);
    const auto block = terminal_block(bytes);
    require_inert(line, false);
    require_inert(block, true);
    // Valid text with nothing to escape is left alone (so accents, CJK and emoji print as they are).
    if (const auto codes = code_points(bytes)) {
        bool plain = true, plain_but_newlines = true;
        for (const char32_t code : *codes) {
            if (acts_on_terminal(code)) plain = false;
            if (acts_on_terminal(code) && code != '\n') plain_but_newlines = false;
        }
        if (plain && line != bytes) std::abort();
        if (plain_but_newlines && block != bytes) std::abort();
    }

    // The bytes as one JSON string (invalid UTF-8 and all, as a value built in memory may hold).
    const boost::json::value as_string = boost::json::string(bytes);
    const auto string_json = terminal_json(as_string);
    require_inert(string_json, false);
    boost::system::error_code ec;
    const auto reparsed = boost::json::parse(string_json, ec);
    if (ec || !reparsed.is_string()) std::abort();
    if (code_points(bytes) && reparsed != as_string) std::abort();

    // The bytes as a JSON document: compact and pretty-printed, the same value back. Boost.JSON's own number
    // reading is not correctly rounded (a 200-digit integer may read back one ulp apart after serialising),
    // so the value compared is what the same text reads as without the escaping: escaping must change nothing.
    const auto document = boost::json::parse(bytes, ec);
    if (!ec && finite(document)) {
        const auto compact = terminal_json(document);
        require_inert(compact, false);
        require_same_json(compact, boost::json::parse(boost::json::serialize(document)));
        const auto text = mcpreg::model::pretty_print(document);
        const auto pretty = terminal_json_text(text);
        require_inert(pretty, true);
        require_same_json(pretty, boost::json::parse(text));
    }
    return 0;
}
