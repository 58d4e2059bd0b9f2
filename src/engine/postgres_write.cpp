// The PostgreSQL storage's write primitives and the transaction around them. Two writes of one name run one
// after the other (its advisory lock), and two servers taking one remote URL do too (the URL's lock), so the
// second always sees the first's rows; the UNIQUE (name, version) constraint and the one-latest index back
// that up.
#include "postgres_write.hpp"

#include <algorithm>
#include <optional>

namespace mcpreg::engine::detail {
namespace {

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

}  // namespace

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

std::unique_ptr<write_transaction> name_rows(pg::connection& c, std::string name)
{
    return std::make_unique<postgres_write_transaction>(c, std::move(name));
}

result<void> run_write(pg::connection& c, const std::string& name, const write_work& work)
{
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
}

}  // namespace mcpreg::engine::detail
