#include "search_query.hpp"

#include <algorithm>

namespace mcpreg::detail {
namespace {

std::string ascii_lower(std::string_view text)
{
    std::string out(text);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

}  // namespace

result<std::vector<std::string>> search_words(std::string_view text, std::string_view extra_word_chars,
                                              const search_limits& limits)
{
    if (text.size() > limits.max_bytes)
        return make_error(errc::invalid_argument,
                          "the search text is longer than " + std::to_string(limits.max_bytes) + " bytes");
    auto is_word_char = [&](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80 ||
               extra_word_chars.find(ch) != std::string_view::npos;
    };
    std::vector<std::string> words;
    std::vector<std::string> seen;  // lower-cased, for duplicates
    std::size_t pos = 0;
    while (pos < text.size()) {
        while (pos < text.size() && !is_word_char(text[pos])) ++pos;
        const auto start = pos;
        while (pos < text.size() && is_word_char(text[pos])) ++pos;
        if (pos == start) break;
        const auto word = text.substr(start, pos - start);
        auto key = ascii_lower(word);
        if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
        if (words.size() == limits.max_words)
            return make_error(errc::invalid_argument,
                              "the search text has more than " + std::to_string(limits.max_words) + " distinct words");
        seen.push_back(std::move(key));
        words.emplace_back(word);
    }
    return words;
}

std::string fts5_match(const std::vector<std::string>& words, const search_limits& limits)
{
    std::string out;
    for (const auto& word : words) {
        if (!out.empty()) out += ' ';
        out += '"';
        for (char c : word) {
            if (c == '"') out += '"';
            out += c;
        }
        out += '"';
        if (word.size() >= limits.min_prefix_bytes) out += '*';
    }
    return out;
}

}  // namespace mcpreg::detail
