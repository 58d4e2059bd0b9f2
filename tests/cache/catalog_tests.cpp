// The offline catalog: a full mirror of the bundled snapshot from the engine on 127.0.0.1, incremental syncs
// with tombstones, a sync killed halfway and resumed, local queries and ranked search.
#include <mcpreg/cache/catalog.hpp>
#include <mcpreg/cache/page_source.hpp>
#include <mcpreg/client/blocking_client.hpp>
#include <mcpreg/model/json.hpp>

#include "engine_fixture.hpp"
#include "fault_server.hpp"
#include "test_data.hpp"

#include <doctest/doctest.h>

#include <boost/json/serialize.hpp>

#include <csignal>
#include <filesystem>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

namespace json = boost::json;
using namespace mcpreg;
using namespace std::chrono_literals;

namespace {

engine::registry& snapshot_engine()
{
    static auto reg = [] {
        engine::registry_options options;
        options.seed_files = {(test::data_dir() / "registry-seed.json").string()};
        options.anonymous_auth = true;
        options.admin_key = "catalog-test-admin";
        return test::open_registry(options);
    }();
    return reg;
}

blocking_client client_for(unsigned short port)
{
    client_options options;
    options.base_url = "http://127.0.0.1:" + std::to_string(port);
    options.use_environment_proxy = false;
    options.request_timeout = 10s;
    return blocking_client::create(options).value();
}

std::string exported(cache::catalog& c) { return json::serialize(c.export_entries().value()); }

std::filesystem::path temp_file(const std::string& name)
{
    return std::filesystem::temp_directory_path() / ("mcpreg-catalog-" + std::to_string(::getpid()) + "-" + name);
}

void remove_database(const std::filesystem::path& path)
{
    for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

}  // namespace

TEST_CASE("a full mirror of the snapshot, then local queries that answer as the engine does" *
          doctest::test_suite("catalog"))
{
    auto& reg = snapshot_engine();
    test::running_engine running(reg);
    auto client = client_for(running.port());
    auto catalog = cache::catalog::open({}).value();
    std::size_t progress_calls = 0;
    cache::sync_options options;
    options.on_page = [&](const cache::sync_progress&) { ++progress_calls; };
    auto report = catalog.sync(client, options);
    REQUIRE(report);
    CHECK(report->full);
    CHECK(report->complete);
    const auto rows = reg.size().value();
    CHECK(report->added == rows);
    CHECK(report->fetched == rows);
    CHECK(progress_calls == report->pages);
    CHECK(catalog.size().value() == rows);
    CHECK(catalog.sources().value() == std::vector<std::string>{client.async_client().options().base_url});

    // Each local query equals the registry's own answer, page by page.
    for (auto search :
         {std::optional<std::string>{}, std::optional<std::string>{"github"}, std::optional<std::string>{"MCP"}}) {
        for (bool latest : {false, true}) {
            std::vector<std::string> remote, local;
            list_options q;
            q.search = search;
            if (latest) q.version = "latest";
            q.limit = 100;
            for (int guard = 0; guard < 100; ++guard) {
                auto page = client.list_servers(q).value();
                for (const auto& s : page.servers) remote.push_back(s.server.name + "@" + s.server.version);
                if (!page.next_cursor) break;
                q.cursor = page.next_cursor;
            }
            cache::catalog_query cq;
            cq.search = search;
            if (latest) cq.version = "latest";
            cq.limit = 77;
            for (int guard = 0; guard < 100; ++guard) {
                auto page = catalog.list(cq).value();
                for (const auto& e : page.entries) local.push_back(e.entry.server.name + "@" + e.entry.server.version);
                if (!page.next_cursor) break;
                cq.cursor = page.next_cursor;
            }
            CHECK_MESSAGE(local == remote, (search ? *search : "") << " latest=" << latest);
        }
    }
    auto latest = catalog.get("io.github.github/github-mcp-server");
    REQUIRE(latest);
    CHECK(latest->entry.official()->is_latest == true);
    CHECK(latest->entry == client.get_server({.name = "io.github.github/github-mcp-server"}).value());
    CHECK(catalog.versions("io.github.github/github-mcp-server").value().size() ==
          client.list_versions({.name = "io.github.github/github-mcp-server"}).value().servers.size());
    auto missing = catalog.get("io.github.nobody/nothing");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == condition::not_found);

