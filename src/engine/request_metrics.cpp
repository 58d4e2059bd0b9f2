#include "request_metrics.hpp"

#include <algorithm>

namespace mcpreg::engine::detail {

void request_metrics::record(std::string_view method, std::string_view route, int status, double seconds)
{
    static constexpr std::string_view known[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
    const bool listed = std::find(std::begin(known), std::end(known), method) != std::end(known);
    std::lock_guard lock(mutex_);
    auto& series = series_[key{std::string(listed ? method : "other"), std::string(route), status}];
    ++series.count;
    series.sum += seconds;
    for (std::size_t i = 0; i < std::size(bounds); ++i)
        if (seconds <= bounds[i]) ++series.buckets[i];
}

std::string request_metrics::text() const
{
    std::lock_guard lock(mutex_);
    std::string out = "# HELP mcp_registry_http_requests_total HTTP requests answered.\n"
                      "# TYPE mcp_registry_http_requests_total counter\n";
    for (const auto& [k, s] : series_)
        out += "mcp_registry_http_requests_total" + labels(k) + " " + std::to_string(s.count) + "\n";
    out += "# HELP mcp_registry_http_request_duration Time to answer an HTTP request, in seconds.\n"
           "# TYPE mcp_registry_http_request_duration histogram\n";
    for (const auto& [k, s] : series_) {
        auto base = labels(k);
        base.pop_back();  // reopen the label set for `le`
        for (std::size_t i = 0; i < std::size(bounds); ++i)
            out += "mcp_registry_http_request_duration_bucket" + base + ",le=\"" + format_bound(bounds[i]) + "\"} " +
                   std::to_string(s.buckets[i]) + "\n";
        out += "mcp_registry_http_request_duration_bucket" + base + ",le=\"+Inf\"} " + std::to_string(s.count) + "\n";
        out += "mcp_registry_http_request_duration_sum" + labels(k) + " " + std::to_string(s.sum) + "\n";
        out += "mcp_registry_http_request_duration_count" + labels(k) + " " + std::to_string(s.count) + "\n";
    }
    return out;
}

std::string request_metrics::labels(const key& k)
{
    return "{method=\"" + k.method + "\",path=\"" + k.route + "\",status=\"" + std::to_string(k.status) + "\"}";
}

std::string request_metrics::format_bound(double bound)
{
    auto text = std::to_string(bound);
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
    return text;
}

}  // namespace mcpreg::engine::detail
