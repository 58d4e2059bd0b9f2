// The engine's SQLite storage: one row per (server name, version). Private to the library.
#pragma once

#include <mcpreg/engine/registry.hpp>
#include <mcpreg/model/server.hpp>

#include "../common/sqlite.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace mcpreg::engine::detail {

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

/// GET /servers filters. All of them AND together.
struct list_query {
    std::optional<std::string> cursor_name;
    std::optional<std::string> cursor_version;  ///< absent: the cursor is a bare name
    std::string search;                         ///< case-insensitive substring of the name; empty: none
    std::optional<std::int64_t> updated_since;  ///< nanoseconds since the epoch; strictly later rows
    bool include_deleted = false;
    std::optional<std::string> version;  ///< exact version string
    bool latest_only = false;
    int limit = 30;
};

/// A row to import: the server.json, and the registry's metadata when the input had it.
struct import_entry {
    model::server server;
    std::string document;  ///< compact JSON of the server object as given
    std::optional<model::official_meta> official;
    std::optional<std::string> meta_other;
};

/// A write the registry's rules refused: the HTTP status and the cause upstream would report.
struct write_refusal {
    int status = 400;
    std::string detail;  ///< problem `detail`
    std::string cause;   ///< errors[0].message, may be empty
};

template <class T>
struct write_outcome {
    std::optional<T> value;
    std::optional<write_refusal> refused;
};

class storage {
public:
    static result<storage> open(const std::string& path);

    result<std::vector<stored_version>> list(const list_query& query);
    /// Every version of a name, newest publish first.
    result<std::vector<stored_version>> versions(const std::string& name, bool include_deleted);
    /// One version, or the latest one when `version` is "latest".
    result<std::optional<stored_version>> get(const std::string& name, const std::string& version,
                                              bool include_deleted);
    /// Ranked full-text search over name, title and description (FTS5 BM25), best first. Each word of `text`
    /// is a prefix term, taken literally. `latest_only` keeps one row per server: its latest version.
    result<std::vector<stored_version>> search(const std::string& text, bool include_deleted, bool latest_only,
                                               int limit);
    result<import_report> import(std::vector<import_entry> entries);
    result<std::size_t> count();

    // ---- writes: each runs in one transaction; a rule broken is write_refusal, a storage fault an error ----

    /// Publishes a new version (CONFORMANCE C): remote-URL uniqueness, version cap, duplicates, latest.
    result<write_outcome<stored_version>> publish(const model::server& server, const std::string& document,
                                                  std::size_t max_versions);
    /// Replaces the document of an existing, non-deleted version (status, publishedAt, isLatest kept).
    result<write_outcome<stored_version>> edit(const model::server& server, const std::string& document);
    /// Sets the status of one version (CONFORMANCE F).
    result<write_outcome<stored_version>> set_status(const std::string& name, const std::string& version,
                                                     model::server_status status,
                                                     const std::optional<std::string>& message);
    /// Sets the status of every version of a name (CONFORMANCE G); returns all versions afterwards.
    result<write_outcome<std::vector<stored_version>>>
    set_status_all(const std::string& name, model::server_status status, const std::optional<std::string>& message);
    /// Removes a version for good (the generic spec's optional DELETE).
    result<write_outcome<stored_version>> remove(const std::string& name, const std::string& version);

    result<void> audit(const audit_entry& entry);
    result<std::vector<audit_entry>> audit_log(std::size_t limit);

private:
    explicit storage(mcpreg::detail::sqlite::connection db) : db_(std::move(db)) {}
    result<void> migrate();
    result<void> recalculate_latest(const std::string& name, const std::optional<std::string>& given_latest);
    result<void> replace_remotes(const std::string& name, const std::string& version, const model::server& server);
    /// The first remote URL of `server` already used by a non-deleted version of another name, with that name.
    result<std::optional<std::pair<std::string, std::string>>> remote_conflict(const std::string& name,
                                                                               const std::vector<std::string>& urls);
    result<std::optional<stored_version>> find(const std::string& name, const std::string& version);

    /// A prepared statement for `sql`, reset and ready to bind: each distinct text is prepared once.
    result<mcpreg::detail::sqlite::statement*> prepared(const std::string& sql);

    mcpreg::detail::sqlite::connection db_;
    std::unordered_map<std::string, mcpreg::detail::sqlite::statement> statements_;
};

}  // namespace mcpreg::engine::detail
