// Shared pieces of the mcpreg command-line tool.
#pragma once

#include <mcpreg/error.hpp>

#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace mcpreg::cli {

/// Exit codes shared by every subcommand.
enum exit_code : int {
    exit_ok = 0,
    exit_invalid = 1,     ///< the input was read and found invalid (validate), or an operation failed
    exit_unreadable = 2,  ///< a file could not be read, was not JSON, or the command line was wrong
};

using arguments = std::vector<std::string_view>;

int run_validate(const arguments& args);
int run_fmt(const arguments& args);

/// Reads a whole file ("-" is standard input), refusing files larger than `max_bytes`.
result<std::string> read_input_file(const std::string& path, std::size_t max_bytes = std::size_t{512} << 20);

/// Reads and parses a JSON file; the error message names the path.
result<boost::json::value> read_json_file(const std::string& path);

/// One server.json document inside a file, with the JSON pointer where it sits.
struct located_server {
    std::string pointer;  ///< "" for a lone server.json, "/3/server" inside an array of responses, ...
    const boost::json::value* json;
};

/// The server.json documents a file holds, whatever its shape.
std::vector<located_server> locate_servers(const boost::json::value& document);

}  // namespace mcpreg::cli
