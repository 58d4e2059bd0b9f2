// RFC 3339 timestamps as the registry writes them (0 to 9 fraction digits).
#pragma once

#include <mcpreg/error.hpp>
#include <mcpreg/model/export.hpp>

#include <chrono>
#include <compare>
#include <string>
#include <string_view>

namespace mcpreg::model {

/// A point in time read from, or written as, RFC 3339 text.
///
/// A parsed timestamp remembers its text so writing it back gives the same bytes. Comparison uses the
/// instant only: `2025-01-01T00:00:00Z` equals `2025-01-01T01:00:00+01:00`.
class MCPREG_MODEL_API timestamp {
public:
    using clock_time = std::chrono::sys_time<std::chrono::nanoseconds>;

    timestamp() = default;
    explicit timestamp(clock_time time) noexcept : time_(time) {}

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; `t`, `z` and a space separator are accepted too.
    static result<timestamp> parse(std::string_view text);
    /// The system clock's current time.
    static timestamp now();

    clock_time time() const noexcept { return time_; }
    /// The text it was parsed from, else UTC with trailing fraction zeros trimmed (Go's RFC3339Nano).
    std::string to_string() const;

    friend bool operator==(const timestamp& a, const timestamp& b) noexcept { return a.time_ == b.time_; }
    friend std::strong_ordering operator<=>(const timestamp& a, const timestamp& b) noexcept
    {
        return a.time_ <=> b.time_;
    }

private:
    clock_time time_{};
    std::string text_;
};

/// Formats an instant as UTC RFC 3339 with trailing fraction zeros trimmed, e.g. `2025-09-09T00:16:49.16262Z`.
MCPREG_MODEL_API std::string format_rfc3339(timestamp::clock_time time);

}  // namespace mcpreg::model
