// Validation of server.json documents: the JSON Schema of each generation plus the official registry's
// semantic rules, reporting every issue with a stable rule id and a JSON-pointer path.
#pragma once

#include <mcpreg/model/export.hpp>
#include <mcpreg/model/generation.hpp>
#include <mcpreg/model/server.hpp>

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mcpreg::model {

/// How much an issue matters: errors make a document invalid, warnings and notes do not.
enum class severity { error, warning, info };
/// "error", "warning", "info".
MCPREG_MODEL_API std::string_view to_string(severity level) noexcept;

/// One problem found in a document.
struct validation_issue {
    /// Stable id. Schema rules are `schema-<keyword>` (schema-required, schema-pattern, schema-maxLength,
    /// schema-type, schema-enum, schema-format, schema-not, schema-anyOf, schema-additionalProperties, ...);
    /// semantic rules use the official registry's reference ids (invalid-server-name,
    /// version-looks-like-range, reserved-version-string, invalid-remote-url, ...).
    std::string rule;
    model::severity severity = severity::error;
    std::string path;  ///< JSON pointer into the server.json object ("" is the document itself)
    std::string message;

    bool operator==(const validation_issue&) const = default;
};

struct validate_options {
    /// Check against the JSON Schema of the generation `$schema` names (the current one when `$schema` is
    /// absent or unknown, or the one given in `schema_generation`).
    bool check_schema = true;
    /// Apply the official registry's semantic rules.
    bool check_semantics = true;
    /// The official registry's publish profile: `$schema` is required and must name a released
    /// generation, `_meta` may hold only the publisher-provided key, and each package follows the rules of
    /// its registry type (canonical registryBaseUrl, version and fileSha256 presence, OCI hosts, MCPB URLs).
    bool official_registry = false;
    /// Validate against this generation instead of the declared one.
    std::optional<schema_generation> generation;
};

/// Validates a server.json object and returns every issue found, errors and warnings alike.
MCPREG_MODEL_API std::vector<validation_issue> validate(const boost::json::value& server_json,
                                                        const validate_options& options = {});
/// Validates a typed server (written as JSON first, so the schema pass sees exactly what would be sent).
MCPREG_MODEL_API std::vector<validation_issue> validate(const server& value, const validate_options& options = {});

/// True when no issue has severity error.
MCPREG_MODEL_API bool is_valid(const std::vector<validation_issue>& issues) noexcept;

}  // namespace mcpreg::model
