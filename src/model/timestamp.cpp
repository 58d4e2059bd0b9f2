#include <mcpreg/model/timestamp.hpp>

#include <cstdio>

namespace mcpreg::model {
namespace {

bool read_digits(std::string_view text, std::size_t pos, std::size_t count, int& out)
{
    if (pos + count > text.size()) return false;
    int value = 0;
    for (std::size_t i = pos; i < pos + count; ++i) {
        if (text[i] < '0' || text[i] > '9') return false;
        value = value * 10 + (text[i] - '0');
    }
    out = value;
    return true;
}

error timestamp_error(std::string_view text)
{
    constexpr std::size_t shown = 64;
    std::string excerpt(text.substr(0, shown));
    if (text.size() > shown) excerpt += "...";
    return make_error(errc::invalid_timestamp, "not an RFC 3339 timestamp: \"" + excerpt + "\"");
}

}  // namespace

result<timestamp> timestamp::parse(std::string_view text)
{
    // YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!read_digits(text, 0, 4, year) || text.size() < 20 || text[4] != '-' || !read_digits(text, 5, 2, month) ||
        text[7] != '-' || !read_digits(text, 8, 2, day) || (text[10] != 'T' && text[10] != 't' && text[10] != ' ') ||
        !read_digits(text, 11, 2, hour) || text[13] != ':' || !read_digits(text, 14, 2, minute) || text[16] != ':' ||
        !read_digits(text, 17, 2, second))
        return timestamp_error(text);

    std::size_t pos = 19;
    std::int64_t nanos = 0;
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        std::size_t digits = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            if (++digits > 9) return timestamp_error(text);
            nanos = nanos * 10 + (text[pos] - '0');
            ++pos;
        }
        if (digits == 0) return timestamp_error(text);
        for (std::size_t i = digits; i < 9; ++i) nanos *= 10;
    }

    int offset_minutes = 0;
    if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
        ++pos;
    }
    else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        int offset_hours = 0, offset_mins = 0;
        if (!read_digits(text, pos + 1, 2, offset_hours) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
            !read_digits(text, pos + 4, 2, offset_mins) || offset_hours > 23 || offset_mins > 59)
            return timestamp_error(text);
        offset_minutes = (offset_hours * 60 + offset_mins) * (text[pos] == '-' ? -1 : 1);
        pos += 6;
    }
    else {
        return timestamp_error(text);
    }
    if (pos != text.size()) return timestamp_error(text);

    using namespace std::chrono;
    const year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                              std::chrono::day{static_cast<unsigned>(day)}};
    // Second 60 is accepted as a leap second, as RFC 3339 allows.
    if (!date.ok() || hour > 23 || minute > 59 || second > 60) return timestamp_error(text);
    // The instant is held in 64-bit nanoseconds: years 1678 to 2262. Outside them it cannot be represented
    // (and computing it would overflow); the offset can move the instant by a day at most.
    if (year < 1678 || year > 2261)
        return make_error(errc::invalid_timestamp,
                          "timestamp out of range (years 1678 to 2261): \"" + std::string(text.substr(0, 40)) + "\"");

    const auto instant =
        sys_days{date} + hours{hour} + minutes{minute} + seconds{second} + nanoseconds{nanos} - minutes{offset_minutes};
    timestamp parsed{time_point_cast<nanoseconds>(instant)};
    parsed.text_ = std::string(text);
    return parsed;
}

timestamp timestamp::now()
{
    return timestamp{std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now())};
}

std::string timestamp::to_string() const { return text_.empty() ? format_rfc3339(time_) : text_; }

std::string format_rfc3339(timestamp::clock_time time)
{
    using namespace std::chrono;
    const auto day_start = floor<days>(time);
    const year_month_day date{day_start};
    const hh_mm_ss<nanoseconds> clock{time - day_start};
    char buffer[64];
    int length = std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(date.year()),
                               static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                               static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                               static_cast<int>(clock.seconds().count()));
    std::string text(buffer, static_cast<std::size_t>(length));
    auto fraction = clock.subseconds().count();
    if (fraction != 0) {
        char digits[16];
        std::snprintf(digits, sizeof digits, "%09lld", static_cast<long long>(fraction));
        std::string_view trimmed{digits, 9};
        while (trimmed.back() == '0') trimmed.remove_suffix(1);
        text += '.';
        text += trimmed;
    }
    text += 'Z';
    return text;
}

}  // namespace mcpreg::model
