// A thin RAII layer over libpq: a connection with statements prepared once, result rows, a transaction
// guard and a pool. Private to the library; libpq never appears in a public header.
#pragma once

#include <mcpreg/error.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct pg_conn;
struct pg_result;

namespace mcpreg::engine::detail::pg {

/// A statement parameter in text form; nullopt is SQL NULL.
using param = std::optional<std::string>;

inline param text(std::string_view value) { return std::string(value); }
inline param integer(std::int64_t value) { return std::to_string(value); }
inline param boolean(bool value) { return std::string(value ? "t" : "f"); }

/// Whether PostgreSQL can store `value` as text: UTF-8 without NUL bytes. Other values cannot match a row.
bool storable(std::string_view value) noexcept;

/// The rows of one statement.
class rows {
public:
    rows() = default;
    explicit rows(pg_result* result) noexcept : result_(result) {}
    rows(rows&& other) noexcept;
    rows& operator=(rows&& other) noexcept;
    rows(const rows&) = delete;
    rows& operator=(const rows&) = delete;
    ~rows();

    int size() const noexcept;
    bool is_null(int row, int column) const noexcept;
    std::string_view text(int row, int column) const noexcept;
    std::optional<std::string> optional_text(int row, int column) const;
    std::int64_t integer(int row, int column) const noexcept;
    bool boolean(int row, int column) const noexcept;

private:
    pg_result* result_ = nullptr;
};

/// One session. Failures: errc::storage_unavailable when the server cannot be reached or the session broke
/// (worth retrying on a new one), errc::storage_error for a statement the server refused (its SQLSTATE and
/// message in the diagnostics), errc::invalid_argument for a parameter PostgreSQL cannot store.
class connection {
public:
    static result<std::unique_ptr<connection>> open(const std::string& uri);

    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;
    ~connection();

    /// Runs `sql` ($1, $2... placeholders) as a statement prepared on first use in this session.
    result<rows> run(const std::string& sql, const std::vector<param>& params = {});
    /// Runs one or more statements without parameters (DDL, BEGIN, COMMIT).
    result<void> execute(const std::string& sql);

    /// False once the session broke; the pool then drops it.
    bool healthy() const noexcept;
    /// Takes input waiting on an idle session (a server's goodbye, notifications) and reports whether it is
    /// still usable: a session idle across a server restart is found dead here, before a statement fails on it.
    bool usable_after_idle() noexcept;
    /// The socket, for waiting on notifications.
    int socket() const noexcept;
    /// Reads what arrived and returns the channels of the notifications received (LISTEN).
    std::vector<std::string> take_notifications();
    /// The SQLSTATE of the last failed statement ("" when none).
    const std::string& last_sqlstate() const noexcept { return last_sqlstate_; }

private:
    explicit connection(pg_conn* conn) noexcept : conn_(conn) {}
    error failure(pg_result* result, std::string_view context);

    pg_conn* conn_ = nullptr;
    std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
    std::string last_sqlstate_;
};

/// Runs a transaction on `conn`: BEGIN now, ROLLBACK on destruction unless commit() succeeded.
class transaction {
public:
    static result<transaction> begin(connection& conn);
    transaction(transaction&& other) noexcept : conn_(std::exchange(other.conn_, nullptr)) {}
    transaction& operator=(transaction&&) = delete;
    ~transaction();
    result<void> commit();

private:
    explicit transaction(connection& conn) noexcept : conn_(&conn) {}
    connection* conn_;
};

/// Up to `size` sessions to one database, opened on demand and dropped when broken; a session lost while
/// idle (a server restart) is replaced, so the pool recovers on its own once the server is back.
class pool {
public:
    pool(std::string uri, std::size_t size, std::chrono::milliseconds wait_limit = std::chrono::seconds(10));
    ~pool();

    /// A session held for one unit of work; it returns to the pool (or is dropped, when broken) on destruction.
    class lease {
    public:
        lease(pool& owner, std::unique_ptr<connection> conn, bool reused) noexcept
            : owner_(&owner), conn_(std::move(conn)), reused_(reused)
        {
        }
        lease(lease&& other) noexcept = default;
        lease& operator=(lease&&) = delete;
        ~lease();
        connection& operator*() const noexcept { return *conn_; }
        connection* operator->() const noexcept { return conn_.get(); }
        /// Whether the session was used before (a failure on it may be a server restart, worth one retry).
        bool reused() const noexcept { return reused_; }

    private:
        pool* owner_;
        std::unique_ptr<connection> conn_;
        bool reused_;
    };

    /// A session: an idle one, a new one while fewer than `size` are open, or one that frees up within the
    /// wait limit (errc::storage_unavailable after it).
    result<lease> acquire();
    const std::string& uri() const noexcept { return uri_; }

private:
    void release(std::unique_ptr<connection> conn);

    std::string uri_;
    std::size_t size_;
    std::chrono::milliseconds wait_limit_;
    std::mutex mutex_;
    std::condition_variable freed_;
    std::vector<std::unique_ptr<connection>> idle_;
    std::size_t open_ = 0;
};

}  // namespace mcpreg::engine::detail::pg
