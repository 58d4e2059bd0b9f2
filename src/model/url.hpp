// A URL reader that accepts and rejects what Go's net/url.Parse does, as far as the registry's checks look
// (the official registry and its JSON Schema library are written in Go). Private to the model library.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

namespace mcpreg::model::detail {

inline bool is_ascii_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// What Go's net/url.Parse makes of a string, as far as the registry's checks look.
struct parsed_url {
    bool ok = false;
    std::string scheme;  // lower-cased
    std::string host;    // without port
};

inline parsed_url parse_url(std::string_view raw)
{
    parsed_url out;
    for (char c : raw)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return out;  // invalid control character
    auto is_hex = [](char h) { return (h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F'); };
    const auto before_query = raw.substr(0, raw.find_first_of("?#"));
    for (std::size_t i = before_query.find('%'); i != std::string_view::npos; i = before_query.find('%', i + 1))
        if (i + 2 >= before_query.size() || !is_hex(before_query[i + 1]) || !is_hex(before_query[i + 2]))
            return out;  // invalid URL escape
    std::string_view rest = raw;
    // Scheme: a letter, then letters, digits, '+', '-', '.', up to ':'. Any other character first: no scheme.
    for (std::size_t i = 0; i < raw.size(); ++i) {
        char c = raw[i];
        if (is_ascii_alpha(c)) continue;
        if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
            if (i == 0) break;
            continue;
        }
        if (c == ':') {
            if (i == 0) return out;  // missing protocol scheme
            out.scheme = std::string(raw.substr(0, i));
            std::transform(out.scheme.begin(), out.scheme.end(), out.scheme.begin(),
                           [](char ch) { return static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch); });
            rest = raw.substr(i + 1);
        }
        break;
    }
    rest = rest.substr(0, rest.find('#'));
    rest = rest.substr(0, rest.find('?'));
    if (out.scheme.empty()) {
        auto first_segment = rest.substr(0, rest.find('/'));
        if (first_segment.find(':') != std::string_view::npos) return out;  // colon in first path segment
    }
    if (rest.starts_with("//")) {
        auto authority = rest.substr(2, rest.find('/', 2) == std::string_view::npos ? std::string_view::npos
                                                                                    : rest.find('/', 2) - 2);
        if (auto at = authority.rfind('@'); at != std::string_view::npos) authority = authority.substr(at + 1);
        std::string_view host = authority, port;
        if (host.starts_with("[")) {
            auto close = host.find(']');
            if (close == std::string_view::npos) return out;
            port = host.substr(close + 1);
            host = host.substr(1, close - 1);
            if (!port.empty() && port[0] != ':') return out;
            if (!port.empty()) port.remove_prefix(1);
        }
        else if (auto colon = host.rfind(':'); colon != std::string_view::npos) {
            port = host.substr(colon + 1);
            host = host.substr(0, colon);
        }
        for (char c : port)
            if (c < '0' || c > '9') return out;  // invalid port
        for (char c : host)
            if (c == ' ' || c == '<' || c == '>' || c == '"' || c == '{' || c == '}' || c == '|' || c == '\\' ||
                c == '^' || c == '`')
                return out;  // invalid character in host name
        out.host = std::string(host);
    }
    out.ok = true;
    return out;
}

/// JSON Schema format "uri" as Go's schema validators check it: url.Parse succeeds and the URL is absolute.
inline bool is_absolute_uri(std::string_view text)
{
    auto parsed = parse_url(text);
    return parsed.ok && !parsed.scheme.empty();
}

}  // namespace mcpreg::model::detail
