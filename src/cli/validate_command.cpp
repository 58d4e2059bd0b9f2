// mcpreg validate [--json] [--official] [--quiet] [--schema GEN] PATH...
#include "cli.hpp"
#include "terminal.hpp"

#include <mcpreg/model/json.hpp>
#include <mcpreg/model/validate.hpp>

#include <chrono>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

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

// The command line of `mcpreg validate`.
struct validate_request {
    bool as_json = false, quiet = false;
    model::validate_options options;
    std::vector<std::string> paths;
};

// Everything found in the files, for the summary (and, with --json, the whole report).
struct findings {
    tally total;
    std::map<std::string, tally> by_declared;  // declared $schema generation -> counts
    std::map<std::string, std::size_t> by_rule;
    bool unreadable = false;
    json::array file_reports;  // --json only
};

// The exit code to end the command with (after printing why, or the usage), or nullopt to go on.
std::optional<int> parse_arguments(const arguments& args, validate_request& request)
{
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto arg = args[i];
        if (arg == "--help" || arg == "-h") {
            std::cout << usage;
            return exit_ok;
        }
        if (arg == "--json") request.as_json = true;
        else if (arg == "--quiet" || arg == "-q") request.quiet = true;
        else if (arg == "--official") request.options.official_registry = true;
        else if (arg == "--schema" && i + 1 < args.size()) {
            auto generation = model::parse_generation(args[++i]);
            if (!generation || *generation == model::schema_generation::unknown) {
                std::cerr << "mcpreg validate: unknown schema generation '" << terminal_text(args[i]) << "'\n";
                return exit_unreadable;
            }
            request.options.generation = *generation;
        }
        else if (arg.starts_with("-") && arg != "-") {
            std::cerr << "mcpreg validate: unknown option '" << terminal_text(arg) << "'\n" << usage;
            return exit_unreadable;
        }
        else request.paths.emplace_back(arg);
    }
    if (request.paths.empty()) {
        std::cerr << usage;
        return exit_unreadable;
    }
    return std::nullopt;
}

// The generation a document's $schema names, "none" when it has none.
std::string declared_generation(const json::value& server)
{
    if (const auto* object = server.if_object())
        if (const auto* schema = object->if_contains("$schema"); schema && schema->is_string())
            return std::string(to_string(model::generation_of_schema_url(schema->get_string())));
    return "none";
}

// Counts a document's errors and warnings (info is neither) and reports each: a line on standard output, or
// with --json an entry of the returned array.
json::array report_issues(const std::string& path, const model::located_server& located,
                          const std::vector<model::validation_issue>& issues, const validate_request& request,
                          findings& found)
{
    json::array issue_reports;
    for (const auto& issue : issues) {
        if (issue.severity == model::severity::info) continue;
        (issue.severity == model::severity::error ? found.total.errors : found.total.warnings)++;
        ++found.by_rule[issue.rule];
        if (request.as_json)
            issue_reports.push_back({{"rule", issue.rule},
                                     {"severity", to_string(issue.severity)},
                                     {"path", located.pointer + issue.path},
                                     {"message", issue.message}});
        else if (!request.quiet)  // the pointer and the message may quote the file's own keys and values
            std::cout << terminal_text(path + '#' + located.pointer + issue.path + ": " + issue.rule + ": " +
                                       (issue.severity == model::severity::warning ? "warning: " : "") + issue.message)
                      << '\n';
    }
    return issue_reports;
}

// Validates one document of the file at `path`: counts it, reports its issues and, with --json, adds its report
// to `document_reports`.
void validate_document(const std::string& path, const model::located_server& located, const validate_request& request,
                       findings& found, json::array& document_reports)
{
    auto issues = model::validate(*located.server, request.options);
    const bool valid = model::is_valid(issues);
    const std::string declared = declared_generation(*located.server);
    for (auto* t : {&found.total, &found.by_declared[declared]}) {
        ++t->documents;
        if (valid) ++t->valid;
    }
    auto issue_reports = report_issues(path, located, issues, request, found);
    if (!request.as_json) return;
    json::object report{{"pointer", located.pointer}, {"valid", valid}, {"issues", std::move(issue_reports)}};
    if (const auto* object = located.server->if_object()) {
        if (auto* name = object->if_contains("name")) report["name"] = *name;
        if (auto* version = object->if_contains("version")) report["version"] = *version;
    }
    document_reports.push_back(std::move(report));
}

// Validates every document in the file at `path`; a file that cannot be read or is not JSON is reported and
// remembered.
void validate_file(const std::string& path, const validate_request& request, findings& found)
{
    auto document = model::read_json_file(path);
    if (!document) {
        found.unreadable = true;
        std::cerr << "mcpreg validate: " << terminal_text(document.error().diag.message) << '\n';
        if (request.as_json) found.file_reports.push_back({{"path", path}, {"error", document.error().diag.message}});
        return;
    }
    json::array document_reports;
    for (const auto& located : model::locate_servers(*document))
        validate_document(path, located, request, found, document_reports);
    if (request.as_json)
        found.file_reports.push_back({{"path", path},
                                      {"kind", to_string(model::classify_document(*document))},
                                      {"documents", std::move(document_reports)}});
}

// --json: one document, each file's report (moved out of `found`) and the summary.
void print_json_report(findings& found, std::size_t invalid)
{
    const auto& total = found.total;
    json::object declared;
    for (const auto& [generation, t] : found.by_declared)
        declared[generation] = {{"documents", t.documents}, {"valid", t.valid}};
    json::object rules;
    for (const auto& [rule, count] : found.by_rule) rules[rule] = count;
    json::object report{{"files", std::move(found.file_reports)},
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

// The summary line, then, for more than one document, the counts by declared $schema and by rule.
void print_summary(const findings& found, std::size_t files, double elapsed_ms, std::size_t invalid)
{
    const auto& total = found.total;
    std::cout << "validated " << total.documents << " server.json document" << (total.documents == 1 ? "" : "s")
              << " in " << files << " file" << (files == 1 ? "" : "s") << " (" << static_cast<long long>(elapsed_ms)
              << " ms): " << total.valid << " valid, " << invalid << " invalid; " << total.errors << " error"
              << (total.errors == 1 ? "" : "s") << ", " << total.warnings << " warning"
              << (total.warnings == 1 ? "" : "s") << '\n';
    if (total.documents <= 1) return;
    std::cout << "  by declared $schema:";
    for (const auto& [generation, t] : found.by_declared)
        std::cout << "  " << generation << ' ' << t.valid << '/' << t.documents;
    std::cout << " valid\n";
    if (!found.by_rule.empty()) {
        std::cout << "  issues by rule:";
        for (const auto& [rule, count] : found.by_rule) std::cout << "  " << rule << ' ' << count;
        std::cout << '\n';
    }
}

}  // namespace

int run_validate(const arguments& args)
{
    validate_request request;
    if (auto stop = parse_arguments(args, request)) return *stop;
    const auto started = std::chrono::steady_clock::now();
    findings found;
    for (const auto& path : request.paths) validate_file(path, request, found);
    const auto elapsed_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    const std::size_t invalid = found.total.documents - found.total.valid;
    if (request.as_json) print_json_report(found, invalid);
    else print_summary(found, request.paths.size(), elapsed_ms, invalid);
    if (found.unreadable) return exit_unreadable;
    return invalid > 0 ? exit_invalid : exit_ok;
}

}  // namespace mcpreg::cli
