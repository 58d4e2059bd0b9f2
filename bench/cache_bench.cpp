// The client's response cache and the offline catalog: a cached read against the same read answered by the
// engine in-process (the reference: no cache, no sockets), and mirror syncs of 100,000 versions from an engine
// on 127.0.0.1.
#include <mcpreg/cache/catalog.hpp>
#include <mcpreg/cache/http_cache.hpp>
#include <mcpreg/client/blocking_client.hpp>
#include <mcpreg/engine/http_server.hpp>
#include <mcpreg/engine/registry.hpp>
#include <mcpreg/model/server.hpp>
#include <mcpreg/model/timestamp.hpp>

#include <benchmark/benchmark.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/array.hpp>

#include <filesystem>
#include <thread>
#include <time.h>
#include <unistd.h>

using namespace mcpreg;

namespace {

engine::registry& snapshot()
{
    static auto reg = [] {
        engine::registry_options options;
        options.seed_files = {std::string(MCPREG_TEST_DATA_DIR) + "/registry-seed.json"};
        options.max_age = std::chrono::seconds(3600);  // every cached entry stays fresh for the run
        return engine::registry::open(options).value();
    }();
    return reg;
}

std::string temp_path(const std::string& name)
{
    return (std::filesystem::temp_directory_path() / ("mcpreg-bench-" + std::to_string(::getpid()) + "-" + name))
        .string();
}

blocking_client in_process(std::shared_ptr<response_cache> cache)
{
    client_options options;
    options.base_url = "http://in-process";
    options.cache = std::move(cache);
    return blocking_client::create_in_process(options, [](const http_request& r) { return snapshot().handle(r); })
        .value();
}

std::shared_ptr<cache::http_cache> file_cache()
{
    static auto cache = cache::http_cache::open({temp_path("http-cache.db")}).value();
    return cache;
}

void get_server_reference_engine(benchmark::State& state)
{
    auto c = in_process(nullptr);
    for (auto _ : state) benchmark::DoNotOptimize(c.get_server({.name = "io.github.github/github-mcp-server"}).value());
}

void get_server_cached(benchmark::State& state)
{
    auto c = in_process(file_cache());
    (void)c.get_server({.name = "io.github.github/github-mcp-server"}).value();
    for (auto _ : state) benchmark::DoNotOptimize(c.get_server({.name = "io.github.github/github-mcp-server"}).value());
}

void list_page_reference_engine(benchmark::State& state)
{
    auto c = in_process(nullptr);
    list_options q;
    q.limit = 100;
    for (auto _ : state) benchmark::DoNotOptimize(c.list_servers(q).value());
}

void list_page_cached(benchmark::State& state)
{
    auto c = in_process(file_cache());
    list_options q;
    q.limit = 100;
    (void)c.list_servers(q).value();
    for (auto _ : state) benchmark::DoNotOptimize(c.list_servers(q).value());
}

// 100,000 versions: 10,000 names of 10 versions each, updated a minute apart (as real updates spread out, so
// the sync's overlap window re-reads a handful of rows, not all of them).
struct large_registry {
    std::string database = temp_path("large.db");
    engine::registry reg;
    boost::asio::io_context io;
    engine::http_server server;
    unsigned short port;
    std::thread thread;

    large_registry()
        : reg(open()),
          server(io.get_executor(), reg),
          port(server.listen("127.0.0.1", 0).value()),
          thread([this] { io.run(); })
    {
    }
    ~large_registry()
    {
        server.stop();
        io.stop();
        thread.join();
        for (auto suffix : {"", "-wal", "-shm", ".jwt-key.pem"}) std::filesystem::remove(database + suffix);
    }

    engine::registry open()
    {
        for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(database + suffix);
        engine::registry_options options;
        options.database = database;
        options.response_cache_entries = 0;  // every page is built from the database, as on a first walk
        auto r = engine::registry::open(options).value();
        boost::json::array batch;
        for (int name = 0; name < 10'000; ++name) {
            for (int version = 0; version < 10; ++version) {
                boost::json::object document{{"name", "io.github.bench/server-" + std::to_string(name)},
                                             {"description", "Benchmark server number " + std::to_string(name)},
                                             {"version", "1." + std::to_string(version) + ".0"}};
                batch.push_back(
                    boost::json::object{{"server", document},
                                        {"_meta",
                                         {{model::official_meta_key,
                                           {{"status", "active"},
                                            {"publishedAt", "2025-06-01T00:00:00Z"},
                                            {"updatedAt", model::format_rfc3339(model::timestamp::clock_time(
                                                              std::chrono::sys_days{std::chrono::year{2025} / 6 / 1} +
                                                              std::chrono::minutes(name * 10 + version)))},
                                            {"isLatest", version == 9}}}}}});
            }
            if (batch.size() >= 10'000) {
                (void)r.import_json(batch).value();
                batch.clear();
            }
        }
        return r;
    }

