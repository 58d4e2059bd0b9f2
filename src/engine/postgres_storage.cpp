// The engine's storage on PostgreSQL: the same rows, rules and answers as the SQLite storage, for several
// engine processes over one database.
//
// Concurrency across processes: every write runs in one READ COMMITTED transaction that first takes
// transaction-scoped advisory locks: the import lock shared (an import takes it exclusively), then the server
// name's lock, then each remote URL's lock in sorted order (the same order everywhere, so no deadlock). Two
// publishes of one server therefore run one after the other, and the second sees the first's rows; the
// UNIQUE (name, version) constraint and the one-latest index back that up. Every write ends with NOTIFY on
// the changes channel, which each process's listener turns into a cleared response cache.
#include "postgres_storage.hpp"

#include "postgres.hpp"

#include <mcpreg/model/json.hpp>
#include <mcpreg/model/semver.hpp>

#include <boost/json/serialize.hpp>

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>

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

constexpr std::string_view changes_channel = "mcpreg_changes";

// Advisory lock keys, (class, object) pairs.
constexpr int import_lock_class = 1;  // (1, 0): shared by every write, exclusive for an import
constexpr int name_lock_class = 2;    // (2, hashtext(name))
constexpr int url_lock_class = 3;     // (3, hashtext(url))
constexpr int schema_lock_class = 4;  // (4, 0): migrations

// Transient conflicts PostgreSQL resolves by aborting one side: the work is run again.
constexpr std::string_view retried_sqlstates[] = {"40001", "40P01"};
constexpr int max_attempts = 3;

const std::string row_columns = "name, version, document, status, status_message, published_at_text, "
                                "updated_at_text, status_changed_at_text, is_latest, official_extra, meta_other";

stored_version read_row(const pg::rows& r, int i)
{
    stored_version row;
    row.name = r.text(i, 0);
    row.version = r.text(i, 1);
    row.document = r.text(i, 2);
    row.status = r.text(i, 3);
    row.status_message = r.optional_text(i, 4);
    row.published_at = r.text(i, 5);
    row.updated_at = r.text(i, 6);
    row.status_changed_at = r.text(i, 7);
    row.is_latest = r.boolean(i, 8);
    row.official_extra = r.optional_text(i, 9);
    row.meta_other = r.optional_text(i, 10);
    return row;
}

std::vector<stored_version> read_rows(const pg::rows& r)
{
    std::vector<stored_version> rows;
    rows.reserve(static_cast<std::size_t>(r.size()));
    for (int i = 0; i < r.size(); ++i) rows.push_back(read_row(r, i));
    return rows;
}

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

// Renders the rows of this transaction whose entry a change cleared (other sessions' rows are committed, so
// rendered already).
result<void> render_cleared(pg::connection& c)
{
    auto pending = c.run("SELECT " + row_columns + ", id FROM server_versions WHERE entry IS NULL");
    if (!pending) return pending.error();
    for (int i = 0; i < pending->size(); ++i) {
        const auto entry = render_entry(read_row(*pending, i));
        auto done = c.run("UPDATE server_versions SET entry = $1, entry_digest = $2 WHERE id = $3",
                          {entry, entry_digest(entry), pg::integer(pending->integer(i, 11))});
        if (!done) return done.error();
    }
    return {};
}

// Waits for other processes' NOTIFY on one session of its own, and reports them. While that session is down
// changes can go unseen, so tracked() is false until it is back (and the cache is cleared then).
class change_listener {
public:
    explicit change_listener(std::string uri) : uri_(std::move(uri)) {}
    change_listener(const change_listener&) = delete;
    change_listener& operator=(const change_listener&) = delete;

    ~change_listener()
    {
        if (!thread_.joinable()) return;
        stopping_ = true;
        const char stop = 1;
        (void)::write(wake_[1], &stop, 1);
        thread_.join();
        ::close(wake_[0]);
        ::close(wake_[1]);
    }

    void start(std::function<void()> changed)
    {
        changed_ = std::move(changed);
        if (::pipe(wake_) != 0) return;  // no listener: tracked() stays false and nothing is cached
        connect();
        thread_ = std::thread([this] { run(); });
    }

