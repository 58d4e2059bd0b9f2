// The mcpreg command-line tool.
#include "cli.hpp"

#include <mcpreg/cache/http_cache.hpp>
#include <mcpreg/version.hpp>

#include <cstdlib>
#include <exception>
#include <iostream>

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
    "Global options (before or after the command):\n"
    "  --registry URL   the registry to read (default: $MCPREG_REGISTRY, else the official registry)\n"
    "  --cache PATH     keep read responses in this SQLite file and revalidate them (ETag, Last-Modified)\n"
    "  --offline        answer reads from --cache only, never the network\n"
    "\n"
    "Run 'mcpreg <command> --help' for a command's options. 'mcpreg --version' prints the version.\n";

}  // namespace

int main(int argc, char** argv)
{
    using namespace mcpreg::cli;
    try {
        if (argc < 2) {
            std::cerr << usage;
            return exit_unreadable;
        }
        // Global options may stand anywhere; take them out before the command sees its arguments.
        mcpreg::client_options options;
        std::string cache_path;
        if (const char* registry = std::getenv("MCPREG_REGISTRY"); registry && *registry) options.base_url = registry;
        arguments all;
        for (int i = 1; i < argc; ++i) {
            const std::string_view arg = argv[i];
            if (arg == "--registry" && i + 1 < argc) options.base_url = argv[++i];
            else if (arg.starts_with("--registry=")) options.base_url = std::string(arg.substr(11));
            else if (arg == "--registry") {
                std::cerr << "mcpreg: --registry takes a URL\n";
                return exit_unreadable;
            }
            else if (arg == "--cache" && i + 1 < argc) cache_path = argv[++i];
            else if (arg == "--offline") options.offline = true;
            else all.push_back(arg);
        }
        if (all.empty()) {
            std::cerr << usage;
            return exit_unreadable;
        }
        if (options.offline && cache_path.empty()) {
            std::cerr << "mcpreg: --offline reads from --cache PATH; give one\n";
            return exit_unreadable;
        }
        if (!cache_path.empty()) {
            auto cache = mcpreg::cache::http_cache::open({cache_path});
            if (!cache) {
                std::cerr << "mcpreg: --cache: " << cache.error() << '\n';
                return exit_unreadable;
            }
            if ((*cache)->moved_aside())
                std::cerr << "mcpreg: the cache was damaged; moved it to " << *(*cache)->moved_aside() << '\n';
            options.cache = std::move(*cache);
        }
        const std::string_view command = all.front();
        arguments args(all.begin() + 1, all.end());
        if (command == "validate") return run_validate(args);
        if (command == "fmt") return run_fmt(args);
        if (command == "serve") return run_serve(args);
        if (command == "list") return run_list(options, args);
        if (command == "show") return run_show(options, args);
        if (command == "versions") return run_versions(options, args);
        if (command == "login") return run_login(options, args);
        if (command == "publish") return run_publish(options, args);
        if (command == "status") return run_status(options, args);
        if (command == "mirror") return run_mirror(options, args);
        if (command == "search") return run_search(args);
        if (command == "resolve") return run_resolve(options, args);
        if (command == "--help" || command == "-h" || command == "help") {
            std::cout << usage;
            return exit_ok;
        }
        if (command == "--version") {
            std::cout << "mcpreg " << mcpreg::version_string << '\n';
            return exit_ok;
        }
        std::cerr << "mcpreg: unknown command '" << command << "'\n" << usage;
        return exit_unreadable;
    }
    catch (const std::exception& e) {
        // Only resource exhaustion gets here: every expected failure is an error value.
        std::cerr << "mcpreg: " << e.what() << '\n';
        return exit_unreadable;
    }
}
