// The engine's storage on PostgreSQL: the same rows and answers as the SQLite storage, for several engine
// processes over one database. Schema, reads, import and the session pool are here; the write primitives and
// their locks in postgres_write.cpp; other processes' changes arrive through postgres_listener.cpp.
//
// Every write runs in one READ COMMITTED transaction under advisory locks (postgres_write.hpp) and ends with
// NOTIFY on the changes channel, which each process's listener turns into a cleared response cache.
#include "postgres_storage.hpp"

#include "postgres.hpp"
#include "postgres_listener.hpp"
#include "postgres_write.hpp"

#include <mcpreg/model/json.hpp>

#include <algorithm>
#include <map>

namespace mcpreg::engine::detail {
namespace {

// Name, title and description are indexed with these characters read as spaces, so each part of
// `io.github.acme/weather-server` is a word; search text goes through the same translation.
#define MCPREG_SEARCH_TRANSLATE(column) "translate(" column ", '/.-_@:', '      ')"

// Schema migrations, applied in order; mcpreg_schema records how many ran.
const std::string migrations[] = {
    R"sql(
    CREATE TABLE server_versions (
        id bigserial PRIMARY KEY,
        name text COLLATE "C" NOT NULL,
        version text COLLATE "C" NOT NULL,
        title text,
        description text NOT NULL,
        document text NOT NULL,
        status text NOT NULL DEFAULT 'active',
        status_message text,
        published_at bigint NOT NULL,
        published_at_text text NOT NULL,
        updated_at bigint NOT NULL,
        updated_at_text text NOT NULL,
        status_changed_at_text text NOT NULL,
        is_latest boolean NOT NULL DEFAULT false,
        official_extra text,
        meta_other text,
        search_vector tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('simple', )sql" MCPREG_SEARCH_TRANSLATE("name") R"sql(), 'A') ||
            setweight(to_tsvector('simple', )sql" MCPREG_SEARCH_TRANSLATE("coalesce(title, '')") R"sql(), 'B') ||
            setweight(to_tsvector('simple', )sql" MCPREG_SEARCH_TRANSLATE("description") R"sql(), 'C')) STORED,
        -- Keyset pagination walks (name, version) in byte order: this index, C collation.
        UNIQUE (name, version)
    );
    CREATE UNIQUE INDEX server_versions_one_latest ON server_versions (name) WHERE is_latest;
    CREATE INDEX server_versions_by_update ON server_versions (updated_at);
    CREATE INDEX server_versions_search ON server_versions USING gin (search_vector);
    CREATE TABLE remote_urls (
        version_id bigint NOT NULL REFERENCES server_versions (id) ON DELETE CASCADE,
        url text NOT NULL
    );
    CREATE INDEX remote_urls_by_url ON remote_urls (url);
    CREATE INDEX remote_urls_by_version ON remote_urls (version_id);
    CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at_text text NOT NULL,
        actor text NOT NULL,
        action text NOT NULL,
        name text NOT NULL,
        version text NOT NULL,
        outcome text NOT NULL,
        detail text NOT NULL
    );
    )sql",
    R"sql(
    -- Each row's {server, _meta} entry as the read API serves it, and its digest; NULL until rendered. Any
    -- change to a column the entry shows clears them, and every write renders cleared rows before it commits.
    ALTER TABLE server_versions ADD COLUMN entry text, ADD COLUMN entry_digest text;
    CREATE INDEX server_versions_unrendered ON server_versions (id) WHERE entry IS NULL;
    CREATE FUNCTION server_versions_entry_stale() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF (OLD.document, OLD.status, OLD.status_message, OLD.published_at_text, OLD.updated_at_text,
            OLD.status_changed_at_text, OLD.is_latest, OLD.official_extra, OLD.meta_other)
           IS DISTINCT FROM
           (NEW.document, NEW.status, NEW.status_message, NEW.published_at_text, NEW.updated_at_text,
            NEW.status_changed_at_text, NEW.is_latest, NEW.official_extra, NEW.meta_other) THEN
            NEW.entry := NULL;
            NEW.entry_digest := NULL;
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER server_versions_entry_stale BEFORE UPDATE ON server_versions
        FOR EACH ROW EXECUTE FUNCTION server_versions_entry_stale();
    )sql",
    R"sql(
    -- The database's identity, the audience of the registry tokens its engines issue.
    CREATE TABLE registry_settings (key text PRIMARY KEY, value text NOT NULL);
    INSERT INTO registry_settings (key, value) VALUES ('deployment_id', replace(gen_random_uuid()::text, '-', ''));
    )sql",
};

