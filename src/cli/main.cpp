// The mcpreg command-line tool.
#include "cli.hpp"
#include "settings.hpp"
#include "terminal.hpp"

#include <mcpreg/cache/http_cache.hpp>
#include <mcpreg/version.hpp>

#include <cstdlib>
#include <exception>
#include <iostream>
#include <optional>

namespace mcpreg::cli {
namespace {

constexpr std::string_view usage =
    "usage: mcpreg <command> [options]\n"
    "\n"
    "Commands:\n"
    "  validate   check server.json documents against the schema and the registry's rules\n"
    "  fmt        print a document back through the typed model (optionally upgraded)\n"
    "  serve      host a registry (the registry API over HTTP, from SQLite)\n"
    "  list       list servers of a registry\n"
    "  show       show one server version\n"
    "  versions   list every version of a server\n"
    "  login      get a registry token (none, admin, dns, http, github) and store it\n"
    "  publish    publish a server.json\n"
    "  status     set the status of a version, or of every version\n"
    "  mirror     mirror a registry into an offline catalog (incremental after the first time)\n"
    "  search     search an offline catalog\n"
    "  resolve    turn an entry into a command line, a launch spec or a client configuration\n"
    "\n"
    "  completion print the bash completion script ('source <(mcpreg completion bash)')\n"
    "\n"
    "Global options (before or after the command):\n"
    "  --registry URL   the registry to read and write\n"
    "  --cache PATH     keep read responses in this SQLite file and revalidate them (ETag, Last-Modified)\n"
    "  --no-cache       ignore $MCPREG_CACHE and the configuration file's cache\n"
    "  --offline        answer reads from the cache only, never the network\n"
    "  --verbose, -v    report each read's HTTP status and cache outcome on standard error\n"
    "\n"
    "Defaults come from the command line, else the environment ($MCPREG_REGISTRY, $MCPREG_CACHE,\n"
    "$MCPREG_CATALOG), else the configuration file ($MCPREG_CONFIG, else $XDG_CONFIG_HOME/mcpreg/config or\n"
    "~/.config/mcpreg/config; lines 'registry = URL', 'cache = PATH', 'catalog = PATH'), else the official\n"
    "registry and no cache.\n"
    "\n"
    "Exit status: 0 done; 1 invalid input, refused, not found or unreachable; 2 bad arguments or an unreadable\n"
    "file; 3 (resolve) inputs are missing. Run 'mcpreg <command> --help' for a command's options.\n"
    "'mcpreg --version' prints the version.\n";

std::optional<std::string> environment(const char* name)
{
    const char* value = std::getenv(name);
    if (!value || !*value) return std::nullopt;
    return std::string(value);
}

// The tool's options while the HTTP cache is known only by its path.
struct global_options {
    tool_options tool;
    std::optional<std::string> cache_path;
};

// The helpers below that can end the command return the exit code to end it with, after printing why;
// nullopt lets it go on.

// The defaults: the configuration file's, then the environment's over them.
std::optional<int> read_defaults(global_options& global)
{
    auto config = read_settings();
    if (!config) {
        std::cerr << "mcpreg: " << terminal_text(config.error().what()) << '\n';
        return exit_unreadable;
    }
    auto& options = global.tool.client;
    global.cache_path = config->cache;
    global.tool.catalog = config->catalog;
    if (config->registry) options.base_url = *config->registry;
    if (auto registry = environment("MCPREG_REGISTRY")) options.base_url = *registry;
    if (auto cache = environment("MCPREG_CACHE")) global.cache_path = *cache;
    if (auto catalog = environment("MCPREG_CATALOG")) global.tool.catalog = *catalog;
    return std::nullopt;
}

// Global options may stand anywhere; take them out before the command sees its arguments, which are left in
// `rest` (the command first).
std::optional<int> take_global_options(int argc, char** argv, global_options& global, arguments& rest)
{
    auto& options = global.tool.client;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--registry" && i + 1 < argc) options.base_url = argv[++i];
        else if (arg.starts_with("--registry=")) options.base_url = std::string(arg.substr(11));
        else if (arg == "--registry") {
            std::cerr << "mcpreg: --registry takes a URL\n";
            return exit_unreadable;
        }
        else if (arg == "--cache" && i + 1 < argc) global.cache_path = argv[++i];
        else if (arg == "--no-cache") global.cache_path.reset();
        else if (arg == "--offline") options.offline = true;
        else if (arg == "--verbose" || arg == "-v") global.tool.verbose = true;
        else rest.push_back(arg);
    }
    return std::nullopt;
}

// The HTTP cache, when there is one; --offline answers from it, so it needs one.
std::optional<int> open_cache(global_options& global)
{
    auto& options = global.tool.client;
    if (options.offline && !global.cache_path) {
        std::cerr << "mcpreg: --offline reads from the cache; give one (--cache PATH or $MCPREG_CACHE)\n";
        return exit_unreadable;
    }
    if (!global.cache_path) return std::nullopt;
    auto cache = mcpreg::cache::http_cache::open({*global.cache_path});
    if (!cache) {
        std::cerr << "mcpreg: --cache: " << terminal_text(cache.error().what()) << '\n';
        return exit_unreadable;
    }
    if ((*cache)->moved_aside())
        std::cerr << "mcpreg: the cache was damaged; moved it to " << terminal_text(*(*cache)->moved_aside()) << '\n';
    options.cache = std::move(*cache);
    return std::nullopt;
}

// The command's own options come after it; an unknown command is a usage error.
int run_command(std::string_view command, const arguments& args, const tool_options& tool)
{
    const auto& options = tool.client;
    if (command == "validate") return run_validate(args);
    if (command == "fmt") return run_fmt(args);
    if (command == "serve") return run_serve(args);
    if (command == "list") return run_list(tool, args);
    if (command == "show") return run_show(tool, args);
    if (command == "versions") return run_versions(tool, args);
    if (command == "login") return run_login(options, args);
    if (command == "publish") return run_publish(options, args);
    if (command == "status") return run_status(options, args);
    if (command == "mirror") return run_mirror(tool, args);
    if (command == "search") return run_search(tool, args);
    if (command == "completion") return run_completion(args);
    if (command == "resolve") return run_resolve(options, args);
    if (command == "--help" || command == "-h" || command == "help") {
        std::cout << usage;
        return exit_ok;
    }
    if (command == "--version") {
        std::cout << "mcpreg " << mcpreg::version_string << '\n';
        return exit_ok;
    }
    std::cerr << "mcpreg: unknown command '" << terminal_text(command) << "'\n" << usage;
    return exit_unreadable;
}

}  // namespace
}  // namespace mcpreg::cli

int main(int argc, char** argv)
{
    using namespace mcpreg::cli;
    try {
        if (argc < 2) {
            std::cerr << usage;
            return exit_unreadable;
        }
        global_options global;
        if (auto stop = read_defaults(global)) return *stop;
        arguments all;
        if (auto stop = take_global_options(argc, argv, global, all)) return *stop;
        if (all.empty()) {
            std::cerr << usage;
            return exit_unreadable;
        }
        if (auto stop = open_cache(global)) return *stop;
        const arguments args(all.begin() + 1, all.end());
        return run_command(all.front(), args, global.tool);
    }
    catch (const std::exception& e) {
        // Only resource exhaustion gets here: every expected failure is an error value. Its text may still
        // carry a registry's words (an error_exception's message includes the server's), hence terminal_text,
        // which allocates: when even that fails, a fixed line.
        try {
            std::cerr << "mcpreg: " << terminal_text(e.what()) << '\n';
        }
        catch (const std::exception&) {
            std::cerr << "mcpreg: out of memory\n";
        }
        return exit_unreadable;
    }
}
