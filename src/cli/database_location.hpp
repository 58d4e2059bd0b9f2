// A database location (`mcpreg serve --db`) fit for a log: its passwords hidden.
#pragma once

#include <string>
#include <string_view>

namespace mcpreg::cli {

/// `location` with the value of every secret replaced by "***": the password of a URI's userinfo
/// (`postgresql://user:SECRET@host/db`), and any query parameter or keyword/value setting whose name contains
/// "password" (`?sslpassword=SECRET&password=SECRET`, `host=x password=SECRET`, `password = 'SE CRET'`),
/// whatever their order and case, names percent-encoded or not. An SQLite path or `:memory:` is unchanged.
/// When a keyword/value string cannot be read, everything after its first "password" is hidden: a log line
/// may then say too little, never too much.
std::string masked_database_location(std::string_view location);

/// `text` (e.g. a connection error, which may quote the location) with every secret value of `location`
/// replaced by "***": as written in the location, and as decoded (percent-encoding, quotes and backslashes).
/// Every occurrence goes, so a very short password also masks whatever else in `text` reads the same.
std::string without_database_secrets(std::string_view text, std::string_view location);

}  // namespace mcpreg::cli