// Transient conflicts PostgreSQL resolves by aborting one side: the work is run again.
constexpr std::string_view retried_sqlstates[] = {"40001", "40P01"};
constexpr int max_attempts = 3;

// What the read API selects: the rendered entry, and the name and version a cursor is made of.
const std::string rendered_columns = "name, version, entry, entry_digest";

// Passes `rendered_columns` rows to `sink`; returns how many there were.
result<int> stream(const pg::rows& r, const row_sink& sink)
{
    for (int i = 0; i < r.size(); ++i) {
        if (r.is_null(i, 2)) return unrendered_row(r.text(i, 0), r.text(i, 1));
        sink({r.text(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3)});
    }
    return r.size();
}

class postgres_storage final : public storage {
public:
    postgres_storage(const std::string& uri, std::size_t pool_size) : pool_(uri, pool_size), listener_(uri) {}

    result<void> migrate();

    result<void> list(const model::list_filter& filter, const row_sink& sink) override;
    result<void> versions(const std::string& name, bool include_deleted, const row_sink& sink) override;
    result<bool> get(const std::string& name, const std::string& version, bool include_deleted,
                     const row_sink& sink) override;
    result<void> search(const std::vector<std::string>& words, std::chrono::milliseconds max_time, bool include_deleted,
                        bool latest_only, int limit, const row_sink& sink) override;
    result<import_report> import(std::vector<import_entry> entries) override;
    result<std::size_t> count() override;
    result<std::string> deployment_id() override;
    result<void> write(const std::string& name, const write_work& work) override;
    result<void> audit(const audit_entry& entry) override;
    result<std::vector<audit_entry>> audit_log(std::size_t limit) override;

    void watch_changes(std::function<void()> changed) override { listener_.start(std::move(changed)); }
    bool changes_tracked() override { return listener_.tracked(); }

private:
    // Runs `work` on a pooled session. Again on a fresh session when a reused one turns out lost (the server
    // restarted since it was last used), and again after a deadlock or serialization failure.
    template <class Work>
    auto with_session(Work&& work) -> decltype(work(std::declval<pg::connection&>()))
    {
        for (int attempt = 1;; ++attempt) {
            auto lease = pool_.acquire();
            if (!lease) return lease.error();
            auto done = work(**lease);
            if (done || attempt == max_attempts) return done;
            const bool lost = done.error().code == errc::storage_unavailable && lease->reused();
            const auto& state = (*lease)->last_sqlstate();
            const bool conflict = std::find(std::begin(retried_sqlstates), std::end(retried_sqlstates), state) !=
                                  std::end(retried_sqlstates);
            if (!lost && !conflict) return done;
        }
    }

    pg::pool pool_;
    change_listener listener_;
};

// ---- schema ----

