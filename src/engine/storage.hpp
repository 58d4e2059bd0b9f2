// The engine's storage: one row per (server name, version), on SQLite (storage.cpp, storage_write.cpp) or
// PostgreSQL (postgres_storage.cpp). Private to the library.
#pragma once

#include <mcpreg/engine/registry.hpp>
#include <mcpreg/model/list_filter.hpp>
#include <mcpreg/model/semver.hpp>
#include <mcpreg/model/server.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mcpreg::engine::detail {

/// How a storage is opened.
struct storage_options {
    std::size_t pool_size = 8;       ///< PostgreSQL: connections per engine process
    bool sqlite_full_sync = true;    ///< SQLite: every commit synced to disk before a write is acknowledged
    std::size_t sqlite_readers = 4;  ///< SQLite files: read-only connections serving reads beside the writer
};

/// One stored version: the server.json text as published plus the registry's metadata.
struct stored_version {
    std::string name;
    std::string version;
    std::string document;  ///< compact server.json
    std::string status;
    std::optional<std::string> status_message;
    std::string published_at;  ///< RFC 3339 text as stored
    std::string updated_at;
    std::string status_changed_at;
    bool is_latest = false;
    std::optional<std::string> official_extra;  ///< unknown keys of the official block (JSON object text)
    std::optional<std::string> meta_other;      ///< other registries' `_meta` namespaces (JSON object text)
};

/// A version as the read API serves it; the views are valid only during the call that receives them. The
/// entry is rendered when a write changes the row (in the write's transaction), so a page is a concatenation
/// of stored entries and its ETag a hash of their digests.
struct rendered_row {
    std::string_view name;
    std::string_view version;
    std::string_view entry;   ///< the `{"server": ..., "_meta": ...}` JSON: render_entry() of the row
    std::string_view digest;  ///< entry_digest(entry)
};

/// Receives the rows of a read in order, as the storage steps through them: nothing is copied on the way.
using row_sink = std::function<void(const rendered_row&)>;

/// The error of a read that met a row without its entry: written by an engine from before stored entries
/// still running against the database (the next write or start of a newer one renders it).
inline error unrendered_row(std::string_view name, std::string_view version)
{
    return make_error(errc::storage_error, "the row " + std::string(name) + " " + std::string(version) +
                                               " has no stored entry yet (written by an older mcpreg)");
}

/// The `{server, _meta}` JSON of a row: the stored document, then the registry's block, then the unknown keys
/// kept from the official block and other registries' namespaces (the registry's own win).
std::string render_entry(const stored_version& row);
/// The first 128 bits of the entry's SHA-256, in hex: the entry's ETag (without quotes), and what page ETags
/// are hashed from.
std::string entry_digest(std::string_view entry);

/// A row to import: the server.json, and the registry's metadata when the input had it.
struct import_entry {
    model::server server;
    std::string document;  ///< compact JSON of the server object as given
    std::optional<model::official_meta> official;
    std::optional<std::string> meta_other;
};

/// The registry metadata an import stores for an entry: what the input gave, the rest defaulted (timestamps
/// to `now`, then to publishedAt; status to active).
struct import_metadata {
    model::timestamp published_at;
    model::timestamp updated_at;
    model::timestamp status_changed_at;
    model::server_status status = model::server_status::active;
    std::optional<std::string> status_message;
    std::optional<std::string> official_extra;  ///< unknown keys of the official block (JSON object text)
    bool flagged_latest = false;
};

import_metadata metadata_of(const import_entry& entry, const model::timestamp& now);

/// Whether `location` is a PostgreSQL connection URI (else an SQLite file or ":memory:").
inline bool is_database_uri(std::string_view location)
{
    return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

// ---- the rules both storages share ----

/// A page's size when the filter names none: the registry's default.
inline constexpr int default_page_size = 30;

inline std::int64_t nanoseconds_of(const model::timestamp& t) { return t.time().time_since_epoch().count(); }

inline model::timestamp timestamp_of_nanoseconds(std::int64_t nanoseconds)
{
    return model::timestamp{model::timestamp::clock_time{std::chrono::nanoseconds{nanoseconds}}};
}

/// The remote URLs of a server, which no other server's live versions may use.
inline std::vector<std::string> remote_urls_of(const model::server& server)
{
    std::vector<std::string> urls;
    if (server.remotes)
        for (const auto& r : *server.remotes)
            if (r.url && !r.url->empty()) urls.push_back(*r.url);
    return urls;
}

/// A LIKE pattern matching `text` anywhere: `%`, `_` and `\` match literally, as upstream escapes them for
/// ILIKE (the escape character is `\`).
inline std::string like_pattern(std::string_view text)
{
    std::string pattern = "%";
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\') pattern += '\\';
        pattern += c;
    }
    pattern += '%';
    return pattern;
}

/// The row that keeps the latest flag: the version an import flagged when it is still there, else the
/// registry's rule (highest non-deleted version; when all are deleted, the highest deleted one).
inline std::size_t choose_latest(const std::vector<model::latest_candidate>& candidates,
                                 const std::optional<std::string>& given_latest)
{
    if (given_latest)
        for (std::size_t i = 0; i < candidates.size(); ++i)
            if (candidates[i].version == *given_latest) return i;
    return model::pick_latest(candidates).value_or(0);
}

/// The row that holds a name's latest flag: its version and when it was published.
struct latest_holder {
    std::string version;
    model::timestamp published_at;
};

/// A remote URL and the other server whose live (not deleted) version holds it.
struct url_owner {
    std::string url;
    std::string name;
};

