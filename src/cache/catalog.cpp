#include <mcpreg/cache/catalog.hpp>
#include <mcpreg/cache/page_source.hpp>
#include <mcpreg/client/blocking_client.hpp>
#include <mcpreg/model/json.hpp>
#include <mcpreg/model/semver.hpp>

#include "../common/search_query.hpp"
#include "../common/sqlite.hpp"

#include <boost/json/serialize.hpp>

#include <cctype>
#include <map>
#include <mutex>
#include <set>

namespace mcpreg::cache {
namespace sql = mcpreg::detail::sqlite;
namespace json = boost::json;

namespace {

constexpr std::string_view schema = R"sql(
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    document TEXT NOT NULL,
    status TEXT NOT NULL,
    published_ns INTEGER NOT NULL,
    updated_ns INTEGER NOT NULL,
    is_latest INTEGER NOT NULL DEFAULT 0,
    UNIQUE (source, name, version)
);
CREATE INDEX IF NOT EXISTS entries_in_order ON entries(name, version, source);
CREATE VIRTUAL TABLE IF NOT EXISTS entries_search USING fts5(name, title, description);
CREATE TABLE IF NOT EXISTS sync_state (
    source TEXT PRIMARY KEY,
    high_water TEXT,
    pending INTEGER NOT NULL DEFAULT 0,
    pending_full INTEGER NOT NULL DEFAULT 0,
    pending_since TEXT,
    pending_cursor TEXT,
    pending_high_water TEXT
);
)sql";

std::int64_t nanoseconds_of(const std::optional<model::timestamp>& t)
{
    return t ? t->time().time_since_epoch().count() : 0;
}

error not_found(std::string message)
{
    error e{make_http_error(404), {}};
    e.diag.message = std::move(message);
    e.diag.http_status = 404;
    return e;
}

std::optional<std::string> optional_text(const sql::statement& stmt, int column)
{
    auto v = stmt.column_optional_text(column);
    return v ? std::optional<std::string>(*v) : std::nullopt;
}

// The catalog's view of a row: the stored document with isLatest as the catalog knows it.
result<catalog_entry> entry_of(std::string_view document, bool is_latest, std::string_view source)
{
    auto parsed = model::parse_server_response(document);
    if (!parsed) return parsed.error();
    if (!parsed->meta) parsed->meta.emplace();
    if (!parsed->meta->official) parsed->meta->official.emplace();
    parsed->meta->official->is_latest = is_latest;
    return catalog_entry{std::move(*parsed), std::string(source)};
}

// Every row of a query selecting (document, is_latest, source).
result<std::vector<catalog_entry>> read_entries(sql::statement& select)
{
    std::vector<catalog_entry> out;
    while (true) {
        auto row = select.step();
        if (!row) return row.error();
        if (!*row) break;
        auto entry = entry_of(select.column_text(0), select.column_int(1) != 0, select.column_text(2));
        if (!entry) return entry.error();
        out.push_back(std::move(*entry));
    }
    return out;
}

}  // namespace

struct catalog::impl {
    std::mutex mutex;
    sql::connection db;

    // Where a sync of `source` starts: an interrupted one's pending state, else a new pending state from the
    // high-water mark (less `overlap`), or a full walk the first time.
    struct sync_start {
        sync_report report;
        std::optional<model::timestamp> since, high_water;
        std::optional<std::string> cursor;
    };
    result<sync_start> start_sync(const std::string& source, std::chrono::seconds overlap)
    {
        sync_start out;
        auto& [report, since, high_water, cursor] = out;
        {
            auto state = db.prepare("SELECT high_water, pending, pending_full, pending_since, pending_cursor, "
                                    "pending_high_water FROM sync_state WHERE source = ?1");
            if (!state) return state.error();
            state->bind(1, source);
            auto row = state->step();
            if (!row) return row.error();
            auto stamp = [](const std::optional<std::string>& text) -> std::optional<model::timestamp> {
                if (!text) return std::nullopt;
                auto parsed = model::timestamp::parse(*text);
                return parsed ? std::optional<model::timestamp>(*parsed) : std::nullopt;
            };
            if (*row && state->column_int(1) != 0) {
                report.resumed = true;
                report.full = state->column_int(2) != 0;
                since = stamp(optional_text(*state, 3));
                cursor = optional_text(*state, 4);
                high_water = stamp(optional_text(*state, 5));
            }
            else {
                high_water = *row ? stamp(optional_text(*state, 0)) : std::nullopt;
                report.full = !high_water;
                if (high_water) since = model::timestamp{high_water->time() - overlap};
                auto begin = db.prepare(
                    "INSERT INTO sync_state (source, high_water, pending, pending_full, pending_since, pending_cursor, "
                    "pending_high_water) VALUES (?1, ?2, 1, ?3, ?4, NULL, ?2) ON CONFLICT(source) DO UPDATE SET "
                    "pending = 1, pending_full = ?3, pending_since = ?4, pending_cursor = NULL, pending_high_water = "
                    "?2");
                if (!begin) return begin.error();
                begin->bind(1, source)
                    .bind_optional(2, high_water ? std::optional<std::string>(high_water->to_string()) : std::nullopt)
                    .bind(3, std::int64_t{report.full})
                    .bind_optional(4, since ? std::optional<std::string>(model::format_rfc3339(since->time()))
                                            : std::nullopt);
                if (auto done = begin->run(); !done) return done.error();
            }
        }
        return out;
    }

