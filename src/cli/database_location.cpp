#include "database_location.hpp"

#include <algorithm>
#include <optional>
#include <vector>

namespace mcpreg::cli {
namespace {

constexpr std::string_view mask = "***";

/// A secret inside the location: the bytes [begin, end) as written, and its value as libpq reads it.
struct secret {
    std::size_t begin = 0, end = 0;
    std::string value;
};

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percent_decoded(std::string_view text)
{
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && hex_digit(text[i + 1]) >= 0 && hex_digit(text[i + 2]) >= 0) {
            out += static_cast<char>(hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2]));
            i += 2;
        }
        else out += text[i];
    }
    return out;
}

/// libpq has password and sslpassword; any other name holding "password" is treated as one too.
bool names_secret(std::string_view name)
{
    std::string folded;
    for (const char c : name) folded += lower(c);
    return folded.find("password") != std::string::npos;
}

/// A URI has "://" with no '=' before it (keyword/value settings start with `name=`, and a value may hold a URL).
/// Whatever precedes it is taken for the scheme, stray spaces or a mistyped one included: better to hide too much
/// of a path than to show a password.
bool is_uri(std::string_view location)
{
    const auto separator = location.find("://");
    return separator != std::string_view::npos && location.substr(0, separator).find('=') == std::string_view::npos;
}

/// A character of a parameter's name (percent-encoded ones included).
bool name_character(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '%' ||
           c == '-' || c == '.';
}

/// Whether a query parameter starts here (`name=`). An `&` not followed by one is taken to be part of the
/// previous value, so an unencoded `&` inside a password does not leave its tail showing.
bool starts_parameter(std::string_view rest)
{
    const auto equals = rest.find('=');
    if (equals == 0 || equals == std::string_view::npos) return false;
    return std::all_of(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(equals), name_character);
}

// postgresql://[user[:password]@][host][:port][,...][/dbname][?name=value[&...]]
std::vector<secret> uri_secrets(std::string_view location)
{
    std::vector<secret> out;
    const auto authority = location.find("://") + 3;
    // The userinfo ends at the last '@' before the query or the path, whichever comes later: an unencoded '@',
    // '?' or '/' in the password (which libpq may read as the end of it) then stays hidden all the same.
    const auto userinfo_limit = std::max(std::min(location.find('?', authority), location.size()),
                                         std::min(location.find('/', authority), location.size()));
    auto at = location.substr(0, userinfo_limit).rfind('@');
    if (at != std::string_view::npos && at < authority) at = std::string_view::npos;
    if (at != std::string_view::npos) {
        const auto colon = location.substr(0, at).find(':', authority);
        if (colon != std::string_view::npos)
            out.push_back({colon + 1, at, percent_decoded(location.substr(colon + 1, at - colon - 1))});
    }
    // The query starts after the userinfo, so the two never overlap.
    const auto query = std::min(location.find('?', at == std::string_view::npos ? authority : at + 1), location.size());
    for (std::size_t begin = query + 1; begin < location.size();) {
        std::size_t end = begin;
        do end = std::min(location.find('&', end + 1), location.size());
        while (end < location.size() && !starts_parameter(location.substr(end + 1)));
        const auto parameter = location.substr(begin, end - begin);
        const auto equals = parameter.find('=');
        if (equals != std::string_view::npos && names_secret(percent_decoded(parameter.substr(0, equals))))
            out.push_back({begin + equals + 1, end, percent_decoded(parameter.substr(equals + 1))});
        begin = end + 1;
    }
    return out;
}

