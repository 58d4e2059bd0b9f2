// The contract of the storage write primitives (src/engine/storage.hpp), run against the storage of this test
// run (SQLite in memory, or a fresh PostgreSQL schema in the postgres.* run) and against the in-memory storage
// the write rules' unit tests use, so that those tests stand on what the real storages do.
#include <doctest/doctest.h>

#include "memory_storage.hpp"
#include "test_database.hpp"
#include "test_servers.hpp"

#include <mcpreg/model/timestamp.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace mcpreg;
using engine::detail::stored_version;
using engine::detail::write_end;
using engine::detail::write_transaction;

model::timestamp at(std::string_view text) { return model::timestamp::parse(text).value(); }

using test::server_of;

std::string document_of(const model::server& s)
{
    return R"({"name":")" + s.name + R"(","version":")" + s.version + R"(","description":")" + s.description + R"("})";
}

struct named_storage {
    std::string kind;
    std::unique_ptr<engine::detail::storage> store;
};

// The real storage of this run, and the in-memory one.
std::vector<named_storage> storages()
{
    std::vector<named_storage> all;
    all.push_back({"this run's database", engine::detail::storage::open(test::fresh_database(), {}).value()});
    all.push_back({"memory", std::make_unique<test::memory_storage>()});
    return all;
}

// Runs `work` in a committed write over `name`, failing the test when the storage fails.
void committed(engine::detail::storage& store, const std::string& name,
               const std::function<void(write_transaction&)>& work)
{
    auto done = store.write(name, [&](write_transaction& tx) -> result<write_end> {
        work(tx);
        return write_end::commit;
    });
    REQUIRE(done.has_value());
}

void insert(write_transaction& tx, const model::server& s, const model::timestamp& when, bool latest)
{
    REQUIRE(tx.insert(s, document_of(s), when, latest).has_value());
}

stored_version found(write_transaction& tx, const std::string& version)
{
    auto row = tx.find(version);
    REQUIRE(row.has_value());
    REQUIRE(row->has_value());
    return **row;
}

std::vector<std::string> sorted(std::vector<std::string> values)
{
    std::sort(values.begin(), values.end());
    return values;
}

}  // namespace

TEST_CASE("storage primitives insert, find and list one name's versions, newest publish first")
{
    for (auto& [kind, store] : storages()) {
        CAPTURE(kind);
        committed(*store, "io.test/a", [](write_transaction& tx) {
            insert(tx, server_of("io.test/a", "1.0.0"), at("2025-01-01T00:00:00Z"), true);
            insert(tx, server_of("io.test/a", "2.0.0"), at("2025-02-01T00:00:00Z"), false);
        });
        committed(*store, "io.test/a", [](write_transaction& tx) {
            CHECK(tx.name() == "io.test/a");
            const auto first = found(tx, "1.0.0");
            CHECK(first.name == "io.test/a");
            CHECK(first.document == document_of(server_of("io.test/a", "1.0.0")));
            CHECK(first.status == "active");
            CHECK_FALSE(first.status_message);
            CHECK(first.is_latest);
            CHECK(first.published_at == at("2025-01-01T00:00:00Z").to_string());
            CHECK(first.updated_at == first.published_at);
            CHECK(first.status_changed_at == first.published_at);
            CHECK_FALSE(tx.find("3.0.0").value());
            auto versions = tx.versions().value();
            REQUIRE(versions.size() == 2);
            CHECK(versions[0].version == "2.0.0");
            CHECK(versions[1].version == "1.0.0");
            CHECK(tx.count().value() == 2);
            auto latest = tx.current_latest().value();
            REQUIRE(latest);
            CHECK(latest->version == "1.0.0");
            CHECK(latest->published_at == at("2025-01-01T00:00:00Z"));
            CHECK(tx.latest_candidates().value().size() == 2);
        });
        committed(*store, "io.test/b", [](write_transaction& tx) {
            CHECK(tx.count().value() == 0);
            CHECK(tx.versions().value().empty());
            CHECK_FALSE(tx.current_latest().value());
            CHECK_FALSE(tx.find("1.0.0").value());
        });
    }
}

