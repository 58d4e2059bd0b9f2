#include <mcpreg/client/response_cache.hpp>

#include <algorithm>
#include <charconv>

namespace mcpreg {

response_cache::~response_cache() = default;

void response_cache::record(event e) noexcept
{
    counters_[static_cast<int>(e)].fetch_add(1, std::memory_order_relaxed);
}

cache_stats response_cache::stats() const noexcept
{
    auto get = [&](event e) { return counters_[static_cast<int>(e)].load(std::memory_order_relaxed); };
    return {get(event::hit), get(event::miss), get(event::revalidation), get(event::stale_serve), get(event::eviction)};
}

std::optional<std::chrono::system_clock::time_point> response_fresh_until(const http_response& response,
                                                                          std::chrono::system_clock::time_point now,
                                                                          std::chrono::seconds default_ttl,
                                                                          std::chrono::seconds max_ttl)
{
    if (response.status != 200) return std::nullopt;
    std::optional<std::chrono::seconds> lifetime;
    // Cache-Control directives are comma-separated, case-insensitive tokens; max-age=N (N may be quoted).
    std::string_view directives = response.header("Cache-Control");
    while (!directives.empty()) {
        const auto comma = directives.find(',');
        auto directive = directives.substr(0, comma);
        directives = comma == std::string_view::npos ? std::string_view{} : directives.substr(comma + 1);
        while (!directive.empty() && directive.front() == ' ') directive.remove_prefix(1);
        while (!directive.empty() && directive.back() == ' ') directive.remove_suffix(1);
        if (iequals(directive, "no-store")) return std::nullopt;
        if (iequals(directive, "no-cache")) lifetime = std::chrono::seconds(0);
        if (directive.size() > 8 && iequals(directive.substr(0, 8), "max-age=") && !lifetime) {
            auto number = directive.substr(8);
            if (number.size() >= 2 && number.front() == '"' && number.back() == '"')
                number = number.substr(1, number.size() - 2);
            std::int64_t seconds = 0;
            auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), seconds);
            if (ec == std::errc{} && end == number.data() + number.size() && seconds >= 0)
                lifetime = std::chrono::seconds(seconds);
            else lifetime = std::chrono::seconds(0);  // an unreadable max-age means stale (RFC 9111 4.2.1)
        }
    }
    if (!lifetime && !response.header("Expires").empty()) {
        const auto expires = parse_http_date(response.header("Expires"));
        const auto date = parse_http_date(response.header("Date")).value_or(now);
        lifetime = expires ? std::max(std::chrono::seconds(0),
                                      std::chrono::duration_cast<std::chrono::seconds>(*expires - date))
                           : std::chrono::seconds(0);  // an invalid Expires means already expired
    }
    return now + std::min(lifetime.value_or(default_ttl), max_ttl);
}

}  // namespace mcpreg