    struct stored_row {
        std::int64_t id;
        std::string document;
        std::string status;
        bool is_latest;
    };

    result<std::optional<stored_row>> find_row(const std::string& source, const std::string& name,
                                               const std::string& version)
    {
        auto select = db.prepare(
            "SELECT id, document, status, is_latest FROM entries WHERE source = ?1 AND name = ?2 AND version = ?3");
        if (!select) return select.error();
        select->bind(1, source).bind(2, name).bind(3, version);
        auto row = select->step();
        if (!row) return row.error();
        if (!*row) return std::optional<stored_row>{};
        return std::optional<stored_row>{stored_row{select->column_int(0), std::string(select->column_text(1)),
                                                    std::string(select->column_text(2)), select->column_int(3) != 0}};
    }

    result<void> index(std::int64_t id, const model::server& server)
    {
        auto remove = db.prepare("DELETE FROM entries_search WHERE rowid = ?1");
        auto insert = db.prepare("INSERT INTO entries_search(rowid, name, title, description) VALUES (?1, ?2, ?3, ?4)");
        if (!remove) return remove.error();
        if (!insert) return insert.error();
        remove->bind(1, id);
        if (auto done = remove->run(); !done) return done.error();
        insert->bind(1, id).bind(2, server.name).bind_optional(3, server.title).bind(4, server.description);
        return insert->run();
    }

    // The registry's recalculation rule (model::pick_latest: the highest live version, else the highest deleted
    // one), for a flag the registry moved silently.
    result<void> recalculate_latest(const std::string& source, const std::string& name)
    {
        auto select =
            db.prepare("SELECT id, version, published_ns, status FROM entries WHERE source = ?1 AND name = ?2");
        if (!select) return select.error();
        select->bind(1, source).bind(2, name);
        std::vector<std::int64_t> ids;
        std::vector<model::latest_candidate> candidates;
        while (true) {
            auto row = select->step();
            if (!row) return row.error();
            if (!*row) break;
            ids.push_back(select->column_int(0));
            candidates.push_back(
                {std::string(select->column_text(1)),
                 model::timestamp{model::timestamp::clock_time{std::chrono::nanoseconds{select->column_int(2)}}},
                 select->column_text(3) == "deleted"});
        }
        const auto chosen = model::pick_latest(candidates);
        return chosen ? set_latest(source, name, ids[*chosen]) : result<void>{};
    }

    result<void> set_latest(const std::string& source, const std::string& name, std::int64_t id)
    {
        auto update = db.prepare("UPDATE entries SET is_latest = (id = ?3) WHERE source = ?1 AND name = ?2");
        if (!update) return update.error();
        update->bind(1, source).bind(2, name).bind(3, id);
        return update->run();
    }

