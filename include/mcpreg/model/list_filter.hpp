// The filter of a list of registry entries, as GET /v0.1/servers takes it: the client sends one, the engine
// parses its query into one and its storages answer it, the offline catalog answers one locally. One type, so
// the three cannot drift apart.
#pragma once

#include <mcpreg/model/export.hpp>
#include <mcpreg/model/timestamp.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace mcpreg::model {

/// Every field unset filters nothing; the set ones AND together.
struct list_filter {
    std::optional<std::string> cursor;       ///< where the previous page ended (its nextCursor)
    std::optional<int> limit;                ///< 1 to 100 (the registry's default is 30)
    std::optional<std::string> search;       ///< a case-insensitive substring of the name
    std::optional<timestamp> updated_since;  ///< rows updated strictly later (deleted ones included)
    std::optional<std::string> version;      ///< "latest", or one exact version
    std::optional<bool> include_deleted;

    /// Only each server's latest version (`version=latest`).
    bool latest_only() const noexcept { return version && *version == "latest"; }
    /// The one version asked for, unless it is "latest".
    const std::string* exact_version() const noexcept { return version && !latest_only() ? &*version : nullptr; }
    /// Whether deleted rows are in: when asked for, and by default with `updated_since` (an incremental sync
    /// must see deletions).
    bool deleted_included() const noexcept { return include_deleted.value_or(updated_since.has_value()); }
};

/// A registry cursor's parts: the name, and the version after the first `:` (none for a bare name), as
/// upstream splits them.
struct cursor_position {
    std::string name;
    std::optional<std::string> version;
};

inline cursor_position parse_cursor(std::string_view cursor)
{
    const auto colon = cursor.find(':');
    if (colon == std::string_view::npos) return {std::string(cursor), std::nullopt};
    return {std::string(cursor.substr(0, colon)), std::string(cursor.substr(colon + 1))};
}

}  // namespace mcpreg::model
