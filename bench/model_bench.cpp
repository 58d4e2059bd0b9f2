// Typed decoding and validation of real registry data. The reference in the same run is Boost.JSON's DOM
// parse of the same bytes, which typed decoding includes: the ratio is what the typed layer costs.
#include <mcpreg/model/json.hpp>
#include <mcpreg/model/validate.hpp>

#include <benchmark/benchmark.h>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fstream>
#include <sstream>

namespace json = boost::json;
using namespace mcpreg::model;

namespace {

const json::array& snapshot()
{
    static const json::value document = [] {
        std::ifstream in(std::string(MCPREG_TEST_DATA_DIR) + "/registry-seed.json", std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        return json::parse(text.str());
    }();
    return document.as_array();
}

// A real list page: the first 100 entries, as GET /v0.1/servers?limit=100 would send them.
const std::string& list_page_text()
{
    static const std::string text = [] {
        json::array servers(snapshot().begin(), snapshot().begin() + 100);
        return json::serialize(
            json::value{{"servers", std::move(servers)}, {"metadata", {{"nextCursor", "cursor"}, {"count", 100}}}});
    }();
    return text;
}

void set_bytes(benchmark::State& state, std::size_t bytes)
{
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}

void reference_boost_json_dom_parse(benchmark::State& state)
{
    const auto& text = list_page_text();
    for (auto _ : state) benchmark::DoNotOptimize(json::parse(text));
    set_bytes(state, text.size());
}
BENCHMARK(reference_boost_json_dom_parse);

// Boost.JSON's fastest DOM: one arena per document.
void reference_boost_json_dom_parse_arena(benchmark::State& state)
{
    const auto& text = list_page_text();
    for (auto _ : state) {
        json::monotonic_resource arena;
        benchmark::DoNotOptimize(json::parse(text, &arena));
    }
    set_bytes(state, text.size());
}
BENCHMARK(reference_boost_json_dom_parse_arena);

void typed_decode_list_page(benchmark::State& state)
{
    const auto& text = list_page_text();
    for (auto _ : state) {
        auto list = parse_server_list(text);
        benchmark::DoNotOptimize(list);
    }
    set_bytes(state, text.size());
}
BENCHMARK(typed_decode_list_page);

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
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * snapshot().size()));
}
BENCHMARK(validate_snapshot)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
