// The generations of the server.json schema, from 2025-07-09 (snake_case) to the draft.
#pragma once

#include <mcpreg/model/export.hpp>

#include <array>
#include <optional>
#include <string_view>

namespace mcpreg::model {

/// A published revision of the server.json schema. Ordered oldest to newest.
enum class schema_generation {
    unknown,      ///< no `$schema`, or one mcpreg does not know
    v2025_07_09,  ///< snake_case fields, `status` inside the server
    v2025_09_16,  ///< camelCase fields, still `status` inside the server
    v2025_09_29,  ///< registry-managed fields moved out of server.json
    v2025_10_11,  ///< title, icons, placeholder; package version optional
    v2025_10_17,  ///< mcpb packages may carry a version
    v2025_12_11,  ///< remote URL variables; the current release
    draft,        ///< upstream's unreleased schema: `{var}` URL prefixes, cargo
};

inline constexpr schema_generation current_generation = schema_generation::v2025_12_11;

inline constexpr std::array known_generations{
    schema_generation::v2025_07_09, schema_generation::v2025_09_16, schema_generation::v2025_09_29,
    schema_generation::v2025_10_11, schema_generation::v2025_10_17, schema_generation::v2025_12_11,
    schema_generation::draft,
};

/// "2025-07-09", ..., "draft", or "unknown".
MCPREG_MODEL_API std::string_view to_string(schema_generation generation) noexcept;
/// The inverse of to_string; nullopt for any other text.
MCPREG_MODEL_API std::optional<schema_generation> parse_generation(std::string_view id) noexcept;
/// The generation a `$schema` URL names: `…/schemas/<id>/server.schema.json` (a `#…` suffix is ignored)
/// or upstream's `…/server-json/draft/server.schema.json`. `unknown` for anything else.
MCPREG_MODEL_API schema_generation generation_of_schema_url(std::string_view url) noexcept;
/// The canonical `$schema` URL of a generation (the draft's is upstream's raw file URL).
MCPREG_MODEL_API std::string_view schema_url(schema_generation generation) noexcept;

/// JSON field names: snake_case before 2025-09-16, camelCase since.
enum class field_style { camel_case, snake_case };

}  // namespace mcpreg::model
