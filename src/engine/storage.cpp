#include "postgres_storage.hpp"
#include "sqlite_storage.hpp"

#include <mcpreg/config.hpp>

#include "../common/search_query.hpp"
#include "../common/sha256.hpp"
#include "http_util.hpp"

#include <mcpreg/model/json.hpp>
#include <mcpreg/model/semver.hpp>

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace mcpreg::engine::detail {
namespace sql = mcpreg::detail::sqlite;
namespace {

// Schema migrations, applied in order; PRAGMA user_version records how many ran.
constexpr std::string_view migrations[] = {
    R"sql(
    CREATE TABLE server_versions (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        version TEXT NOT NULL,
        title TEXT,
        description TEXT NOT NULL,
        document TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'active',
        status_message TEXT,
        published_at INTEGER NOT NULL,
        published_at_text TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        updated_at_text TEXT NOT NULL,
        status_changed_at_text TEXT NOT NULL,
        is_latest INTEGER NOT NULL DEFAULT 0,
        official_extra TEXT,
        meta_other TEXT,
        UNIQUE (name, version)
    );
    -- Keyset pagination walks (name, version) in byte order: the UNIQUE index above, BINARY collation.
    CREATE UNIQUE INDEX server_versions_one_latest ON server_versions (name) WHERE is_latest;
    CREATE INDEX server_versions_by_update ON server_versions (updated_at);
    CREATE VIRTUAL TABLE server_search USING fts5(
        name, title, description, content = 'server_versions', content_rowid = 'id',
        tokenize = "unicode61 tokenchars '-_.'");
    )sql",
    R"sql(
    -- Remote URLs of every version, for the cross-server uniqueness rule of publish and restore.
    CREATE TABLE remote_urls (
        version_id INTEGER NOT NULL REFERENCES server_versions (id) ON DELETE CASCADE,
        url TEXT NOT NULL
    );
    CREATE INDEX remote_urls_by_url ON remote_urls (url);
    CREATE INDEX remote_urls_by_version ON remote_urls (version_id);
    -- Every write, whatever its outcome.
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at_text TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        name TEXT NOT NULL,
        version TEXT NOT NULL,
        outcome TEXT NOT NULL,
        detail TEXT NOT NULL
    );
    )sql",
    R"sql(
    -- Each row's {server, _meta} entry as the read API serves it, and its digest; NULL until rendered. Any
    -- change to a column the entry shows clears them, and every write renders cleared rows before it commits.
    ALTER TABLE server_versions ADD COLUMN entry TEXT;
    ALTER TABLE server_versions ADD COLUMN entry_digest TEXT;
    CREATE INDEX server_versions_unrendered ON server_versions (id) WHERE entry IS NULL;
    CREATE TRIGGER server_versions_entry_stale AFTER UPDATE ON server_versions
    WHEN NEW.entry IS NOT NULL AND (OLD.document IS NOT NEW.document OR OLD.status IS NOT NEW.status
        OR OLD.status_message IS NOT NEW.status_message OR OLD.published_at_text IS NOT NEW.published_at_text
        OR OLD.updated_at_text IS NOT NEW.updated_at_text
        OR OLD.status_changed_at_text IS NOT NEW.status_changed_at_text OR OLD.is_latest IS NOT NEW.is_latest
        OR OLD.official_extra IS NOT NEW.official_extra OR OLD.meta_other IS NOT NEW.meta_other)
    BEGIN
        UPDATE server_versions SET entry = NULL, entry_digest = NULL WHERE id = NEW.id;
    END;
    )sql",
    R"sql(
    -- List pages read (name, version) order straight from this index, entries included, instead of seeking
    -- the table row by row from the UNIQUE index: 40% less time per uncached page, for a second copy of
    -- each entry on disk.
    CREATE INDEX server_versions_page
        ON server_versions (name, version, status, is_latest, updated_at, entry_digest, entry);
    )sql",
    R"sql(
    -- The database's identity, the audience of the registry tokens its engines issue.
    CREATE TABLE registry_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO registry_settings (key, value) VALUES ('deployment_id', lower(hex(randomblob(16))));
    )sql",
};

// What the read API selects: the rendered entry, and the name and version a cursor is made of.
constexpr std::string_view rendered_columns = "name, version, entry, entry_digest";

// Up to this many changed rows, an updated_since page is read through the updated_at index and sorted.
constexpr std::size_t sorted_changes_limit = 5000;

