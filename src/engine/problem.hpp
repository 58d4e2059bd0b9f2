// The engine's error answers: RFC 9457 problem details as upstream's huma framework writes them, and the one
// mapping of storage faults and refused writes to them. Private to the library.
#pragma once

#include <mcpreg/engine/registry.hpp>

#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace mcpreg::engine::detail {

struct write_refusal;

/// One entry of a problem's `errors`: what is wrong, where (huma's notation: body.packages[0].name), the value.
struct field_error {
    std::string message;
    std::string location;
    boost::json::value value;
};

/// The reason phrase a problem's `title` carries.
std::string_view reason_phrase(int status);

/// application/problem+json with title, status, detail and, when given, errors.
response problem(int status, std::string_view detail, const std::vector<field_error>& errors = {});

/// application/json with `body`.
response json_response(int status, std::string body);
response json_response(int status, const boost::json::value& body);

/// A storage failure is ours, not the client's: 503 with Retry-After while the database cannot be reached or a
/// bounded query ran out of time, else a generic 500 that never leaks internals. `failure` is the detail.
response storage_fault(const error& e, std::string_view failure);

/// A write the registry's rules refused (registry_service.hpp). `failure` is the write's own detail ("Failed
/// to publish server"), under which upstream lists the cause.
response refusal_response(std::string_view failure, const write_refusal& refused);

}  // namespace mcpreg::engine::detail
