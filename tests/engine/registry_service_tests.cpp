// The registry's write rules (src/engine/registry_service.cpp) on the in-memory storage: no SQL, no sockets.
// The HTTP answers these refusals become are checked in write_api_tests.cpp.
#include <doctest/doctest.h>

#include "../../src/engine/registry_service.hpp"
#include "memory_storage.hpp"
#include "test_servers.hpp"

#include <string>
#include <vector>

namespace {

using namespace mcpreg;
using engine::detail::refusal_reason;
using engine::detail::registry_service;
using engine::detail::stored_version;
using engine::detail::write_refusal;

using test::server_of;

template <class T>
T stored(const result<engine::detail::write_outcome<T>>& outcome)
{
    REQUIRE(outcome.has_value());
    const auto* value = std::get_if<T>(&*outcome);
    REQUIRE(value);
    return *value;
}

template <class T>
write_refusal refused(const result<engine::detail::write_outcome<T>>& outcome)
{
    REQUIRE(outcome.has_value());
    const auto* refusal = std::get_if<write_refusal>(&*outcome);
    REQUIRE(refusal);
    return *refusal;
}

struct rules_on_memory {
    test::memory_storage store;
    registry_service service{store, 3};

    stored_version publish(const std::string& name, const std::string& version, std::vector<std::string> urls = {})
    {
        return stored(service.publish(server_of(name, version, std::move(urls)), "{}"));
    }

    std::string latest_of(const std::string& name)
    {
        std::string latest;
        for (const auto& [key, row] : store.snapshot())
            if (key.first == name && row.stored.is_latest) {
                CHECK(latest.empty());  // one latest at most
                latest = key.second;
            }
        return latest;
    }
};

}  // namespace

TEST_CASE("a publish becomes latest only when it ranks above the version holding the flag")
{
    rules_on_memory r;
    CHECK(r.publish("io.test/a", "1.0.0").is_latest);
    CHECK(r.publish("io.test/a", "2.0.0").is_latest);
    CHECK_FALSE(r.publish("io.test/a", "1.5.0").is_latest);
    CHECK(r.latest_of("io.test/a") == "2.0.0");
    CHECK(r.publish("io.test/b", "0.1.0").is_latest);  // names are apart
}

TEST_CASE("a version is published once, even after it was deleted")
{
    rules_on_memory r;
    r.publish("io.test/a", "1.0.0");
    CHECK(refused(r.service.publish(server_of("io.test/a", "1.0.0"), "{}")).reason ==
          refusal_reason::duplicate_version);
    stored(r.service.remove("io.test/a", "1.0.0"));
    auto again = refused(r.service.publish(server_of("io.test/a", "1.0.0"), "{}"));
    CHECK(again.reason == refusal_reason::duplicate_version);
    CHECK(again.message == "invalid version: cannot publish duplicate version");
}

TEST_CASE("a server may have as many versions as the cap, deleted ones included")
{
    rules_on_memory r;  // a cap of 3
    r.publish("io.test/a", "1.0.0");
    r.publish("io.test/a", "2.0.0");
    r.publish("io.test/a", "3.0.0");
    stored(r.service.remove("io.test/a", "1.0.0"));
    auto over = refused(r.service.publish(server_of("io.test/a", "4.0.0"), "{}"));
    CHECK(over.reason == refusal_reason::version_limit);
    CHECK(over.message.find("(3)") != std::string::npos);
}

TEST_CASE("a remote URL another server's live version holds is refused to publish and edit, not once it is deleted")
{
    rules_on_memory r;
    r.publish("io.test/a", "1.0.0", {"https://shared.example/mcp"});
    auto taken = refused(r.service.publish(server_of("io.test/b", "1.0.0", {"https://shared.example/mcp"}), "{}"));
    CHECK(taken.reason == refusal_reason::remote_url_taken);
    CHECK(taken.message == "remote URL https://shared.example/mcp is already used by server io.test/a");
    r.publish("io.test/a", "1.1.0", {"https://shared.example/mcp"});  // its own URL, again
    r.publish("io.test/b", "1.0.0", {"https://b.example/mcp"});
    CHECK(refused(r.service.edit(server_of("io.test/b", "1.0.0", {"https://shared.example/mcp"}), "{}")).reason ==
          refusal_reason::remote_url_taken);
    stored(r.service.set_status_all("io.test/a", model::server_status::deleted, std::nullopt));
    stored(r.service.edit(server_of("io.test/b", "1.0.0", {"https://shared.example/mcp"}), "{\"edited\":1}"));
}