    blocking_client client()
    {
        client_options options;
        options.base_url = "http://127.0.0.1:" + std::to_string(port);
        options.use_environment_proxy = false;
        return blocking_client::create(options).value();
    }
};

large_registry& large()
{
    static large_registry instance;
    return instance;
}

void mirror_full_100k_versions(benchmark::State& state)
{
    auto c = large().client();
    std::size_t fetched = 0;
    for (auto _ : state) {
        const auto path = temp_path("catalog-full.db");
        for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
        auto catalog = cache::catalog::open({path}).value();
        fetched = catalog.sync(c).value().fetched;
    }
    state.counters["versions"] = static_cast<double>(fetched);
}

void mirror_incremental_nothing_new(benchmark::State& state)
{
    auto c = large().client();
    const auto path = temp_path("catalog-incremental.db");
    for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    auto catalog = cache::catalog::open({path}).value();
    (void)catalog.sync(c).value();
    for (auto _ : state) {
        auto report = catalog.sync(c).value();  // the default 60 s overlap
        if (report.added + report.updated + report.deleted != 0) state.SkipWithError("the sync found changes");
    }
}

double thread_cpu_seconds()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// The reference: the engine's raw page rate, the same 1,000 pages of 100 answered in-process (no sockets, no
// client). Response cache off on both sides, so neither walk is served from memory.
void reference_engine_pages_100k(benchmark::State& state)
{
    auto& reg = large().reg;
    std::size_t pages = 0;
    double cpu = 0;
    for (auto _ : state) {
        const double start = thread_cpu_seconds();
        std::string cursor;
        pages = 0;
        while (true) {
            http_request req;
            req.target = "/v0.1/servers?limit=100" + (cursor.empty() ? "" : "&cursor=" + cursor);
            auto res = reg.handle(req);
            ++pages;
            const auto at = res.body.rfind("\"nextCursor\":\"");
            if (at == std::string::npos) break;
            const auto start_of_cursor = at + 14;
            cursor = res.body.substr(start_of_cursor, res.body.find('"', start_of_cursor) - start_of_cursor);
            for (std::size_t i = 0; i < cursor.size(); ++i)  // the only reserved characters in these cursors
                if (cursor[i] == '/' || cursor[i] == ':') {
                    cursor.replace(i, 1, cursor[i] == '/' ? "%2F" : "%3A");
                    i += 2;
                }
        }
        cpu += thread_cpu_seconds() - start;
    }
    state.counters["pages"] = static_cast<double>(pages);
    state.counters["engine_cpu_ms_per_page"] =
        cpu * 1e3 / static_cast<double>(pages * static_cast<std::size_t>(state.iterations()));
}

// The client's full walk over 127.0.0.1: requests, HTTP parsing and typed decoding of 1,000 pages. The
// counter is the walking thread's own CPU time per page (the engine runs on another thread).
void client_walk_100k_versions(benchmark::State& state)
{
    auto c = large().client();
    std::size_t versions = 0, pages = 0;
    double cpu = 0;
    for (auto _ : state) {
        const double start = thread_cpu_seconds();
        versions = 0;
        list_options query;
        query.limit = 100;
        auto pager = c.all_servers(query);
        for (const auto& entry : pager) {
            if (!entry) {
                state.SkipWithError(entry.error().diag.message.c_str());
                break;
            }
            ++versions;
        }
        cpu += thread_cpu_seconds() - start;
        pages = (versions + 99) / 100;
    }
    if (versions != 100'000) state.SkipWithError("the walk did not see 100,000 versions");
    state.counters["versions"] = static_cast<double>(versions);
    state.counters["client_cpu_ms_per_page"] =
        cpu * 1e3 / static_cast<double>(pages * static_cast<std::size_t>(state.iterations()));
}

}  // namespace

BENCHMARK(reference_engine_pages_100k)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(client_walk_100k_versions)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(get_server_reference_engine)->Unit(benchmark::kMicrosecond);
BENCHMARK(get_server_cached)->Unit(benchmark::kMicrosecond);
BENCHMARK(list_page_reference_engine)->Unit(benchmark::kMicrosecond);
BENCHMARK(list_page_cached)->Unit(benchmark::kMicrosecond);
BENCHMARK(mirror_full_100k_versions)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(mirror_incremental_nothing_new)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
