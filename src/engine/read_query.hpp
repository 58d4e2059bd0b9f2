// The query parameters of the read API: parsed as upstream's huma framework does (Go's booleans, bounded
// limits), and the key of a read's cached answer. Private to the library.
#pragma once

#include "problem.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mcpreg::engine::detail {

using query_params = std::vector<std::pair<std::string, std::string>>;

inline constexpr int default_limit = 30;
inline constexpr int max_limit = 100;
/// The API has seven parameters; thousands are an attack on the cache key and the parser, not a query.
inline constexpr std::size_t max_query_parameters = 64;

/// Go's strconv.ParseBool.
std::optional<bool> parse_bool(std::string_view text);

/// The value of the first parameter called `name`, or null.
const std::string* param(const query_params& params, std::string_view name);

/// A boolean parameter; a value that is not one is a validation error.
std::optional<bool> read_bool(const query_params& params, std::string_view name, std::vector<field_error>& errors);

/// `limit` within [1, 100]; absent gives 30, anything else a validation error.
int read_limit(const query_params& params, std::vector<field_error>& errors);

/// The key of a read's cached answer: the route after its version prefix (/v0 and /v0.1 answer alike) and the
/// parameters the API reads, sorted (others change nothing in the answer, so they make no new entries).
std::string cache_key(std::string_view route, const query_params& params);

}  // namespace mcpreg::engine::detail
