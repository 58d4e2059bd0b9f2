// An offline catalog: a mirror of one or more registries in SQLite, synced incrementally with
// `updated_since`, queried locally with the registry API's semantics, and searched with FTS5.
#pragma once

#include <mcpreg/error.hpp>
#include <mcpreg/export.hpp>
#include <mcpreg/model/list_filter.hpp>
#include <mcpreg/model/server.hpp>
#include <mcpreg/model/timestamp.hpp>

#include <boost/json/array.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mcpreg {
class blocking_client;
}
namespace mcpreg::cache {
class page_source;
}

namespace mcpreg::cache {

struct catalog_options {
    /// The SQLite file (created when missing), or ":memory:".
    std::string path = ":memory:";
};

/// Progress of a sync, reported after each committed page.
struct sync_progress {
    std::size_t pages = 0;
    std::size_t fetched = 0;  ///< rows received so far
};

struct sync_options {
    /// An incremental sync asks for rows updated after the high-water mark minus this overlap, so rows
    /// committed out of order around the mark are not missed (re-reading a row changes nothing).
    std::chrono::seconds overlap{60};
    int page_size = 100;
    /// Called after each page is committed.
    std::function<void(const sync_progress&)> on_page;
    /// Stop after this many pages, leaving the sync resumable (tests and time-boxed jobs). 0: no limit.
    std::size_t max_pages = 0;
};

/// What a sync did.
struct sync_report {
    bool full = false;     ///< a walk of the whole registry (the first sync), else incremental
    bool resumed = false;  ///< it continued an interrupted sync from its last committed page
    bool complete = true;  ///< false when max_pages stopped it early
    std::size_t pages = 0;
    std::size_t fetched = 0;                     ///< rows received
    std::size_t added = 0;                       ///< new (name, version) rows
    std::size_t updated = 0;                     ///< rows whose document or status changed (deletions excluded)
    std::size_t deleted = 0;                     ///< rows that became deleted
    std::size_t unchanged = 0;                   ///< rows received again as they were
    std::optional<model::timestamp> high_water;  ///< the newest updatedAt now known
};

/// A local list query: the registry's filter (model::list_filter, with its semantics: `search` is a
/// case-insensitive substring of the name, `updated_since` keeps rows updated strictly later and brings
/// deleted rows unless `include_deleted` is false, `version` is "latest" or one version), over one source or
/// all. Rows come ordered by name, version and source; the cursor is the catalog's own (from next_cursor).
struct catalog_query : model::list_filter {
    std::string source;  ///< one registry's base URL, or empty for every source
    /// Rows per page when `limit` is unset.
    static constexpr int default_limit = 100;
};

/// A catalog row: the entry (its `_meta` as the registry last said, with `isLatest` as the catalog knows it)
/// and the registry it came from.
struct catalog_entry {
    model::server_response entry;
    std::string source;
};

struct catalog_page {
    std::vector<catalog_entry> entries;
    std::optional<std::string> next_cursor;
};

/// \par Thread safety
/// Distinct objects: safe. Shared objects: calls are serialised. Several processes may open one file.
class MCPREG_API catalog {
public:
    /// Opens (or creates, with its schema) the catalog file. Errors: errc::storage_error.
    static result<catalog> open(catalog_options options);
    catalog(catalog&&) noexcept;
    catalog& operator=(catalog&&) noexcept;
    ~catalog();

    /// Mirrors the registry `source` reads (its source_url names it): a full walk the first time, then the rows
    /// updated since the high-water mark. An interrupted sync resumes from its last page.
    result<sync_report> sync(page_source& source, const sync_options& options = {});
    /// sync() from the registry `client` points at (its base_url names the source).
    result<sync_report> sync(blocking_client& client, const sync_options& options = {});

    /// One page of stored rows, with the registry's list semantics (see catalog_query).
    result<catalog_page> list(const catalog_query& query);
    /// One version ("latest" for the latest), as the registry would answer it.
    result<catalog_entry> get(const std::string& name, const std::string& version = "latest",
                              bool include_deleted = false, const std::string& source = {});
    /// Every version of a name, newest row order as the registry lists them.
    result<std::vector<catalog_entry>> versions(const std::string& name, bool include_deleted = false,
                                                const std::string& source = {});
    /// Ranked full-text search over names, titles and descriptions of latest, non-deleted entries.
    result<std::vector<catalog_entry>> search(const std::string& text, int limit = 20, const std::string& source = {});

    /// The mirrored registries (their base URLs).
    result<std::vector<std::string>> sources();
    /// Rows stored, deleted ones included.
    result<std::size_t> size(const std::string& source = {});
    /// Every row of a source as ServerResponse objects: what engine::registry::import_json takes, so an
    /// app can serve its mirror as a sub-registry.
    result<boost::json::array> export_entries(const std::string& source = {});

private:
    struct impl;
    explicit catalog(std::unique_ptr<impl> p) noexcept;
    std::unique_ptr<impl> impl_;
};

}  // namespace mcpreg::cache
