// The engine's response cache: bodies of read answers, ready to send again with their ETag, and their gzip
// form once someone asked for it. Private to the library.
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace mcpreg::engine::detail {

/// A response body ready to send again: its ETag, and its gzip form once someone asked for it.
struct cached_body {
    int status = 200;
    std::string body;
    std::string etag;
    mutable std::once_flag gzip_once;
    mutable std::string gzip_body;
};

/// Least-recently-used cache of response bodies, cleared on every write (here or, through the storage's change
/// feed, in another engine process). An entry lives at most `lifetime`, so a missed change is never served
/// longer than the responses' max-age. Bounded in entries and in bytes: a few huge pages (one publisher's
/// large documents) must not hold the process's memory any more than many small ones.
class body_cache {
public:
    using clock = std::chrono::steady_clock;

    body_cache(std::size_t capacity, std::size_t max_bytes, clock::duration lifetime)
        : capacity_(capacity), max_bytes_(max_bytes), lifetime_(lifetime)
    {
    }

    std::shared_ptr<const cached_body> find(const std::string& key);
    /// Counts clears: a body read from storage before a clear must not be stored after it.
    std::uint64_t generation() const;
    /// Stores `body`, unless the cache was cleared since `read_at` (the generation when its rows were read);
    /// false when it did not.
    bool insert(const std::string& key, std::shared_ptr<const cached_body> body, std::uint64_t read_at);
    void clear();

private:
    struct entry {
        std::string key;
        std::shared_ptr<const cached_body> body;
        clock::time_point stored;
    };
    // What an entry may cost: its body, and as much again for the gzip form made on demand.
    static std::size_t weight(const cached_body& body) { return 2 * body.body.size() + body.etag.size() + 64; }

    std::size_t capacity_;
    std::size_t max_bytes_;
    std::size_t bytes_ = 0;
    clock::duration lifetime_;
    mutable std::mutex mutex_;
    std::uint64_t generation_ = 0;
    std::list<entry> order_;
    std::unordered_map<std::string, std::list<entry>::iterator> index_;
};

}  // namespace mcpreg::engine::detail
