// The embedded storage's writes: the primitives of one name's rows (the rules that use them are in
// registry_service.cpp), the write transaction around them, and the audit log.
#include "sqlite_storage.hpp"

#include <algorithm>

namespace mcpreg::engine::detail {
namespace sql = mcpreg::detail::sqlite;

result<void> sqlite_storage::write(const std::string& name, const write_work& work)
{
    std::lock_guard lock(mutex_);
    auto tx = sql::transaction::begin(writer_.db);  // BEGIN IMMEDIATE: one writer at a time, as upstream's name lock
    if (!tx) return tx.error();
    sqlite_write_transaction rows(writer_, name);
    auto end = work(rows);
    if (!end) return end.error();
    if (*end == write_end::roll_back) return {};  // the transaction's guard rolls it back
    return commit(*tx);
}

result<std::optional<stored_version>> sqlite_write_transaction::find(const std::string& version)
{
    auto stmt =
        prepared("SELECT " + std::string(row_columns) + " FROM server_versions WHERE name = ?1 AND version = ?2");
    if (!stmt) return stmt.error();
    (*stmt)->bind(1, name_).bind(2, version);
    auto rows = collect<stored_version>(**stmt, read_row);
    if (!rows) return rows.error();
    if (rows->empty()) return std::optional<stored_version>{};
    return std::optional<stored_version>(std::move(rows->front()));
}

result<std::vector<stored_version>> sqlite_write_transaction::versions()
{
    auto stmt = versions_statement(session_, row_columns, name_, true);
    if (!stmt) return stmt.error();
    return collect<stored_version>(**stmt, read_row);
}

result<std::size_t> sqlite_write_transaction::count()
{
    auto stmt = prepared("SELECT count(*) FROM server_versions WHERE name = ?1");
    if (!stmt) return stmt.error();
    (*stmt)->bind(1, name_);
    if (auto more = (*stmt)->step(); !more) return more.error();
    const auto counted = static_cast<std::size_t>((*stmt)->column_int(0));
    (*stmt)->reset();
    return counted;
}

result<std::optional<latest_holder>> sqlite_write_transaction::current_latest()
{
    auto stmt = prepared("SELECT version, published_at FROM server_versions WHERE name = ?1 AND is_latest");
    if (!stmt) return stmt.error();
    (*stmt)->bind(1, name_);
    auto rows = collect<latest_holder>(**stmt, [](const sql::statement& row) {
        return latest_holder{std::string(row.column_text(0)), timestamp_of_nanoseconds(row.column_int(1))};
    });
    if (!rows) return rows.error();
    if (rows->empty()) return std::optional<latest_holder>{};
    return std::optional<latest_holder>(std::move(rows->front()));
}

result<std::vector<model::latest_candidate>> sqlite_write_transaction::latest_candidates()
{
    auto stmt = prepared("SELECT version, published_at, status FROM server_versions WHERE name = ?1");
    if (!stmt) return stmt.error();
    (*stmt)->bind(1, name_);
    return collect<model::latest_candidate>(**stmt, [](const sql::statement& row) {
        return model::latest_candidate{std::string(row.column_text(0)), timestamp_of_nanoseconds(row.column_int(1)),
                                       row.column_text(2) == "deleted"};
    });
}

result<std::vector<std::string>> sqlite_write_transaction::remote_urls(const std::string& version)
{
    auto stmt = prepared("SELECT r.url FROM remote_urls r JOIN server_versions v ON v.id = r.version_id "
                         "WHERE v.name = ?1 AND v.version = ?2");
    if (!stmt) return stmt.error();
    (*stmt)->bind(1, name_).bind(2, version);
    return collect<std::string>(**stmt, [](const sql::statement& row) { return std::string(row.column_text(0)); });
}

result<std::optional<url_owner>> sqlite_write_transaction::owner_of_urls(std::vector<std::string> urls)
{
    // No URL locks: BEGIN IMMEDIATE already keeps every other write out.
    for (const auto& url : urls) {
        auto stmt = prepared("SELECT v.name FROM remote_urls r JOIN server_versions v ON v.id = r.version_id "
                             "WHERE r.url = ?1 AND v.name != ?2 AND v.status != 'deleted' LIMIT 1");
        if (!stmt) return stmt.error();
        (*stmt)->bind(1, url).bind(2, name_);
        auto owners =
            collect<std::string>(**stmt, [](const sql::statement& row) { return std::string(row.column_text(0)); });
        if (!owners) return owners.error();
        if (!owners->empty()) return std::optional<url_owner>(url_owner{url, std::move(owners->front())});
    }
    return std::optional<url_owner>{};
}

result<void> sqlite_write_transaction::insert(const model::server& server, const std::string& document,
                                              const model::timestamp& at, bool latest)
{
    auto insert =
        prepared("INSERT INTO server_versions (name, version, title, description, document, status, published_at, "
                 "published_at_text, updated_at, updated_at_text, status_changed_at_text, is_latest) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, 'active', ?6, ?7, ?6, ?7, ?7, ?8)");
    if (!insert) return insert.error();
    (*insert)
        ->bind(1, name_)
        .bind(2, server.version)
        .bind_optional(3, server.title)
        .bind(4, server.description)
        .bind(5, document)
        .bind(6, nanoseconds_of(at))
        .bind(7, at.to_string())
        .bind(8, std::int64_t{latest});
    if (auto done = (*insert)->run(); !done) return done.error();
    const auto id = session_.db.last_insert_rowid();
    auto index = prepared("INSERT INTO server_search (rowid, name, title, description) VALUES (?1, ?2, ?3, ?4)");
    if (!index) return index.error();
    (*index)->bind(1, id).bind(2, name_).bind_optional(3, server.title).bind(4, server.description);
    if (auto done = (*index)->run(); !done) return done.error();
    return store_remote_urls(server.version, server);
}

result<void> sqlite_write_transaction::update_document(const model::server& server, const std::string& document,
                                                       const model::timestamp& at)
{
    auto old = prepared("SELECT id, title, description FROM server_versions WHERE name = ?1 AND version = ?2");
    if (!old) return old.error();
    (*old)->bind(1, name_).bind(2, server.version);
    if (auto more = (*old)->step(); !more) return more.error();
    const auto id = (*old)->column_int(0);
    const auto old_title_text = (*old)->column_optional_text(1);
    const auto old_title = old_title_text ? std::optional<std::string>(*old_title_text) : std::nullopt;
    const std::string old_description((*old)->column_text(2));
    (*old)->reset();
    // External-content FTS5: the old terms are removed by repeating the old values.
    auto unindex = prepared("INSERT INTO server_search (server_search, rowid, name, title, description) "
                            "VALUES ('delete', ?1, ?2, ?3, ?4)");
    if (!unindex) return unindex.error();
    (*unindex)->bind(1, id).bind(2, name_).bind_optional(3, old_title).bind(4, old_description);
    if (auto done = (*unindex)->run(); !done) return done.error();
    auto update = prepared("UPDATE server_versions SET document = ?3, title = ?4, description = ?5, updated_at = ?6, "
                           "updated_at_text = ?7 WHERE name = ?1 AND version = ?2");
    if (!update) return update.error();
    (*update)
        ->bind(1, name_)
        .bind(2, server.version)
        .bind(3, document)
        .bind_optional(4, server.title)
        .bind(5, server.description)
        .bind(6, nanoseconds_of(at))
        .bind(7, at.to_string());
    if (auto done = (*update)->run(); !done) return done.error();
    auto index = prepared("INSERT INTO server_search (rowid, name, title, description) VALUES (?1, ?2, ?3, ?4)");
    if (!index) return index.error();
    (*index)->bind(1, id).bind(2, name_).bind_optional(3, server.title).bind(4, server.description);
    if (auto done = (*index)->run(); !done) return done.error();
    return store_remote_urls(server.version, server);
}

result<void> sqlite_write_transaction::update_status(const std::optional<std::string>& version,
                                                     model::server_status status,
                                                     const std::optional<std::string>& message,
                                                     const model::timestamp& at)
{
    // SET expressions read the row as it was: statusChangedAt moves only where the status does.
    auto update = prepared("UPDATE server_versions SET status_changed_at_text = CASE WHEN status != ?3 THEN ?6 ELSE "
                           "status_changed_at_text END, status = ?3, status_message = ?4, updated_at = ?5, "
                           "updated_at_text = ?6 WHERE name = ?1 AND (?2 IS NULL OR version = ?2) AND "
                           "(status != ?3 OR status_message IS NOT ?4)");
    if (!update) return update.error();
    (*update)
        ->bind(1, name_)
        .bind_optional(2, version)
        .bind(3, model::to_string(status))
        .bind_optional(4, message)
        .bind(5, nanoseconds_of(at))
        .bind(6, at.to_string());
    return (*update)->run();
}

result<void> sqlite_write_transaction::set_latest(const std::optional<std::string>& version)
{
    auto clear = prepared("UPDATE server_versions SET is_latest = 0 WHERE name = ?1 AND is_latest");
    if (!clear) return clear.error();
    (*clear)->bind(1, name_);
    if (auto done = (*clear)->run(); !done) return done.error();
    if (!version) return {};
    auto set = prepared("UPDATE server_versions SET is_latest = 1 WHERE name = ?1 AND version = ?2");
    if (!set) return set.error();
    (*set)->bind(1, name_).bind(2, *version);
    return (*set)->run();
}

result<void> sqlite_write_transaction::store_remote_urls(const std::string& version, const model::server& server)
{
    auto clear =
        prepared("DELETE FROM remote_urls WHERE version_id = (SELECT id FROM server_versions WHERE name = ?1 AND "
                 "version = ?2)");
    if (!clear) return clear.error();
    (*clear)->bind(1, name_).bind(2, version);
    if (auto done = (*clear)->run(); !done) return done.error();
    for (const auto& url : remote_urls_of(server)) {
        auto add =
            prepared("INSERT INTO remote_urls (version_id, url) SELECT id, ?3 FROM server_versions WHERE name = ?1 "
                     "AND version = ?2");
        if (!add) return add.error();
        (*add)->bind(1, name_).bind(2, version).bind(3, url);
        if (auto done = (*add)->run(); !done) return done.error();
    }
    return {};
}

result<void> sqlite_storage::audit(const audit_entry& entry)
{
    std::lock_guard lock(mutex_);
    auto stmt = prepared("INSERT INTO audit_log (at_text, actor, action, name, version, outcome, detail) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!stmt) return stmt.error();
    (*stmt)
        ->bind(1, entry.at)
        .bind(2, entry.actor)
        .bind(3, entry.action)
        .bind(4, entry.name)
        .bind(5, entry.version)
        .bind(6, entry.outcome)
        .bind(7, entry.detail);
    return (*stmt)->run();
}

result<std::vector<audit_entry>> sqlite_storage::audit_log(std::size_t limit)
{
    std::lock_guard lock(mutex_);
    auto stmt = prepared("SELECT at_text, actor, action, name, version, outcome, detail FROM audit_log "
                         "ORDER BY id DESC LIMIT ?1");
    if (!stmt) return stmt.error();
    (*stmt)->bind(1, static_cast<std::int64_t>(limit));
    std::vector<audit_entry> entries;
    while (true) {
        auto more = (*stmt)->step();
        if (!more) return more.error();
        if (!*more) return entries;
        entries.push_back({std::string((*stmt)->column_text(0)), std::string((*stmt)->column_text(1)),
                           std::string((*stmt)->column_text(2)), std::string((*stmt)->column_text(3)),
                           std::string((*stmt)->column_text(4)), std::string((*stmt)->column_text(5)),
                           std::string((*stmt)->column_text(6))});
    }
}

}  // namespace mcpreg::engine::detail
