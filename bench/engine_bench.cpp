// The engine's socket-free core: requests answered per second for the routes the HTTP benchmark covers, on the
// real snapshot and on 100,000 versions made from it; and publishes with validation against the storage floor.
// (The wrk-against-nginx comparison is bench/http_bench.py; this isolates the core's CPU cost.)
#include <mcpreg/engine/registry.hpp>

#include "bench_data.hpp"

#include <benchmark/benchmark.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_to.hpp>
#include <sqlite3.h>

#include <cctype>
#include <cstdio>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace json = boost::json;

namespace {

// Kilobytes of a /proc/self/status line ("VmRSS", "VmHWM").
double status_kib(std::string_view field)
{
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.starts_with(field)) return std::stod(line.substr(field.size() + 1));
    return 0;
}

std::string temp_path(const std::string& name)
{
    return (std::filesystem::temp_directory_path() / ("mcpreg-bench-" + std::to_string(::getpid()) + "-" + name))
        .string();
}

void remove_database(const std::string& path)
{
    for (auto suffix : {"", "-wal", "-shm", ".jwt-key.pem"}) std::filesystem::remove(path + suffix);
}

mcpreg::engine::registry& seeded(std::size_t cache_entries)
{
    auto make = [](std::size_t entries) {
        mcpreg::engine::registry_options options;
        options.seed_files = {std::string(MCPREG_TEST_DATA_DIR) + "/registry-seed.json"};
        options.response_cache_entries = entries;
        return mcpreg::engine::registry::open(options).value();
    };
    static auto cached = make(4096);
    static auto uncached = make(0);
    return cache_entries ? cached : uncached;
}

