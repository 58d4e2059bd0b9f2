// The engine under load over real HTTP: 64 readers walking every page while 8 publishers write, for
// MCPREG_LOAD_SECONDS (60 by default). Checks: every acknowledged publish is readable, and no cursor walk
// skips a row that existed when it started, repeats a row, or leaves byte order.
#include <mcpreg/client/client.hpp>
#include <mcpreg/engine/http_server.hpp>
#include <mcpreg/engine/registry.hpp>
#include <mcpreg/model/json.hpp>

#include "engine_fixture.hpp"
#include "test_data.hpp"

#include <doctest/doctest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>
#include <unistd.h>

namespace asio = boost::asio;
namespace json = boost::json;
using namespace mcpreg;

namespace {

using row = std::pair<std::string, std::string>;  // (name, version)

struct shared_state {
    std::mutex mutex;
    std::vector<row> acknowledged;  // publishes that got a 200, in acknowledgement order
    std::vector<std::string> problems;
    std::atomic<std::size_t> walks{0}, pages{0}, publishes{0}, refused{0};

    void problem(std::string text)
    {
        std::lock_guard lock(mutex);
        if (problems.size() < 20) problems.push_back(std::move(text));
    }
    std::size_t acknowledged_count()
    {
        std::lock_guard lock(mutex);
        return acknowledged.size();
    }
};

int load_seconds()
{
    const char* text = std::getenv("MCPREG_LOAD_SECONDS");
    return text && *text ? std::max(1, std::atoi(text)) : 60;
}

asio::awaitable<void> publisher(client c, std::string token, int id, std::chrono::steady_clock::time_point end,
                                shared_state& state)
{
    for (int n = 0; std::chrono::steady_clock::now() < end; ++n) {
        model::server s;
        s.schema = std::string(model::current_schema_url);
        // Half the publishes add versions to one name (latest flags move), half create names.
        s.name = "io.github.load/p" + std::to_string(id) + (n % 2 ? "-n" + std::to_string(n) : "");
        s.version = "1." + std::to_string(n) + ".0";
        s.description = "load test";
        publish_request publish{.server = s, .token = token};  // named: see the client tests on GCC 12
        auto [ec, published] = co_await c.async_publish(publish, {}, asio::as_tuple(asio::use_awaitable));
        if (ec) {
            ++state.refused;
            state.problem("publish " + s.name + " " + s.version + ": " + ec.message());
            continue;
        }
        ++state.publishes;
        std::lock_guard lock(state.mutex);
        state.acknowledged.emplace_back(s.name, s.version);
    }
}

asio::awaitable<void> reader(client c, std::chrono::steady_clock::time_point end, shared_state& state)
{
    while (std::chrono::steady_clock::now() < end) {
        // Every row acknowledged before the walk starts must appear in it exactly once.
        std::vector<row> expected;
        {
            std::lock_guard lock(state.mutex);
            expected = state.acknowledged;
        }
        list_options query;
        query.limit = 100;
        pager pages(c, query);
        std::set<row> seen;
        std::optional<row> previous;
        bool failed = false;
        while (!pages.done() && !failed) {
            auto [ec, page] = co_await pages.async_next_page(asio::as_tuple(asio::use_awaitable));
            if (ec) {
                state.problem("page: " + ec.message());
                failed = true;
                break;
            }
            ++state.pages;
            for (const auto& entry : page.servers) {
                row r{entry.server.name, entry.server.version};
                if (previous && !(*previous < r)) state.problem("out of order: " + r.first + " " + r.second);
                if (!seen.insert(r).second) state.problem("repeated: " + r.first + " " + r.second);
                previous = r;
            }
        }
        if (pages.duplicates_dropped() != 0) state.problem("the pager dropped repeated rows");
        if (failed) continue;
        for (const auto& r : expected)
            if (!seen.count(r)) state.problem("skipped: " + r.first + " " + r.second);
        ++state.walks;
    }
}

}  // namespace

TEST_CASE("64 readers and 8 publishers over HTTP: nothing lost, skipped or repeated" * doctest::test_suite("load"))
{
    const auto path = std::filesystem::temp_directory_path() / ("mcpreg-load-" + std::to_string(::getpid()) + ".db");
    for (const auto& suffix : {"", "-wal", "-shm", ".jwt-key.pem"}) std::filesystem::remove(path.string() + suffix);
    engine::registry_options options;
    // A file, so readers and publishers go through WAL as in production; or the PostgreSQL run's database.
    options.database = test::postgres_server() ? test::fresh_database() : path.string();
    auto reg = test::open_registry(options);
    // 500 real entries to walk through, from the bundled snapshot.
    const auto snapshot = model::read_json_file((test::data_dir() / "registry-seed.json").string()).value();
    json::array some(snapshot.as_array().begin(), snapshot.as_array().begin() + 500);
    REQUIRE(reg.import_json(some).value().inserted == 500);
    const auto token = reg.issue_token({{"publish", "io.github.load/*"}});

    asio::io_context server_io;
    engine::http_server server(server_io.get_executor(), reg);
    const auto port = server.listen("127.0.0.1", 0).value();
    std::vector<std::thread> server_threads;
    for (int i = 0; i < 2; ++i) server_threads.emplace_back([&] { server_io.run(); });

    asio::io_context client_io;
    client_options copts;
    copts.base_url = "http://127.0.0.1:" + std::to_string(port);
    copts.use_environment_proxy = false;
    auto c = client::create(client_io.get_executor(), copts).value();
    shared_state state;
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(load_seconds());
    for (int i = 0; i < 8; ++i) asio::co_spawn(client_io, publisher(c, token, i, end, state), asio::detached);
    for (int i = 0; i < 64; ++i) asio::co_spawn(client_io, reader(c, end, state), asio::detached);
    std::vector<std::thread> client_threads;
    for (int i = 0; i < 2; ++i) client_threads.emplace_back([&] { client_io.run(); });
    for (auto& t : client_threads) t.join();

    // Every acknowledged publish is readable, and each publisher's single name has its last version latest.
    std::size_t unreadable = 0;
    for (const auto& [name, version] : state.acknowledged) {
        engine::request req;
        req.target = "/v0.1/servers/" + name.substr(0, name.find('/')) + "%2F" + name.substr(name.find('/') + 1) +
                     "/versions/" + version;
        if (reg.handle(req).status != 200) ++unreadable;
    }
    server.stop();
    for (auto& t : server_threads) t.join();

    MESSAGE(state.publishes.load() << " publishes, " << state.walks.load() << " complete walks, " << state.pages.load()
                                   << " pages in " << load_seconds() << " s");
    for (const auto& p : state.problems) MESSAGE(p);
    CHECK(state.problems.empty());
    CHECK(state.refused == 0);
    CHECK(unreadable == 0);
    CHECK(state.publishes > 0);
    CHECK(state.walks >= 64);
    CHECK(reg.size().value() == 500 + state.acknowledged_count());
    for (const auto& suffix : {"", "-wal", "-shm", ".jwt-key.pem"}) std::filesystem::remove(path.string() + suffix);
}