// Steps through `rendered_columns` rows into `sink`; returns how many there were.
result<std::size_t> stream(sql::statement& stmt, const row_sink& sink)
{
    for (std::size_t count = 0;; ++count) {
        auto more = stmt.step();
        if (!more) return more.error();
        if (!*more) return count;
        const auto entry = stmt.column_optional_text(2);
        if (!entry) return unrendered_row(stmt.column_text(0), stmt.column_text(1));
        sink({stmt.column_text(0), stmt.column_text(1), *entry, stmt.column_text(3)});
    }
}

// `,"key":value` for each member of a stored JSON object whose key `taken` does not refuse, in its order.
template <class Taken>
void append_members(std::string& text, const std::optional<std::string>& stored, Taken taken)
{
    if (!stored) return;
    auto parsed = model::parse_json(*stored);
    if (!parsed || !parsed->is_object()) return;
    for (const auto& [key, value] : parsed->get_object()) {
        if (taken(key)) continue;
        text += ',';
        text += json_quote(key);
        text += ':';
        text += boost::json::serialize(value);
    }
}

}  // namespace

std::string render_entry(const stored_version& row)
{
    std::string text;
    text.reserve(row.document.size() + 320);
    text += "{\"server\":";
    text += row.document;
    text += ",\"_meta\":{";
    text += json_quote(model::official_meta_key);
    text += ":{\"status\":";
    text += json_quote(row.status);
    if (row.status_message) {
        text += ",\"statusMessage\":";
        text += json_quote(*row.status_message);
    }
    text += ",\"publishedAt\":";
    text += json_quote(row.published_at);
    text += ",\"updatedAt\":";
    text += json_quote(row.updated_at);
    text += ",\"statusChangedAt\":";
    text += json_quote(row.status_changed_at);
    text += row.is_latest ? ",\"isLatest\":true" : ",\"isLatest\":false";
    append_members(text, row.official_extra, [&](std::string_view key) {
        return key == "status" || key == "publishedAt" || key == "updatedAt" || key == "statusChangedAt" ||
               key == "isLatest" || (key == "statusMessage" && row.status_message);
    });
    text += '}';
    append_members(text, row.meta_other, [](std::string_view key) { return key == model::official_meta_key; });
    text += "}}";
    return text;
}

stored_version read_row(const sql::statement& stmt)
{
    stored_version row;
    row.name = stmt.column_text(0);
    row.version = stmt.column_text(1);
    row.document = stmt.column_text(2);
    row.status = stmt.column_text(3);
    if (auto message = stmt.column_optional_text(4)) row.status_message = std::string(*message);
    row.published_at = stmt.column_text(5);
    row.updated_at = stmt.column_text(6);
    row.status_changed_at = stmt.column_text(7);
    row.is_latest = stmt.column_int(8) != 0;
    if (auto extra = stmt.column_optional_text(9)) row.official_extra = std::string(*extra);
    if (auto other = stmt.column_optional_text(10)) row.meta_other = std::string(*other);
    return row;
}

std::string entry_digest(std::string_view entry) { return mcpreg::detail::sha256_hex(entry).substr(0, 32); }

result<sql::statement*> sqlite_session::prepared(const std::string& text)
{
    if (auto it = statements.find(text); it != statements.end()) {
        it->second.reset();
        return &it->second;
    }
    auto stmt = db.prepare(text);
    if (!stmt) return stmt.error();
    return &statements.emplace(text, std::move(*stmt)).first->second;
}

import_metadata metadata_of(const import_entry& entry, const model::timestamp& now)
{
    const model::official_meta none;
    const auto& official = entry.official ? *entry.official : none;
    import_metadata meta;
    meta.published_at = official.published_at.value_or(now);
    meta.updated_at = official.updated_at.value_or(meta.published_at);
    meta.status_changed_at = official.status_changed_at.value_or(meta.published_at);
    meta.status = official.parsed_status().value_or(model::server_status::active);
    meta.status_message = official.status_message;
    if (!official.extra.empty()) meta.official_extra = boost::json::serialize(official.extra);
    meta.flagged_latest = official.is_latest.value_or(false);
    return meta;
}