    // Merges one page; counts into `report`; the high-water mark grows into `high_water`.
    result<void> merge(const std::string& source, const std::vector<model::server_response>& rows, sync_report& report,
                       std::optional<model::timestamp>& high_water)
    {
        struct name_outcome {
            std::optional<std::int64_t> claimed_latest;
            bool lost_latest = false;
        };
        std::map<std::string, name_outcome> touched;
        auto insert = db.prepare("INSERT INTO entries (source, name, version, document, status, published_ns, "
                                 "updated_ns, is_latest) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0)");
        auto update = db.prepare("UPDATE entries SET document = ?2, status = ?3, published_ns = ?4, updated_ns = ?5 "
                                 "WHERE id = ?1");
        if (!insert) return insert.error();
        if (!update) return update.error();
        for (const auto& row : rows) {
            const auto* official = row.official();
            const std::string status = official && official->status ? *official->status : "active";
            const auto updated_at = official ? official->updated_at : std::nullopt;
            if (updated_at && (!high_water || *updated_at > *high_water)) high_water = updated_at;
            const std::string document = json::serialize(model::to_json(row));
            auto existing = find_row(source, row.server.name, row.server.version);
            if (!existing) return existing.error();
            std::int64_t id = 0;
            if (!*existing) {
                insert->reset();
                insert->bind(1, source)
                    .bind(2, row.server.name)
                    .bind(3, row.server.version)
                    .bind(4, document)
                    .bind(5, status)
                    .bind(6, nanoseconds_of(official ? official->published_at : std::nullopt))
                    .bind(7, nanoseconds_of(updated_at));
                if (auto done = insert->run(); !done) return done.error();
                id = db.last_insert_rowid();
                if (auto done = index(id, row.server); !done) return done.error();
                ++report.added;
            }
            else {
                id = (*existing)->id;
                if ((*existing)->document == document) ++report.unchanged;
                else {
                    update->reset();
                    update->bind(1, id)
                        .bind(2, document)
                        .bind(3, status)
                        .bind(4, nanoseconds_of(official ? official->published_at : std::nullopt))
                        .bind(5, nanoseconds_of(updated_at));
                    if (auto done = update->run(); !done) return done.error();
                    if (auto done = index(id, row.server); !done) return done.error();
                    if (status == "deleted" && (*existing)->status != "deleted") ++report.deleted;
                    else ++report.updated;
                }
            }
            auto& outcome = touched[row.server.name];
            const bool claims_latest = official && official->is_latest.value_or(false);
            if (claims_latest) outcome.claimed_latest = id;
            else if (*existing && (*existing)->is_latest) outcome.lost_latest = true;
            else if (!*existing && official && !official->is_latest) outcome.lost_latest = true;  // no flag sent
        }
        // The registry moves the latest flag without touching the other row's updatedAt: a row that lost the
        // flag with no row claiming it here means recomputing with the registry's rule.
        for (const auto& [name, outcome] : touched) {
            if (outcome.claimed_latest) {
                if (auto done = set_latest(source, name, *outcome.claimed_latest); !done) return done.error();
            }
            else if (outcome.lost_latest) {
                if (auto done = recalculate_latest(source, name); !done) return done.error();
            }
        }
        return {};
    }
};

catalog::catalog(std::unique_ptr<impl> p) noexcept : impl_(std::move(p)) {}
catalog::catalog(catalog&&) noexcept = default;
catalog& catalog::operator=(catalog&&) noexcept = default;
catalog::~catalog() = default;

result<catalog> catalog::open(catalog_options options)
{
    auto db = sql::connection::open(options.path);
    if (!db) return db.error();
    auto p = std::make_unique<impl>();
    p->db = std::move(*db);
    if (auto done = p->db.execute(schema); !done) return done.error();
    return catalog(std::move(p));
}

std::string client_pages::source_url() const { return client_.async_client().options().base_url; }

result<model::server_list> client_pages::list_page(const list_options& query) { return client_.list_servers(query); }

result<sync_report> catalog::sync(blocking_client& client, const sync_options& options)
{
    client_pages pages(client);
    return sync(pages, options);
}

