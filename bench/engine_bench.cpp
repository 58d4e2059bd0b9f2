// The engine's socket-free core: requests answered per second for the routes the HTTP benchmark covers.
// (The wrk-against-nginx comparison belongs to bench/run.sh; this isolates the core's CPU cost.)
#include <mcpreg/engine/registry.hpp>

#include <benchmark/benchmark.h>

namespace {

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
        if (res.status != expected_status) state.SkipWithError("unexpected status");
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

BENCHMARK(list_page_100_cached);
BENCHMARK(list_page_100_uncached);
BENCHMARK(deep_cursor_page_uncached);
BENCHMARK(version_document_cached);
BENCHMARK(not_modified_304);
BENCHMARK(not_found_404);
BENCHMARK(search_uncached);
BENCHMARK(substring_search_uncached);

}  // namespace

BENCHMARK_MAIN();
