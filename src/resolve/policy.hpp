// What a registry entry may ask of the program that starts its package. The entry names a package; a runtime
// argument, an environment variable or a registry URL must not turn that into another program, another
// package, or a container with the host's files, devices or namespaces. Each runner has a table of the
// options it accepts from an entry; an option outside it, an operand, or a variable that steers the runner is
// refused unless the caller allows it by name. docs/security.md states the policy; keep the two in step.
// This header is what the rest of the module uses; the policy itself lives in runner_environment.cpp (the
// variables), runner_tables.cpp (each runner's options), mounts.cpp (bind mounts) and runtime_check.cpp (reading
// the runtime arguments against the tables). Private.
#pragma once

#include <mcpreg/resolve/resolve.hpp>

#include "inputs.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace mcpreg::resolve::detail {

using allowed_set = std::set<std::string, std::less<>>;

// ---- the caller's opt-in ----

inline bool permitted(const allowed_set& allowed, std::string_view key)
{
    return allowed.contains(all_runner_options) || allowed.contains(key);
}

inline error refusal(std::string what, std::string_view key)
{
    return make_error(errc::invalid_argument, std::move(what) + "; refused (allow it with --allow-runner-option " +
                                                  std::string(key) + ", or options::allowed_runner_options)");
}

inline bool ascii_iequal_prefix(std::string_view text, std::string_view prefix)
{
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(text[i]) != lower(prefix[i])) return false;
    }
    return true;
}

// ---- names, URLs and values ----

// What a process environment can hold under a name that every shell and runner reads the same way.
inline bool valid_env_name(std::string_view name)
{
    if (name.empty() || name.size() > 256 || (name.front() >= '0' && name.front() <= '9')) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
}

// An HTTP field name (RFC 9110 token).
inline bool valid_header_name(std::string_view name)
{
    if (name.empty() || name.size() > 256) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    });
}

inline bool has_control(std::string_view text)
{
    return std::any_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
    });
}

// An http(s) URL without spaces or control characters: what a client can connect to and a runner can take as
// its registry, and nothing it could read as an option or a second argument.
inline bool valid_url(std::string_view url)
{
    if (!ascii_iequal_prefix(url, "https://") && !ascii_iequal_prefix(url, "http://")) return false;
    return url.find(' ') == std::string_view::npos && !has_control(url);
}

// ---- environment variables that steer the runner (runner_environment.cpp) ----

// Environment names must be names; those that steer the runner need the caller's opt-in (`env:NAME`).
// `runner` is the program started ("npx", "docker", a cargo binary, a bundle's interpreter: "" for those).
std::optional<error> check_environment(std::string_view runner, const std::map<std::string, piece>& env,
                                       const allowed_set& allowed, launch_report& report,
                                       std::vector<std::string>& warnings);

// ---- runtime options (runtime_check.cpp) ----

struct option_rule;     // runner_options.hpp
struct runner_grammar;  // runner_options.hpp

// Reads the runtime arguments an entry gives its runner against the runner's table, records what they do in
// the report, and refuses what the caller has not allowed.
struct runtime_check {
    std::string_view runner;
    std::string_view package;  ///< the package reference, for messages
    const allowed_set& allowed;
    std::string_view home;
    launch_report& report;
    std::vector<std::string>& warnings;

    // Every runtime argument, in order; the first refusal ends the check.
    std::optional<error> run(const std::vector<piece>& tokens);

private:
    std::optional<error> operand(const std::string& shown);
    std::optional<error> known_runner_option(const runner_grammar& grammar, const std::vector<piece>& tokens,
                                             std::size_t& i, const std::string& shown);
    std::optional<error> value_in_next_argument(const option_rule& rule, const std::vector<piece>& tokens,
                                                std::size_t& i, const std::string& shown);
    std::optional<error> option(const option_rule& rule, const std::optional<piece>& value, std::string shown);
    std::optional<error> unknown(std::string_view name, std::string shown, std::string_view why);
};

}  // namespace mcpreg::resolve::detail
