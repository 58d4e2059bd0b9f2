// The options each runner accepts from a registry entry, and what each one does: the vocabulary of the tables
// in runner_tables.cpp, read by the runtime-option check (runtime_check.cpp). Private.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace mcpreg::resolve::detail {

enum class effect { allowed, changes_program, host_access };
enum class reading { plain, container_env, port, volume, mount, network, namespace_mode };

struct option_rule {
    std::string_view name;
    bool takes_value;
    effect what;
    reading read = reading::plain;
};

struct runner_grammar {
    std::span<const option_rule> rules;
    bool combined_short = false;  ///< `-it`, `-eNAME=value`, `-p8080:80` (docker and podman)
    std::string_view unknown;     ///< why an option outside the table is refused
};

// The table of `runner` ("npx", "docker"...); nullopt for a runner whose options mcpreg does not know.
std::optional<runner_grammar> grammar_of(std::string_view runner);

// The rule for the exact spelling `name`, or nullptr.
const option_rule* find_rule(const runner_grammar& g, std::string_view name);

}  // namespace mcpreg::resolve::detail
