#include "http_util.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>

#include "../common/sha256.hpp"

#include <stdexcept>

namespace mcpreg::engine::detail {
namespace {

int hex_value(char c) noexcept
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string_view trim(std::string_view s) noexcept
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) return std::nullopt;
            const int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        }
        else if (c == '+' && plus_is_space) {
            out += ' ';
        }
        else {
            out += c;
        }
    }
    return out;
}

std::optional<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view raw_query)
{
    std::vector<std::pair<std::string, std::string>> params;
    while (!raw_query.empty()) {
        auto amp = raw_query.find('&');
        auto part = raw_query.substr(0, amp);
        raw_query = amp == std::string_view::npos ? std::string_view{} : raw_query.substr(amp + 1);
        if (part.empty()) continue;
        auto eq = part.find('=');
        auto key = percent_decode(part.substr(0, eq), true);
        auto value = percent_decode(eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1), true);
        if (!key || !value) return std::nullopt;
        params.emplace_back(std::move(*key), std::move(*value));
    }
    return params;
}

std::string clean_path(std::string_view path)
{
    std::vector<std::string_view> parts;
    std::size_t pos = 0;
    while (pos <= path.size()) {
        auto slash = path.find('/', pos);
        auto part = path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
        if (part == "..") {
            if (!parts.empty()) parts.pop_back();
        }
        else if (!part.empty() && part != ".") {
            parts.push_back(part);
        }
        if (slash == std::string_view::npos) break;
        pos = slash + 1;
    }
    std::string cleaned;
    for (auto part : parts) {
        cleaned += '/';
        cleaned += part;
    }
    return cleaned.empty() ? "/" : cleaned;
}

std::string make_etag(std::string_view body) { return "\"" + mcpreg::detail::sha256_hex(body).substr(0, 32) + "\""; }

bool etag_matches(std::string_view if_none_match, std::string_view etag)
{
    auto opaque = [](std::string_view tag) {
        tag = trim(tag);
        if (tag.starts_with("W/")) tag.remove_prefix(2);
        return tag;
    };
    while (!if_none_match.empty()) {
        auto comma = if_none_match.find(',');
        auto candidate = trim(if_none_match.substr(0, comma));
        if (candidate == "*" || opaque(candidate) == opaque(etag)) return true;
        if (comma == std::string_view::npos) break;
        if_none_match.remove_prefix(comma + 1);
    }
    return false;
}

bool accepts_gzip(std::string_view accept_encoding)
{
    while (!accept_encoding.empty()) {
        auto comma = accept_encoding.find(',');
        auto item = trim(accept_encoding.substr(0, comma));
        auto semicolon = item.find(';');
        auto coding = trim(item.substr(0, semicolon));
        if (iequals(coding, "gzip") || coding == "*") {
            if (semicolon == std::string_view::npos) return true;
            auto params = trim(item.substr(semicolon + 1));
            if (!(params.starts_with("q=0") && params.find_first_not_of("q=0.") == std::string_view::npos)) return true;
            if (iequals(coding, "gzip")) return false;  // explicitly refused
        }
        if (comma == std::string_view::npos) break;
        accept_encoding.remove_prefix(comma + 1);
    }
    return false;
}

std::string json_quote(std::string_view text) { return boost::json::serialize(boost::json::string_view(text)); }

}  // namespace mcpreg::engine::detail
