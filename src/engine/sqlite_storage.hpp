// The embedded storage: one SQLite connection, its calls serialised. Private to the library.
#pragma once

#include "../common/sqlite.hpp"
#include "storage.hpp"

#include <mutex>
#include <unordered_map>

namespace mcpreg::engine::detail {

class sqlite_storage final : public storage {
public:
    static result<std::unique_ptr<storage>> open(const std::string& path);

    result<void> list(const list_query& query, const row_sink& sink) override;
    result<void> versions(const std::string& name, bool include_deleted, const row_sink& sink) override;
    result<bool> get(const std::string& name, const std::string& version, bool include_deleted,
                     const row_sink& sink) override;
    result<void> search(const std::vector<std::string>& words, std::chrono::milliseconds max_time, bool include_deleted,
                        bool latest_only, int limit, const row_sink& sink) override;
    result<import_report> import(std::vector<import_entry> entries) override;
    result<std::size_t> count() override;
    result<write_outcome<stored_version>> publish(const model::server& server, const std::string& document,
                                                  std::size_t max_versions) override;
    result<write_outcome<stored_version>> edit(const model::server& server, const std::string& document) override;
    result<write_outcome<stored_version>> set_status(const std::string& name, const std::string& version,
                                                     model::server_status status,
                                                     const std::optional<std::string>& message) override;
    result<write_outcome<std::vector<stored_version>>>
    set_status_all(const std::string& name, model::server_status status,
                   const std::optional<std::string>& message) override;
    result<write_outcome<stored_version>> remove(const std::string& name, const std::string& version) override;
    result<void> audit(const audit_entry& entry) override;
    result<std::vector<audit_entry>> audit_log(std::size_t limit) override;

private:
    explicit sqlite_storage(mcpreg::detail::sqlite::connection db) : db_(std::move(db)) {}
    result<void> migrate();
    result<void> recalculate_latest(const std::string& name, const std::optional<std::string>& given_latest);
    result<void> replace_remotes(const std::string& name, const std::string& version, const model::server& server);
    /// The first remote URL of `server` already used by a non-deleted version of another name, with that name.
    result<std::optional<std::pair<std::string, std::string>>> remote_conflict(const std::string& name,
                                                                               const std::vector<std::string>& urls);
    result<std::optional<stored_version>> find(const std::string& name, const std::string& version);
    /// Every version of a name with all its columns, newest publish first (deleted ones included).
    result<std::vector<stored_version>> all_versions(const std::string& name);
    result<mcpreg::detail::sqlite::statement*> versions_statement(std::string_view columns, const std::string& name,
                                                                  bool include_deleted);
    /// Renders the rows whose entry a change cleared, then commits: every write ends here.
    result<void> commit(mcpreg::detail::sqlite::transaction& tx);

    /// A prepared statement for `sql`, reset and ready to bind: each distinct text is prepared once.
    result<mcpreg::detail::sqlite::statement*> prepared(const std::string& sql);

    // One connection: every call holds this (recursive: a write reads through the public calls).
    std::recursive_mutex mutex_;
    mcpreg::detail::sqlite::connection db_;
    std::unordered_map<std::string, mcpreg::detail::sqlite::statement> statements_;
};

}  // namespace mcpreg::engine::detail