    auto found = catalog.search("github", 10);
    REQUIRE(found);
    REQUIRE_FALSE(found->empty());
    CHECK(found->front().entry.server.name.find("github") != std::string::npos);
    CHECK(catalog.search("\"; DROP TABLE entries; -- NEAR( OR *", 5));  // words, never FTS or SQL syntax
    CHECK(catalog.size().value() == rows);
    CHECK(catalog.search("", 5).value().empty());
    for (auto bad : {"not a cursor", "[1,2,3]", "[\"a\",\"b\"]", "{}", ""}) {
        cache::catalog_query hostile;
        hostile.cursor = bad;
        auto refused = catalog.list(hostile);
        REQUIRE_FALSE(refused);
        CHECK(refused.error().code == errc::invalid_argument);
    }
    cache::catalog_query zero;
    zero.limit = 0;
    CHECK_FALSE(catalog.list(zero));

    // An incremental sync with nothing new changes nothing.
    auto again = catalog.sync(client);
    REQUIRE(again);
    CHECK_FALSE(again->full);
    CHECK(again->added + again->updated + again->deleted == 0);
    CHECK(again->fetched < 100);
}

TEST_CASE("incremental sync: 3 publishes, a deprecation and a deletion arrive, and the catalog equals a fresh mirror" *
          doctest::test_suite("catalog"))
{
    engine::registry_options options;
    options.seed_files = {(test::data_dir() / "registry-seed.json").string()};
    options.anonymous_auth = true;
    options.admin_key = "catalog-test-admin";
    auto reg = test::open_registry(options);
    test::running_engine running(reg);
    auto client = client_for(running.port());
    auto catalog = cache::catalog::open({}).value();
    REQUIRE(catalog.sync(client));

    auto anonymous = client.exchange_token({.method = "none"}).value().token;
    auto admin =
        client.exchange_token({.method = "admin", .json_body = R"({"admin_key":"catalog-test-admin"})"}).value().token;
    for (auto version : {"1.0.0", "1.1.0", "2.0.0"}) {
        auto s = model::parse_server(json::serialize(json::object{{"$schema", model::current_schema_url},
                                                                  {"name", "io.modelcontextprotocol.anonymous/new"},
                                                                  {"description", "fresh"},
                                                                  {"version", version}}))
                     .value();
        REQUIRE(client.publish({.server = s, .token = anonymous}));
    }
    const std::string deprecated_name = "io.github.github/github-mcp-server";
    const auto deprecated_version = client.get_server({.name = deprecated_name}).value().server.version;
    const set_status_request deprecate{.name = deprecated_name,
                                       .version = deprecated_version,
                                       .status = model::server_status::deprecated,
                                       .message = "old",
                                       .token = admin};
    REQUIRE(client.set_status(deprecate));
    // Deleting a latest version moves the flag to another row without touching it: the catalog must follow.
    const auto versions = client.list_versions({.name = deprecated_name}).value().servers;
    std::string deleted_name, deleted_version;
    for (const auto& candidate : client
                                     .list_servers([] {
                                         list_options q;
                                         q.version = "latest";
                                         q.limit = 100;
                                         return q;
                                     }())
                                     .value()
                                     .servers)
        if (candidate.server.name != deprecated_name &&
            client.list_versions({.name = candidate.server.name}).value().servers.size() > 1) {
            deleted_name = candidate.server.name;
            deleted_version = candidate.server.version;
            break;
        }
    REQUIRE_FALSE(deleted_name.empty());
    const set_status_request delete_latest{.name = deleted_name,
                                           .version = deleted_version,
                                           .status = model::server_status::deleted,
                                           .message = std::nullopt,
                                           .token = admin};
    REQUIRE(client.set_status(delete_latest));

    auto report = catalog.sync(client);
    REQUIRE(report);
    CHECK_FALSE(report->full);
    CHECK(report->added == 3);
    CHECK(report->updated == 1);
    CHECK(report->deleted == 1);
    CHECK(report->fetched < 50);  // the changes (and the overlap window), not the registry

    CHECK(catalog.get("io.modelcontextprotocol.anonymous/new").value().entry.server.version == "2.0.0");
    CHECK_FALSE(catalog.get(deleted_name, deleted_version));
    CHECK(catalog.get(deleted_name, deleted_version, true));
    CHECK(catalog.get(deleted_name).value().entry.server.version ==
          client.get_server({.name = deleted_name}).value().server.version);

    auto fresh = cache::catalog::open({}).value();
    REQUIRE(fresh.sync(client));
    CHECK(exported(catalog) == exported(fresh));
}

