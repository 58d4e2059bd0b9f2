// What a search may cost: the one place search text becomes search terms, for the engine's ranked search (SQLite
// and PostgreSQL) and the offline catalog. Every term is a prefix scan of an index, so the number of terms,
// their length and the shortest prefix are bounded here, and the time a search may run is bounded by each
// storage with `max_time`.
#pragma once

#include <mcpreg/error.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mcpreg::detail {

struct search_limits {
    std::size_t max_bytes = 256;                ///< longer search text is refused
    std::size_t max_words = 8;                  ///< more distinct words are refused
    std::size_t min_prefix_bytes = 2;           ///< shorter words match whole tokens only, not as prefixes
    std::chrono::milliseconds max_time{1'000};  ///< a search running longer is stopped (errc::timeout)
};

/// The distinct words of `text` (compared without ASCII case), in order. A word is a run of ASCII letters and
/// digits, bytes of multi-byte UTF-8, and `extra_word_chars` (the index's own token characters); anything else
/// separates words. errc::invalid_argument when the text or the number of words is over the limits.
result<std::vector<std::string>> search_words(std::string_view text, std::string_view extra_word_chars,
                                              const search_limits& limits = {});

/// An FTS5 MATCH expression requiring every word: each quoted (so FTS5 syntax is inert), and a prefix term
/// when it is at least `min_prefix_bytes` long.
std::string fts5_match(const std::vector<std::string>& words, const search_limits& limits = {});

}  // namespace mcpreg::detail
