// Launch specs per second over every entry of the bundled snapshot, against decoding the same entries (the
// step every resolve starts from) in the same run.
#include <mcpreg/model/json.hpp>
#include <mcpreg/resolve/resolve.hpp>

#include "bench_data.hpp"

#include <benchmark/benchmark.h>
#include <boost/json/parse.hpp>

namespace json = boost::json;

namespace {

using mcpreg::bench::snapshot;

const std::vector<mcpreg::model::server>& servers()
{
    static const std::vector<mcpreg::model::server> decoded = [] {
        std::vector<mcpreg::model::server> out;
        for (const auto& entry : snapshot()) out.push_back(mcpreg::model::server_from_json(entry.at("server")).value());
        return out;
    }();
    return decoded;
}

void reference_decode_entries(benchmark::State& state)
{
    for (auto _ : state)
        for (const auto& entry : snapshot())
            benchmark::DoNotOptimize(mcpreg::model::server_from_json(entry.at("server")));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(snapshot().size()));
}
BENCHMARK(reference_decode_entries)->Unit(benchmark::kMillisecond);

// Every entry, default selection (the first launchable package, else the first remote), no inputs supplied:
// an entry that needs one still yields a spec and a list of what is missing.
void resolve_every_entry(benchmark::State& state)
{
    std::size_t resolved = 0, refused = 0;
    for (auto _ : state) {
        resolved = refused = 0;
        for (const auto& server : servers()) {
            auto r = mcpreg::resolve::resolve(server);
            if (r) ++resolved;
            else ++refused;
            benchmark::DoNotOptimize(r);
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(servers().size()));
    state.counters["resolved"] = static_cast<double>(resolved);
    state.counters["refused"] = static_cast<double>(refused);
}
BENCHMARK(resolve_every_entry)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
