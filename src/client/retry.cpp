#include <mcpreg/client/retry.hpp>

#include <boost/system/errc.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

namespace mcpreg {

bool is_retryable(const error_code& ec) noexcept
{
    if (ec.category() == http_category()) {
        const int status = ec.value();
        return status == 408 || status == 429 || status >= 500;
    }
    return ec == condition::transient;
}

std::optional<std::chrono::milliseconds> retry_delay(const retry_options& options, int attempt,
                                                     const attempt_outcome& outcome, double random01)
{
    if (!outcome.idempotent || !is_retryable(outcome.ec) || attempt >= options.max_attempts) return std::nullopt;
    const double base = static_cast<double>(options.initial_backoff.count()) *
                        std::pow(options.multiplier, static_cast<double>(std::max(0, attempt - 1)));
    const double capped = std::min(base, static_cast<double>(options.max_backoff.count()));
    const double spread = capped * options.jitter * (2.0 * std::clamp(random01, 0.0, 1.0) - 1.0);
    auto wait = std::chrono::milliseconds(static_cast<std::int64_t>(std::max(0.0, capped + spread)));
    if (outcome.retry_after) {
        if (*outcome.retry_after > options.max_retry_after) return std::nullopt;  // too long: report it instead
        wait = std::max(wait, *outcome.retry_after);
    }
    return wait;
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now)
{
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
    if (value.empty()) return std::nullopt;
    if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        std::int64_t seconds = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
        if (ec != std::errc{} || seconds > 365LL * 24 * 3600) return std::nullopt;
        return std::chrono::milliseconds(seconds * 1000);
    }
    auto at = parse_http_date(value);
    if (!at) return std::nullopt;
    return std::max(std::chrono::milliseconds{0}, std::chrono::duration_cast<std::chrono::milliseconds>(*at - now));
}

}  // namespace mcpreg
