#include "read_query.hpp"

#include <algorithm>

namespace mcpreg::engine::detail {
namespace {

// The query parameters any read handler reads; only these make an answer differ.
bool is_api_parameter(std::string_view name)
{
    for (std::string_view known :
         {"cursor", "limit", "search", "updated_since", "version", "include_deleted", "q", "all_versions"})
        if (name == known) return true;
    return false;
}

}  // namespace

std::optional<bool> parse_bool(std::string_view text)
{
    for (auto t : {"1", "t", "T", "TRUE", "true", "True"})
        if (text == t) return true;
    for (auto f : {"0", "f", "F", "FALSE", "false", "False"})
        if (text == f) return false;
    return std::nullopt;
}

const std::string* param(const query_params& params, std::string_view name)
{
    for (const auto& [k, v] : params)
        if (k == name) return &v;
    return nullptr;
}

std::optional<bool> read_bool(const query_params& params, std::string_view name, std::vector<field_error>& errors)
{
    const auto* text = param(params, name);
    if (!text) return std::nullopt;
    auto value = parse_bool(*text);
    if (!value) errors.push_back({"expected boolean", "query." + std::string(name), boost::json::string(*text)});
    return value;
}

int read_limit(const query_params& params, std::vector<field_error>& errors)
{
    const auto* text = param(params, "limit");
    if (!text) return default_limit;
    long long value = 0;
    std::size_t used = 0;
    try {
        value = std::stoll(*text, &used);
    }
    catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != text->size()) {
        errors.push_back({"expected integer", "query.limit", boost::json::string(*text)});
        return default_limit;
    }
    if (value < 1) errors.push_back({"expected number >= 1", "query.limit", value});
    else if (value > max_limit) errors.push_back({"expected number <= 100", "query.limit", value});
    return static_cast<int>(std::clamp<long long>(value, 1, max_limit));
}

std::string cache_key(std::string_view route, const query_params& params)
{
    std::string key(route);
    auto sorted = params;
    std::erase_if(sorted, [](const auto& p) { return !is_api_parameter(p.first); });
    std::sort(sorted.begin(), sorted.end());
    for (const auto& [k, v] : sorted) key += "\n" + k + "=" + v;
    return key;
}

}  // namespace mcpreg::engine::detail