void run(benchmark::State& state, mcpreg::engine::registry& reg, mcpreg::engine::request req, int expected_status)
{
    std::size_t bytes = 0;
    for (auto _ : state) {
        auto res = reg.handle(req);
        if (res.status != expected_status) {
            state.SkipWithError(("unexpected status " + std::to_string(res.status) + ": " + res.body).c_str());
            break;
        }
        bytes += res.body.size();
        benchmark::DoNotOptimize(res);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

mcpreg::engine::request get(std::string target, std::vector<mcpreg::http_header> headers = {})
{
    mcpreg::engine::request req;
    req.target = std::move(target);
    req.headers = std::move(headers);
    return req;
}

void list_page_100_cached(benchmark::State& state) { run(state, seeded(1), get("/v0.1/servers?limit=100"), 200); }
void list_page_100_uncached(benchmark::State& state) { run(state, seeded(0), get("/v0.1/servers?limit=100"), 200); }
void deep_cursor_page_uncached(benchmark::State& state)
{
    run(state, seeded(0), get("/v0.1/servers?limit=100&cursor=io.github.zenml-io%2Fmcp-zenml%3A1.0.0"), 200);
}
void version_document_cached(benchmark::State& state)
{
    run(state, seeded(1), get("/v0.1/servers/io.github.github%2Fgithub-mcp-server/versions/latest"), 200);
}
void not_modified_304(benchmark::State& state)
{
    auto& reg = seeded(1);
    auto etag = std::string(reg.handle(get("/v0.1/servers?limit=100")).header("ETag"));
    run(state, reg, get("/v0.1/servers?limit=100", {{"If-None-Match", etag}}), 304);
}
void not_found_404(benchmark::State& state) { run(state, seeded(1), get("/v0.1/nothing/here"), 404); }
void search_uncached(benchmark::State& state)
{
    run(state, seeded(0), get("/v0.1/x/io.github.mcpreg/search?q=github&limit=30"), 200);
}
void substring_search_uncached(benchmark::State& state)
{
    run(state, seeded(0), get("/v0.1/servers?search=github&limit=30"), 200);
}

// ---- 100,000 versions: the real entries, copied under renamed servers ------------------------------------------

struct large_registry {
    std::string database = temp_path("engine-large.db");
    std::string deep_cursor;  // set by open(), so declared before reg
    std::string some_name;
    double rss_before_kib = status_kib("VmRSS");
    mcpreg::engine::registry reg = open();
    double rss_after_kib = status_kib("VmRSS");

    ~large_registry() { remove_database(database); }

    mcpreg::engine::registry open()
    {
        remove_database(database);
        mcpreg::engine::registry_options options;
        options.database = database;
        options.response_cache_entries = 0;
        auto r = mcpreg::engine::registry::open(options).value();
        const auto& real = mcpreg::bench::snapshot();
        json::array batch;
        std::size_t total = 0;
        for (int copy = 0; total < 100'000; ++copy) {
            for (const auto& entry : real) {
                if (total == 100'000) break;
                auto renamed = entry;
                auto& name = renamed.at("server").at("name").as_string();
                name = std::string(name) + "-copy" + std::to_string(copy);
                batch.push_back(std::move(renamed));
                ++total;
            }
            (void)r.import_json(batch).value();
            batch.clear();
        }
        // A cursor 95% of the way through the names: keyset pagination should not slow down with depth.
        auto all = json::parse(r.handle(get("/v0.1/servers?limit=1")).body);
        some_name = json::value_to<std::string>(all.at("servers").at(0).at("server").at("name"));
        std::string cursor;
        for (int page = 0; page < 950; ++page) {
            auto body = json::parse(
                r.handle(get("/v0.1/servers?limit=100" + (cursor.empty() ? "" : "&cursor=" + escape(cursor)))).body);
            cursor = json::value_to<std::string>(body.at("metadata").at("nextCursor"));
        }
        deep_cursor = escape(cursor);
        return r;
    }

    static std::string escape(const std::string& text)
    {
        std::string out;
        for (char c : text) {
            if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_') out += c;
            else {
                char hex[4];
                std::snprintf(hex, sizeof hex, "%%%02X", static_cast<unsigned char>(c));
                out += hex;
            }
        }
        return out;
    }
};

large_registry& large()
{
    static large_registry instance;
    return instance;
}

void large_list_first_page(benchmark::State& state)
{
    auto& l = large();
    run(state, l.reg, get("/v0.1/servers?limit=100"), 200);
    state.counters["versions"] = static_cast<double>(l.reg.size().value());
    state.counters["rss_mib"] = l.rss_after_kib / 1024;
    state.counters["rss_growth_mib"] = (l.rss_after_kib - l.rss_before_kib) / 1024;
}
void large_list_deep_page(benchmark::State& state)
{
    run(state, large().reg, get("/v0.1/servers?limit=100&cursor=" + large().deep_cursor), 200);
}
void large_search(benchmark::State& state)
{
    run(state, large().reg, get("/v0.1/x/io.github.mcpreg/search?q=github&limit=30"), 200);
}
void large_get_latest(benchmark::State& state)
{
    run(state, large().reg, get("/v0.1/servers/" + large_registry::escape(large().some_name) + "/versions/latest"),
        200);
}
void reference_small_get_latest(benchmark::State& state)
{
    run(state, seeded(0), get("/v0.1/servers/io.github.github%2Fgithub-mcp-server/versions/latest"), 200);
}

// ---- publishes ------------------------------------------------------------------------------------------------

std::string publish_body(std::size_t n)
{
    return json::serialize(
        json::value{{"$schema", "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"},
                    {"name", "io.github.bench/server-" + std::to_string(n)},
                    {"description", "A server published by the benchmark"},
                    {"version", "1.0.0"},
                    {"repository", {{"url", "https://github.com/bench/server"}, {"source", "github"}}},
                    {"packages",
                     {{{"registryType", "npm"},
                       {"identifier", "@bench/server"},
                       {"version", "1.0.0"},
                       {"transport", {{"type", "stdio"}}},
                       {"environmentVariables", {{{"name", "API_KEY"}, {"isSecret", true}}}}}}}});
}

// A publish through the whole core: token check, JSON parse, validation, duplicate and latest checks, and one
// SQLite transaction (WAL, synchronous=NORMAL) on a database file.
void publish_with_validation(benchmark::State& state)
{
    const auto path = temp_path("publish.db");
    remove_database(path);
    mcpreg::engine::registry_options options;
    options.database = path;
    auto reg = mcpreg::engine::registry::open(options).value();
    const std::string token = "Bearer " + reg.issue_token({{"publish", "io.github.bench/*"}});
    std::size_t n = 0;
    for (auto _ : state) {
        mcpreg::engine::request req;
        req.method = "POST";
        req.target = "/v0.1/publish";
        req.headers = {{"Authorization", token}, {"Content-Type", "application/json"}};
        req.body = publish_body(n++);
        auto res = reg.handle(req);
        if (res.status != 200) state.SkipWithError("publish refused");
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(n));
    remove_database(path);
}

// The storage floor: the same document inserted with one prepared statement and one transaction each, on a
// database file with the engine's pragmas.
void reference_sqlite_insert(benchmark::State& state)
{
    const auto path = temp_path("insert.db");
    remove_database(path);
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_exec(db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                 "CREATE TABLE versions(name TEXT, version TEXT, document TEXT, PRIMARY KEY(name, version))",
                 nullptr, nullptr, nullptr);
    sqlite3_stmt* insert = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO versions VALUES(?1, '1.0.0', ?2)", -1, &insert, nullptr);
    std::size_t n = 0;
    for (auto _ : state) {
        const auto body = publish_body(n);
        const auto name = "io.github.bench/server-" + std::to_string(n++);
        sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
        sqlite3_bind_text(insert, 1, name.data(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 2, body.data(), static_cast<int>(body.size()), SQLITE_TRANSIENT);
        if (sqlite3_step(insert) != SQLITE_DONE) state.SkipWithError("insert failed");
        sqlite3_reset(insert);
        sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(n));
    sqlite3_finalize(insert);
    sqlite3_close(db);
    remove_database(path);
}

BENCHMARK(list_page_100_cached);
BENCHMARK(list_page_100_uncached);
BENCHMARK(deep_cursor_page_uncached);
BENCHMARK(version_document_cached);
BENCHMARK(not_modified_304);
BENCHMARK(not_found_404);
BENCHMARK(search_uncached);
BENCHMARK(substring_search_uncached);
BENCHMARK(large_list_first_page);
BENCHMARK(large_list_deep_page);
BENCHMARK(large_search);
BENCHMARK(large_get_latest);
BENCHMARK(reference_small_get_latest);
BENCHMARK(publish_with_validation);
BENCHMARK(reference_sqlite_insert);

}  // namespace

BENCHMARK_MAIN();
