// The engine's writes: publish, edit, status, delete and the audit log, each in one transaction.
#include "sqlite_storage.hpp"

#include <mcpreg/model/json.hpp>
#include <mcpreg/model/semver.hpp>

namespace mcpreg::engine::detail {
namespace sql = mcpreg::detail::sqlite;
namespace {

constexpr std::string_view select_row =
    "SELECT name, version, document, status, status_message, published_at_text, updated_at_text, "
    "status_changed_at_text, is_latest, official_extra, meta_other FROM server_versions ";

}  // namespace

result<std::optional<stored_version>> sqlite_storage::find(const std::string& name, const std::string& version)
{
    auto stmt = prepared(std::string(select_row) + "WHERE name = ?1 AND version = ?2");
    if (!stmt) return stmt.error();
    (*stmt)->bind(1, name).bind(2, version);
    auto more = (*stmt)->step();
    if (!more) return more.error();
    if (!*more) return std::optional<stored_version>{};
    stored_version row;
    row.name = (*stmt)->column_text(0);
    row.version = (*stmt)->column_text(1);
    row.document = (*stmt)->column_text(2);
    row.status = (*stmt)->column_text(3);
    if (auto m = (*stmt)->column_optional_text(4)) row.status_message = std::string(*m);
    row.published_at = (*stmt)->column_text(5);
    row.updated_at = (*stmt)->column_text(6);
    row.status_changed_at = (*stmt)->column_text(7);
    row.is_latest = (*stmt)->column_int(8) != 0;
    if (auto e = (*stmt)->column_optional_text(9)) row.official_extra = std::string(*e);
    if (auto o = (*stmt)->column_optional_text(10)) row.meta_other = std::string(*o);
    (*stmt)->reset();
    return std::optional<stored_version>(std::move(row));
}

result<void> sqlite_storage::replace_remotes(const std::string& name, const std::string& version,
                                             const model::server& server)
{
    auto clear =
        prepared("DELETE FROM remote_urls WHERE version_id = (SELECT id FROM server_versions WHERE name = ?1 AND "
                 "version = ?2)");
    if (!clear) return clear.error();
    (*clear)->bind(1, name).bind(2, version);
    if (auto done = (*clear)->run(); !done) return done.error();
    for (const auto& url : remote_urls_of(server)) {
        auto add =
            prepared("INSERT INTO remote_urls (version_id, url) SELECT id, ?3 FROM server_versions WHERE name = ?1 "
                     "AND version = ?2");
        if (!add) return add.error();
        (*add)->bind(1, name).bind(2, version).bind(3, url);
        if (auto done = (*add)->run(); !done) return done.error();
    }
    return {};
}

result<std::optional<std::pair<std::string, std::string>>>
sqlite_storage::remote_conflict(const std::string& name, const std::vector<std::string>& urls)
{
    for (const auto& url : urls) {
        auto stmt = prepared("SELECT v.name FROM remote_urls r JOIN server_versions v ON v.id = r.version_id "
                             "WHERE r.url = ?1 AND v.name != ?2 AND v.status != 'deleted' LIMIT 1");
        if (!stmt) return stmt.error();
        (*stmt)->bind(1, url).bind(2, name);
        auto more = (*stmt)->step();
        if (!more) return more.error();
        if (*more) {
            std::pair<std::string, std::string> conflict{url, std::string((*stmt)->column_text(0))};
            (*stmt)->reset();
            return std::optional(conflict);
        }
    }
    return std::optional<std::pair<std::string, std::string>>{};
}

result<write_outcome<stored_version>> sqlite_storage::publish(const model::server& server, const std::string& document,
                                                              std::size_t max_versions)
{
    std::lock_guard lock(mutex_);
    using outcome = write_outcome<stored_version>;
    auto tx = sql::transaction::begin(writer_.db);  // BEGIN IMMEDIATE: one writer at a time, as upstream's name lock
    if (!tx) return tx.error();
    auto conflict = remote_conflict(server.name, remote_urls_of(server));
    if (!conflict) return conflict.error();
    if (*conflict) return refuse_remote_conflict<stored_version>("Failed to publish server", **conflict);
    auto counted = prepared("SELECT count(*) FROM server_versions WHERE name = ?1");
    if (!counted) return counted.error();
    (*counted)->bind(1, server.name);
    if (auto more = (*counted)->step(); !more) return more.error();
    const auto existing = static_cast<std::size_t>((*counted)->column_int(0));
    (*counted)->reset();
    if (existing >= max_versions)
        return refuse<stored_version>(400, "Failed to publish server",
                                      "maximum number of versions for this server reached (" +
                                          std::to_string(max_versions) + "): please delete old versions");
    auto duplicate = find(server.name, server.version);
    if (!duplicate) return duplicate.error();
    if (*duplicate)
        return refuse<stored_version>(400, "Failed to publish server",
                                      "invalid version: cannot publish duplicate version");

    // Latest: compared with the row that holds the flag now, whatever its status (upstream's rule).
    const auto now = model::timestamp::now();
    bool becomes_latest = true;
    auto latest = prepared("SELECT version, published_at FROM server_versions WHERE name = ?1 AND is_latest");
    if (!latest) return latest.error();
    (*latest)->bind(1, server.name);
    auto has_latest = (*latest)->step();
    if (!has_latest) return has_latest.error();
    if (*has_latest) {
        const std::string current((*latest)->column_text(0));
        const auto current_published = timestamp_of_nanoseconds((*latest)->column_int(1));
        becomes_latest = model::compare_versions(server.version, current, now, current_published) > 0;
    }
    (*latest)->reset();
    if (becomes_latest) {
        auto clear = prepared("UPDATE server_versions SET is_latest = 0 WHERE name = ?1 AND is_latest");
        if (!clear) return clear.error();
        (*clear)->bind(1, server.name);
        if (auto done = (*clear)->run(); !done) return done.error();
    }
    auto insert =
        prepared("INSERT INTO server_versions (name, version, title, description, document, status, published_at, "
                 "published_at_text, updated_at, updated_at_text, status_changed_at_text, is_latest) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, 'active', ?6, ?7, ?6, ?7, ?7, ?8)");
    if (!insert) return insert.error();
    (*insert)
        ->bind(1, server.name)
        .bind(2, server.version)
        .bind_optional(3, server.title)
        .bind(4, server.description)
        .bind(5, document)
        .bind(6, nanoseconds_of(now))
        .bind(7, now.to_string())
        .bind(8, std::int64_t{becomes_latest});
    if (auto done = (*insert)->run(); !done) return done.error();
    const auto id = writer_.db.last_insert_rowid();
    auto index = prepared("INSERT INTO server_search (rowid, name, title, description) VALUES (?1, ?2, ?3, ?4)");
    if (!index) return index.error();
    (*index)->bind(1, id).bind(2, server.name).bind_optional(3, server.title).bind(4, server.description);
    if (auto done = (*index)->run(); !done) return done.error();
    if (auto done = replace_remotes(server.name, server.version, server); !done) return done.error();
    auto row = find(server.name, server.version);
    if (!row) return row.error();
    if (auto done = commit(*tx); !done) return done.error();
    return outcome{std::move(*row), std::nullopt};
}

result<write_outcome<stored_version>> sqlite_storage::edit(const model::server& server, const std::string& document)
{
    std::lock_guard lock(mutex_);
    using outcome = write_outcome<stored_version>;
    auto tx = sql::transaction::begin(writer_.db);
    if (!tx) return tx.error();
    auto row = find(server.name, server.version);
    if (!row) return row.error();
    if (!*row || (*row)->status == "deleted") return refuse<stored_version>(404, "Server not found");
    auto conflict = remote_conflict(server.name, remote_urls_of(server));
    if (!conflict) return conflict.error();
    if (*conflict) return refuse_remote_conflict<stored_version>("Failed to edit server", **conflict);
    auto id_stmt =
        prepared("SELECT id, name, title, description FROM server_versions WHERE name = ?1 AND version = ?2");
    if (!id_stmt) return id_stmt.error();
    (*id_stmt)->bind(1, server.name).bind(2, server.version);
    if (auto more = (*id_stmt)->step(); !more) return more.error();
    const auto id = (*id_stmt)->column_int(0);
    const std::string old_name((*id_stmt)->column_text(1));
    const auto old_title = (*id_stmt)->column_optional_text(2);
    const std::optional<std::string> old_title_copy =
        old_title ? std::optional<std::string>(std::string(*old_title)) : std::nullopt;
    const std::string old_description((*id_stmt)->column_text(3));
    (*id_stmt)->reset();
    // External-content FTS5: the old terms are removed by repeating the old values.
    auto unindex = prepared("INSERT INTO server_search (server_search, rowid, name, title, description) "
                            "VALUES ('delete', ?1, ?2, ?3, ?4)");
    if (!unindex) return unindex.error();
    (*unindex)->bind(1, id).bind(2, old_name).bind_optional(3, old_title_copy).bind(4, old_description);
    if (auto done = (*unindex)->run(); !done) return done.error();
    const auto now = model::timestamp::now();
    auto update = prepared("UPDATE server_versions SET document = ?3, title = ?4, description = ?5, updated_at = ?6, "
                           "updated_at_text = ?7 WHERE name = ?1 AND version = ?2");
    if (!update) return update.error();
    (*update)
        ->bind(1, server.name)
        .bind(2, server.version)
        .bind(3, document)
        .bind_optional(4, server.title)
        .bind(5, server.description)
        .bind(6, nanoseconds_of(now))
        .bind(7, now.to_string());
    if (auto done = (*update)->run(); !done) return done.error();
    auto index = prepared("INSERT INTO server_search (rowid, name, title, description) VALUES (?1, ?2, ?3, ?4)");
    if (!index) return index.error();
    (*index)->bind(1, id).bind(2, server.name).bind_optional(3, server.title).bind(4, server.description);
    if (auto done = (*index)->run(); !done) return done.error();
    if (auto done = replace_remotes(server.name, server.version, server); !done) return done.error();
    auto updated = find(server.name, server.version);
    if (!updated) return updated.error();
    if (auto done = commit(*tx); !done) return done.error();
    return outcome{std::move(*updated), std::nullopt};
}

result<write_outcome<stored_version>> sqlite_storage::set_status(const std::string& name, const std::string& version,
                                                                 model::server_status status,
                                                                 const std::optional<std::string>& message)
{
    std::lock_guard lock(mutex_);
    using outcome = write_outcome<stored_version>;
    auto tx = sql::transaction::begin(writer_.db);
    if (!tx) return tx.error();
    auto row = find(name, version);
    if (!row) return row.error();
    if (!*row) return refuse<stored_version>(404, "Server version not found");
    const std::string new_status(model::to_string(status));
    if ((*row)->status == new_status && (*row)->status_message == message)
        return refuse<stored_version>(400,
                                      "No changes to apply: status and message are already set to the provided values");
    if ((*row)->status == "deleted" && status != model::server_status::deleted) {
        auto document = model::parse_server((*row)->document);
        if (document) {
            auto conflict = remote_conflict(name, remote_urls_of(*document));
            if (!conflict) return conflict.error();
            if (*conflict) return refuse_remote_conflict<stored_version>("Failed to update server status", **conflict);
        }
    }
    const auto now = model::timestamp::now();
    const bool status_changed = (*row)->status != new_status;
    auto update = prepared("UPDATE server_versions SET status = ?3, status_message = ?4, updated_at = ?5, "
                           "updated_at_text = ?6, status_changed_at_text = CASE WHEN ?7 THEN ?6 ELSE "
                           "status_changed_at_text END WHERE name = ?1 AND version = ?2");
    if (!update) return update.error();
    (*update)
        ->bind(1, name)
        .bind(2, version)
        .bind(3, new_status)
        .bind_optional(4, message)
        .bind(5, nanoseconds_of(now))
        .bind(6, now.to_string())
        .bind(7, std::int64_t{status_changed});
    if (auto done = (*update)->run(); !done) return done.error();
    if (auto done = recalculate_latest(name, std::nullopt); !done) return done.error();
    auto updated = find(name, version);
    if (!updated) return updated.error();
    if (auto done = commit(*tx); !done) return done.error();
    return outcome{std::move(*updated), std::nullopt};
}

result<write_outcome<std::vector<stored_version>>>
sqlite_storage::set_status_all(const std::string& name, model::server_status status,
                               const std::optional<std::string>& message)
{
    std::lock_guard lock(mutex_);
    using rows = std::vector<stored_version>;
    auto tx = sql::transaction::begin(writer_.db);
    if (!tx) return tx.error();
    auto all = all_versions(name);
    if (!all) return all.error();
    if (all->empty()) return refuse<rows>(404, "Server not found");
    const std::string new_status(model::to_string(status));
    bool any_change = false;
    for (const auto& row : *all) any_change = any_change || row.status != new_status || row.status_message != message;
    if (!any_change)
        return refuse<rows>(400, "No changes to apply: all versions already have the requested status and message");
    if (status != model::server_status::deleted) {
        for (const auto& row : *all) {
            if (row.status != "deleted") continue;
            auto document = model::parse_server(row.document);
            if (!document) continue;
            auto conflict = remote_conflict(name, remote_urls_of(*document));
            if (!conflict) return conflict.error();
            if (*conflict) return refuse_remote_conflict<rows>("Failed to update server status", **conflict);
        }
    }
    const auto now = model::timestamp::now();
    auto update = prepared("UPDATE server_versions SET status_changed_at_text = CASE WHEN status != ?2 THEN ?5 ELSE "
                           "status_changed_at_text END, status = ?2, status_message = ?3, updated_at = ?4, "
                           "updated_at_text = ?5 WHERE name = ?1 AND (status != ?2 OR status_message IS NOT ?3)");
    if (!update) return update.error();
    (*update)
        ->bind(1, name)
        .bind(2, new_status)
        .bind_optional(3, message)
        .bind(4, nanoseconds_of(now))
        .bind(5, now.to_string());
    if (auto done = (*update)->run(); !done) return done.error();
    if (auto done = recalculate_latest(name, std::nullopt); !done) return done.error();
    auto after = all_versions(name);
    if (!after) return after.error();
    if (auto done = commit(*tx); !done) return done.error();
    return write_outcome<rows>{std::move(*after), std::nullopt};
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