result<std::unique_ptr<storage>> storage::open(const std::string& location, const storage_options& options)
{
    if (is_database_uri(location)) {
#if MCPREG_WITH_POSTGRES
        return open_postgres_storage(location, options);
#else
        return make_error(errc::invalid_argument,
                          "this mcpreg was built without PostgreSQL (MCPREG_WITH_POSTGRES=OFF): use an SQLite file");
#endif
    }
    return sqlite_storage::open(location, options.sqlite_full_sync, options.sqlite_readers);
}

result<std::unique_ptr<storage>> sqlite_storage::open(const std::string& path, bool full_sync, std::size_t readers)
{
    auto db = sql::connection::open(path, full_sync ? sql::connection::durability::full
                                                    : sql::connection::durability::normal);
    if (!db) return db.error();
    std::unique_ptr<sqlite_storage> store(new sqlite_storage(std::move(*db)));
    if (auto migrated = store->migrate(); !migrated) return migrated.error();
    // Read connections open once the schema is there; they can never write.
    const bool shared_file = !path.empty() && path != ":memory:" && !path.starts_with("file::memory:");
    for (std::size_t i = 0; shared_file && i < readers; ++i) {
        auto reader = sql::connection::open(path);
        if (!reader) return reader.error();
        if (auto read_only = reader->execute("PRAGMA query_only = 1"); !read_only) return read_only.error();
        store->readers_.push_back(std::make_unique<sqlite_session>(sqlite_session{std::move(*reader), {}}));
        store->idle_readers_.push_back(store->readers_.back().get());
    }
    return std::unique_ptr<storage>(std::move(store));
}

result<void> sqlite_storage::migrate()
{
    auto version_stmt = writer_.db.prepare("PRAGMA user_version");
    if (!version_stmt) return version_stmt.error();
    auto has_row = version_stmt->step();
    if (!has_row) return has_row.error();
    const auto applied = static_cast<std::size_t>(version_stmt->column_int(0));
    if (applied > std::size(migrations))
        return make_error(errc::storage_error, "the database was written by a newer mcpreg (schema version " +
                                                   std::to_string(applied) + ")");
    for (std::size_t i = applied; i < std::size(migrations); ++i) {
        auto tx = sql::transaction::begin(writer_.db);
        if (!tx) return tx.error();
        if (auto done = writer_.db.execute(migrations[i]); !done) return done.error();
        if (auto done = writer_.db.execute("PRAGMA user_version = " + std::to_string(i + 1)); !done)
            return done.error();
        if (auto done = tx->commit(); !done) return done.error();
    }
    // Rows from before entries were stored (or from a write that did not finish rendering) get theirs now.
    auto tx = sql::transaction::begin(writer_.db);
    if (!tx) return tx.error();
    return commit(*tx);
}

result<void> sqlite_storage::commit(sql::transaction& tx)
{
    auto pending = prepared("SELECT " + std::string(row_columns) + ", id FROM server_versions WHERE entry IS NULL");
    if (!pending) return pending.error();
    auto rows = collect<std::pair<stored_version, std::int64_t>>(**pending, [](const sql::statement& stmt) {
        return std::pair{read_row(stmt), stmt.column_int(11)};
    });
    if (!rows) return rows.error();
    auto store = prepared("UPDATE server_versions SET entry = ?1, entry_digest = ?2 WHERE id = ?3");
    if (!store) return store.error();
    for (const auto& [row, id] : *rows) {
        const auto entry = render_entry(row);
        (*store)->reset();
        (*store)->bind(1, entry).bind(2, entry_digest(entry)).bind(3, id);
        if (auto done = (*store)->run(); !done) return done.error();
    }
    return tx.commit();
}

