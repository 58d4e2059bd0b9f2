// The embedded storage: one SQLite connection for writes, its calls serialised, and a few read-only connections
// (WAL readers) so that reads never queue behind a write or a slow search. Private to the library.
#pragma once

#include "../common/sqlite.hpp"
#include "storage.hpp"

#include <condition_variable>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace mcpreg::engine::detail {

/// A connection and the statements prepared on it: each distinct SQL text is prepared once.
struct sqlite_session {
    mcpreg::detail::sqlite::connection db;
    std::unordered_map<std::string, mcpreg::detail::sqlite::statement> statements;

    /// A prepared statement for `sql`, reset and ready to bind.
    result<mcpreg::detail::sqlite::statement*> prepared(const std::string& sql);
};

/// The columns read_row reads, in its order.
inline constexpr std::string_view row_columns =
    "name, version, document, status, status_message, published_at_text, updated_at_text, status_changed_at_text, "
    "is_latest, official_extra, meta_other";

/// A row selected with row_columns.
stored_version read_row(const mcpreg::detail::sqlite::statement& stmt);

/// Every row `stmt` steps through, each made by `read`.
template <class Row, class Read>
result<std::vector<Row>> collect(mcpreg::detail::sqlite::statement& stmt, Read read)
{
    std::vector<Row> rows;
    while (true) {
        auto more = stmt.step();
        if (!more) return more.error();
        if (!*more) return rows;
        rows.push_back(read(stmt));
    }
}

/// The versions of a name, newest publish first, as `columns`.
result<mcpreg::detail::sqlite::statement*> versions_statement(sqlite_session& session, std::string_view columns,
                                                              const std::string& name, bool include_deleted);

/// The write primitives on the write connection (storage_write.cpp), for one name; the storage's write lock is
/// held and a transaction open.
class sqlite_write_transaction final : public write_transaction {
public:
    sqlite_write_transaction(sqlite_session& session, std::string name) : session_(session), name_(std::move(name)) {}

    const std::string& name() const override { return name_; }
    result<std::optional<stored_version>> find(const std::string& version) override;
    result<std::vector<stored_version>> versions() override;
    result<std::size_t> count() override;
    result<std::optional<latest_holder>> current_latest() override;
    result<std::vector<model::latest_candidate>> latest_candidates() override;
    result<std::vector<std::string>> remote_urls(const std::string& version) override;
    result<std::optional<url_owner>> owner_of_urls(std::vector<std::string> urls) override;
    result<void> insert(const model::server& server, const std::string& document, const model::timestamp& at,
                        bool latest) override;
    result<void> update_document(const model::server& server, const std::string& document,
                                 const model::timestamp& at) override;
    result<void> update_status(const std::optional<std::string>& version, model::server_status status,
                               const std::optional<std::string>& message, const model::timestamp& at) override;
    result<void> set_latest(const std::optional<std::string>& version) override;

    /// Replaces the remote URLs stored for `version` with the server's (an import's rows, and this one's).
    result<void> store_remote_urls(const std::string& version, const model::server& server);

private:
    result<mcpreg::detail::sqlite::statement*> prepared(const std::string& sql) { return session_.prepared(sql); }

    sqlite_session& session_;
    std::string name_;
};

class sqlite_storage final : public storage {
public:
    /// `readers` read-only connections serve the reads of a database file; ":memory:" has none (a second
    /// connection would open another empty database), so its reads share the write connection.
    static result<std::unique_ptr<storage>> open(const std::string& path, bool full_sync, std::size_t readers);

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

private:
    explicit sqlite_storage(mcpreg::detail::sqlite::connection db) : writer_{std::move(db), {}} {}
    result<void> migrate();
    /// Renders the rows whose entry a change cleared, then commits: every write ends here.
    result<void> commit(mcpreg::detail::sqlite::transaction& tx);

    /// A prepared statement on the write connection (hold mutex_).
    result<mcpreg::detail::sqlite::statement*> prepared(const std::string& sql) { return writer_.prepared(sql); }
    /// Runs `read` on a read connection (waiting for a free one), or on the write connection when there are none.
    template <class Read>
    auto with_reader(Read&& read) -> decltype(read(std::declval<sqlite_session&>()))
    {
        if (readers_.empty()) {
            std::lock_guard lock(mutex_);
            return read(writer_);
        }
        std::unique_lock pool(pool_mutex_);
        pool_ready_.wait(pool, [this] { return !idle_readers_.empty(); });
        sqlite_session* session = idle_readers_.back();
        idle_readers_.pop_back();
        pool.unlock();
        struct give_back {
            sqlite_storage& owner;
            sqlite_session* session;
            ~give_back()
            {
                // A statement left on a row holds its read transaction, and the connection would keep serving
                // that old snapshot: every statement ends with the call.
                for (auto& [text, stmt] : session->statements) stmt.reset();
                {
                    std::lock_guard lock(owner.pool_mutex_);
                    owner.idle_readers_.push_back(session);
                }
                owner.pool_ready_.notify_one();
            }
        } returned{*this, session};
        return read(*session);
    }

    // The write connection: every write (and every read without read connections) holds this.
    std::mutex mutex_;
    sqlite_session writer_;
    // Read connections, each used by one thread at a time.
    std::vector<std::unique_ptr<sqlite_session>> readers_;
    std::mutex pool_mutex_;
    std::condition_variable pool_ready_;
    std::vector<sqlite_session*> idle_readers_;
};

}  // namespace mcpreg::engine::detail
