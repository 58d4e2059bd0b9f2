// Encoding and validation of real registry data. Decoding, with its references, is in decode_bench.cpp.
#include <mcpreg/model/json.hpp>
#include <mcpreg/model/validate.hpp>

#include "bench_data.hpp"

#include <benchmark/benchmark.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace json = boost::json;
using namespace mcpreg::model;

namespace {

using mcpreg::bench::list_page_text;
using mcpreg::bench::snapshot;

void set_bytes(benchmark::State& state, std::size_t bytes)
{
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes));
}

void typed_encode_list_page(benchmark::State& state)
{
    const auto list = server_list_from_json(parse_json(list_page_text()).value()).value();
    for (auto _ : state) benchmark::DoNotOptimize(json::serialize(to_json(list)));
    set_bytes(state, list_page_text().size());
}
BENCHMARK(typed_encode_list_page);

void validate_snapshot(benchmark::State& state)
{
    for (auto _ : state)
        for (const auto& entry : snapshot()) benchmark::DoNotOptimize(validate(entry.at("server")));
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(snapshot().size()));
}
BENCHMARK(validate_snapshot)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