TEST_CASE("a write that rolls back or fails leaves the rows as they were")
{
    for (auto& [kind, store] : storages()) {
        CAPTURE(kind);
        auto rolled_back = store->write("io.test/a", [](write_transaction& tx) -> result<write_end> {
            insert(tx, server_of("io.test/a", "1.0.0"), model::timestamp::now(), true);
            return write_end::roll_back;
        });
        CHECK(rolled_back.has_value());
        auto failed = store->write("io.test/a", [](write_transaction& tx) -> result<write_end> {
            insert(tx, server_of("io.test/a", "1.0.0"), model::timestamp::now(), true);
            return make_error(errc::invalid_argument, "the work failed");
        });
        CHECK_FALSE(failed.has_value());
        committed(*store, "io.test/a", [](write_transaction& tx) { CHECK(tx.count().value() == 0); });
    }
}

TEST_CASE("a remote URL is owned by another server only while one of its versions is live")
{
    for (auto& [kind, store] : storages()) {
        CAPTURE(kind);
        const auto now = model::timestamp::now();
        committed(*store, "io.test/a", [&](write_transaction& tx) {
            insert(tx, server_of("io.test/a", "1.0.0", {"https://a.example/mcp", "https://a.example/sse"}), now, true);
            CHECK(sorted(tx.remote_urls("1.0.0").value()) ==
                  std::vector<std::string>{"https://a.example/mcp", "https://a.example/sse"});
            CHECK(tx.remote_urls("9.9.9").value().empty());
            CHECK_FALSE(tx.owner_of_urls({"https://a.example/mcp"}).value());  // its own
        });
        committed(*store, "io.test/b", [](write_transaction& tx) {
            auto owner = tx.owner_of_urls({"https://b.example/mcp", "https://a.example/sse"}).value();
            REQUIRE(owner);
            CHECK(owner->url == "https://a.example/sse");
            CHECK(owner->name == "io.test/a");
            CHECK_FALSE(tx.owner_of_urls({"https://b.example/mcp"}).value());
        });
        committed(*store, "io.test/a", [&](write_transaction& tx) {
            REQUIRE(tx.update_status("1.0.0", model::server_status::deleted, std::nullopt, now).has_value());
        });
        committed(*store, "io.test/b",
                  [](write_transaction& tx) { CHECK_FALSE(tx.owner_of_urls({"https://a.example/sse"}).value()); });
        committed(*store, "io.test/a", [&](write_transaction& tx) {
            auto edited = server_of("io.test/a", "1.0.0", {"https://a.example/v2"});
            REQUIRE(tx.update_document(edited, document_of(edited), now).has_value());
            CHECK(tx.remote_urls("1.0.0").value() == std::vector<std::string>{"https://a.example/v2"});
        });
    }
}

TEST_CASE("status updates change only the versions that differ, and statusChangedAt only where the status does")
{
    for (auto& [kind, store] : storages()) {
        CAPTURE(kind);
        const auto t1 = at("2025-01-01T00:00:00Z"), t2 = at("2025-01-02T00:00:00Z"), t3 = at("2025-01-03T00:00:00Z"),
                   t4 = at("2025-01-04T00:00:00Z");
        const auto deprecated = model::server_status::deprecated;
        committed(*store, "io.test/a", [&](write_transaction& tx) {
            insert(tx, server_of("io.test/a", "1.0.0"), t1, false);
            insert(tx, server_of("io.test/a", "2.0.0"), t1, true);
            REQUIRE(tx.update_status("1.0.0", deprecated, std::string("old"), t2).has_value());
            const auto one = found(tx, "1.0.0");
            CHECK(one.status == "deprecated");
            CHECK(one.status_message == "old");
            CHECK(one.updated_at == t2.to_string());
            CHECK(one.status_changed_at == t2.to_string());
            CHECK(found(tx, "2.0.0").updated_at == t1.to_string());
        });
        committed(*store, "io.test/a", [&](write_transaction& tx) {
            REQUIRE(tx.update_status(std::nullopt, deprecated, std::string("old"), t3).has_value());
            CHECK(found(tx, "1.0.0").updated_at == t2.to_string());  // it had both already
            CHECK(found(tx, "2.0.0").updated_at == t3.to_string());
            CHECK(found(tx, "2.0.0").status_changed_at == t3.to_string());
            REQUIRE(tx.update_status(std::nullopt, deprecated, std::string("new"), t4).has_value());
            for (const auto& row : tx.versions().value()) {
                CHECK(row.status_message == "new");
                CHECK(row.updated_at == t4.to_string());
            }
            CHECK(found(tx, "1.0.0").status_changed_at == t2.to_string());
            CHECK(found(tx, "2.0.0").status_changed_at == t3.to_string());
            REQUIRE(tx.update_status("1.0.0", model::server_status::active, std::nullopt, t4).has_value());
            CHECK_FALSE(found(tx, "1.0.0").status_message);
        });
    }
}