    bool tracked()
    {
        if (!connected_) return false;
        std::lock_guard lock(mutex_);
        if (!connection_) return false;
        pollfd waiting{connection_->socket(), POLLIN, 0};
        if (::poll(&waiting, 1, 0) > 0) deliver();
        return connected_;
    }

private:
    void connect()
    {
        auto opened = pg::connection::open(uri_);
        if (!opened || !(*opened)->execute("LISTEN " + std::string(changes_channel))) return;
        std::lock_guard lock(mutex_);
        connection_ = std::move(*opened);
        connected_ = true;
        changed_();  // whatever happened while nobody listened
    }

    // Under mutex_: hands the received notifications on, and notices a lost session.
    void deliver()
    {
        if (!connection_->take_notifications().empty()) changed_();
        if (!connection_->healthy()) {
            connected_ = false;
            changed_();
        }
    }

    void run()
    {
        constexpr int reconnect_interval_ms = 250;
        while (!stopping_) {
            if (!connected_) {
                {
                    std::lock_guard lock(mutex_);
                    connection_.reset();
                }
                pollfd wake{wake_[0], POLLIN, 0};
                if (::poll(&wake, 1, reconnect_interval_ms) > 0) break;
                connect();
                continue;
            }
            pollfd waiting[] = {{connection_->socket(), POLLIN, 0}, {wake_[0], POLLIN, 0}};
            if (::poll(waiting, 2, -1) < 0) continue;
            if (waiting[1].revents != 0) break;
            std::lock_guard lock(mutex_);
            deliver();
        }
    }

    std::string uri_;
    std::function<void()> changed_;
    std::mutex mutex_;  // the session: this thread and tracked() both read from it
    std::unique_ptr<pg::connection> connection_;
    std::atomic<bool> connected_{false};
    std::atomic<bool> stopping_{false};
    int wake_[2] = {-1, -1};
    std::thread thread_;
};

class postgres_storage final : public storage {
public:
    postgres_storage(const std::string& uri, std::size_t pool_size) : pool_(uri, pool_size), listener_(uri) {}

    result<void> migrate();

    result<void> list(const list_query& query, const row_sink& sink) override;
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

// ---- the steps writes share ----

result<void> lock(pg::connection& c, int lock_class, const std::string& key)
{
    auto done = c.run("SELECT pg_advisory_xact_lock($1::int, hashtext($2))", {pg::integer(lock_class), key});
    if (!done) return done.error();
    return {};
}

// A write's transaction: begun, the import lock shared, then the name's lock.
result<pg::transaction> begin_write(pg::connection& c, const std::string& name)
{
    auto tx = pg::transaction::begin(c);
    if (!tx) return tx.error();
    if (auto done = c.run("SELECT pg_advisory_xact_lock_shared($1::int, 0)", {pg::integer(import_lock_class)}); !done)
        return done.error();
    if (auto done = lock(c, name_lock_class, name); !done) return done.error();
    return tx;
}

result<void> commit_and_notify(pg::connection& c, pg::transaction& tx)
{
    if (auto done = render_cleared(c); !done) return done.error();
    if (auto done = c.execute("NOTIFY " + std::string(changes_channel)); !done) return done.error();
    return tx.commit();
}

result<void> replace_remotes(pg::connection& c, std::int64_t id, const model::server& server, bool fresh_row)
{
    if (!fresh_row)
        if (auto done = c.run("DELETE FROM remote_urls WHERE version_id = $1", {pg::integer(id)}); !done)
            return done.error();
    for (const auto& url : remote_urls_of(server))
        if (auto done = c.run("INSERT INTO remote_urls (version_id, url) VALUES ($1, $2)", {pg::integer(id), url});
            !done)
            return done.error();
    return {};
}

// The write primitives for one name, on the session of its transaction. A name or version PostgreSQL cannot
// store as text (NUL, invalid UTF-8) matches no row: reads find nothing, and nothing is written.
class postgres_write_transaction final : public write_transaction {
public:
    postgres_write_transaction(pg::connection& c, std::string name) : c_(c), name_(std::move(name)) {}

    const std::string& name() const override { return name_; }