TEST_CASE("a sync killed halfway (SIGKILL) resumes from its last page and ends as a clean mirror" *
          doctest::test_suite("catalog"))
{
    // fork() is only safe while this process has one thread (a lock held by another thread at fork time stays
    // locked in the child forever), so both helpers are forked before any thread starts here: one serves
    // the snapshot, the other syncs and is killed.
    auto& reg = snapshot_engine();
    int ready[2], done[2];
    REQUIRE(::pipe(ready) == 0);
    REQUIRE(::pipe(done) == 0);
    const pid_t server = ::fork();
    REQUIRE(server >= 0);
    if (server == 0) {
        ::close(ready[0]);
        ::close(done[1]);
        {
            test::running_engine running(reg);
            const unsigned short port = running.port();
            if (::write(ready[1], &port, sizeof port) != sizeof port) ::_exit(3);
            char byte = 0;
            (void)::read(done[0], &byte, 1);  // returns when the test closes its end
        }
        ::_exit(0);
    }
    ::close(ready[1]);
    ::close(done[0]);
    unsigned short port = 0;
    REQUIRE(::read(ready[0], &port, sizeof port) == sizeof port);
    ::close(ready[0]);

    const auto path = temp_file("killed.db");
    remove_database(path);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        auto client = client_for(port);
        auto catalog = cache::catalog::open({path.string()});
        if (!catalog) ::_exit(3);
        cache::sync_options options;
        options.on_page = [](const cache::sync_progress& p) {
            if (p.pages == 7) ::kill(::getpid(), SIGKILL);
        };
        (void)catalog->sync(client, options);
        ::_exit(4);  // not reached
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);

    auto client = client_for(port);
    auto catalog = cache::catalog::open({path.string()}).value();
    CHECK(catalog.size().value() == 700);  // seven committed pages of 100
    auto resumed = catalog.sync(client);
    REQUIRE(resumed);
    CHECK(resumed->resumed);
    CHECK(resumed->full);
    CHECK(resumed->fetched == reg.size().value() - 700);

    auto clean = cache::catalog::open({}).value();
    REQUIRE(clean.sync(client));
    CHECK(exported(catalog) == exported(clean));

    // max_pages stops early and leaves the sync resumable the same way.
    auto stepwise = cache::catalog::open({}).value();
    cache::sync_options three;
    three.max_pages = 3;
    auto partial = stepwise.sync(client, three).value();
    CHECK_FALSE(partial.complete);
    CHECK(stepwise.sync(client).value().resumed);
    CHECK(exported(stepwise) == exported(clean));
    remove_database(path);

    ::close(done[1]);
    ::waitpid(server, &status, 0);
    CHECK(WIFEXITED(status));
}

TEST_CASE("a mirror feeds the engine: the catalog served as a sub-registry" * doctest::test_suite("catalog"))
{
    auto& reg = snapshot_engine();
    test::running_engine running(reg);
    auto client = client_for(running.port());
    auto catalog = cache::catalog::open({}).value();
    REQUIRE(catalog.sync(client));
    auto sub_registry = test::open_registry();
    auto report = sub_registry.import_json(catalog.export_entries().value());
    REQUIRE(report);
    CHECK(report->inserted == reg.size().value());
    client_options options;
    options.base_url = "http://in-process";
    auto in_process = blocking_client::create_in_process(options, [&](const http_request& r) {
                          return sub_registry.handle(r);
                      }).value();
    CHECK(in_process.get_server({.name = "io.github.github/github-mcp-server"}).value() ==
          client.get_server({.name = "io.github.github/github-mcp-server"}).value());
}

TEST_CASE("several registries in one catalog: entries tagged with their source, queries per source or across" *
          doctest::test_suite("catalog"))
{
    auto& big = snapshot_engine();
    auto small = test::open_registry();
    REQUIRE(small.import_json(json::array{
        test::entry("io.github.github/github-mcp-server", "99.0.0", "2026-01-01T00:00:00Z", "active",
                    "An internal fork"),
        test::entry("com.example.internal/tool", "1.0.0", "2026-01-01T00:00:00Z", "active", "Internal quokka tool")}));
    test::running_engine big_running(big), small_running(small);
    auto big_client = client_for(big_running.port());
    auto small_client = client_for(small_running.port());
    auto catalog = cache::catalog::open({}).value();
    REQUIRE(catalog.sync(big_client));
    REQUIRE(catalog.sync(small_client));
    const auto big_source = big_client.async_client().options().base_url;
    const auto small_source = small_client.async_client().options().base_url;
    CHECK(catalog.sources().value().size() == 2);
    CHECK(catalog.size(small_source).value() == 2);
    CHECK(catalog.size().value() == big.size().value() + 2);

    auto internal = catalog.get("io.github.github/github-mcp-server", "latest", false, small_source).value();
    CHECK(internal.source == small_source);
    CHECK(internal.entry.server.version == "99.0.0");
    CHECK(catalog.get("io.github.github/github-mcp-server", "latest", false, big_source).value().entry.server.version !=
          "99.0.0");
    auto quokka = catalog.search("quokka").value();
    REQUIRE(quokka.size() == 1);
    CHECK(quokka.front().source == small_source);
    CHECK(catalog.search("quokka", 20, big_source).value().empty());
    cache::catalog_query everywhere;
    everywhere.search = "github-mcp-server";
    everywhere.version = "latest";
    auto both = catalog.list(everywhere).value();
    std::set<std::string> sources;
    for (const auto& e : both.entries)
        if (e.entry.server.name == "io.github.github/github-mcp-server") sources.insert(e.source);
    CHECK(sources.size() == 2);
}

