// The engine's routes: method + path pattern -> handler. Path parameters are decoded and checked once here,
// the metrics label is the pattern, and 404 and 405 (with Allow) come from the table. Private to the library.
#pragma once

#include "read_query.hpp"

#include <mcpreg/engine/registry.hpp>

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace mcpreg::engine::detail {

/// A request as a handler receives it: its path parameters (decoded, by name), its query and the key of its
/// cached answer.
struct routed_request {
    const request& req;
    const std::map<std::string, std::string, std::less<>>& path;
    const query_params& query;
    const std::string& cache_key;

    const std::string& operator[](std::string_view name) const { return path.find(name)->second; }
};

using route_handler = std::function<response(const routed_request&)>;

/// The segments of an absolute path, split at each `/` after the first and not decoded: a pattern's, or a
/// request's raw path (so `%2F` inside a name does not split it).
std::vector<std::string_view> split_path(std::string_view path);

class route_table {
public:
    /// `parameter_errors`: for each parameter name, the detail of the 400 when its segment does not decode.
    explicit route_table(std::map<std::string, std::string, std::less<>> parameter_errors)
        : parameter_errors_(std::move(parameter_errors))
    {
    }

    /// `pattern` is a path whose `{name}` segments are parameters (/v0/servers/{serverName}/versions); the
    /// segments a request is matched with are percent-decoded once, and a parameter is decoded once more (as
    /// upstream's handlers un-escape names again). A GET route answers HEAD too.
    void add(std::string method, std::string pattern, route_handler handler);

    struct match {
        const route_handler* handler;
        const std::string* pattern;
        std::map<std::string, std::string, std::less<>> path;
    };
    /// The path has routes, none for this method: 405 with `allow`.
    struct wrong_method {
        const std::string* pattern;
        std::string allow;
    };
    /// A parameter that does not decode: 400 with `detail`.
    struct bad_parameter {
        const std::string* pattern;
        std::string detail;
    };
    struct no_route {};
    using found = std::variant<match, wrong_method, bad_parameter, no_route>;

    /// The route for `method` and the path's decoded `segments` (split on the raw path's slashes).
    found find(std::string_view method, const std::vector<std::string>& segments) const;

private:
    struct route {
        std::string method;
        std::string pattern;
        std::vector<std::string> segments;  // literal, or "{name}"
        route_handler handler;
    };
    static bool shape_matches(const route& r, const std::vector<std::string>& segments);

    std::map<std::string, std::string, std::less<>> parameter_errors_;
    std::vector<route> routes_;
};

}  // namespace mcpreg::engine::detail
