// Shared pieces of the mcpreg command-line tool.
#pragma once

#include <mcpreg/client/options.hpp>
#include <mcpreg/error.hpp>
#include <mcpreg/http_message.hpp>

#include <charconv>
#include <optional>
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

/// A whole non-negative decimal number, or nullopt ("12x", "-1" and "" are not counts).
inline std::optional<std::size_t> parse_count(std::string_view text)
{
    std::size_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

/// Options of the tool itself: from the command line, else the environment, else the configuration file.
struct tool_options {
    client_options client;
    std::optional<std::string> catalog;  ///< the default --db of mirror and search
    bool verbose = false;                ///< report each read's HTTP status and cache outcome on stderr
};

int run_validate(const arguments& args);
int run_fmt(const arguments& args);
int run_serve(const arguments& args);
int run_list(const tool_options& tool, const arguments& args);
int run_show(const tool_options& tool, const arguments& args);
int run_versions(const tool_options& tool, const arguments& args);
int run_login(const client_options& options, const arguments& args);
int run_publish(const client_options& options, const arguments& args);
int run_status(const client_options& options, const arguments& args);
int run_mirror(const tool_options& tool, const arguments& args);
int run_search(const tool_options& tool, const arguments& args);
int run_completion(const arguments& args);
int run_resolve(const client_options& options, const arguments& args);

}  // namespace mcpreg::cli
