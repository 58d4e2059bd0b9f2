// The bundled real registry snapshot (2,376 ServerResponse entries, live API, Dec 2025) read end to end.
#include <mcpreg/model/json.hpp>
#include <mcpreg/model/validate.hpp>

#include "test_data.hpp"

#include <doctest/doctest.h>

#include <map>

namespace json = boost::json;
using namespace mcpreg::model;

namespace {

const json::array& snapshot()
{
    static const json::value document =
        parse_json(mcpreg::test::read_file(mcpreg::test::data_dir() / "registry-seed.json")).value();
    return document.as_array();
}

}  // namespace

TEST_CASE("snapshot: every entry reads as a server response and writes back unchanged")
{
    const auto& entries = snapshot();
    REQUIRE(entries.size() == 2376);
    REQUIRE(classify_document(json::value(entries)) == document_kind::server_response_array);
    std::size_t with_official = 0;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        auto response = server_response_from_json(entries[i]);
        REQUIRE_MESSAGE(response, "entry " << i << ": " << response.error().what());
        CHECK_MESSAGE(to_json(*response) == entries[i], "entry " << i << " (" << response->server.name << ")");
        if (const auto* official = response->official()) {
            ++with_official;
            CHECK(official->published_at.has_value());
            CHECK(official->parsed_status() == server_status::active);
        }
    }
    CHECK(with_official == entries.size());
}

TEST_CASE("snapshot: the server.json inside each entry round-trips through the typed server")
{
    std::map<schema_generation, std::size_t> declared, detected;
    for (const auto& entry : snapshot()) {
        const auto& server_json = entry.at("server");
        read_info info;
        auto server = server_from_json(server_json, &info);
        REQUIRE(server);
        CHECK(to_json(*server) == server_json);
        CHECK(info.style == field_style::camel_case);
        ++declared[info.declared];
        ++detected[info.detected];
    }
    // Declared: what `$schema` says. The registry rewrote stored fields to camelCase but kept `$schema`.
    CHECK(declared[schema_generation::v2025_07_09] == 2);
    CHECK(declared[schema_generation::v2025_09_16] == 128);
    CHECK(declared[schema_generation::v2025_09_29] == 874);
    CHECK(declared[schema_generation::v2025_10_17] == 1322);
    CHECK(declared[schema_generation::v2025_12_11] == 50);
    CHECK(declared.size() == 5);
    // Detected: the oldest generation whose fields cover what the entry uses.
    CHECK(detected[schema_generation::v2025_09_29] == 1381);
    CHECK(detected[schema_generation::v2025_10_11] == 958);
    CHECK(detected[schema_generation::v2025_10_17] == 37);
    CHECK(detected.size() == 3);
}

TEST_CASE("snapshot: a list page of real entries round-trips with its cursor")
{
    json::array page_servers(snapshot().begin(), snapshot().begin() + 100);
    json::value page = {{"servers", page_servers}, {"metadata", {{"nextCursor", "ai.exa/exa:3.1.1"}, {"count", 100}}}};
    auto list = server_list_from_json(page);
    REQUIRE(list);
    CHECK(list->servers.size() == 100);
    CHECK(list->next_cursor == "ai.exa/exa:3.1.1");
    CHECK(list->count == 100);
    CHECK(to_json(*list) == page);
}

TEST_CASE("snapshot: validation against each entry's declared schema")
{
    std::size_t valid = 0;
    std::map<std::string, std::size_t> rules;
    for (const auto& entry : snapshot()) {
        auto issues = validate(entry.at("server"));
        if (is_valid(issues)) ++valid;
        for (const auto& issue : issues)
            if (issue.severity == severity::error) ++rules[issue.rule];
    }
    // About 13% of served entries break their own declared schema, as the corpus analysis found: mostly
    // `repository: {}` (url and source required) and old schemas requiring a package version.
    CHECK(valid == 2060);
    CHECK(rules["schema-required"] == 540);
    CHECK(rules["reserved-version-string"] == 12);
    CHECK(rules["schema-not"] == 12);
    CHECK(rules["schema-format"] == 4);
}