result<sync_report> catalog::sync(page_source& pages, const sync_options& options)
{
    std::lock_guard lock(impl_->mutex);
    auto& db = impl_->db;
    const std::string source = pages.source_url();
    auto started = impl_->start_sync(source, options.overlap);
    if (!started) return started.error();
    auto& [report, since, high_water, cursor] = *started;
    list_options first;
    first.limit = options.page_size;
    first.cursor = cursor;
    if (since) first.updated_since = since;  // deleted rows come along: the registry forces include_deleted
    else first.include_deleted = true;
    page_walker walker(std::move(first));  // a repeated cursor stops the sync; an oversized page is asked smaller
    while (true) {
        auto page = pages.list_page(walker.query());
        if (!page && walker.retry_smaller(page.error().code)) continue;
        if (!page) return page.error();  // the pending state stays: the next sync resumes here
        if (auto accepted = walker.accept(*page); !accepted) return accepted.error();
        auto tx = sql::transaction::begin(db);
        if (!tx) return tx.error();
        if (auto done = impl_->merge(source, page->servers, report, high_water); !done) return done.error();
        const bool more = !walker.done();
        auto save = db.prepare("UPDATE sync_state SET pending_cursor = ?2, pending_high_water = ?3 WHERE source = ?1");
        if (!save) return save.error();
        save->bind(1, source)
            .bind_optional(2, more ? walker.query().cursor : std::nullopt)
            .bind_optional(3, high_water ? std::optional<std::string>(high_water->to_string()) : std::nullopt);
        if (auto done = save->run(); !done) return done.error();
        if (auto done = tx->commit(); !done) return done.error();
        ++report.pages;
        report.fetched += page->servers.size();
        if (options.on_page) options.on_page(sync_progress{report.pages, report.fetched});
        if (!more) break;
        if (options.max_pages != 0 && report.pages >= options.max_pages) {
            report.complete = false;
            report.high_water = high_water;
            return report;
        }
    }
    auto finish = db.prepare("UPDATE sync_state SET high_water = pending_high_water, pending = 0, "
                             "pending_cursor = NULL WHERE source = ?1");
    if (!finish) return finish.error();
    finish->bind(1, source);
    if (auto done = finish->run(); !done) return done.error();
    report.high_water = high_water;
    return report;
}

result<catalog_page> catalog::list(const catalog_query& query)
{
    std::lock_guard lock(impl_->mutex);
    const int limit = query.limit.value_or(catalog_query::default_limit);
    if (limit < 1) return make_error(errc::invalid_argument, "limit must be at least 1");
    std::string text = "SELECT document, is_latest, source, name, version FROM entries WHERE 1";
    if (!query.source.empty()) text += " AND source = ?1";
    if (query.search) text += " AND instr(lower(name), lower(?2)) > 0";
    if (query.updated_since) text += " AND updated_ns > ?3";
    if (query.latest_only()) text += " AND is_latest";
    if (query.exact_version()) text += " AND version = ?8";
    if (!query.deleted_included()) text += " AND status != 'deleted'";
    std::vector<std::string> after;
    if (query.cursor) {
        auto parsed = model::parse_json(*query.cursor);
        if (!parsed || !parsed->is_array() || parsed->get_array().size() != 3)
            return make_error(errc::invalid_argument, "not a cursor of this catalog");
        for (const auto& part : parsed->get_array()) {
            if (!part.is_string()) return make_error(errc::invalid_argument, "not a cursor of this catalog");
            after.emplace_back(part.get_string());
        }
        text += " AND (name, version, source) > (?4, ?5, ?6)";
    }
    text += " ORDER BY name, version, source LIMIT ?7";
    auto select = impl_->db.prepare(text);
    if (!select) return select.error();
    if (!query.source.empty()) select->bind(1, query.source);
    if (query.search) select->bind(2, *query.search);
    if (query.updated_since) select->bind(3, nanoseconds_of(query.updated_since));
    if (query.cursor) select->bind(4, after[0]).bind(5, after[1]).bind(6, after[2]);
    select->bind(7, std::int64_t{limit} + 1);
    if (const auto* version = query.exact_version()) select->bind(8, *version);
    catalog_page page;
    std::vector<std::string> last;
    while (true) {
        auto row = select->step();
        if (!row) return row.error();
        if (!*row) break;
        if (page.entries.size() == static_cast<std::size_t>(limit)) {
            page.next_cursor = json::serialize(json::array{last[0], last[1], last[2]});
            break;
        }
        auto entry = entry_of(select->column_text(0), select->column_int(1) != 0, select->column_text(2));
        if (!entry) return entry.error();
        page.entries.push_back(std::move(*entry));
        last = {std::string(select->column_text(3)), std::string(select->column_text(4)),
                std::string(select->column_text(2))};
    }
    return page;
}

