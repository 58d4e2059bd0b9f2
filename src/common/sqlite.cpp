#include "sqlite.hpp"

#include <sqlite3.h>

#include <utility>

namespace mcpreg::detail::sqlite {

error make_sqlite_error(sqlite3* db, int code, std::string_view context)
{
    std::string message(context);
    message += ": ";
    message += db ? sqlite3_errmsg(db) : sqlite3_errstr(code);
    // Interrupted by a deadline_guard: the statement ran out of time, the database is fine.
    return make_error(code == SQLITE_INTERRUPT ? errc::timeout : errc::storage_error, std::move(message));
}

deadline_guard::deadline_guard(connection& db, std::chrono::steady_clock::time_point deadline) noexcept
    : db_(db.handle()), deadline_(deadline)
{
    sqlite3_progress_handler(
        db_, 1000,
        [](void* self) {
            return std::chrono::steady_clock::now() > static_cast<deadline_guard*>(self)->deadline_ ? 1 : 0;
        },
        this);
}

deadline_guard::~deadline_guard() { sqlite3_progress_handler(db_, 0, nullptr, nullptr); }

statement::statement(statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), stmt_(std::exchange(other.stmt_, nullptr))
{
}

statement& statement::operator=(statement&& other) noexcept
{
    if (this != &other) {
        sqlite3_finalize(stmt_);
        db_ = std::exchange(other.db_, nullptr);
        stmt_ = std::exchange(other.stmt_, nullptr);
    }
    return *this;
}

statement::~statement() { sqlite3_finalize(stmt_); }

statement& statement::bind(int index, std::string_view text)
{
    sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    return *this;
}

statement& statement::bind(int index, std::int64_t value)
{
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
}

statement& statement::bind_null(int index)
{
    sqlite3_bind_null(stmt_, index);
    return *this;
}

statement& statement::bind_optional(int index, const std::optional<std::string>& text)
{
    return text ? bind(index, std::string_view(*text)) : bind_null(index);
}

result<bool> statement::step()
{
    const int code = sqlite3_step(stmt_);
    if (code == SQLITE_ROW) return true;
    if (code == SQLITE_DONE) return false;
    return make_sqlite_error(db_, code, "step");
}

result<void> statement::run()
{
    while (true) {
        auto more = step();
        if (!more) return more.error();
        if (!*more) return {};
    }
}

void statement::reset() noexcept
{
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

std::string_view statement::column_text(int index) const noexcept
{
    const auto* text = sqlite3_column_text(stmt_, index);
    const auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, index));
    return text ? std::string_view(reinterpret_cast<const char*>(text), size) : std::string_view{};
}

std::optional<std::string_view> statement::column_optional_text(int index) const noexcept
{
    if (column_is_null(index)) return std::nullopt;
    return column_text(index);
}

std::int64_t statement::column_int(int index) const noexcept { return sqlite3_column_int64(stmt_, index); }

bool statement::column_is_null(int index) const noexcept { return sqlite3_column_type(stmt_, index) == SQLITE_NULL; }

void connection::closer::operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }

result<connection> connection::open(const std::string& path, durability commits)
{
    sqlite3* raw = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const int code = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    connection db;
    db.db_.reset(raw);
    if (code != SQLITE_OK) return make_sqlite_error(raw, code, "cannot open database " + path);
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, 5000);
    // New databases only (before WAL fixes it): index cells then hold up to 2 KB inline instead of 1 KB,
    // and the stored JSON entries indexes carry are mostly 0.5-2 KB; 4 KB pages spill a third of them into
    // overflow pages that each waste most of a page.
    if (auto size = db.execute("PRAGMA page_size=8192;"); !size) return size.error();
    if (path != ":memory:") {
        if (auto wal = db.execute(commits == durability::full ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                                                              : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
            !wal)
            return wal.error();
    }
    if (auto fk = db.execute("PRAGMA foreign_keys=ON;"); !fk) return fk.error();
    return db;
}

result<statement> connection::prepare(std::string_view sql)
{
    sqlite3_stmt* stmt = nullptr;
    const int code = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                        &stmt, nullptr);
    if (code != SQLITE_OK) return make_sqlite_error(db_.get(), code, "prepare");
    return statement(db_.get(), stmt);
}

result<void> connection::execute(std::string_view sql)
{
    const std::string text(sql);
    char* message = nullptr;
    const int code = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &message);
    if (code != SQLITE_OK) {
        std::string what = message ? message : sqlite3_errstr(code);
        sqlite3_free(message);
        return make_error(errc::storage_error, "execute: " + what);
    }
    return {};
}

std::int64_t connection::last_insert_rowid() const noexcept { return sqlite3_last_insert_rowid(db_.get()); }

int connection::changes() const noexcept { return sqlite3_changes(db_.get()); }

result<transaction> transaction::begin(connection& db)
{
    if (auto begun = db.execute("BEGIN IMMEDIATE"); !begun) return begun.error();
    return transaction(db);
}

transaction::~transaction()
{
    if (db_) (void)db_->execute("ROLLBACK");
}

result<void> transaction::commit()
{
    auto committed = db_->execute("COMMIT");
    if (committed) db_ = nullptr;
    return committed;
}

}  // namespace mcpreg::detail::sqlite
