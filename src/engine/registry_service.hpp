// The registry's write rules, written once over the storage primitives (storage.hpp): publish, edit, status,
// status of every version, delete, the latest flag, the version cap, remote-URL ownership and duplicates.
// Refusals are domain values; the HTTP layer maps them to problem+json in one place (write_handlers.cpp).
// Private to the library.
#pragma once

#include "storage.hpp"

#include <mcpreg/model/server.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace mcpreg::engine::detail {

/// Why the rules refused a write.
enum class refusal_reason {
    not_found,          ///< no such server, or no such version (a deleted one, for an edit)
    nothing_to_change,  ///< the status and message asked for are already there
    remote_url_taken,   ///< another server's live version holds one of the remote URLs
    version_limit,      ///< the server has as many versions as a server may have
    duplicate_version,  ///< the version exists (deleted or not): a number is published once
};

struct write_refusal {
    refusal_reason reason;
    std::string message;  ///< what a publisher is told (upstream's wording where upstream has one)
};

/// A write's outcome: what it stored, or why it stored nothing.
template <class T>
using write_outcome = std::variant<T, write_refusal>;

/// The message of a version-less status write that changes nothing, and of a single version's.
inline constexpr std::string_view nothing_to_change_one =
    "No changes to apply: status and message are already set to the provided values";
inline constexpr std::string_view nothing_to_change_all =
    "No changes to apply: all versions already have the requested status and message";
/// The status message of a version removed with DELETE (a tombstone: the row stays, hidden).
inline constexpr std::string_view tombstone_message = "removed (DELETE)";

class registry_service {
public:
    /// `max_versions`: how many versions one server may have (deleted ones count: they keep their numbers).
    registry_service(storage& store, std::size_t max_versions) : store_(store), max_versions_(max_versions) {}

    /// A new version, active; it becomes latest when it ranks above the version holding the flag
    /// (model::compare_versions against that version, whatever its status).
    result<write_outcome<stored_version>> publish(const model::server& server, const std::string& document);
    /// Replaces the document of an existing, non-deleted version; status, publishedAt and the flag stay.
    result<write_outcome<stored_version>> edit(const model::server& server, const std::string& document);
    /// Sets one version's status and message, then gives the latest flag by the registry's rule. Refused when
    /// nothing would change, and when a restore would take a remote URL another server now uses.
    result<write_outcome<stored_version>> set_status(const std::string& name, const std::string& version,
                                                     model::server_status status,
                                                     const std::optional<std::string>& message);
    /// set_status for every version of a name; every version afterwards, newest publish first.
    result<write_outcome<std::vector<stored_version>>>
    set_status_all(const std::string& name, model::server_status status, const std::optional<std::string>& message);
    /// Deletes a version as a tombstone: status deleted with tombstone_message, so incremental mirrors see it
    /// go and its number is never published again. A version deleted already is not found.
    result<write_outcome<stored_version>> remove(const std::string& name, const std::string& version);

private:
    storage& store_;
    std::size_t max_versions_;
};

}  // namespace mcpreg::engine::detail
