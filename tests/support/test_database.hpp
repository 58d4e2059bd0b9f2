// The database the engine tests run on: SQLite in memory, or, in the PostgreSQL run of a test binary
// (MCPREG_TEST_POSTGRES names the state file of tests/postgres/server.sh), a fresh schema on that server.
#pragma once

#include <optional>
#include <string>

namespace mcpreg::test {

/// The PostgreSQL URI of the test server, when this run is on PostgreSQL.
std::optional<std::string> postgres_server();

/// ":memory:", or a connection URI whose search_path is a schema nobody used yet (created here).
std::string fresh_database();

/// A signing key file for registries on PostgreSQL (which need one), the same for the whole process.
std::string shared_key_file();

}  // namespace mcpreg::test
