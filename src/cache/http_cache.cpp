#include <mcpreg/cache/http_cache.hpp>

#include "../common/sha256.hpp"
#include "../common/sqlite.hpp"

#include <filesystem>
#include <mutex>
#include <vector>

namespace mcpreg::cache {
namespace sql = mcpreg::detail::sqlite;

namespace {

constexpr std::string_view schema = R"sql(
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    status INTEGER NOT NULL,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    body_sha256 BLOB NOT NULL,
    stored_at INTEGER NOT NULL,
    fresh_until INTEGER NOT NULL,
    last_used INTEGER NOT NULL,
    size INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS responses_by_use ON responses(last_used);
)sql";

// Last-used times are written in batches: a hit should not cost a write transaction.
constexpr std::size_t touch_batch = 64;

std::int64_t micros(std::chrono::system_clock::time_point t)
{
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

std::chrono::system_clock::time_point from_micros(std::int64_t v)
{
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::microseconds(v)));
}

// Headers as "Name: value" lines; hop-by-hop and length headers are not kept (the body is stored decoded).
std::string encode_headers(const std::vector<http_header>& headers)
{
    std::string out;
    for (const auto& h : headers) {
        if (iequals(h.name, "Connection") || iequals(h.name, "Transfer-Encoding") ||
            iequals(h.name, "Content-Length") || iequals(h.name, "Set-Cookie") || iequals(h.name, "Keep-Alive"))
            continue;
        out += h.name + ": " + h.value + "\n";
    }
    return out;
}

std::vector<http_header> decode_headers(std::string_view text)
{
    std::vector<http_header> out;
    while (!text.empty()) {
        const auto end = text.find('\n');
        const auto line = text.substr(0, end);
        if (const auto colon = line.find(": "); colon != std::string_view::npos)
            out.push_back({std::string(line.substr(0, colon)), std::string(line.substr(colon + 2))});
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    return out;
}

bool is_corruption(const error& e)
{
    const auto& m = e.diag.message;
    return m.find("malformed") != std::string::npos || m.find("not a database") != std::string::npos ||
           m.find("integrity") != std::string::npos;
}

}  // namespace

struct http_cache::impl {
    http_cache_options options;
    std::mutex mutex;
    sql::connection db;
    std::optional<std::string> moved_aside;
    std::vector<std::pair<std::string, std::int64_t>> pending_touches;
    std::optional<sql::statement> select;  // prepared once: the hit path is the hot one

    result<void> prepare_schema()
    {
        if (auto done = db.execute(schema); !done) return done.error();
        auto check = db.prepare("PRAGMA quick_check(1)");
        if (!check) return check.error();
        auto row = check->step();
        if (!row) return row.error();
        if (!*row || check->column_text(0) != "ok")
            return make_error(errc::storage_error, "integrity check failed: database disk image is malformed");
        return {};
    }

    result<void> flush_touches()
    {
        if (pending_touches.empty()) return {};
        auto tx = sql::transaction::begin(db);
        if (!tx) return tx.error();
        auto update = db.prepare("UPDATE responses SET last_used = max(last_used, ?2) WHERE key = ?1");
        if (!update) return update.error();
        for (const auto& [key, at] : pending_touches) {
            update->reset();
            update->bind(1, key).bind(2, at);
            if (auto done = update->run(); !done) return done.error();
        }
        pending_touches.clear();
        return tx->commit();
    }

    // Evicts least recently used entries until the bodies fit in max_bytes; returns how many went.
    result<std::uint64_t> evict()
    {
        auto total = db.prepare("SELECT total(size) FROM responses");
        if (!total) return total.error();
        if (auto row = total->step(); !row) return row.error();
        auto bytes = static_cast<std::uint64_t>(total->column_int(0));
        if (bytes <= options.max_bytes) return std::uint64_t{0};
        auto oldest = db.prepare("SELECT key, size FROM responses ORDER BY last_used LIMIT 256");
        if (!oldest) return oldest.error();
        std::vector<std::string> victims;
        while (bytes > options.max_bytes) {
            auto row = oldest->step();
            if (!row) return row.error();
            if (!*row) break;
            victims.emplace_back(oldest->column_text(0));
            bytes -= std::min(bytes, static_cast<std::uint64_t>(oldest->column_int(1)));
        }
        auto remove = db.prepare("DELETE FROM responses WHERE key = ?1");
        if (!remove) return remove.error();
        for (const auto& key : victims) {
            remove->reset();
            remove->bind(1, key);
            if (auto done = remove->run(); !done) return done.error();
        }
        return static_cast<std::uint64_t>(victims.size());
    }
};

http_cache::http_cache(std::unique_ptr<impl> p) noexcept : impl_(std::move(p)) {}

http_cache::~http_cache()
{
    std::lock_guard lock(impl_->mutex);
    (void)impl_->flush_touches();  // best effort: last-used times only steer eviction
}

