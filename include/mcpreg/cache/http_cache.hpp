// An HTTP response cache in one SQLite file, shared by threads and processes: plug it into
// client_options::cache.
#pragma once

#include <mcpreg/client/response_cache.hpp>
#include <mcpreg/error.hpp>
#include <mcpreg/export.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace mcpreg::cache {

struct http_cache_options {
    /// The SQLite file (created when missing), or ":memory:".
    std::string path = ":memory:";
    /// Freshness of responses that carry no Cache-Control max-age or Expires.
    std::chrono::seconds default_ttl{300};
    /// No response is fresh for longer than this, whatever its headers say.
    std::chrono::seconds max_ttl{24 * 3600};
    /// Bodies beyond this many bytes in total evict the least recently used entries.
    std::uint64_t max_bytes = std::uint64_t{256} << 20;
};

/// GET responses in SQLite (WAL, busy timeout): keyed as the client keys them, each body stored with its
/// SHA-256 and checked on every read (a mismatch is dropped and reads as a miss). A file that is not a
/// sound database is moved aside to `<path>.corrupt-<unix time>` and rebuilt at open.
///
/// \par Thread safety
/// Safe to share between threads; several processes may open the same file.
class MCPREG_API http_cache final : public response_cache {
public:
    /// Opens (or creates) the cache file; a damaged one is moved aside (see moved_aside()) and started anew.
    static result<std::shared_ptr<http_cache>> open(http_cache_options options);
    ~http_cache() override;

    std::optional<cached_response> find(std::string_view key) override;
    void store(std::string_view key, const http_response& response,
               std::chrono::system_clock::time_point fresh_until) override;
    void refresh(std::string_view key, std::chrono::system_clock::time_point fresh_until) override;
    std::chrono::seconds default_ttl() const noexcept override;
    std::chrono::seconds max_ttl() const noexcept override;

    /// How much the cache holds.
    struct usage_figures {
        std::uint64_t entries = 0;
        std::uint64_t bytes = 0;
    };
    result<usage_figures> usage();
    /// Drops every entry.
    result<void> clear();
    /// Where open() moved a corrupt file, when it had to.
    const std::optional<std::string>& moved_aside() const noexcept;

private:
    struct impl;
    explicit http_cache(std::unique_ptr<impl> p) noexcept;
    std::unique_ptr<impl> impl_;
};

}  // namespace mcpreg::cache