result<void> sqlite_storage::list(const model::list_filter& filter, const row_sink& sink)
{
    const auto cursor = filter.cursor ? std::optional(model::parse_cursor(*filter.cursor)) : std::nullopt;
    const bool searching = filter.search && !filter.search->empty();
    const auto since = filter.updated_since ? std::optional(nanoseconds_of(*filter.updated_since)) : std::nullopt;
    return with_reader([&](sqlite_session& session) -> result<void> {
        // updated_since: walking (name, version) order and filtering reads every row when few changed (an
        // incremental sync), while the updated_at index then sorting is quadratic over a whole walk when most
        // did. A bounded count on the updated_at index picks the plan (SQLite here has no STAT4 to do it).
        bool few_changes = false;
        if (since) {
            auto probe =
                session.prepared("SELECT count(*) FROM (SELECT 1 FROM server_versions WHERE updated_at > ?1 LIMIT " +
                                 std::to_string(sorted_changes_limit) + ")");
            if (!probe) return probe.error();
            (*probe)->bind(1, *since);
            auto row = (*probe)->step();
            if (!row) return row.error();
            few_changes = (*probe)->column_int(0) < static_cast<std::int64_t>(sorted_changes_limit);
        }
        std::string text = "SELECT " + std::string(rendered_columns) + " FROM server_versions" +
                           (few_changes ? " INDEXED BY server_versions_by_update" : "") + " WHERE 1";
        if (cursor) text += cursor->version ? " AND (name, version) > (?1, ?2)" : " AND name > ?1";
        if (searching) text += " AND name LIKE ?3 ESCAPE '\\'";
        if (since) text += " AND updated_at > ?4";
        if (!filter.deleted_included()) text += " AND status != 'deleted'";
        if (filter.exact_version()) text += " AND version = ?5";
        if (filter.latest_only()) text += " AND is_latest";
        text += " ORDER BY name, version LIMIT ?6";
        auto stmt = session.prepared(text);
        if (!stmt) return stmt.error();
        if (cursor) (*stmt)->bind(1, cursor->name);
        if (cursor && cursor->version) (*stmt)->bind(2, *cursor->version);
        if (searching) (*stmt)->bind(3, like_pattern(*filter.search));
        if (since) (*stmt)->bind(4, *since);
        if (const auto* version = filter.exact_version()) (*stmt)->bind(5, *version);
        (*stmt)->bind(6, std::int64_t{filter.limit.value_or(default_page_size)});
        if (auto done = stream(**stmt, sink); !done) return done.error();
        return {};
    });
}

// Every version of a name, newest publish first: `columns` of each.
result<sql::statement*> versions_statement(sqlite_session& session, std::string_view columns, const std::string& name,
                                           bool include_deleted)
{
    auto stmt = session.prepared("SELECT " + std::string(columns) +
                                 " FROM server_versions WHERE name = ?1 AND (?2 OR status != 'deleted')"
                                 " ORDER BY published_at DESC, version DESC");
    if (stmt) (*stmt)->bind(1, name).bind(2, std::int64_t{include_deleted});
    return stmt;
}

result<void> sqlite_storage::versions(const std::string& name, bool include_deleted, const row_sink& sink)
{
    return with_reader([&](sqlite_session& session) -> result<void> {
        auto stmt = versions_statement(session, rendered_columns, name, include_deleted);
        if (!stmt) return stmt.error();
        if (auto done = stream(**stmt, sink); !done) return done.error();
        return {};
    });
}

result<bool> sqlite_storage::get(const std::string& name, const std::string& version, bool include_deleted,
                                 const row_sink& sink)
{
    return with_reader([&](sqlite_session& session) -> result<bool> {
        const bool latest = version == "latest";
        auto stmt =
            session.prepared("SELECT " + std::string(rendered_columns) + " FROM server_versions WHERE name = ?1 AND " +
                             (latest ? "is_latest" : "version = ?2") + " AND (?3 OR status != 'deleted')");
        if (!stmt) return stmt.error();
        (*stmt)->bind(1, name).bind(3, std::int64_t{include_deleted});
        if (!latest) (*stmt)->bind(2, version);
        auto found = stream(**stmt, sink);
        if (!found) return found.error();
        return *found > 0;
    });
}

result<void> sqlite_storage::search(const std::vector<std::string>& words, std::chrono::milliseconds max_time,
                                    bool include_deleted, bool latest_only, int limit, const row_sink& sink)
{
    const std::string match = mcpreg::detail::fts5_match(words);
    if (match.empty()) return {};
    return with_reader([&](sqlite_session& session) -> result<void> {
        sql::deadline_guard deadline(session.db, std::chrono::steady_clock::now() + max_time);
        const std::string columns = "v.name, v.version, v.entry, v.entry_digest";
        // Name matches weigh most, then title, then description; ties go to the latest version.
        auto stmt = session.prepared(
            "SELECT " + columns +
            " FROM server_search JOIN server_versions v ON v.id = server_search.rowid"
            " WHERE server_search MATCH ?1 AND (?2 OR v.status != 'deleted') AND (?4 = 0 OR v.is_latest)"
            " ORDER BY bm25(server_search, 10.0, 5.0, 1.0), v.is_latest DESC, v.name, v.version"
            " LIMIT ?3");
        if (!stmt) return stmt.error();
        (*stmt)->bind(1, match).bind(2, std::int64_t{include_deleted}).bind(3, std::int64_t{limit});
        (*stmt)->bind(4, std::int64_t{latest_only});
        if (auto done = stream(**stmt, sink); !done) return done.error();
        return {};
    });
}

