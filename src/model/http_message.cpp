#include <mcpreg/http_message.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace mcpreg {

std::string percent_encode(std::string_view text)
{
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~') {
            out += ch;
        }
        else {
            out += '%';
            out += digits[c >> 4];
            out += digits[c & 15];
        }
    }
    return out;
}

bool iequals(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size()) return false;
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

std::string_view http_request::header(std::string_view name) const noexcept
{
    for (const auto& h : headers)
        if (iequals(h.name, name)) return h.value;
    return {};
}

std::string_view http_response::header(std::string_view name) const noexcept
{
    for (const auto& h : headers)
        if (iequals(h.name, name)) return h.value;
    return {};
}

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view value)
{
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
    if (value.size() != 29 || value.substr(3, 2) != ", " || value.substr(25) != " GMT") return std::nullopt;
    static constexpr std::string_view months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    auto number = [&](std::size_t pos, std::size_t length, int& out) {
        auto [end, ec] = std::from_chars(value.data() + pos, value.data() + pos + length, out);
        return ec == std::errc{} && end == value.data() + pos + length;
    };
    int day = 0, year = 0, hour = 0, minute = 0, second = 0;
    const auto month_it = std::find(std::begin(months), std::end(months), value.substr(8, 3));
    if (month_it == std::end(months) || !number(5, 2, day) || !number(12, 4, year) || !number(17, 2, hour) ||
        !number(20, 2, minute) || !number(23, 2, second))
        return std::nullopt;
    using namespace std::chrono;
    const year_month_day date{std::chrono::year{year},
                              std::chrono::month{static_cast<unsigned>(month_it - std::begin(months) + 1)},
                              std::chrono::day{static_cast<unsigned>(day)}};
    if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
    const auto at = sys_days{date} + hours{hour} + minutes{minute} + seconds{second};
    return time_point_cast<system_clock::duration>(at);
}

std::string format_http_date(std::chrono::system_clock::time_point t)
{
    using namespace std::chrono;
    static constexpr const char* weekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const auto day = floor<days>(t);
    const year_month_day date{day};
    const hh_mm_ss time{floor<seconds>(t - day)};
    char text[40];
    std::snprintf(text, sizeof text, "%s, %02u %s %04d %02d:%02d:%02d GMT", weekdays[weekday{day}.c_encoding()],
                  static_cast<unsigned>(date.day()), month_names[static_cast<unsigned>(date.month()) - 1],
                  static_cast<int>(date.year()), static_cast<int>(time.hours().count()),
                  static_cast<int>(time.minutes().count()), static_cast<int>(time.seconds().count()));
    return text;
}

}  // namespace mcpreg
