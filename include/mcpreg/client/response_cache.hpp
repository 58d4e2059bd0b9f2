// What the client needs of an HTTP response cache, and the freshness rule it applies. The SQLite
// implementation is mcpreg::cache::http_cache (mcpreg/cache/http_cache.hpp); anything else can plug in.
#pragma once

#include <mcpreg/export.hpp>
#include <mcpreg/http_message.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mcpreg {

/// A stored response (status 200, its headers and decoded body) and until when it may be served unasked.
struct cached_response {
    http_response response;
    std::chrono::system_clock::time_point stored_at;
    std::chrono::system_clock::time_point fresh_until;
};

struct cache_stats {
    std::uint64_t hits = 0;           ///< served fresh, or revalidated with a 304
    std::uint64_t misses = 0;         ///< not stored (or not usable): fetched
    std::uint64_t revalidations = 0;  ///< conditional requests sent for stale entries
    std::uint64_t stale_serves = 0;   ///< stale entries served because the registry failed (or offline)
    std::uint64_t evictions = 0;      ///< entries dropped to stay under the size bound
};

/// How long a response may be served without asking the registry again: Cache-Control `no-store` (not at
/// all), `no-cache` (only after revalidating), `max-age`, else `Expires` against `Date`, else `default_ttl`;
/// never longer than `max_ttl`. Nullopt when the response must not be stored (not 200, or no-store).
MCPREG_API std::optional<std::chrono::system_clock::time_point>
response_fresh_until(const http_response& response, std::chrono::system_clock::time_point now,
                     std::chrono::seconds default_ttl, std::chrono::seconds max_ttl);

/// Storage for GET responses, keyed by method, URL and the identity of the credentials (the client builds
/// the key; see client_options::cache).
///
/// \par Thread safety
/// Implementations must allow concurrent calls.
class MCPREG_API response_cache {
public:
    virtual ~response_cache();

    /// The stored response under `key`, fresh or stale; nullopt when there is none (or it is unusable).
    virtual std::optional<cached_response> find(std::string_view key) = 0;
    /// Stores (or replaces) the response under `key`.
    virtual void store(std::string_view key, const http_response& response,
                       std::chrono::system_clock::time_point fresh_until) = 0;
    /// A 304 confirmed the stored response: it is fresh again until `fresh_until`.
    virtual void refresh(std::string_view key, std::chrono::system_clock::time_point fresh_until) = 0;

    /// The TTL for responses without freshness headers, and the cap on any freshness.
    virtual std::chrono::seconds default_ttl() const noexcept = 0;
    virtual std::chrono::seconds max_ttl() const noexcept = 0;

    enum class event { hit, miss, revalidation, stale_serve, eviction };
    /// Counts an event (the client reports hits, misses, revalidations and stale serves).
    void record(event e) noexcept;
    /// Counts since this object was made.
    cache_stats stats() const noexcept;

private:
    std::atomic<std::uint64_t> counters_[5] = {};
};

}  // namespace mcpreg
