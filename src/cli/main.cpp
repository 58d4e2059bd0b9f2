// The mcpreg command-line tool.
#include "cli.hpp"

#include <mcpreg/version.hpp>

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
        const std::string_view command = argv[1];
        arguments args(argv + 2, argv + argc);
        if (command == "validate") return run_validate(args);
        if (command == "fmt") return run_fmt(args);
        if (command == "serve") return run_serve(args);
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