    result<std::optional<stored_version>> find(const std::string& version) override
    {
        if (!pg::storable(name_) || !pg::storable(version)) return std::optional<stored_version>{};
        auto found = c_.run("SELECT " + row_columns + " FROM server_versions WHERE name = $1 AND version = $2",
                            {name_, version});
        if (!found) return found.error();
        if (found->size() == 0) return std::optional<stored_version>{};
        return std::optional<stored_version>(read_row(*found, 0));
    }

    result<std::vector<stored_version>> versions() override
    {
        if (!pg::storable(name_)) return std::vector<stored_version>{};
        auto found = c_.run("SELECT " + row_columns +
                                " FROM server_versions WHERE name = $1 ORDER BY published_at DESC, version DESC",
                            {name_});
        if (!found) return found.error();
        return read_rows(*found);
    }

    result<std::size_t> count() override
    {
        auto counted = c_.run("SELECT count(*) FROM server_versions WHERE name = $1", {name_});
        if (!counted) return counted.error();
        return static_cast<std::size_t>(counted->integer(0, 0));
    }

    result<std::optional<latest_holder>> current_latest() override
    {
        auto found = c_.run("SELECT version, published_at FROM server_versions WHERE name = $1 AND is_latest", {name_});
        if (!found) return found.error();
        if (found->size() == 0) return std::optional<latest_holder>{};
        return std::optional<latest_holder>(
            latest_holder{std::string(found->text(0, 0)), timestamp_of_nanoseconds(found->integer(0, 1))});
    }

    result<std::vector<model::latest_candidate>> latest_candidates() override
    {
        if (!pg::storable(name_)) return std::vector<model::latest_candidate>{};
        auto found = c_.run("SELECT version, published_at, status FROM server_versions WHERE name = $1", {name_});
        if (!found) return found.error();
        std::vector<model::latest_candidate> candidates;
        for (int i = 0; i < found->size(); ++i)
            candidates.push_back({std::string(found->text(i, 0)), timestamp_of_nanoseconds(found->integer(i, 1)),
                                  found->text(i, 2) == "deleted"});
        return candidates;
    }

    result<std::vector<std::string>> remote_urls(const std::string& version) override
    {
        auto found = c_.run("SELECT r.url FROM remote_urls r JOIN server_versions v ON v.id = r.version_id "
                            "WHERE v.name = $1 AND v.version = $2",
                            {name_, version});
        if (!found) return found.error();
        std::vector<std::string> urls;
        for (int i = 0; i < found->size(); ++i) urls.emplace_back(found->text(i, 0));
        return urls;
    }

    result<std::optional<url_owner>> owner_of_urls(std::vector<std::string> urls) override
    {
        // Each URL's lock, in sorted order (the same order everywhere, so no deadlock): two servers publishing
        // one URL at once run one after the other, and the second sees the first's row.
        auto sorted = urls;
        std::sort(sorted.begin(), sorted.end());
        sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
        for (const auto& url : sorted)
            if (auto done = lock(c_, url_lock_class, url); !done) return done.error();
        for (const auto& url : urls) {
            auto found = c_.run("SELECT v.name FROM remote_urls r JOIN server_versions v ON v.id = r.version_id "
                                "WHERE r.url = $1 AND v.name <> $2 AND v.status <> 'deleted' LIMIT 1",
                                {url, name_});
            if (!found) return found.error();
            if (found->size() > 0) return std::optional<url_owner>(url_owner{url, std::string(found->text(0, 0))});
        }
        return std::optional<url_owner>{};
    }

    result<void> insert(const model::server& server, const std::string& document, const model::timestamp& at,
                        bool latest) override
    {
        auto inserted = c_.run("INSERT INTO server_versions (name, version, title, description, document, status,"
                               " published_at, published_at_text, updated_at, updated_at_text, status_changed_at_text,"
                               " is_latest) VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, $6, $7, $7, $8) RETURNING id",
                               {name_, server.version, server.title, server.description, document,
                                pg::integer(nanoseconds_of(at)), at.to_string(), pg::boolean(latest)});
        if (!inserted) return inserted.error();
        return replace_remotes(c_, inserted->integer(0, 0), server, true);
    }

