// What the PostgreSQL storage's files share: its lock keys and change channel, reading rows, rendering
// entries before a commit, and one name's write transaction (postgres_write.cpp). Private to the library.
#pragma once

#include "postgres.hpp"
#include "storage.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mcpreg::engine::detail {

/// Every write NOTIFYs this channel; each engine process LISTENs to it (postgres_listener.hpp).
inline constexpr std::string_view changes_channel = "mcpreg_changes";

// Advisory lock keys, (class, object) pairs. Every write takes the import lock shared (an import takes it
// exclusively), then its name's lock, then its remote URLs' locks in sorted order (the same order everywhere,
// so no deadlock).
inline constexpr int import_lock_class = 1;  // (1, 0)
inline constexpr int name_lock_class = 2;    // (2, hashtext(name))
inline constexpr int url_lock_class = 3;     // (3, hashtext(url))
inline constexpr int schema_lock_class = 4;  // (4, 0): migrations

/// The columns read_row reads, in its order.
extern const std::string row_columns;
stored_version read_row(const pg::rows& r, int i);
std::vector<stored_version> read_rows(const pg::rows& r);

/// Renders the rows of this transaction whose entry a change cleared (other sessions' rows are committed, so
/// rendered already).
result<void> render_cleared(pg::connection& c);
/// Renders, NOTIFYs the other engine processes and commits: every write ends here.
result<void> commit_and_notify(pg::connection& c, pg::transaction& tx);
/// Replaces the remote URLs stored for the row `id` with the server's (none stored yet when `fresh_row`).
result<void> replace_remotes(pg::connection& c, std::int64_t id, const model::server& server, bool fresh_row);

/// The write primitives for one name on `c`, inside a transaction the caller holds.
std::unique_ptr<write_transaction> name_rows(pg::connection& c, std::string name);

/// storage::write on one session: begins, takes the import lock shared and the name's lock, runs `work`, and
/// commits (rendering and notifying) when it asks to.
result<void> run_write(pg::connection& c, const std::string& name, const write_work& work);

}  // namespace mcpreg::engine::detail