// `name=value` words after a URI (`postgresql://db/r password=x`: libpq refuses the spaces, quoting the text):
// every word naming a password, at the start of the text or after a space, '?' or '&', has its value, up to the
// next space or '&', taken for a secret too.
void add_loose_secrets(std::string_view location, std::vector<secret>& out)
{
    std::string folded;
    for (const char c : location) folded += lower(c);
    for (auto word = folded.find("password"); word != std::string::npos; word = folded.find("password", word + 1)) {
        auto name_begin = word;
        while (name_begin > 0 && name_character(location[name_begin - 1])) --name_begin;
        if (name_begin > 0 && !space(location[name_begin - 1]) && location[name_begin - 1] != '?' &&
            location[name_begin - 1] != '&')
            continue;
        auto i = word;
        while (i < location.size() && name_character(location[i])) ++i;
        while (i < location.size() && space(location[i])) ++i;
        if (i == location.size() || location[i] != '=') continue;
        ++i;
        while (i < location.size() && space(location[i])) ++i;
        auto value_end = i;
        while (value_end < location.size() && !space(location[value_end]) && location[value_end] != '&') ++value_end;
        out.push_back({i, value_end, percent_decoded(location.substr(i, value_end - i))});
    }
}

// name = value ..., as libpq reads it: spaces around '=', values bare or in single quotes, a backslash
// escaping the next character in either. Nullopt when the text is not that.
std::optional<std::vector<secret>> keyword_secrets(std::string_view location)
{
    std::vector<secret> out;
    std::size_t i = 0;
    const auto skip_spaces = [&] {
        while (i < location.size() && space(location[i])) ++i;
    };
    while (true) {
        skip_spaces();
        if (i == location.size()) return out;
        const auto name_begin = i;
        while (i < location.size() && !space(location[i]) && location[i] != '=') ++i;
        const auto name = location.substr(name_begin, i - name_begin);
        skip_spaces();
        if (name.empty() || i == location.size() || location[i] != '=') return std::nullopt;
        ++i;
        skip_spaces();
        const bool quoted = i < location.size() && location[i] == '\'';
        if (quoted) ++i;
        const auto value_begin = i;
        std::string value;
        bool closed = !quoted;
        while (i < location.size()) {
            if (location[i] == '\\' && i + 1 < location.size()) {
                value += location[i + 1];
                i += 2;
                continue;
            }
            if (quoted && location[i] == '\'') {
                closed = true;
                break;
            }
            if (!quoted && space(location[i])) break;
            value += location[i++];
        }
        if (!closed) return std::nullopt;
        if (names_secret(name)) out.push_back({value_begin, i, std::move(value)});
        if (quoted) ++i;  // the closing quote
    }
}

std::vector<secret> secrets_of(std::string_view location)
{
    if (is_uri(location)) {
        auto found = uri_secrets(location);
        add_loose_secrets(location, found);
        return found;
    }
    if (location.find('=') == std::string_view::npos) return {};  // a file path, or :memory:
    if (auto found = keyword_secrets(location)) return std::move(*found);
    // Unreadable: hide everything after the first "password".
    std::string folded;
    for (const char c : location) folded += lower(c);
    const auto word = folded.find("password");
    if (word == std::string::npos) return {};
    const auto begin = word + std::string_view("password").size();
    return {{begin, location.size(), std::string(location.substr(begin))}};
}

void replace_all(std::string& text, std::string_view what)
{
    if (what.empty()) return;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + mask.size()))
        text.replace(at, what.size(), mask);
}

}  // namespace

std::string masked_database_location(std::string_view location)
{
    auto secrets = secrets_of(location);
    std::sort(secrets.begin(), secrets.end(), [](const secret& a, const secret& b) { return a.begin < b.begin; });
    // Overlapping spans (a query parameter found twice) become one, then each is replaced.
    std::string out;
    std::size_t done = 0;
    for (std::size_t i = 0; i < secrets.size();) {
        const auto begin = secrets[i].begin;
        auto end = secrets[i].end;
        for (++i; i < secrets.size() && secrets[i].begin <= end; ++i) end = std::max(end, secrets[i].end);
        out.append(location.substr(done, begin - done));
        out += mask;
        done = end;
    }
    out.append(location.substr(done));
    return out;
}

std::string without_database_secrets(std::string_view text, std::string_view location)
{
    std::vector<std::string> values;
    for (const auto& s : secrets_of(location)) {
        values.emplace_back(location.substr(s.begin, s.end - s.begin));
        values.push_back(s.value);
    }
    // Longest first: a secret that contains another is replaced whole.
    std::sort(values.begin(), values.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
    std::string out(text);
    for (const auto& value : values) replace_all(out, value);
    return out;
}

}  // namespace mcpreg::cli
