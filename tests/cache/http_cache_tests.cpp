// The HTTP cache: the freshness rule, and the client with a SQLite cache against the engine on 127.0.0.1.
#include <mcpreg/cache/http_cache.hpp>
#include <mcpreg/client/blocking_client.hpp>

#include "engine_fixture.hpp"
#include "test_data.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sqlite3.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace mcpreg;
using namespace std::chrono_literals;

namespace {

struct temp_dir {
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("mcpreg-cache-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    temp_dir() { std::filesystem::create_directories(path); }
    ~temp_dir() { std::filesystem::remove_all(path); }
    static int& counter()
    {
        static int n = 0;
        return n;
    }
};

http_response with_headers(std::vector<http_header> headers, int status = 200)
{
    http_response r;
    r.status = status;
    r.headers = std::move(headers);
    return r;
}

client_options cached_options(unsigned short port, std::shared_ptr<response_cache> cache)
{
    client_options options;
    options.base_url = "http://127.0.0.1:" + std::to_string(port);
    options.cache = std::move(cache);
    options.retry.max_attempts = 2;
    options.retry.initial_backoff = 10ms;
    options.request_timeout = 5s;
    options.use_environment_proxy = false;
    return options;
}

engine::registry seeded_registry(std::chrono::seconds max_age)
{
    engine::registry_options options;
    options.seed_files = {(test::data_dir() / "registry-seed.json").string()};
    options.max_age = max_age;
    return test::open_registry(options);
}

const std::string some_server = "io.github.github/github-mcp-server";

}  // namespace

TEST_CASE("freshness: no-store, no-cache, max-age, Expires, the default TTL and the cap" * doctest::test_suite("cache"))
{
    const auto now = std::chrono::system_clock::now();
    auto fresh = [&](std::vector<http_header> headers, int status = 200) {
        auto until = response_fresh_until(with_headers(std::move(headers), status), now, 300s, 3600s);
        return until
                   ? std::optional<std::chrono::seconds>(std::chrono::duration_cast<std::chrono::seconds>(*until - now))
                   : std::nullopt;
    };
    CHECK(fresh({}) == 300s);
    CHECK(fresh({{"Cache-Control", "public, max-age=30"}}) == 30s);
    CHECK(fresh({{"cache-control", "MAX-AGE=\"45\""}}) == 45s);
    CHECK(fresh({{"Cache-Control", "max-age=999999"}}) == 3600s);  // capped
    CHECK(fresh({{"Cache-Control", "max-age=banana"}}) == 0s);     // unreadable: stale at once
    CHECK(fresh({{"Cache-Control", "no-cache, max-age=60"}}) == 0s);
    CHECK(fresh({{"Cache-Control", "max-age=60, no-store"}}) == std::nullopt);
    CHECK(fresh({{"Date", "Sun, 06 Nov 1994 08:49:37 GMT"}, {"Expires", "Sun, 06 Nov 1994 08:59:37 GMT"}}) == 600s);
    CHECK(fresh({{"Expires", "0"}}) == 0s);
    CHECK(fresh({{"Cache-Control", "max-age=10"}}, 404) == std::nullopt);  // only 200s are stored
    CHECK(parse_http_date(format_http_date(std::chrono::floor<std::chrono::seconds>(now))) ==
          std::chrono::floor<std::chrono::seconds>(now));
}

TEST_CASE("against the engine: a hit inside the TTL, a 304 after it, stale while the engine is down, offline" *
          doctest::test_suite("cache"))
{
    temp_dir dir;
    auto cache = cache::http_cache::open({(dir.path / "cache.db").string(), 300s, 24h, 64 << 20}).value();
    auto reg = seeded_registry(1s);
    diagnostics diag;
    call_options call;
    call.diag = &diag;
    std::optional<test::running_engine> running(std::in_place, reg);
    const auto port = running->port();
    auto c = blocking_client::create(cached_options(port, cache)).value();

    auto first = c.get_server({.name = some_server}, call);
    REQUIRE(first);
    CHECK(diag.cache == "miss");
    auto second = c.get_server({.name = some_server}, call);
    REQUIRE(second);
    CHECK(diag.cache == "hit");
    CHECK(diag.attempts == 0);  // no request was sent
    CHECK(second->server.name == first->server.name);
    auto page = c.list_servers(list_options{}, call);
    REQUIRE(page);
    CHECK(diag.cache == "miss");

    std::this_thread::sleep_for(1100ms);  // the engine says max-age=1
    auto third = c.get_server({.name = some_server}, call);
    REQUIRE(third);
    CHECK(diag.cache == "revalidated");
    CHECK(diag.attempts == 1);
    CHECK(third->server.version == first->server.version);

    // Another identity never sees this one's entries.
    auto options = cached_options(port, cache);
    options.bearer_token = "someone-else";
    auto other = blocking_client::create(options).value();
    REQUIRE(other.get_server({.name = some_server}, call));
    CHECK(diag.cache == "miss");

    // Writes go around the cache.
    const auto before = cache->stats();
    CHECK_FALSE(c.exchange_token({.method = "none", .json_body = "{}"}, call));
    CHECK(diag.cache.empty());
    CHECK(cache->stats().misses == before.misses);

    running.reset();  // the registry is gone
    std::this_thread::sleep_for(1100ms);
    auto stale = c.get_server({.name = some_server}, call);
    REQUIRE(stale);
    CHECK(diag.cache == "stale");
    CHECK(diag.message.find("stale") != std::string::npos);
    CHECK(stale->server.name == some_server);
    auto missing = c.get_server({.name = "io.github.nobody/never-fetched"}, call);
    REQUIRE_FALSE(missing);

    auto offline_options = cached_options(port, cache);
    offline_options.offline = true;
    auto offline = blocking_client::create(offline_options).value();
    auto served = offline.list_servers(list_options{}, call);
    REQUIRE(served);
    CHECK(diag.cache == "stale");
    CHECK(served->servers.size() == page->servers.size());
    auto not_cached = offline.get_server({.name = "io.github.nobody/never-fetched"}, call);
    REQUIRE_FALSE(not_cached);
    CHECK(not_cached.error().code == errc::not_cached);

    const auto stats = cache->stats();
    CHECK(stats.hits == 2);  // one fresh hit, one 304
    CHECK(stats.revalidations >= 2);
    CHECK(stats.stale_serves == 2);
    CHECK(stats.misses >= 4);
}

TEST_CASE("a damaged body reads as a miss, and a truncated file is moved aside and rebuilt" *
          doctest::test_suite("cache"))
{
    temp_dir dir;
    const auto path = (dir.path / "cache.db").string();
    const auto later = std::chrono::system_clock::now() + 1h;
    {
        auto cache = cache::http_cache::open({path}).value();
        http_response r;
        r.body = R"({"servers":[]})";
        cache->store("GET a", r, later);
        cache->store("GET b", r, later);
        REQUIRE(cache->find("GET a"));
        sqlite3* raw = nullptr;
        REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
        REQUIRE(sqlite3_exec(raw, "UPDATE responses SET body = 'tampered' WHERE key = 'GET a'", nullptr, nullptr,
                             nullptr) == SQLITE_OK);
        sqlite3_close(raw);
        CHECK_FALSE(cache->find("GET a"));
        CHECK(cache->find("GET b"));
        CHECK(cache->usage().value().entries == 1);  // the damaged entry is gone
        std::string big(200'000, 'x');
        r.body = big;
        for (int i = 0; i < 20; ++i) cache->store("GET big" + std::to_string(i), r, later);
    }
    const auto size = std::filesystem::file_size(path);
    REQUIRE(size > 100'000);
    std::filesystem::resize_file(path, size / 2);
    auto reopened = cache::http_cache::open({path});
    REQUIRE(reopened);
    REQUIRE((*reopened)->moved_aside());
    CHECK(std::filesystem::exists(*(*reopened)->moved_aside()));
    CHECK((*reopened)->usage().value().entries == 0);
    http_response r;
    r.body = "{}";
    (*reopened)->store("GET c", r, later);
    CHECK((*reopened)->find("GET c"));

    std::filesystem::remove(path);
    std::filesystem::remove(path + "-wal");
    std::filesystem::remove(path + "-shm");
    {
        std::ofstream junk(path);
        junk << "this is not a database, not even close; " << std::string(5000, '#');
    }
    auto junk_opened = cache::http_cache::open({path});
    REQUIRE(junk_opened);
    CHECK((*junk_opened)->moved_aside());
}

TEST_CASE("the size bound evicts least recently used entries" * doctest::test_suite("cache"))
{
    auto cache = cache::http_cache::open({":memory:", 300s, 24h, 10'000}).value();
    const auto later = std::chrono::system_clock::now() + 1h;
    http_response r;
    r.body = std::string(3'000, 'a');
    cache->store("GET 1", r, later);
    cache->store("GET 2", r, later);
    cache->store("GET 3", r, later);
    std::this_thread::sleep_for(2ms);
    REQUIRE(cache->find("GET 1"));    // 1 is now more recent than 2
    cache->store("GET 4", r, later);  // 12,000 bytes: one must go
    CHECK(cache->stats().evictions == 1);
    CHECK(cache->find("GET 1"));
    CHECK_FALSE(cache->find("GET 2"));
    CHECK(cache->usage().value().bytes <= 10'000);
    r.body = std::string(20'000, 'b');
    cache->store("GET huge", r, later);  // larger than the bound: not stored, nothing evicted for it
    CHECK_FALSE(cache->find("GET huge"));
    CHECK(cache->find("GET 1"));
}

TEST_CASE("two processes writing one cache file lose nothing" * doctest::test_suite("cache"))
{
    temp_dir dir;
    const auto path = (dir.path / "shared.db").string();
    cache::http_cache::open({path}).value();  // created before the writers race
    constexpr int per_process = 300;
    std::vector<pid_t> children;
    for (int writer = 0; writer < 2; ++writer) {
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            auto cache = cache::http_cache::open({path});
            if (!cache) ::_exit(3);
            http_response r;
            for (int i = 0; i < per_process; ++i) {
                r.body = "writer " + std::to_string(writer) + " entry " + std::to_string(i);
                (*cache)->store("GET " + std::to_string(writer) + "/" + std::to_string(i), r,
                                std::chrono::system_clock::now() + 1h);
            }
            ::_exit(0);
        }
        children.push_back(child);
    }
    for (auto child : children) {
        int status = 0;
        ::waitpid(child, &status, 0);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
    }
    auto cache = cache::http_cache::open({path}).value();
    CHECK(cache->usage().value().entries == 2 * per_process);
    for (int writer = 0; writer < 2; ++writer)
        for (int i = 0; i < per_process; i += 37) {
            auto found = cache->find("GET " + std::to_string(writer) + "/" + std::to_string(i));
            REQUIRE(found);
            CHECK(found->response.body == "writer " + std::to_string(writer) + " entry " + std::to_string(i));
        }
}