result<void> postgres_storage::migrate()
{
    return with_session([](pg::connection& c) -> result<void> {
        auto tx = pg::transaction::begin(c);
        if (!tx) return tx.error();
        // Engines starting together over one database: one migrates, the others then find it done.
        if (auto done = c.run("SELECT pg_advisory_xact_lock($1::int, 0)", {pg::integer(schema_lock_class)}); !done)
            return done.error();
        if (auto done = c.execute("CREATE TABLE IF NOT EXISTS mcpreg_schema (version integer NOT NULL)"); !done)
            return done.error();
        auto applied_rows = c.run("SELECT coalesce(max(version), 0) FROM mcpreg_schema");
        if (!applied_rows) return applied_rows.error();
        const auto applied = static_cast<std::size_t>(applied_rows->integer(0, 0));
        if (applied > std::size(migrations))
            return make_error(errc::storage_error, "the database was written by a newer mcpreg (schema version " +
                                                       std::to_string(applied) + ")");
        for (std::size_t i = applied; i < std::size(migrations); ++i) {
            if (auto done = c.execute(migrations[i]); !done) return done.error();
            if (auto done = c.run("INSERT INTO mcpreg_schema (version) VALUES ($1)", {pg::integer(int(i + 1))}); !done)
                return done.error();
        }
        // Rows from before entries were stored get theirs now.
        if (auto done = render_cleared(c); !done) return done.error();
        return tx->commit();
    });
}

// ---- reads ----

result<void> postgres_storage::list(const model::list_filter& filter, const row_sink& sink)
{
    const auto cursor = filter.cursor ? std::optional(model::parse_cursor(*filter.cursor)) : std::nullopt;
    const bool searching = filter.search && !filter.search->empty();
    // Text PostgreSQL cannot hold matches no row.
    for (const auto* value : {&filter.cursor, &filter.version, &filter.search})
        if (*value && !pg::storable(**value)) return {};
    std::vector<pg::param> params;
    auto arg = [&](pg::param value) {
        params.push_back(std::move(value));
        return "$" + std::to_string(params.size());
    };
    std::string text = "SELECT " + rendered_columns + " FROM server_versions WHERE true";
    if (cursor)
        text += cursor->version ? " AND (name, version) > (" + arg(cursor->name) + ", " + arg(*cursor->version) + ")"
                                : " AND name > " + arg(cursor->name);
    if (searching) text += " AND name ILIKE " + arg(like_pattern(*filter.search));
    if (filter.updated_since) text += " AND updated_at > " + arg(pg::integer(nanoseconds_of(*filter.updated_since)));
    if (!filter.deleted_included()) text += " AND status <> 'deleted'";
    if (const auto* version = filter.exact_version()) text += " AND version = " + arg(*version);
    if (filter.latest_only()) text += " AND is_latest";
    text += " ORDER BY name, version LIMIT " + arg(pg::integer(filter.limit.value_or(default_page_size)));
    return with_session([&](pg::connection& c) -> result<void> {
        auto found = c.run(text, params);
        if (!found) return found.error();
        if (auto done = stream(*found, sink); !done) return done.error();
        return {};
    });
}

result<void> postgres_storage::versions(const std::string& name, bool include_deleted, const row_sink& sink)
{
    if (!pg::storable(name)) return {};
    return with_session([&](pg::connection& c) -> result<void> {
        auto found = c.run("SELECT " + rendered_columns +
                               " FROM server_versions WHERE name = $1 AND ($2 OR status <> 'deleted')"
                               " ORDER BY published_at DESC, version DESC",
                           {name, pg::boolean(include_deleted)});
        if (!found) return found.error();
        if (auto done = stream(*found, sink); !done) return done.error();
        return {};
    });
}

result<bool> postgres_storage::get(const std::string& name, const std::string& version, bool include_deleted,
                                   const row_sink& sink)
{
    if (!pg::storable(name) || !pg::storable(version)) return false;
    const bool latest = version == "latest";
    return with_session([&](pg::connection& c) -> result<bool> {
        auto found = latest ? c.run("SELECT " + rendered_columns +
                                        " FROM server_versions WHERE name = $1 AND is_latest"
                                        " AND ($2 OR status <> 'deleted')",
                                    {name, pg::boolean(include_deleted)})
                            : c.run("SELECT " + rendered_columns +
                                        " FROM server_versions WHERE name = $1 AND version = $3"
                                        " AND ($2 OR status <> 'deleted')",
                                    {name, pg::boolean(include_deleted), version});
        if (!found) return found.error();
        auto streamed = stream(*found, sink);
        if (!streamed) return streamed.error();
        return *streamed > 0;
    });
}