result<catalog_entry> catalog::get(const std::string& name, const std::string& version, bool include_deleted,
                                   const std::string& source)
{
    std::lock_guard lock(impl_->mutex);
    std::string text = "SELECT document, is_latest, source, status FROM entries WHERE name = ?1";
    text += version == "latest" ? " AND is_latest" : " AND version = ?2";
    if (!source.empty()) text += " AND source = ?3";
    text += " ORDER BY source LIMIT 1";
    auto select = impl_->db.prepare(text);
    if (!select) return select.error();
    select->bind(1, name);
    if (version != "latest") select->bind(2, version);
    if (!source.empty()) select->bind(3, source);
    auto row = select->step();
    if (!row) return row.error();
    if (!*row || (!include_deleted && select->column_text(3) == "deleted"))
        return not_found("no " + name + (version == "latest" ? "" : "@" + version) + " in the catalog");
    return entry_of(select->column_text(0), select->column_int(1) != 0, select->column_text(2));
}

result<std::vector<catalog_entry>> catalog::versions(const std::string& name, bool include_deleted,
                                                     const std::string& source)
{
    std::lock_guard lock(impl_->mutex);
    std::string text = "SELECT document, is_latest, source FROM entries WHERE name = ?1";
    if (!include_deleted) text += " AND status != 'deleted'";
    if (!source.empty()) text += " AND source = ?2";
    text += " ORDER BY source, published_ns, version";
    auto select = impl_->db.prepare(text);
    if (!select) return select.error();
    select->bind(1, name);
    if (!source.empty()) select->bind(2, source);
    auto out = read_entries(*select);
    if (out && out->empty()) return not_found("no " + name + " in the catalog");
    return out;
}

result<std::vector<catalog_entry>> catalog::search(const std::string& text, int limit, const std::string& source)
{
    std::lock_guard lock(impl_->mutex);
    // The catalog's index splits words at every character but letters and digits: so do its queries.
    const mcpreg::detail::search_limits bounds;
    auto words = mcpreg::detail::search_words(text, "", bounds);
    if (!words) return words.error();
    const auto match = mcpreg::detail::fts5_match(*words, bounds);
    if (match.empty() || limit < 1) return std::vector<catalog_entry>{};
    sql::deadline_guard deadline(impl_->db, std::chrono::steady_clock::now() + bounds.max_time);
    std::string sql_text = "SELECT e.document, e.is_latest, e.source FROM entries_search JOIN entries e "
                           "ON e.id = entries_search.rowid WHERE entries_search MATCH ?1 AND e.is_latest "
                           "AND e.status != 'deleted'";
    if (!source.empty()) sql_text += " AND e.source = ?3";
    // Name matches weigh most, then titles, then descriptions.
    sql_text += " ORDER BY bm25(entries_search, 10.0, 4.0, 1.0), e.name LIMIT ?2";
    auto select = impl_->db.prepare(sql_text);
    if (!select) return select.error();
    select->bind(1, match).bind(2, std::int64_t{limit});
    if (!source.empty()) select->bind(3, source);
    return read_entries(*select);
}

result<std::vector<std::string>> catalog::sources()
{
    std::lock_guard lock(impl_->mutex);
    auto select = impl_->db.prepare("SELECT DISTINCT source FROM entries ORDER BY source");
    if (!select) return select.error();
    std::vector<std::string> out;
    while (true) {
        auto row = select->step();
        if (!row) return row.error();
        if (!*row) break;
        out.emplace_back(select->column_text(0));
    }
    return out;
}

result<std::size_t> catalog::size(const std::string& source)
{
    std::lock_guard lock(impl_->mutex);
    auto select = impl_->db.prepare(source.empty() ? "SELECT count(*) FROM entries"
                                                   : "SELECT count(*) FROM entries WHERE source = ?1");
    if (!select) return select.error();
    if (!source.empty()) select->bind(1, source);
    if (auto row = select->step(); !row) return row.error();
    return static_cast<std::size_t>(select->column_int(0));
}

result<json::array> catalog::export_entries(const std::string& source)
{
    catalog_query query;
    query.source = source;
    query.include_deleted = true;
    query.limit = 1000;
    json::array out;
    while (true) {
        auto page = list(query);
        if (!page) return page.error();
        for (const auto& e : page->entries) out.push_back(model::to_json(e.entry));
        if (!page->next_cursor) break;
        query.cursor = page->next_cursor;
    }
    return out;
}

}  // namespace mcpreg::cache
