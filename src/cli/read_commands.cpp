// mcpreg list | show | versions: reading a registry; mirror | search: its offline catalog.
#include "cli.hpp"
#include "progress.hpp"
#include "terminal.hpp"

#include <mcpreg/cache/catalog.hpp>
#include <mcpreg/client/blocking_client.hpp>
#include <mcpreg/model/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>

namespace mcpreg::cli {
namespace json = boost::json;
namespace {

constexpr std::string_view list_usage =
    "usage: mcpreg [--registry URL] list [--search S] [--limit N] [--all] [--updated-since T] [--version latest|V]\n"
    "                                    [--include-deleted] [--json]\n"
    "\n"
    "Lists servers, one page (or every page with --all), in the registry's order.\n"
    "  --search S         servers whose name contains S (case-insensitive)\n"
    "  --limit N          page size, 1 to 100 (default: the registry's, 30; 100 with --all)\n"
    "  --all              every page\n"
    "  --updated-since T  only entries updated after the RFC 3339 time T (deleted ones included)\n"
    "  --version V        'latest', or an exact version\n"
    "  --json             the page as JSON ({servers, metadata}); with --all one JSON array of entries\n"
    "\n"
    "The registry is --registry, else $MCPREG_REGISTRY, else "
    "https://registry.modelcontextprotocol.io.\n"
    "Exit status: 0 done, 1 the registry could not be read, 2 bad arguments.\n";

constexpr std::string_view show_usage =
    "usage: mcpreg [--registry URL] show NAME[@VERSION] [--include-deleted] [--json]\n"
    "\n"
    "Shows one version of a server (the latest without @VERSION). --json prints the ServerResponse.\n"
    "Exit status: 0 found, 1 not found or the registry could not be read, 2 bad arguments.\n";

constexpr std::string_view versions_usage =
    "usage: mcpreg [--registry URL] versions NAME [--include-deleted] [--json]\n"
    "\n"
    "Lists every version of a server, newest first. --json prints a JSON array of ServerResponse objects.\n"
    "Exit status: 0 found, 1 not found or the registry could not be read, 2 bad arguments.\n";

constexpr std::string_view mirror_usage =
    "usage: mcpreg [--registry URL] mirror --db PATH [--page-size N] [--json]\n"
    "\n"
    "Mirrors a registry into an offline catalog (SQLite): every entry the first time, then only what changed\n"
    "since the last sync (updated_since), deletions included. An interrupted mirror resumes where it stopped.\n"
    "Several registries can share one catalog. Progress (entries, pages, rate) is drawn on a terminal, else\n"
    "written to standard error every few seconds. --db defaults to $MCPREG_CATALOG, then the 'catalog' key of\n"
    "the configuration file. The last line is\n"
    "'mirrored URL: N fetched, A added, U updated, D deleted (full|incremental)'; --json prints the report\n"
    "as one JSON object instead.\n"
    "Exit status: 0 done, 1 the registry could not be read, 2 bad arguments or an unusable database.\n";

constexpr std::string_view search_usage =
    "usage: mcpreg search QUERY --db PATH [--limit N] [--source URL] [--json]\n"
    "\n"
    "Searches a catalog made by 'mcpreg mirror', offline: ranked full-text search over the names, titles\n"
    "and descriptions of the latest version of each server. --json prints a JSON array of ServerResponse\n"
    "objects, best match first. --db defaults to $MCPREG_CATALOG, then the configuration file's 'catalog'.\n"
    "Exit status: 0 found, 1 nothing matched, 2 bad arguments or an unusable database.\n";

// Columns of text already made safe by terminal_text: one per code point. (CJK and emoji take two on most
// terminals, so their rows may run long; counting bytes would cut a character in two.)
std::size_t columns(std::string_view text)
{
    std::size_t count = 0;
    for (const char c : text)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
    return count;
}

// The first `width` columns of such text, never half a character.
std::string_view first_columns(std::string_view text, std::size_t width)
{
    std::size_t end = 0;
    for (std::size_t seen = 0; end < text.size(); ++end) {
        if ((static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) continue;
        if (seen++ == width) break;
    }
    return text.substr(0, end);
}

// One table cell: registry text on one line (line breaks and tabs as spaces, any other control escaped), cut to
// `width` columns (0: not cut).
std::string cell(std::string_view raw, std::size_t width)
{
    std::string flat(raw);
    for (auto& c : flat)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    std::string text = terminal_text(flat);
    if (width == 0 || columns(text) <= width) return text;
    if (width <= 3) return std::string(first_columns(text, width));
    return std::string(first_columns(text, width - 3)) + "...";
}

void print_table(const std::vector<model::server_response>& entries)
{
    std::size_t name_width = 4, version_width = 7;
    for (const auto& e : entries) {
        name_width = std::max(name_width, columns(cell(e.server.name, 0)));
        version_width = std::max(version_width, columns(cell(e.server.version, 0)));
    }
    const std::size_t total = terminal_width();
    name_width = std::min<std::size_t>(name_width, 60);
    version_width = std::min<std::size_t>(version_width, 24);
    constexpr std::size_t status_width = 11;  // "deprecated*"
    const std::size_t fixed = name_width + version_width + status_width + 4;
    const std::size_t description_width = total == 0 ? 0 : (total > fixed + 10 ? total - fixed : 10);
    auto row = [&](std::string_view name, std::string_view version, std::string_view status, std::string_view text) {
        std::string line;
        for (const auto& [raw, width] :
             {std::pair{name, name_width}, std::pair{version, version_width}, std::pair{status, status_width}}) {
            const auto shown = cell(raw, width);
            line += shown;
            line.append(width + 1 - columns(shown), ' ');
        }
        line += cell(text, description_width);
        while (!line.empty() && line.back() == ' ') line.pop_back();
        std::cout << line << '\n';
    };
    row("NAME", "VERSION", "STATUS", "DESCRIPTION");
    for (const auto& e : entries) {
        const auto* official = e.official();
        std::string status = official && official->status ? *official->status : "";
        if (official && official->is_latest == true) status += "*";
        row(e.server.name, e.server.version, status, e.server.description);
    }
}

json::array to_json_array(const std::vector<model::server_response>& entries)
{
    json::array out;
    out.reserve(entries.size());
    for (const auto& e : entries) out.push_back(model::to_json(e));
    return out;
}

// A failed operation is exit 1; a client that cannot even be made (a bad --registry URL) is a usage error.
// The message may quote the registry's own problem text, hence terminal_text.
int report_failure(std::string_view command, const error& e)
{
    std::cerr << "mcpreg " << command << ": " << terminal_text(e.what()) << '\n';
    return e.code == errc::invalid_argument ? exit_unreadable : exit_invalid;
}

// --verbose: what each read did on the wire, e.g. "GET http://.../v0.1/servers/x/versions/latest: HTTP 304,
// cache revalidated". On stderr, so it never mixes with the output.
void report_exchange(const tool_options& tool, const diagnostics& diag)
{
    if (!tool.verbose || diag.url.empty()) return;
    std::cerr << "mcpreg: " << diag.method << ' ' << terminal_text(diag.url) << ": ";
    if (diag.http_status) std::cerr << "HTTP " << diag.http_status;
    else std::cerr << "no request";
    if (diag.attempts > 1) std::cerr << " after " << diag.attempts << " attempts";
    if (!diag.cache.empty()) std::cerr << ", cache " << diag.cache;
    std::cerr << '\n';
}

call_options recording(diagnostics& diag)
{
    call_options call;
    call.diag = &diag;
    return call;
}

struct common_flags {
    bool json = false;
    bool include_deleted = false;
};

// Reads --json and --include-deleted; returns false (after printing) on anything it does not know.
bool common_flag(std::string_view arg, common_flags& flags)
{
    if (arg == "--json") return flags.json = true;
    if (arg == "--include-deleted") return flags.include_deleted = true;
    return false;
}

int unexpected(std::string_view command, std::string_view arg, std::string_view usage)
{
    std::cerr << "mcpreg " << command << ": unexpected argument '" << terminal_text(arg) << "'\n" << usage;
    return exit_unreadable;
}

}  // namespace

int run_list(const tool_options& tool, const arguments& args)
{
    list_options query;
    common_flags flags;
    bool all = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto arg = args[i];
        const bool has_value = i + 1 < args.size();
        if (arg == "--help" || arg == "-h") {
            std::cout << list_usage;
            return exit_ok;
        }
        if (common_flag(arg, flags)) continue;
        if (arg == "--all") all = true;
        else if (arg == "--search" && has_value) query.search = std::string(args[++i]);
        else if (arg == "--version" && has_value) query.version = std::string(args[++i]);
        else if (arg == "--limit" && has_value) {
            auto limit = parse_count(args[++i]);
            if (!limit || *limit < 1 || *limit > 100) {
                std::cerr << "mcpreg list: --limit takes a number from 1 to 100\n";
                return exit_unreadable;
            }
            query.limit = static_cast<int>(*limit);
        }
        else if (arg == "--updated-since" && has_value) {
            auto since = model::timestamp::parse(args[++i]);
            if (!since) {
                std::cerr << "mcpreg list: --updated-since takes an RFC 3339 time, e.g. 2025-12-01T00:00:00Z\n";
                return exit_unreadable;
            }
            query.updated_since = *since;
        }
        else return unexpected("list", arg, list_usage);
    }
    if (flags.include_deleted) query.include_deleted = true;
    auto c = blocking_client::create(tool.client);
    if (!c) return report_failure("list", c.error());
    if (!all) {
        diagnostics diag;
        auto page = c->list_servers(query, recording(diag));
        report_exchange(tool, diag);
        if (!page) return report_failure("list", page.error());
        if (flags.json) std::cout << terminal_json(model::to_json(*page)) << '\n';
        else {
            print_table(page->servers);
            if (page->next_cursor)
                std::cerr << "(more: --all, or the next page from cursor " << terminal_text(*page->next_cursor)
                          << ")\n";
        }
        return exit_ok;
    }
    if (!query.limit) query.limit = 100;
    std::vector<model::server_response> entries;
    {
        progress_meter progress("list");
        const auto page_size = static_cast<std::size_t>(*query.limit);
        for (auto& entry : c->all_servers(query)) {
            if (!entry) {
                progress.finish();
                return report_failure("list", entry.error());
            }
            entries.push_back(std::move(*entry));
            if (entries.size() % page_size == 0) progress.update(entries.size(), entries.size() / page_size);
        }
    }
    if (flags.json) std::cout << terminal_json(to_json_array(entries)) << '\n';
    else print_table(entries);
    return exit_ok;
}

int run_show(const tool_options& tool, const arguments& args)
{
    common_flags flags;
    std::optional<std::string> target;
    for (const auto arg : args) {
        if (arg == "--help" || arg == "-h") {
            std::cout << show_usage;
            return exit_ok;
        }
        if (common_flag(arg, flags)) continue;
        if (arg.starts_with("-") || target) return unexpected("show", arg, show_usage);
        target = std::string(arg);
    }
    if (!target) {
        std::cerr << show_usage;
        return exit_unreadable;
    }
    std::string name = *target, version = "latest";
    if (auto at = target->rfind('@'); at != std::string::npos && at > 0) {
        name = target->substr(0, at);
        version = target->substr(at + 1);
    }
    auto c = blocking_client::create(tool.client);
    if (!c) return report_failure("show", c.error());
    diagnostics diag;
    auto entry =
        c->get_server({.name = name, .version = version, .include_deleted = flags.include_deleted}, recording(diag));
    report_exchange(tool, diag);
    if (!entry) return report_failure("show", entry.error());
    if (flags.json) {
        std::cout << terminal_json(model::to_json(*entry)) << '\n';
        return exit_ok;
    }
    // Every value below is the publisher's or the registry's: each is one line of inert text (a description
    // with line breaks included, so it cannot pass for the lines that follow it).
    const auto& s = entry->server;
    std::cout << terminal_text(s.name) << ' ' << terminal_text(s.version)
              << (s.title ? "  (" + terminal_text(*s.title) + ")" : "") << '\n'
              << terminal_text(s.description) << '\n';
    if (const auto* official = entry->official()) {
        std::cout << "status: " << terminal_text(official->status.value_or("active"))
                  << (official->is_latest == true ? ", latest" : "");
        if (official->published_at) std::cout << ", published " << official->published_at->to_string();
        std::cout << '\n';
        if (official->status_message)
            std::cout << "status message: " << terminal_text(*official->status_message) << '\n';
    }
    if (s.repository && s.repository->url) std::cout << "repository: " << terminal_text(*s.repository->url) << '\n';
    if (s.website_url) std::cout << "website: " << terminal_text(*s.website_url) << '\n';
    if (s.packages)
        for (const auto& p : *s.packages)
            std::cout << "package: " << terminal_text(p.registry_type) << ' ' << terminal_text(p.identifier)
                      << (p.version ? " " + terminal_text(*p.version) : "") << " ("
                      << terminal_text(p.transport ? p.transport->type : "no transport") << ")\n";
    if (s.remotes)
        for (const auto& r : *s.remotes)
            std::cout << "remote: " << terminal_text(r.type) << ' ' << terminal_text(r.url.value_or("")) << '\n';
    return exit_ok;
}

int run_versions(const tool_options& tool, const arguments& args)
{
    common_flags flags;
    std::optional<std::string> name;
    for (const auto arg : args) {
        if (arg == "--help" || arg == "-h") {
            std::cout << versions_usage;
            return exit_ok;
        }
        if (common_flag(arg, flags)) continue;
        if (arg.starts_with("-") || name) return unexpected("versions", arg, versions_usage);
        name = std::string(arg);
    }
    if (!name) {
        std::cerr << versions_usage;
        return exit_unreadable;
    }
    auto c = blocking_client::create(tool.client);
    if (!c) return report_failure("versions", c.error());
    diagnostics diag;
    auto list = c->list_versions({.name = *name, .include_deleted = flags.include_deleted}, recording(diag));
    report_exchange(tool, diag);
    if (!list) return report_failure("versions", list.error());
    if (flags.json) std::cout << terminal_json(to_json_array(list->servers)) << '\n';
    else print_table(list->servers);
    return exit_ok;
}

int run_mirror(const tool_options& tool, const arguments& args)
{
    std::optional<std::string> db = tool.catalog;
    cache::sync_options sync;
    bool as_json = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const bool has_value = i + 1 < args.size();
        if (args[i] == "--help" || args[i] == "-h") {
            std::cout << mirror_usage;
            return exit_ok;
        }
        if (args[i] == "--db" && has_value) db = std::string(args[++i]);
        else if (args[i] == "--json") as_json = true;
        else if (args[i] == "--page-size" && has_value) {
            auto page_size = parse_count(args[++i]);
            if (!page_size || *page_size < 1 || *page_size > 100) {
                std::cerr << "mcpreg mirror: --page-size takes 1 to 100\n";
                return exit_unreadable;
            }
            sync.page_size = static_cast<decltype(sync.page_size)>(*page_size);
        }
        else return unexpected("mirror", args[i], mirror_usage);
    }
    if (!db) {
        std::cerr << "mcpreg mirror: --db PATH is required\n" << mirror_usage;
        return exit_unreadable;
    }
    auto catalog = cache::catalog::open({*db});
    if (!catalog) {
        std::cerr << "mcpreg mirror: " << terminal_text(catalog.error().what()) << '\n';
        return exit_unreadable;
    }
    auto client = blocking_client::create(tool.client);
    if (!client) return report_failure("mirror", client.error());
    progress_meter progress("mirror");
    sync.on_page = [&progress](const cache::sync_progress& p) { progress.update(p.fetched, p.pages); };
    auto report = catalog->sync(*client, sync);
    progress.finish();
    if (!report) return report_failure("mirror", report.error());
    if (as_json) {
        json::object out{
            {"registry", tool.client.base_url}, {"full", report->full},       {"resumed", report->resumed},
            {"pages", report->pages},           {"fetched", report->fetched}, {"added", report->added},
            {"updated", report->updated},       {"deleted", report->deleted}, {"unchanged", report->unchanged}};
        if (report->high_water) out["high_water"] = report->high_water->to_string();
        std::cout << terminal_json(out) << '\n';
        return exit_ok;
    }
    std::cout << "mirrored " << terminal_text(tool.client.base_url) << ": " << report->fetched << " fetched, "
              << report->added << " added, " << report->updated << " updated, " << report->deleted << " deleted ("
              << (report->full ? "full" : "incremental") << (report->resumed ? ", resumed" : "") << ")\n";
    return exit_ok;
}

