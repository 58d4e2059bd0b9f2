#include "settings.hpp"

#include <cstdlib>
#include <fstream>

namespace mcpreg::cli {

std::filesystem::path config_directory()
{
    std::filesystem::path dir;
    if (const char* config = std::getenv("XDG_CONFIG_HOME"); config && *config) dir = config;
    else if (const char* home = std::getenv("HOME"); home && *home) dir = std::filesystem::path(home) / ".config";
    else dir = ".";
    return dir / "mcpreg";
}

namespace {

std::string_view trim(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
    return text;
}

}  // namespace

result<settings> read_settings()
{
    settings out;
    if (const char* path = std::getenv("MCPREG_CONFIG"); path && *path) out.source = path;
    else out.source = config_directory() / "config";
    std::ifstream in(out.source);
    if (!in) return out;
    std::string line;
    for (std::size_t number = 1; std::getline(in, line); ++number) {
        const auto text = trim(line);
        if (text.empty() || text.front() == '#') continue;
        const auto where = out.source.string() + ":" + std::to_string(number) + ": ";
        const auto equals = text.find('=');
        if (equals == std::string_view::npos)
            return make_error(errc::invalid_argument, where + "expected 'key = value'");
        const auto key = trim(text.substr(0, equals));
        const auto value = std::string(trim(text.substr(equals + 1)));
        if (value.empty()) return make_error(errc::invalid_argument, where + "'" + std::string(key) + "' has no value");
        if (key == "registry") out.registry = value;
        else if (key == "cache") out.cache = value;
        else if (key == "catalog") out.catalog = value;
        else
            return make_error(errc::invalid_argument,
                              where + "unknown key '" + std::string(key) + "' (known: registry, cache, catalog)");
    }
    return out;
}

}  // namespace mcpreg::cli
