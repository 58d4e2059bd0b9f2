// The mcpreg command-line tool.
#include "cli.hpp"

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
    "\n"
    "Global options (before or after the command):\n"
    "  --registry URL   the registry to read (default: $MCPREG_REGISTRY, else the official registry)\n"
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
            else all.push_back(arg);
        }
        if (all.empty()) {
            std::cerr << usage;
            return exit_unreadable;
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
