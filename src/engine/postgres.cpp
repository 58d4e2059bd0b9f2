#include "postgres.hpp"

#include "../common/utf8.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <cstdlib>

namespace mcpreg::engine::detail::pg {

bool storable(std::string_view value) noexcept
{
    return value.find('\0') == std::string_view::npos && mcpreg::detail::is_valid_utf8(value);
}

// ---- rows ----

rows::rows(rows&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}

rows& rows::operator=(rows&& other) noexcept
{
    if (this != &other) {
        if (result_) PQclear(result_);
        result_ = std::exchange(other.result_, nullptr);
    }
    return *this;
}

rows::~rows()
{
    if (result_) PQclear(result_);
}

int rows::size() const noexcept { return result_ ? PQntuples(result_) : 0; }
bool rows::is_null(int row, int column) const noexcept { return PQgetisnull(result_, row, column) != 0; }

std::string_view rows::text(int row, int column) const noexcept
{
    return {PQgetvalue(result_, row, column), static_cast<std::size_t>(PQgetlength(result_, row, column))};
}

std::optional<std::string> rows::optional_text(int row, int column) const
{
    if (is_null(row, column)) return std::nullopt;
    return std::string(text(row, column));
}

std::int64_t rows::integer(int row, int column) const noexcept
{
    return std::strtoll(PQgetvalue(result_, row, column), nullptr, 10);
}

bool rows::boolean(int row, int column) const noexcept { return text(row, column) == "t"; }

// ---- connection ----

result<std::unique_ptr<connection>> connection::open(const std::string& uri)
{
    // Defaults first: the URI's own settings (expanded from `dbname`) override them.
    const char* keywords[] = {"connect_timeout", "application_name", "client_encoding", "dbname", nullptr};
    const char* values[] = {"5", "mcpreg", "UTF8", uri.c_str(), nullptr};
    pg_conn* conn = PQconnectdbParams(keywords, values, 1);
    if (!conn) return make_error(errc::storage_unavailable, "PostgreSQL: out of memory opening a connection");
    if (PQstatus(conn) != CONNECTION_OK) {
        std::string message = PQerrorMessage(conn);
        PQfinish(conn);
        while (!message.empty() && message.back() == '\n') message.pop_back();
        return make_error(errc::storage_unavailable, "PostgreSQL: cannot connect: " + message);
    }
    // NOTICEs (an empty search query, IF NOT EXISTS) are not the engine's output.
    PQsetNoticeProcessor(
        conn, [](void*, const char*) {}, nullptr);
    return std::unique_ptr<connection>(new connection(conn));
}

connection::~connection() { PQfinish(conn_); }

bool connection::healthy() const noexcept { return PQstatus(conn_) == CONNECTION_OK; }
int connection::socket() const noexcept { return PQsocket(conn_); }

bool connection::usable_after_idle() noexcept
{
    if (!healthy()) return false;
    pollfd waiting{PQsocket(conn_), POLLIN, 0};
    // An idle session has nothing to read: input means the server said goodbye (or closed the socket).
    if (::poll(&waiting, 1, 0) > 0 && PQconsumeInput(conn_) == 0) return false;
    while (PGnotify* n = PQnotifies(conn_)) PQfreemem(n);
    return healthy();
}

std::vector<std::string> connection::take_notifications()
{
    std::vector<std::string> channels;
    PQconsumeInput(conn_);
    while (PGnotify* n = PQnotifies(conn_)) {
        channels.emplace_back(n->relname);
        PQfreemem(n);
    }
    return channels;
}

error connection::failure(pg_result* result, std::string_view context)
{
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    last_sqlstate_ = state ? state : "";
    std::string message = result ? PQresultErrorMessage(result) : PQerrorMessage(conn_);
    if (result) PQclear(result);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    // Class 08 (connection exception), 57P (operator intervention: shutdown, crash), or a session gone.
    const bool lost = !healthy() || last_sqlstate_.starts_with("08") || last_sqlstate_.starts_with("57P");
    return make_error(lost ? errc::storage_unavailable : errc::storage_error,
                      "PostgreSQL: " + std::string(context) + ": " + message);
}

result<rows> connection::run(const std::string& sql, const std::vector<param>& params)
{
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) {
        if (p && !storable(*p))
            return make_error(errc::invalid_argument, "PostgreSQL cannot store a value with a NUL byte or bad UTF-8");
        values.push_back(p ? p->c_str() : nullptr);
    }
    auto known = prepared_.find(sql);
    if (known == prepared_.end()) {
        std::string name = "s" + std::to_string(prepared_.size());
        pg_result* made = PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr);
        if (!made || PQresultStatus(made) != PGRES_COMMAND_OK) return failure(made, "prepare");
        PQclear(made);
        known = prepared_.emplace(sql, std::move(name)).first;
    }
    pg_result* result = PQexecPrepared(conn_, known->second.c_str(), static_cast<int>(values.size()), values.data(),
                                       nullptr, nullptr, 0);
    const auto status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) return failure(result, "statement");
    last_sqlstate_.clear();
    return rows(result);
}

result<void> connection::execute(const std::string& sql)
{
    pg_result* result = PQexec(conn_, sql.c_str());
    const auto status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) return failure(result, "statement");
    PQclear(result);
    last_sqlstate_.clear();
    return {};
}

// ---- transaction ----

result<transaction> transaction::begin(connection& conn)
{
    if (auto begun = conn.execute("BEGIN"); !begun) return begun.error();
    return transaction(conn);
}

transaction::~transaction()
{
    if (conn_ && conn_->healthy()) (void)conn_->execute("ROLLBACK");
}

result<void> transaction::commit()
{
    auto done = conn_->execute("COMMIT");
    conn_ = nullptr;
    return done;
}

// ---- pool ----

pool::pool(std::string uri, std::size_t size, std::chrono::milliseconds wait_limit)
    : uri_(std::move(uri)), size_(size == 0 ? 1 : size), wait_limit_(wait_limit)
{
}

pool::~pool() = default;

pool::lease::~lease()
{
    if (conn_) owner_->release(std::move(conn_));
}

result<pool::lease> pool::acquire()
{
    std::unique_lock lock(mutex_);
    const auto deadline = std::chrono::steady_clock::now() + wait_limit_;
    while (true) {
        while (!idle_.empty()) {
            auto conn = std::move(idle_.back());
            idle_.pop_back();
            if (conn->usable_after_idle()) return lease(*this, std::move(conn), true);
            --open_;  // dropped: lost while idle
        }
        if (open_ < size_) break;
        if (freed_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() && open_ >= size_)
            return make_error(errc::storage_unavailable,
                              "PostgreSQL: all " + std::to_string(size_) + " pooled connections stayed busy");
    }
    ++open_;
    lock.unlock();  // connecting takes a round trip or more: not under the lock
    auto conn = connection::open(uri_);
    if (!conn) {
        std::lock_guard relock(mutex_);
        --open_;
        freed_.notify_one();
        return conn.error();
    }
    return lease(*this, std::move(*conn), false);
}

void pool::release(std::unique_ptr<connection> conn)
{
    std::lock_guard lock(mutex_);
    if (conn->healthy()) idle_.push_back(std::move(conn));
    else --open_;
    freed_.notify_one();
}

}  // namespace mcpreg::engine::detail::pg
