// Where the tool keeps its files, and its configuration file.
#pragma once

#include <mcpreg/error.hpp>

#include <filesystem>
#include <optional>
#include <string>

namespace mcpreg::cli {

/// $XDG_CONFIG_HOME/mcpreg, else ~/.config/mcpreg (tokens.json and config live there).
std::filesystem::path config_directory();

/// Defaults from the configuration file. The command line beats the environment, which beats the file.
struct settings {
    std::optional<std::string> registry;  ///< `registry = URL`: the registry read and written
    std::optional<std::string> cache;     ///< `cache = PATH`: the HTTP response cache (as --cache)
    std::optional<std::string> catalog;   ///< `catalog = PATH`: the catalog of mirror and search (as --db)
    std::filesystem::path source;         ///< the file read (it may not exist)
};

/// Reads $MCPREG_CONFIG, else config_directory()/config. A missing file gives empty settings; a line that
/// is not `key = value`, `# comment` or blank, or an unknown key, is an error naming FILE:LINE.
result<settings> read_settings();

}  // namespace mcpreg::cli