/// The primitive reads and writes of one server name's rows, inside the transaction storage::write runs: SQL
/// only, no rule. The name is locked against other writes for the transaction's life.
class write_transaction {
public:
    write_transaction() = default;
    write_transaction(const write_transaction&) = delete;
    write_transaction& operator=(const write_transaction&) = delete;
    virtual ~write_transaction() = default;

    /// The name whose rows this transaction reads and writes.
    virtual const std::string& name() const = 0;
    /// One version, deleted or not.
    virtual result<std::optional<stored_version>> find(const std::string& version) = 0;
    /// Every version, deleted ones included, newest publish first.
    virtual result<std::vector<stored_version>> versions() = 0;
    virtual result<std::size_t> count() = 0;
    /// The version that holds the latest flag, whatever its status.
    virtual result<std::optional<latest_holder>> current_latest() = 0;
    /// Every version as the latest rule weighs it (model::pick_latest).
    virtual result<std::vector<model::latest_candidate>> latest_candidates() = 0;
    /// The remote URLs stored for one version.
    virtual result<std::vector<std::string>> remote_urls(const std::string& version) = 0;
    /// The first of `urls` that a live version of another name holds, locking the URLs against other writes
    /// first (call it once per transaction: the locks are taken in one sorted pass).
    virtual result<std::optional<url_owner>> owner_of_urls(std::vector<std::string> urls) = 0;

    /// Adds an active version published `at`, with the server's remote URLs and its search terms.
    virtual result<void> insert(const model::server& server, const std::string& document, const model::timestamp& at,
                                bool latest) = 0;
    /// Replaces an existing version's document (and remote URLs and search terms); updatedAt becomes `at`.
    virtual result<void> update_document(const model::server& server, const std::string& document,
                                         const model::timestamp& at) = 0;
    /// Sets status and message of one version, or, with no version, of every version where either differs;
    /// updatedAt becomes `at`, statusChangedAt too where the status changes.
    virtual result<void> update_status(const std::optional<std::string>& version, model::server_status status,
                                       const std::optional<std::string>& message, const model::timestamp& at) = 0;
    /// Takes the latest flag from whichever version holds it and, when given, gives it to `version`.
    virtual result<void> set_latest(const std::optional<std::string>& version) = 0;
};

/// What a write's work asks of its transaction when it is done.
enum class write_end { commit, roll_back };
using write_work = std::function<result<write_end>(write_transaction&)>;

/// Gives the latest flag to `given_latest` (the version an import flagged) when it is there, else by the
/// registry's rule (choose_latest). Every write that moves the flag ends with this.
inline result<void> assign_latest(write_transaction& tx, const std::optional<std::string>& given_latest = std::nullopt)
{
    auto candidates = tx.latest_candidates();
    if (!candidates) return candidates.error();
    if (candidates->empty()) return {};
    return tx.set_latest((*candidates)[choose_latest(*candidates, given_latest)].version);
}

/// Where the engine keeps its rows. Every operation is safe to call from several threads at once.
class storage {
public:
    virtual ~storage() = default;

    /// `postgresql://` or `postgres://` URIs open PostgreSQL (a libpq connection URI); anything else is an
    /// SQLite file, or ":memory:". The schema is created or migrated.
    static result<std::unique_ptr<storage>> open(const std::string& location, const storage_options& options);

    /// One page of GET /servers: `filter.limit` rows (30 when unset) after its cursor, in (name, version) order.
    virtual result<void> list(const model::list_filter& filter, const row_sink& sink) = 0;
    /// Every version of a name, newest publish first.
    virtual result<void> versions(const std::string& name, bool include_deleted, const row_sink& sink) = 0;
    /// One version, or the latest one when `version` is "latest": whether it exists (then `sink` got it).
    virtual result<bool> get(const std::string& name, const std::string& version, bool include_deleted,
                             const row_sink& sink) = 0;
    /// Ranked full-text search over name, title and description, best first; name matches weigh most. `words`
    /// come from detail::search_words (bounded in number and length); each is a prefix term, taken literally.
    /// `latest_only` keeps each server's latest version. Runs at most `max_time`, then errc::timeout.
    virtual result<void> search(const std::vector<std::string>& words, std::chrono::milliseconds max_time,
                                bool include_deleted, bool latest_only, int limit, const row_sink& sink) = 0;
    virtual result<import_report> import(std::vector<import_entry> entries) = 0;
    virtual result<std::size_t> count() = 0;
    /// A random identity made once per database (at its creation or migration): engines over one database
    /// share it, separate deployments never do, even when they share a signing key.
    virtual result<std::string> deployment_id() = 0;

    // ---- writes: the registry's rules (registry_service.hpp) over the primitives of one name's rows ----

    /// Runs `work` in one transaction over the rows of `name`, which no other write changes meanwhile; commits
    /// when it answers write_end::commit. Every row a write changed (its own, and those whose latest flag moved)
    /// is rendered again before the transaction commits: a trigger clears the entry of a row whose rendered
    /// columns change. A storage may run `work` again (PostgreSQL does after a deadlock or a serialization
    /// failure), so it must have no effect beyond the transaction.
    virtual result<void> write(const std::string& name, const write_work& work) = 0;

    virtual result<void> audit(const audit_entry& entry) = 0;
    virtual result<std::vector<audit_entry>> audit_log(std::size_t limit) = 0;

    // ---- other writers: a database other processes write too tells this one of their changes ----

    /// Calls `changed` (from another thread) whenever another process may have changed the rows. Called once.
    virtual void watch_changes(std::function<void()> changed) { (void)changed; }
    /// Whether responses built from this storage may be cached now: false while changes made elsewhere could
    /// go unnoticed (the change feed is down). Delivers changes already received before answering.
    virtual bool changes_tracked() { return true; }
};

}  // namespace mcpreg::engine::detail