result<void> postgres_storage::search(const std::vector<std::string>& words, std::chrono::milliseconds max_time,
                                      bool include_deleted, bool latest_only, int limit, const row_sink& sink)
{
    std::string text;
    for (const auto& word : words) text += (text.empty() ? "" : " ") + word;
    if (text.empty() || !pg::storable(text)) return {};
    // plainto_tsquery reads any text as plain words (no operators, never a syntax error); each of its lexemes
    // of two or more characters then becomes a prefix term (one letter matches whole words only, as on SQLite). Names
    // holding the query text itself come first (a whole name part such as `github-mcp-server` typed in full), then
    // cover density ranks (terms near each other), weighing name (A) over title (B) over description (C).
    const std::string sql =
        "WITH q AS (SELECT regexp_replace(plainto_tsquery('simple', " MCPREG_SEARCH_TRANSLATE(
            "$1") ")::text,"
                  " '''([^'']{2,})''(\\s|$)', '''\\1'':*\\2', 'g')::tsquery AS query)"
                  " SELECT " +
        rendered_columns +
        " FROM server_versions, q WHERE search_vector @@ q.query AND ($2 OR status <> 'deleted')"
        " AND (NOT $4 OR is_latest)"
        " ORDER BY strpos(lower(name), lower(btrim($1))) > 0 DESC, ts_rank_cd(search_vector, q.query) DESC,"
        " is_latest DESC, name, version LIMIT $3";
    return with_session([&](pg::connection& c) -> result<void> {
        // The time bound holds for this statement only: SET LOCAL ends with the transaction.
        auto tx = pg::transaction::begin(c);
        if (!tx) return tx.error();
        if (auto set =
                c.execute("SET LOCAL statement_timeout = " + std::to_string(std::max<long long>(1, max_time.count())));
            !set)
            return set.error();
        auto found = c.run(sql, {text, pg::boolean(include_deleted), pg::integer(limit), pg::boolean(latest_only)});
        if (!found) {
            if (c.last_sqlstate() == "57014")  // query_canceled: the statement timeout passed
                return make_error(errc::timeout,
                                  "the search ran longer than " + std::to_string(max_time.count()) + " ms");
            return found.error();
        }
        if (auto done = stream(*found, sink); !done) return done.error();
        return tx->commit();
    });
}

result<std::string> postgres_storage::deployment_id()
{
    return with_session([](pg::connection& c) -> result<std::string> {
        auto found = c.run("SELECT value FROM registry_settings WHERE key = 'deployment_id'");
        if (!found) return found.error();
        if (found->size() == 0) return make_error(errc::storage_error, "the database has no deployment id");
        return std::string(found->text(0, 0));
    });
}

result<std::size_t> postgres_storage::count()
{
    return with_session([](pg::connection& c) -> result<std::size_t> {
        auto found = c.run("SELECT count(*) FROM server_versions");
        if (!found) return found.error();
        return static_cast<std::size_t>(found->integer(0, 0));
    });
}

result<std::vector<audit_entry>> postgres_storage::audit_log(std::size_t limit)
{
    return with_session([&](pg::connection& c) -> result<std::vector<audit_entry>> {
        auto found = c.run("SELECT at_text, actor, action, name, version, outcome, detail FROM audit_log "
                           "ORDER BY id DESC LIMIT $1",
                           {pg::integer(static_cast<std::int64_t>(limit))});
        if (!found) return found.error();
        std::vector<audit_entry> entries;
        for (int i = 0; i < found->size(); ++i)
            entries.push_back({std::string(found->text(i, 0)), std::string(found->text(i, 1)),
                               std::string(found->text(i, 2)), std::string(found->text(i, 3)),
                               std::string(found->text(i, 4)), std::string(found->text(i, 5)),
                               std::string(found->text(i, 6))});
        return entries;
    });
}