int run_search(const tool_options& tool, const arguments& args)
{
    std::optional<std::string> db = tool.catalog, query;
    std::string source;
    int limit = 20;
    bool as_json = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const bool has_value = i + 1 < args.size();
        if (args[i] == "--help" || args[i] == "-h") {
            std::cout << search_usage;
            return exit_ok;
        }
        if (args[i] == "--db" && has_value) db = std::string(args[++i]);
        else if (args[i] == "--source" && has_value) source = std::string(args[++i]);
        else if (args[i] == "--json") as_json = true;
        else if (args[i] == "--limit" && has_value) {
            auto count = parse_count(args[++i]);
            if (!count || *count < 1) {
                std::cerr << "mcpreg search: --limit takes a positive number\n";
                return exit_unreadable;
            }
            limit = static_cast<int>(std::min<std::size_t>(*count, 1U << 30));  // more than any catalog holds
        }
        else if (!args[i].starts_with("--") && !query) query = std::string(args[i]);
        else return unexpected("search", args[i], search_usage);
    }
    if (!db || !query) {
        std::cerr << "mcpreg search: QUERY and --db PATH are required\n" << search_usage;
        return exit_unreadable;
    }
    if (!std::filesystem::exists(*db)) {
        std::cerr << "mcpreg search: no catalog at " << terminal_text(*db) << " (make one with 'mcpreg mirror --db "
                  << terminal_text(*db) << "')\n";
        return exit_unreadable;
    }
    auto catalog = cache::catalog::open({*db});
    if (!catalog) {
        std::cerr << "mcpreg search: " << terminal_text(catalog.error().what()) << '\n';
        return exit_unreadable;
    }
    auto found = catalog->search(*query, limit, source);
    if (!found) {
        std::cerr << "mcpreg search: " << terminal_text(found.error().what()) << '\n';
        return exit_unreadable;
    }
    std::vector<model::server_response> entries;
    for (auto& e : *found) entries.push_back(std::move(e.entry));
    if (as_json) std::cout << terminal_json(to_json_array(entries)) << '\n';
    else if (!entries.empty()) print_table(entries);
    return entries.empty() ? exit_invalid : exit_ok;
}

}  // namespace mcpreg::cli
