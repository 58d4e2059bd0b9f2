#include "route_table.hpp"

#include "http_util.hpp"

namespace mcpreg::engine::detail {
namespace {

bool is_parameter(std::string_view segment)
{
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

std::vector<std::string_view> split_path(std::string_view path)
{
    std::vector<std::string_view> segments;
    for (std::size_t pos = 1; pos <= path.size();) {
        auto slash = path.find('/', pos);
        segments.push_back(path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos));
        if (slash == std::string_view::npos) break;
        pos = slash + 1;
    }
    return segments;
}

void route_table::add(std::string method, std::string pattern, route_handler handler)
{
    const auto parts = split_path(pattern);
    std::vector<std::string> segments(parts.begin(), parts.end());
    routes_.push_back({std::move(method), std::move(pattern), std::move(segments), std::move(handler)});
}

bool route_table::shape_matches(const route& r, const std::vector<std::string>& segments)
{
    if (r.segments.size() != segments.size()) return false;
    for (std::size_t i = 0; i < segments.size(); ++i)
        if (!is_parameter(r.segments[i]) && r.segments[i] != segments[i]) return false;
    return true;
}

route_table::found route_table::find(std::string_view method, const std::vector<std::string>& segments) const
{
    const std::string_view wanted = method == "HEAD" ? std::string_view("GET") : method;
    const route* same_path = nullptr;
    std::string allow;
    for (const auto& r : routes_) {
        if (!shape_matches(r, segments)) continue;
        if (r.method != wanted) {
            same_path = same_path ? same_path : &r;
            allow += (allow.empty() ? "" : ", ") + r.method + (r.method == "GET" ? ", HEAD" : "");
            continue;
        }
        match m{&r.handler, &r.pattern, {}};
        for (std::size_t i = 0; i < segments.size(); ++i) {
            if (!is_parameter(r.segments[i])) continue;
            const std::string name = r.segments[i].substr(1, r.segments[i].size() - 2);
            auto decoded = percent_decode(segments[i]);
            if (!decoded) {
                auto error = parameter_errors_.find(name);
                return bad_parameter{&r.pattern,
                                     error != parameter_errors_.end() ? error->second : "Invalid path parameter"};
            }
            m.path.emplace(name, std::move(*decoded));
        }
        return m;
    }
    if (same_path) return wrong_method{&same_path->pattern, std::move(allow)};
    return no_route{};
}

}  // namespace mcpreg::engine::detail