// ---- writes ----

result<void> postgres_storage::audit(const audit_entry& entry)
{
    return with_session([&](pg::connection& c) -> result<void> {
        auto done =
            c.run("INSERT INTO audit_log (at_text, actor, action, name, version, outcome, detail) "
                  "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                  {entry.at, entry.actor, entry.action, entry.name, entry.version, entry.outcome, entry.detail});
        if (!done) return done.error();
        return {};
    });
}

result<import_report> postgres_storage::import(std::vector<import_entry> entries)
{
    return with_session([&](pg::connection& c) -> result<import_report> {
        import_report report;
        report.read = entries.size();
        auto tx = pg::transaction::begin(c);
        if (!tx) return tx.error();
        if (auto done = c.run("SELECT pg_advisory_xact_lock($1::int, 0)", {pg::integer(import_lock_class)}); !done)
            return done.error();
        const auto now = model::timestamp::now();
        std::map<std::string, std::optional<std::string>> given_latest;  // name -> version the input flagged
        for (const auto& entry : entries) {
            const auto& s = entry.server;
            const auto meta = metadata_of(entry, now);
            // xmax is 0 on a row this statement inserted, and set on one it updated.
            auto stored = c.run(
                "INSERT INTO server_versions (name, version, title, description, document, status, status_message,"
                " published_at, published_at_text, updated_at, updated_at_text, status_changed_at_text, is_latest,"
                " official_extra, meta_other) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, false, $13,"
                " $14) ON CONFLICT (name, version) DO UPDATE SET title = excluded.title,"
                " description = excluded.description, document = excluded.document, status = excluded.status,"
                " status_message = excluded.status_message, published_at = excluded.published_at,"
                " published_at_text = excluded.published_at_text, updated_at = excluded.updated_at,"
                " updated_at_text = excluded.updated_at_text, status_changed_at_text = "
                "excluded.status_changed_at_text, is_latest = false, official_extra = excluded.official_extra,"
                " meta_other = excluded.meta_other RETURNING id, xmax = 0",
                {s.name, s.version, s.title, s.description, entry.document, std::string(model::to_string(meta.status)),
                 meta.status_message, pg::integer(nanoseconds_of(meta.published_at)), meta.published_at.to_string(),
                 pg::integer(nanoseconds_of(meta.updated_at)), meta.updated_at.to_string(),
                 meta.status_changed_at.to_string(), meta.official_extra, entry.meta_other});
            if (!stored) return stored.error();
            const bool inserted = stored->boolean(0, 1);
            ++(inserted ? report.inserted : report.replaced);
            if (auto done = replace_remotes(c, stored->integer(0, 0), s, inserted); !done) return done.error();
            auto& flagged = given_latest[s.name];
            if (meta.flagged_latest) flagged = s.version;
        }
        for (const auto& [name, flagged] : given_latest) {
            if (auto done = assign_latest(*name_rows(c, name), flagged); !done) return done.error();
        }
        if (auto done = commit_and_notify(c, *tx); !done) return done.error();
        return report;
    });
}

result<void> postgres_storage::write(const std::string& name, const write_work& work)
{
    return with_session([&](pg::connection& c) { return run_write(c, name, work); });
}

}  // namespace

result<std::unique_ptr<storage>> open_postgres_storage(const std::string& uri, const storage_options& options)
{
    auto store = std::make_unique<postgres_storage>(uri, options.pool_size);
    if (auto migrated = store->migrate(); !migrated) return migrated.error();
    return std::unique_ptr<storage>(std::move(store));
}

}  // namespace mcpreg::engine::detail
