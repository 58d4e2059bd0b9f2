// A thin RAII layer over the SQLite C API: a connection, prepared statements, transactions. Private to the
// library; SQLite never appears in a public header.
#pragma once

#include <mcpreg/error.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace mcpreg::detail::sqlite {

/// An SQLite failure as an mcpreg error (errc::storage_error) with SQLite's message.
error make_sqlite_error(sqlite3* db, int code, std::string_view context);

class statement {
public:
    statement() = default;
    statement(sqlite3* db, sqlite3_stmt* stmt) noexcept : db_(db), stmt_(stmt) {}
    statement(statement&& other) noexcept;
    statement& operator=(statement&& other) noexcept;
    statement(const statement&) = delete;
    statement& operator=(const statement&) = delete;
    ~statement();

    // Binding (1-based indexes, as SQLite). Text is copied by SQLite.
    statement& bind(int index, std::string_view text);
    statement& bind(int index, std::int64_t value);
    statement& bind_null(int index);
    statement& bind_optional(int index, const std::optional<std::string>& text);

    /// Runs one step: true while a row is available, false when done.
    result<bool> step();
    /// Steps to completion, for statements that return no rows.
    result<void> run();
    /// Clears bindings and rewinds, so the statement can run again.
    void reset() noexcept;

    std::string_view column_text(int index) const noexcept;
    std::optional<std::string_view> column_optional_text(int index) const noexcept;
    std::int64_t column_int(int index) const noexcept;
    bool column_is_null(int index) const noexcept;

private:
    sqlite3* db_ = nullptr;
    sqlite3_stmt* stmt_ = nullptr;
};

class connection {
public:
    /// How commits reach the disk. `normal`: WAL with synchronous=NORMAL, a power loss may undo the last
    /// commits (never corrupts); for caches that can be fetched again. `full`: every commit is synced before it
    /// returns; for data that is acknowledged to someone (a registry's publishes).
    enum class durability { normal, full };

    /// Opens (creating if needed) a database file, or ":memory:". WAL mode, a busy timeout, foreign keys on.
    static result<connection> open(const std::string& path, durability commits = durability::normal);

    connection() = default;
    connection(connection&&) noexcept = default;
    connection& operator=(connection&&) noexcept = default;

    result<statement> prepare(std::string_view sql);
    /// Runs one or more statements that return no rows.
    result<void> execute(std::string_view sql);
    std::int64_t last_insert_rowid() const noexcept;
    int changes() const noexcept;
    sqlite3* handle() const noexcept { return db_.get(); }

private:
    struct closer {
        void operator()(sqlite3* db) const noexcept;
    };
    std::unique_ptr<sqlite3, closer> db_;
};

/// While it lives, statements on the connection that run past `deadline` stop, failing with errc::timeout
/// (SQLite's progress handler, checked every thousand virtual machine steps).
class deadline_guard {
public:
    deadline_guard(connection& db, std::chrono::steady_clock::time_point deadline) noexcept;
    ~deadline_guard();
    deadline_guard(const deadline_guard&) = delete;
    deadline_guard& operator=(const deadline_guard&) = delete;

private:
    sqlite3* db_;
    std::chrono::steady_clock::time_point deadline_;
};

/// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless commit() succeeded.
class transaction {
public:
    static result<transaction> begin(connection& db);
    transaction(transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
    transaction& operator=(transaction&&) = delete;
    ~transaction();
    result<void> commit();

private:
    explicit transaction(connection& db) noexcept : db_(&db) {}
    connection* db_;
};

}  // namespace mcpreg::detail::sqlite