TEST_CASE("the latest flag moves to the version given, or leaves the name")
{
    for (auto& [kind, store] : storages()) {
        CAPTURE(kind);
        const auto now = model::timestamp::now();
        committed(*store, "io.test/a", [&](write_transaction& tx) {
            insert(tx, server_of("io.test/a", "1.0.0"), now, true);
            insert(tx, server_of("io.test/a", "2.0.0"), now, false);
            REQUIRE(tx.set_latest(std::string("2.0.0")).has_value());
            CHECK_FALSE(found(tx, "1.0.0").is_latest);
            CHECK(found(tx, "2.0.0").is_latest);
            CHECK(tx.current_latest().value()->version == "2.0.0");
            REQUIRE(tx.set_latest(std::nullopt).has_value());
            CHECK_FALSE(tx.current_latest().value());
        });
    }
}

TEST_CASE("an edited document replaces the stored one and keeps the status and the publish time")
{
    for (auto& [kind, store] : storages()) {
        CAPTURE(kind);
        const auto t1 = at("2025-01-01T00:00:00Z"), t2 = at("2025-03-01T00:00:00Z");
        committed(*store, "io.test/a", [&](write_transaction& tx) {
            insert(tx, server_of("io.test/a", "1.0.0"), t1, true);
            auto edited = server_of("io.test/a", "1.0.0", {}, "edited");
            REQUIRE(tx.update_document(edited, document_of(edited), t2).has_value());
            const auto row = found(tx, "1.0.0");
            CHECK(row.document == document_of(edited));
            CHECK(row.published_at == t1.to_string());
            CHECK(row.updated_at == t2.to_string());
            CHECK(row.status == "active");
            CHECK(row.is_latest);
        });
    }
}

TEST_CASE("a name or version no row can hold finds nothing")
{
    for (auto& [kind, store] : storages()) {
        CAPTURE(kind);
        committed(*store, std::string("io.test/a\0b", 11), [](write_transaction& tx) {
            CHECK_FALSE(tx.find("1.0.0").value());
            CHECK(tx.versions().value().empty());
            CHECK(tx.latest_candidates().value().empty());
        });
        committed(*store, "io.test/\xff", [](write_transaction& tx) { CHECK_FALSE(tx.find("\xff").value()); });
    }
}

TEST_CASE("a committed write is served rendered, and search follows an edited document's words")
{
    auto store = engine::detail::storage::open(test::fresh_database(), {}).value();
    const auto now = model::timestamp::now();
    committed(*store, "io.test/a", [&](write_transaction& tx) {
        insert(tx, server_of("io.test/a", "1.0.0", {}, "alphaword server"), now, true);
    });
    std::string entry;
    auto sink = [&](const engine::detail::rendered_row& row) { entry = std::string(row.entry); };
    REQUIRE(store->get("io.test/a", "1.0.0", false, sink).value());
    CHECK(entry.find("alphaword") != std::string::npos);
    CHECK(entry.find("\"isLatest\":true") != std::string::npos);
    auto hits = [&](std::string word) {
        int count = 0;
        REQUIRE(store
                    ->search({std::move(word)}, std::chrono::seconds(1), false, true, 10,
                             [&](const engine::detail::rendered_row&) { ++count; })
                    .has_value());
        return count;
    };
    CHECK(hits("alphaword") == 1);
    committed(*store, "io.test/a", [&](write_transaction& tx) {
        auto edited = server_of("io.test/a", "1.0.0", {}, "omegaword server");
        REQUIRE(tx.update_document(edited, document_of(edited), now).has_value());
    });
    CHECK(hits("alphaword") == 0);
    CHECK(hits("omegaword") == 1);
    REQUIRE(store->get("io.test/a", "1.0.0", false, sink).value());
    CHECK(entry.find("omegaword") != std::string::npos);
}
