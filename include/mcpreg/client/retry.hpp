// The retry decision, as a pure function: what happened on an attempt in, how long to wait (or stop) out.
#pragma once

#include <mcpreg/client/options.hpp>
#include <mcpreg/error.hpp>
#include <mcpreg/export.hpp>

#include <chrono>
#include <optional>
#include <string_view>

namespace mcpreg {

/// What one attempt ended with.
struct attempt_outcome {
    error_code ec;  ///< a transport error, or the HTTP status as make_http_error(status)
    bool idempotent = true;
    std::optional<std::chrono::milliseconds> retry_after;  ///< from the response's Retry-After
};

/// True for failures worth another attempt: connection errors, timeouts, 408, 429 and 5xx.
MCPREG_API bool is_retryable(const error_code& ec) noexcept;

/// The wait before the next attempt, or nullopt to stop. `attempt` is the number of the attempt that just
/// failed (1 for the first). `random01` in [0, 1) spreads the wait (jitter). Retry-After is honoured when it
/// is longer than the computed wait, and refused when longer than `max_retry_after`.
MCPREG_API std::optional<std::chrono::milliseconds> retry_delay(const retry_options& options, int attempt,
                                                                const attempt_outcome& outcome, double random01);

/// A Retry-After value (delta-seconds or an HTTP date) as a wait from `now`; nullopt when unreadable.
MCPREG_API std::optional<std::chrono::milliseconds>
parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace mcpreg
