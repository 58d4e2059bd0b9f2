// The engine's storage on PostgreSQL, for several engine processes over one database. Private to the library.
#pragma once

#include "storage.hpp"

namespace mcpreg::engine::detail {

/// Connects (a pool of `options.pool_size` sessions, and one listening for other processes' writes) and
/// creates or migrates the schema.
result<std::unique_ptr<storage>> open_postgres_storage(const std::string& uri, const storage_options& options);

}  // namespace mcpreg::engine::detail