result<std::shared_ptr<http_cache>> http_cache::open(http_cache_options options)
{
    if (options.max_ttl.count() < 0 || options.default_ttl.count() < 0)
        return make_error(errc::invalid_argument, "cache TTLs must not be negative");
    auto p = std::make_unique<impl>();
    p->options = std::move(options);
    const auto& path = p->options.path;
    auto attempt = [&]() -> result<void> {
        auto db = sql::connection::open(path);
        if (!db) return db.error();
        p->db = std::move(*db);
        return p->prepare_schema();
    };
    auto opened = attempt();
    if (!opened && path != ":memory:" && is_corruption(opened.error())) {
        // A broken cache must not break the caller: keep the file for inspection and start empty.
        p->db = sql::connection{};
        const auto aside = path + ".corrupt-" +
                           std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count());
        std::error_code ec;
        std::filesystem::rename(path, aside, ec);
        if (ec) return make_error(errc::io_error, "cannot move the corrupt cache " + path + " aside: " + ec.message());
        for (auto suffix : {"-wal", "-shm"}) std::filesystem::remove(path + suffix, ec);
        p->moved_aside = aside;
        opened = attempt();
    }
    if (!opened) return opened.error();
    return std::shared_ptr<http_cache>(new http_cache(std::move(p)));
}

std::optional<cached_response> http_cache::find(std::string_view key)
{
    std::lock_guard lock(impl_->mutex);
    auto& select = impl_->select;
    if (!select) {
        auto prepared = impl_->db.prepare(
            "SELECT status, headers, body, body_sha256, stored_at, fresh_until FROM responses WHERE key = ?1");
        if (!prepared) return std::nullopt;
        select.emplace(std::move(*prepared));
    }
    select->reset();
    select->bind(1, key);
    auto row = select->step();
    if (!row || !*row) return std::nullopt;
    const auto body = select->column_text(2);
    if (mcpreg::detail::sha256(body) != select->column_text(3)) {
        // Damaged on disk: drop it, and let the caller fetch a good copy.
        auto remove = impl_->db.prepare("DELETE FROM responses WHERE key = ?1");
        if (remove) (void)remove->bind(1, key).run();
        return std::nullopt;
    }
    cached_response out;
    out.response.status = static_cast<int>(select->column_int(0));
    out.response.headers = decode_headers(select->column_text(1));
    out.response.body = std::string(body);
    out.stored_at = from_micros(select->column_int(4));
    out.fresh_until = from_micros(select->column_int(5));
    impl_->pending_touches.emplace_back(std::string(key), micros(std::chrono::system_clock::now()));
    if (impl_->pending_touches.size() >= touch_batch) (void)impl_->flush_touches();
    return out;
}

void http_cache::store(std::string_view key, const http_response& response,
                       std::chrono::system_clock::time_point fresh_until)
{
    std::lock_guard lock(impl_->mutex);
    auto& db = impl_->db;
    (void)impl_->flush_touches();
    if (response.body.size() > impl_->options.max_bytes) return;  // would evict everything and still not fit
    auto tx = sql::transaction::begin(db);
    if (!tx) return;
    auto insert = db.prepare("INSERT OR REPLACE INTO responses "
                             "(key, status, headers, body, body_sha256, stored_at, fresh_until, last_used, size) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?6, ?8)");
    if (!insert) return;
    const auto now = micros(std::chrono::system_clock::now());
    insert->bind(1, key)
        .bind(2, std::int64_t{response.status})
        .bind(3, encode_headers(response.headers))
        .bind(4, response.body)
        .bind(5, mcpreg::detail::sha256(response.body))
        .bind(6, now)
        .bind(7, micros(fresh_until))
        .bind(8, static_cast<std::int64_t>(response.body.size()));
    if (!insert->run()) return;
    auto evicted = impl_->evict();
    if (!evicted || !tx->commit()) return;
    for (std::uint64_t i = 0; i < *evicted; ++i) record(event::eviction);
}

void http_cache::refresh(std::string_view key, std::chrono::system_clock::time_point fresh_until)
{
    std::lock_guard lock(impl_->mutex);
    auto update = impl_->db.prepare("UPDATE responses SET fresh_until = ?2, last_used = ?3 WHERE key = ?1");
    if (!update) return;
    update->bind(1, key).bind(2, micros(fresh_until)).bind(3, micros(std::chrono::system_clock::now()));
    (void)update->run();
}

std::chrono::seconds http_cache::default_ttl() const noexcept { return impl_->options.default_ttl; }
std::chrono::seconds http_cache::max_ttl() const noexcept { return impl_->options.max_ttl; }
const std::optional<std::string>& http_cache::moved_aside() const noexcept { return impl_->moved_aside; }

result<http_cache::usage_figures> http_cache::usage()
{
    std::lock_guard lock(impl_->mutex);
    auto select = impl_->db.prepare("SELECT count(*), total(size) FROM responses");
    if (!select) return select.error();
    if (auto row = select->step(); !row) return row.error();
    return usage_figures{static_cast<std::uint64_t>(select->column_int(0)),
                         static_cast<std::uint64_t>(select->column_int(1))};
}

result<void> http_cache::clear()
{
    std::lock_guard lock(impl_->mutex);
    impl_->pending_touches.clear();
    return impl_->db.execute("DELETE FROM responses");
}

}  // namespace mcpreg::cache
