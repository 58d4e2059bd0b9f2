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

class sqlite_storage final : public storage {
public:
    /// `readers` read-only connections serve the reads of a database file; ":memory:" has none (a second
    /// connection would open another empty database), so its reads share the write connection.
    static result<std::unique_ptr<storage>> open(const std::string& path, bool full_sync, std::size_t readers);

    result<void> list(const list_query& query, const row_sink& sink) override;
    result<void> versions(const std::string& name, bool include_deleted, const row_sink& sink) override;
    result<bool> get(const std::string& name, const std::string& version, bool include_deleted,
                     const row_sink& sink) override;
    result<void> search(const std::vector<std::string>& words, std::chrono::milliseconds max_time, bool include_deleted,
                        bool latest_only, int limit, const row_sink& sink) override;
    result<import_report> import(std::vector<import_entry> entries) override;
    result<std::size_t> count() override;
    result<std::string> deployment_id() override;
    result<write_outcome<stored_version>> publish(const model::server& server, const std::string& document,
                                                  std::size_t max_versions) override;
    result<write_outcome<stored_version>> edit(const model::server& server, const std::string& document) override;
    result<write_outcome<stored_version>> set_status(const std::string& name, const std::string& version,
                                                     model::server_status status,
                                                     const std::optional<std::string>& message) override;
    result<write_outcome<std::vector<stored_version>>>
    set_status_all(const std::string& name, model::server_status status,
                   const std::optional<std::string>& message) override;
    result<void> audit(const audit_entry& entry) override;
    result<std::vector<audit_entry>> audit_log(std::size_t limit) override;

private:
    explicit sqlite_storage(mcpreg::detail::sqlite::connection db) : writer_{std::move(db), {}} {}
    result<void> migrate();
    result<void> recalculate_latest(const std::string& name, const std::optional<std::string>& given_latest);
    result<void> replace_remotes(const std::string& name, const std::string& version, const model::server& server);
    /// The first remote URL of `server` already used by a non-deleted version of another name, with that name.
    result<std::optional<std::pair<std::string, std::string>>> remote_conflict(const std::string& name,
                                                                               const std::vector<std::string>& urls);
    result<std::optional<stored_version>> find(const std::string& name, const std::string& version);
    /// Every version of a name with all its columns, newest publish first (deleted ones included).
    result<std::vector<stored_version>> all_versions(const std::string& name);
    static result<mcpreg::detail::sqlite::statement*> versions_statement(sqlite_session& session,
                                                                         std::string_view columns,
                                                                         const std::string& name, bool include_deleted);
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
    std::recursive_mutex mutex_;
    sqlite_session writer_;
    // Read connections, each used by one thread at a time.
    std::vector<std::unique_ptr<sqlite_session>> readers_;
    std::mutex pool_mutex_;
    std::condition_variable pool_ready_;
    std::vector<sqlite_session*> idle_readers_;
};

}  // namespace mcpreg::engine::detail
