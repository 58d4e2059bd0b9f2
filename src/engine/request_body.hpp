// A request's JSON body: read, and checked strictly as upstream's huma framework decodes its types (unknown
// properties, missing required ones, wrong JSON types and the name pattern are 422s before any handler runs).
// Private to the library.
#pragma once

#include "problem.hpp"

#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace mcpreg::engine::detail {

/// The members an object may have, and those it must have.
struct object_shape {
    std::vector<std::string_view> allowed;
    std::vector<std::string_view> required;
};

/// Where a problem sits, in huma's notation: body.packages[0].registryType.
std::string location(const std::string& parent, std::string_view key);
std::string location(const std::string& parent, std::size_t index);

/// The body parsed as JSON, or 400 for text that is not JSON.
std::variant<boost::json::value, response> read_body(const request& req);

/// Checks that `v` is an object of `shape`, adding a field_error at `at` for each breach; false when it is not
/// an object at all.
bool check_object(const boost::json::value& v, const std::string& at, const object_shape& shape,
                  std::vector<field_error>& errors);

/// A ServerJSON body as huma decodes it (pkg/api/v0/types.go, pkg/model/types.go upstream).
std::vector<field_error> check_server_body(const boost::json::value& body);

/// A body that is an object of exactly these members, each a string (a token exchange's request).
std::vector<field_error> check_string_members(const boost::json::value& body,
                                              const std::vector<std::string_view>& keys);

/// The one string member of a token exchange's body ({"github_token": ...}, {"oidc_token": ...}), or the 4xx.
std::variant<std::string, response> read_credential(const request& req, std::string_view field);

}  // namespace mcpreg::engine::detail
