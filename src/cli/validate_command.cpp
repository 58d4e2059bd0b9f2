// mcpreg validate [--json] [--official] [--quiet] [--schema GEN] PATH...
#include "cli.hpp"
#include "terminal.hpp"

#include <mcpreg/model/json.hpp>
#include <mcpreg/model/validate.hpp>

#include <chrono>
#include <iostream>
#include <map>

namespace mcpreg::cli {
namespace json = boost::json;
namespace {

constexpr std::string_view usage =
    "usage: mcpreg validate [--json] [--official] [--quiet] [--schema GENERATION] PATH...\n"
    "\n"
    "Validates server.json documents against the JSON Schema their $schema names and the official\n"
    "registry's semantic rules. Each PATH ('-' for standard input) may hold a server.json, an array of\n"
    "them, a server response, an array of responses or a list page.\n"
    "\n"
    "  --json          print one JSON report instead of lines\n"
    "  --official      apply the official registry's publish profile ($schema required, only the\n"
    "                  publisher-provided _meta key)\n"
    "  --quiet         print only the summary\n"
    "  --schema GEN    validate against GEN (2025-07-09 ... 2025-12-11, draft) whatever $schema says\n"
    "\n"
    "Output: one line per issue, PATH#/json/pointer: rule-id: message (warnings say so), then a summary.\n"
    "Exit status: 0 all valid, 1 any invalid, 2 a PATH unreadable or not JSON.\n";

struct tally {
    std::size_t documents = 0, valid = 0, errors = 0, warnings = 0;
};

}  // namespace

int run_validate(const arguments& args)
{
    bool as_json = false, quiet = false;
    model::validate_options options;
    std::vector<std::string> paths;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto arg = args[i];
        if (arg == "--help" || arg == "-h") {
            std::cout << usage;
            return exit_ok;
        }
        if (arg == "--json") as_json = true;
        else if (arg == "--quiet" || arg == "-q") quiet = true;
        else if (arg == "--official") options.official_registry = true;
        else if (arg == "--schema" && i + 1 < args.size()) {
            auto generation = model::parse_generation(args[++i]);
            if (!generation || *generation == model::schema_generation::unknown) {
                std::cerr << "mcpreg validate: unknown schema generation '" << terminal_text(args[i]) << "'\n";
                return exit_unreadable;
            }
            options.generation = *generation;
        }
        else if (arg.starts_with("-") && arg != "-") {
            std::cerr << "mcpreg validate: unknown option '" << terminal_text(arg) << "'\n" << usage;
            return exit_unreadable;
        }
        else paths.emplace_back(arg);
    }
    if (paths.empty()) {
        std::cerr << usage;
        return exit_unreadable;
    }

    const auto started = std::chrono::steady_clock::now();
    tally total;
    std::map<std::string, tally> by_declared;  // declared $schema generation -> counts
    std::map<std::string, std::size_t> by_rule;
    bool unreadable = false;
    json::array file_reports;

    for (const auto& path : paths) {
        auto document = model::read_json_file(path);
        if (!document) {
            unreadable = true;
            std::cerr << "mcpreg validate: " << terminal_text(document.error().diag.message) << '\n';
            if (as_json) file_reports.push_back({{"path", path}, {"error", document.error().diag.message}});
            continue;
        }
        json::array document_reports;
        for (const auto& located : model::locate_servers(*document)) {
            auto issues = model::validate(*located.server, options);
            const bool valid = model::is_valid(issues);
            std::string declared = "none";
            if (const auto* object = located.server->if_object())
                if (const auto* schema = object->if_contains("$schema"); schema && schema->is_string())
                    declared = std::string(to_string(model::generation_of_schema_url(schema->get_string())));
            for (auto* t : {&total, &by_declared[declared]}) {
                ++t->documents;
                if (valid) ++t->valid;
            }
            json::array issue_reports;
            for (const auto& issue : issues) {
                if (issue.severity == model::severity::info) continue;
                (issue.severity == model::severity::error ? total.errors : total.warnings)++;
                ++by_rule[issue.rule];
                if (as_json)
                    issue_reports.push_back({{"rule", issue.rule},
                                             {"severity", to_string(issue.severity)},
                                             {"path", located.pointer + issue.path},
                                             {"message", issue.message}});
                else if (!quiet)  // the pointer and the message may quote the file's own keys and values
                    std::cout << terminal_text(path + '#' + located.pointer + issue.path + ": " + issue.rule + ": " +
                                               (issue.severity == model::severity::warning ? "warning: " : "") +
                                               issue.message)
                              << '\n';
            }
            if (as_json) {
                json::object report{
                    {"pointer", located.pointer}, {"valid", valid}, {"issues", std::move(issue_reports)}};
                if (const auto* object = located.server->if_object()) {
                    if (auto* name = object->if_contains("name")) report["name"] = *name;
                    if (auto* version = object->if_contains("version")) report["version"] = *version;
                }
                document_reports.push_back(std::move(report));
            }
        }
        if (as_json)
            file_reports.push_back({{"path", path},
                                    {"kind", to_string(model::classify_document(*document))},
                                    {"documents", std::move(document_reports)}});
    }

    const auto elapsed_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    const std::size_t invalid = total.documents - total.valid;
    if (as_json) {
        json::object declared;
        for (const auto& [generation, t] : by_declared)
            declared[generation] = {{"documents", t.documents}, {"valid", t.valid}};
        json::object rules;
        for (const auto& [rule, count] : by_rule) rules[rule] = count;
        json::object report{{"files", std::move(file_reports)},
                            {"summary",
                             {{"documents", total.documents},
                              {"valid", total.valid},
                              {"invalid", invalid},
                              {"errors", total.errors},
                              {"warnings", total.warnings},
                              {"by_declared_schema", std::move(declared)},
                              {"by_rule", std::move(rules)}}}};
        std::cout << terminal_json(report) << '\n';
    }
    else {
        std::cout << "validated " << total.documents << " server.json document" << (total.documents == 1 ? "" : "s")
                  << " in " << paths.size() << " file" << (paths.size() == 1 ? "" : "s") << " ("
                  << static_cast<long long>(elapsed_ms) << " ms): " << total.valid << " valid, " << invalid
                  << " invalid; " << total.errors << " error" << (total.errors == 1 ? "" : "s") << ", "
                  << total.warnings << " warning" << (total.warnings == 1 ? "" : "s") << '\n';
        if (total.documents > 1) {
            std::cout << "  by declared $schema:";
            for (const auto& [generation, t] : by_declared)
                std::cout << "  " << generation << ' ' << t.valid << '/' << t.documents;
            std::cout << " valid\n";
            if (!by_rule.empty()) {
                std::cout << "  issues by rule:";
                for (const auto& [rule, count] : by_rule) std::cout << "  " << rule << ' ' << count;
                std::cout << '\n';
            }
        }
    }
    if (unreadable) return exit_unreadable;
    return invalid > 0 ? exit_invalid : exit_ok;
}

}  // namespace mcpreg::cli