namespace {

// Whether a sync of the registry at `url` into a fresh catalog fails with bad_response (a registry that would
// make it loop).
bool mirror_refused(const std::string& url)
{
    client_options options;
    options.base_url = url;
    options.use_environment_proxy = false;
    auto client = blocking_client::create(options).value();
    auto catalog = cache::catalog::open({":memory:"}).value();
    auto report = catalog.sync(client);
    return !report && report.error().code == errc::bad_response;
}

}  // namespace

TEST_CASE("a mirror of a registry that repeats its cursors (A, B, A) stops with an error instead of looping" *
          doctest::test_suite("catalog"))
{
    auto page = [](const std::string& name, const std::string& cursor) {
        json::object metadata{{"count", 1}, {"nextCursor", cursor}};
        return json::serialize(json::object{
            {"servers", json::array{{{"server", {{"name", name}, {"description", "d"}, {"version", "1.0.0"}}}}}},
            {"metadata", metadata}});
    };
    test::fault_server looping([&](const http_request& r, int) {
        const bool at_b = r.target.find("cursor=B") != std::string::npos;
        return test::fault_action::respond(200, at_b ? page("com.example/b", "A") : page("com.example/a", "B"));
    });
    CHECK(mirror_refused(looping.url()));
    CHECK(looping.requests() < 10);
}

TEST_CASE("a mirror of a registry that sends fresh cursors over the same entries stops instead of looping" *
          doctest::test_suite("catalog"))
{
    test::fault_server endless([&](const http_request&, int index) {
        json::object metadata{{"count", 1}, {"nextCursor", "c" + std::to_string(index)}};
        return test::fault_action::respond(
            200,
            json::serialize(json::object{
                {"servers",
                 json::array{{{"server", {{"name", "com.example/same"}, {"description", "d"}, {"version", "1"}}}}}},
                {"metadata", metadata}}));
    });
    CHECK(mirror_refused(endless.url()));
    CHECK(endless.requests() == 2);
}

namespace {

// Pages of a registry that exists only here: the sync reads them through the page_source interface alone.
class scripted_pages final : public cache::page_source {
public:
    explicit scripted_pages(std::vector<model::server_list> pages) : pages_(std::move(pages)) {}

    std::string source_url() const override { return "https://scripted.example"; }

    result<model::server_list> list_page(const list_options& query) override
    {
        asked.push_back(query);
        if (served_ == pages_.size()) return model::server_list{};
        return pages_[served_++];
    }

    std::vector<list_options> asked;

private:
    std::vector<model::server_list> pages_;
    std::size_t served_ = 0;
};

model::server_list page_of(std::vector<std::pair<std::string, std::string>> rows, std::optional<std::string> next)
{
    model::server_list page;
    for (const auto& [name, version] : rows) {
        auto text = json::serialize(test::entry(name, version, "2025-01-01T00:00:00Z"));
        page.servers.push_back(model::parse_server_response(text).value());
    }
    page.next_cursor = std::move(next);
    return page;
}

}  // namespace

TEST_CASE("a sync reads any page source: its pages are mirrored under its name, and a repeated cursor is refused")
{
    auto catalog = cache::catalog::open({":memory:"}).value();
    scripted_pages pages({page_of({{"io.test/a", "1.0.0"}, {"io.test/b", "1.0.0"}}, "io.test/b:1.0.0"),
                          page_of({{"io.test/c", "2.0.0"}}, std::nullopt)});
    auto report = catalog.sync(pages);
    REQUIRE(report);
    CHECK(report->full);
    CHECK(report->pages == 2);
    CHECK(catalog.size("https://scripted.example").value() == 3);
    REQUIRE(pages.asked.size() == 2);
    CHECK(pages.asked[0].include_deleted == true);  // a first sync mirrors deleted rows too
    CHECK(pages.asked[1].cursor == "io.test/b:1.0.0");

    auto looping = cache::catalog::open({":memory:"}).value();
    scripted_pages loop(
        {page_of({{"io.test/a", "1.0.0"}}, "io.test/a:1.0.0"), page_of({{"io.test/b", "1.0.0"}}, "io.test/a:1.0.0")});
    auto refused = looping.sync(loop);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == errc::bad_response);
}
