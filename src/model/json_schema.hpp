// A JSON Schema (draft-07) validator for the keywords the server.json schemas use: $ref, type, properties,
// required, additionalProperties, items, allOf, anyOf, not, const, enum, pattern, minLength, maxLength and
// format "uri". Private to the model library.
#pragma once

#include <mcpreg/model/generation.hpp>
#include <mcpreg/model/validate.hpp>

#include <boost/json/value.hpp>

#include <vector>

namespace mcpreg::model::detail {

/// Appends one issue per schema violation of `document` against the embedded schema of `generation`
/// (the current one for `unknown`). Paths are JSON pointers.
void validate_against_schema(const boost::json::value& document, schema_generation generation,
                             std::vector<validation_issue>& issues);

}  // namespace mcpreg::model::detail
