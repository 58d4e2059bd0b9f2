#include <mcpreg/model/semver.hpp>

#include <algorithm>
#include <charconv>
#include <regex>

namespace mcpreg::model {
namespace {

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_identifier_char(char c) noexcept
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}
bool all_digits(std::string_view s) noexcept { return !s.empty() && std::all_of(s.begin(), s.end(), is_digit); }

std::optional<std::uint64_t> parse_core_number(std::string_view s)
{
    if (!all_digits(s) || (s.size() > 1 && s[0] == '0')) return std::nullopt;
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return value;
}

// Splits dot-separated identifiers; nullopt when one is empty or has a character outside [0-9A-Za-z-].
std::optional<std::vector<std::string>> split_identifiers(std::string_view s, bool reject_leading_zero_numbers)
{
    std::vector<std::string> parts;
    while (true) {
        auto dot = s.find('.');
        auto part = s.substr(0, dot);
        if (part.empty() || !std::all_of(part.begin(), part.end(), is_identifier_char)) return std::nullopt;
        if (reject_leading_zero_numbers && all_digits(part) && part.size() > 1 && part[0] == '0') return std::nullopt;
        parts.emplace_back(part);
        if (dot == std::string_view::npos) break;
        s.remove_prefix(dot + 1);
    }
    return parts;
}

// Numeric identifiers compare numerically (by length, then digits, so any size works), and rank below
// alphanumeric ones, which compare in ASCII order.
int compare_identifier(const std::string& a, const std::string& b)
{
    const bool a_numeric = all_digits(a), b_numeric = all_digits(b);
    if (a_numeric && b_numeric) {
        if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
        return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
    }
    if (a_numeric != b_numeric) return a_numeric ? -1 : 1;
    return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
}

}  // namespace

std::optional<semver> semver::parse(std::string_view text)
{
    if (!text.empty() && text.front() == 'v') text.remove_prefix(1);
    semver parsed;
    if (auto plus = text.find('+'); plus != std::string_view::npos) {
        auto build = split_identifiers(text.substr(plus + 1), false);
        if (!build) return std::nullopt;
        parsed.build = std::move(*build);
        text = text.substr(0, plus);
    }
    if (auto dash = text.find('-'); dash != std::string_view::npos) {
        auto prerelease = split_identifiers(text.substr(dash + 1), true);
        if (!prerelease) return std::nullopt;
        parsed.prerelease = std::move(*prerelease);
        text = text.substr(0, dash);
    }
    std::uint64_t* core[] = {&parsed.major, &parsed.minor, &parsed.patch};
    for (std::size_t i = 0; i < 3; ++i) {
        auto dot = text.find('.');
        if ((i < 2) == (dot == std::string_view::npos)) return std::nullopt;  // exactly three parts
        auto number = parse_core_number(text.substr(0, dot));
        if (!number) return std::nullopt;
        *core[i] = *number;
        text = i < 2 ? text.substr(dot + 1) : std::string_view{};
    }
    return parsed;
}

std::string semver::to_string() const
{
    std::string text = std::to_string(major) + '.' + std::to_string(minor) + '.' + std::to_string(patch);
    auto append = [&](char lead, const std::vector<std::string>& parts) {
        for (std::size_t i = 0; i < parts.size(); ++i) {
            text += i == 0 ? lead : '.';
            text += parts[i];
        }
    };
    append('-', prerelease);
    append('+', build);
    return text;
}

std::strong_ordering operator<=>(const semver& a, const semver& b) noexcept
{
    if (auto c = std::tie(a.major, a.minor, a.patch) <=> std::tie(b.major, b.minor, b.patch); c != 0) return c;
    // A release ranks above any of its pre-releases.
    if (a.prerelease.empty() || b.prerelease.empty()) return a.prerelease.empty() <=> b.prerelease.empty();
    const auto common = std::min(a.prerelease.size(), b.prerelease.size());
    for (std::size_t i = 0; i < common; ++i)
        if (int c = compare_identifier(a.prerelease[i], b.prerelease[i]); c != 0) return c <=> 0;
    return a.prerelease.size() <=> b.prerelease.size();
}

bool is_semantic_version(std::string_view version) { return semver::parse(version).has_value(); }

int compare_versions(std::string_view a, std::string_view b, const timestamp& a_published, const timestamp& b_published)
{
    auto a_semver = semver::parse(a);
    auto b_semver = semver::parse(b);
    auto sign = [](std::strong_ordering order) { return order < 0 ? -1 : (order > 0 ? 1 : 0); };
    if (a_semver && b_semver) return sign(*a_semver <=> *b_semver);
    if (!a_semver && !b_semver) return sign(a_published <=> b_published);
    return a_semver ? 1 : -1;
}

bool looks_like_version_range(std::string_view version)
{
    // Far longer than any range anyone writes; refusing to scan it keeps std::regex's recursion bounded.
    constexpr std::size_t max_scanned_length = 256;
    auto first = version.find_first_not_of(" \t\r\n\v\f");
    if (first == std::string_view::npos) return false;
    auto last = version.find_last_not_of(" \t\r\n\v\f");
    version = version.substr(first, last - first + 1);
    if (version.size() > max_scanned_length) return false;

    // The official registry's patterns (internal/validators/utils.go), in ECMAScript syntax.
    static const std::regex comparator(R"(^\s*(\^|~|>=|<=|>|<|=)\s*v?\d+(\.\d+){0,3}(-[0-9A-Za-z.-]+)?\s*$)");
    static const std::regex hyphen_range(
        R"(^\s*v?\d+(\.\d+){0,3}(-[0-9A-Za-z.-]+)?\s-\s*v?\d+(\.\d+){0,3}(-[0-9A-Za-z.-]+)?\s*$)");
    static const std::regex or_range(
        R"(^\s*(v?\d+(\.\d+){0,3}(-[0-9A-Za-z.-]+)?\s*)(\|\|\s*v?\d+(\.\d+){0,3}(-[0-9A-Za-z.-]+)?\s*)+$)");
    static const std::regex wildcard(R"(^\s*(v?\d+|x|X|\*)(\.(\d+|x|X|\*)){1,2}(-[0-9A-Za-z.-]+)?\s*$)");

    const std::string text(version);
    if (std::regex_match(text, comparator) || std::regex_match(text, hyphen_range) || std::regex_match(text, or_range))
        return true;
    return text.find_first_of("xX*") != std::string::npos && std::regex_match(text, wildcard);
}

std::optional<std::size_t> pick_latest(const std::vector<latest_candidate>& candidates)
{
    std::optional<std::size_t> chosen;
    for (bool deleted_too : {false, true}) {
        for (std::size_t i = 0; i < candidates.size(); ++i) {
            const auto& c = candidates[i];
            if (!deleted_too && c.deleted) continue;
            if (!chosen || compare_versions(c.version, candidates[*chosen].version, c.published,
                                            candidates[*chosen].published) > 0)
                chosen = i;
        }
        if (chosen) break;
    }
    return chosen;
}

}  // namespace mcpreg::model
