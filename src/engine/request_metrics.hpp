// The engine's Prometheus metrics: request counts and latency histograms per method, route pattern and status.
// Private to the library.
#pragma once

#include <cstdint>
#include <iterator>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace mcpreg::engine::detail {

/// Every label comes from a bounded set: the route is a pattern of the route table (or "unmatched"), and a
/// client chooses the method string, so unknown methods are one "other" series.
class request_metrics {
public:
    void record(std::string_view method, std::string_view route, int status, double seconds);
    /// The text exposition format, version 0.0.4.
    std::string text() const;

private:
    static constexpr double bounds[] = {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5};
    struct key {
        std::string method, route;
        int status;
        auto operator<=>(const key&) const = default;
    };
    struct values {
        std::uint64_t count = 0;
        double sum = 0;
        std::uint64_t buckets[std::size(bounds)] = {};
    };
    static std::string labels(const key& k);
    static std::string format_bound(double bound);

    mutable std::mutex mutex_;
    std::map<key, values> series_;
};

}  // namespace mcpreg::engine::detail