TEST_CASE("restoring a deleted version is refused while another server holds its remote URL")
{
    rules_on_memory r;
    r.publish("io.test/a", "1.0.0", {"https://shared.example/mcp"});
    stored(r.service.remove("io.test/a", "1.0.0"));
    r.publish("io.test/b", "1.0.0", {"https://shared.example/mcp"});
    CHECK(refused(r.service.set_status("io.test/a", "1.0.0", model::server_status::active, std::nullopt)).reason ==
          refusal_reason::remote_url_taken);
    CHECK(refused(r.service.set_status_all("io.test/a", model::server_status::deprecated, std::nullopt)).reason ==
          refusal_reason::remote_url_taken);
    CHECK(r.store.snapshot().at({"io.test/a", "1.0.0"}).stored.status == "deleted");
    // Deleting stays possible, and so does restoring once the other server lets go.
    stored(r.service.remove("io.test/b", "1.0.0"));
    CHECK(stored(r.service.set_status("io.test/a", "1.0.0", model::server_status::active, std::nullopt)).status ==
          "active");
}

TEST_CASE("an edit replaces a live version's document and keeps its status, publish time and flag")
{
    rules_on_memory r;
    const auto before = r.publish("io.test/a", "1.0.0");
    const auto after = stored(r.service.edit(server_of("io.test/a", "1.0.0"), "{\"edited\":true}"));
    CHECK(after.document == "{\"edited\":true}");
    CHECK(after.published_at == before.published_at);
    CHECK(after.status == "active");
    CHECK(after.is_latest);
    CHECK(refused(r.service.edit(server_of("io.test/a", "9.0.0"), "{}")).reason == refusal_reason::not_found);
    stored(r.service.remove("io.test/a", "1.0.0"));
    CHECK(refused(r.service.edit(server_of("io.test/a", "1.0.0"), "{}")).reason == refusal_reason::not_found);
}

TEST_CASE("a status change that changes nothing is refused, and a refused write stores nothing")
{
    rules_on_memory r;
    r.publish("io.test/a", "1.0.0");
    stored(r.service.set_status("io.test/a", "1.0.0", model::server_status::deprecated, std::string("old")));
    const auto rows = r.store.snapshot();
    const auto commits = r.store.commits;
    auto same =
        refused(r.service.set_status("io.test/a", "1.0.0", model::server_status::deprecated, std::string("old")));
    CHECK(same.reason == refusal_reason::nothing_to_change);
    CHECK(refused(r.service.set_status_all("io.test/a", model::server_status::deprecated, std::string("old"))).reason ==
          refusal_reason::nothing_to_change);
    CHECK(r.store.commits == commits);
    CHECK(r.store.roll_backs >= 2);
    CHECK(r.store.snapshot().at({"io.test/a", "1.0.0"}).stored.updated_at ==
          rows.at({"io.test/a", "1.0.0"}).stored.updated_at);
    // Another message is a change.
    CHECK(stored(r.service.set_status("io.test/a", "1.0.0", model::server_status::deprecated, std::string("new")))
              .status_message == "new");
}

TEST_CASE("unknown servers and versions are not found by status writes and deletes")
{
    rules_on_memory r;
    CHECK(refused(r.service.set_status("io.test/none", "1.0.0", model::server_status::deleted, std::nullopt)).message ==
          "Server version not found");
    CHECK(refused(r.service.set_status_all("io.test/none", model::server_status::deleted, std::nullopt)).message ==
          "Server not found");
    CHECK(refused(r.service.remove("io.test/none", "1.0.0")).reason == refusal_reason::not_found);
}

TEST_CASE("deleting the latest version hands the flag to the highest live one, or the highest when none is live")
{
    rules_on_memory r;
    r.publish("io.test/a", "1.0.0");
    r.publish("io.test/a", "3.0.0");
    r.publish("io.test/a", "2.0.0");
    stored(r.service.remove("io.test/a", "3.0.0"));
    CHECK(r.latest_of("io.test/a") == "2.0.0");
    stored(r.service.set_status("io.test/a", "3.0.0", model::server_status::active, std::nullopt));
    CHECK(r.latest_of("io.test/a") == "3.0.0");
    stored(r.service.set_status_all("io.test/a", model::server_status::deleted, std::nullopt));
    CHECK(r.latest_of("io.test/a") == "3.0.0");
    // Deprecated versions are live: they keep the flag.
    stored(r.service.set_status("io.test/a", "1.0.0", model::server_status::deprecated, std::nullopt));
    CHECK(r.latest_of("io.test/a") == "1.0.0");
}

TEST_CASE("a delete is a tombstone with its message, and a second delete finds nothing")
{
    rules_on_memory r;
    r.publish("io.test/a", "1.0.0");
    const auto removed = stored(r.service.remove("io.test/a", "1.0.0"));
    CHECK(removed.status == "deleted");
    CHECK(removed.status_message == std::string(engine::detail::tombstone_message));
    CHECK(refused(r.service.remove("io.test/a", "1.0.0")).reason == refusal_reason::not_found);
    CHECK(r.store.snapshot().size() == 1);  // the row stays
}

TEST_CASE("a status change of every version answers all of them, newest publish first")
{
    rules_on_memory r;
    r.publish("io.test/a", "1.0.0");
    r.publish("io.test/a", "2.0.0");
    const auto all = stored(r.service.set_status_all("io.test/a", model::server_status::deprecated, std::string("m")));
    REQUIRE(all.size() == 2);
    for (const auto& row : all) CHECK(row.status == "deprecated");
}