result<std::string> sqlite_storage::deployment_id()
{
    return with_reader([](sqlite_session& session) -> result<std::string> {
        auto stmt = session.prepared("SELECT value FROM registry_settings WHERE key = 'deployment_id'");
        if (!stmt) return stmt.error();
        auto row = (*stmt)->step();
        if (!row) return row.error();
        if (!*row) return make_error(errc::storage_error, "the database has no deployment id");
        return std::string((*stmt)->column_text(0));
    });
}

result<std::size_t> sqlite_storage::count()
{
    return with_reader([](sqlite_session& session) -> result<std::size_t> {
        auto stmt = session.prepared("SELECT count(*) FROM server_versions");
        if (!stmt) return stmt.error();
        auto row = (*stmt)->step();
        if (!row) return row.error();
        return static_cast<std::size_t>((*stmt)->column_int(0));
    });
}

result<import_report> sqlite_storage::import(std::vector<import_entry> entries)
{
    std::lock_guard lock(mutex_);
    import_report report;
    report.read = entries.size();
    auto tx = sql::transaction::begin(writer_.db);
    if (!tx) return tx.error();
    auto exists = writer_.db.prepare("SELECT 1 FROM server_versions WHERE name = ?1 AND version = ?2");
    auto insert = writer_.db.prepare(
        "INSERT INTO server_versions (name, version, title, description, document, status, status_message,"
        " published_at, published_at_text, updated_at, updated_at_text, status_changed_at_text, is_latest,"
        " official_extra, meta_other) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 0, ?13, ?14)"
        " ON CONFLICT (name, version) DO UPDATE SET title = excluded.title, description = excluded.description,"
        " document = excluded.document, status = excluded.status, status_message = excluded.status_message,"
        " published_at = excluded.published_at, published_at_text = excluded.published_at_text,"
        " updated_at = excluded.updated_at, updated_at_text = excluded.updated_at_text,"
        " status_changed_at_text = excluded.status_changed_at_text, is_latest = 0,"
        " official_extra = excluded.official_extra, meta_other = excluded.meta_other");
    if (!exists) return exists.error();
    if (!insert) return insert.error();

    const auto now = model::timestamp::now();
    std::map<std::string, std::optional<std::string>> given_latest;  // name -> version the input flagged
    for (auto& entry : entries) {
        const auto& s = entry.server;
        const auto meta = metadata_of(entry, now);
        exists->reset();
        exists->bind(1, s.name).bind(2, s.version);
        auto found = exists->step();
        if (!found) return found.error();
        ++(*found ? report.replaced : report.inserted);

        insert->reset();
        insert->bind(1, s.name)
            .bind(2, s.version)
            .bind_optional(3, s.title)
            .bind(4, s.description)
            .bind(5, entry.document)
            .bind(6, model::to_string(meta.status))
            .bind_optional(7, meta.status_message)
            .bind(8, nanoseconds_of(meta.published_at))
            .bind(9, meta.published_at.to_string())
            .bind(10, nanoseconds_of(meta.updated_at))
            .bind(11, meta.updated_at.to_string())
            .bind(12, meta.status_changed_at.to_string())
            .bind_optional(13, meta.official_extra)
            .bind_optional(14, entry.meta_other);
        if (auto done = insert->run(); !done) return done.error();
        if (auto done = sqlite_write_transaction(writer_, s.name).store_remote_urls(s.version, s); !done)
            return done.error();

        auto& flagged = given_latest[s.name];
        if (meta.flagged_latest) flagged = s.version;
    }
    for (const auto& [name, flagged] : given_latest) {
        sqlite_write_transaction rows(writer_, name);
        if (auto done = assign_latest(rows, flagged); !done) return done.error();
    }
    // The search index is built once, after the rows are in.
    if (auto done = writer_.db.execute("INSERT INTO server_search(server_search) VALUES('rebuild')"); !done)
        return done.error();
    if (auto done = commit(*tx); !done) return done.error();
    return report;
}

}  // namespace mcpreg::engine::detail