    result<void> update_document(const model::server& server, const std::string& document,
                                 const model::timestamp& at) override
    {
        auto updated = c_.run("UPDATE server_versions SET document = $3, title = $4, description = $5, updated_at = $6,"
                              " updated_at_text = $7 WHERE name = $1 AND version = $2 RETURNING id",
                              {name_, server.version, document, server.title, server.description,
                               pg::integer(nanoseconds_of(at)), at.to_string()});
        if (!updated) return updated.error();
        if (updated->size() == 0) return make_error(errc::storage_error, "no such version to update");
        return replace_remotes(c_, updated->integer(0, 0), server, false);
    }

    result<void> update_status(const std::optional<std::string>& version, model::server_status status,
                               const std::optional<std::string>& message, const model::timestamp& at) override
    {
        // SET expressions read the row as it was: statusChangedAt moves only where the status does.
        auto done = c_.run("UPDATE server_versions SET status_changed_at_text = CASE WHEN status <> $3 THEN $6 ELSE"
                           " status_changed_at_text END, status = $3, status_message = $4, updated_at = $5,"
                           " updated_at_text = $6 WHERE name = $1 AND ($2::text IS NULL OR version = $2) AND"
                           " (status <> $3 OR status_message IS DISTINCT FROM $4)",
                           {name_, version, std::string(model::to_string(status)), message,
                            pg::integer(nanoseconds_of(at)), at.to_string()});
        if (!done) return done.error();
        return {};
    }

    result<void> set_latest(const std::optional<std::string>& version) override
    {
        if (auto done = c_.run("UPDATE server_versions SET is_latest = false WHERE name = $1 AND is_latest", {name_});
            !done)
            return done.error();
        if (!version) return {};
        auto done =
            c_.run("UPDATE server_versions SET is_latest = true WHERE name = $1 AND version = $2", {name_, *version});
        if (!done) return done.error();
        return {};
    }

private:
    pg::connection& c_;
    std::string name_;
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

result<void> postgres_storage::list(const list_query& query, const row_sink& sink)
{
    // Text PostgreSQL cannot hold matches no row.
    for (const auto* value : {&query.cursor_name, &query.cursor_version, &query.version})
        if (*value && !pg::storable(**value)) return {};
    if (!pg::storable(query.search)) return {};
    std::vector<pg::param> params;
    auto arg = [&](pg::param value) {
        params.push_back(std::move(value));
        return "$" + std::to_string(params.size());
    };
    std::string text = "SELECT " + rendered_columns + " FROM server_versions WHERE true";
    if (query.cursor_name)
        text += query.cursor_version
                    ? " AND (name, version) > (" + arg(*query.cursor_name) + ", " + arg(*query.cursor_version) + ")"
                    : " AND name > " + arg(*query.cursor_name);
    if (!query.search.empty()) text += " AND name ILIKE " + arg(like_pattern(query.search));
    if (query.updated_since) text += " AND updated_at > " + arg(pg::integer(*query.updated_since));
    if (!query.include_deleted) text += " AND status <> 'deleted'";
    if (query.version) text += " AND version = " + arg(*query.version);
    if (query.latest_only) text += " AND is_latest";
    text += " ORDER BY name, version LIMIT " + arg(pg::integer(query.limit));
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
            postgres_write_transaction rows(c, name);
            if (auto done = assign_latest(rows, flagged); !done) return done.error();
        }
        if (auto done = commit_and_notify(c, *tx); !done) return done.error();
        return report;
    });
}

result<void> postgres_storage::write(const std::string& name, const write_work& work)
{
    return with_session([&](pg::connection& c) -> result<void> {
        // A name PostgreSQL cannot store names no row: its lock is not needed (nor can it be hashed).
        std::optional<pg::transaction> tx;
        if (pg::storable(name)) {
            auto begun = begin_write(c, name);
            if (!begun) return begun.error();
            tx.emplace(std::move(*begun));
        }
        postgres_write_transaction rows(c, name);
        auto end = work(rows);
        if (!end) return end.error();
        if (*end == write_end::roll_back || !tx) return {};  // the transaction's guard rolls it back
        return commit_and_notify(c, *tx);
    });
}

}  // namespace

result<std::unique_ptr<storage>> open_postgres_storage(const std::string& uri, const storage_options& options)
{
    auto store = std::make_unique<postgres_storage>(uri, options.pool_size);
    if (auto migrated = store->migrate(); !migrated) return migrated.error();
    return std::unique_ptr<storage>(std::move(store));
}

}  // namespace mcpreg::engine::detail
