// Hostile input: every failure is an error value, never a crash, a hang or an exception.
#include <mcpreg/model/json.hpp>
#include <mcpreg/model/validate.hpp>

#include "test_data.hpp"

#include <doctest/doctest.h>

#include <boost/json/serialize.hpp>

#include <functional>

namespace json = boost::json;
using namespace mcpreg::model;
using mcpreg::test::against;
using mcpreg::test::official_profile;

namespace {

const json::value& rich_entry()
{
    // A real entry that uses packages, arguments, environment variables and remotes.
    static const json::value entry = [] {
        auto snapshot = parse_json(mcpreg::test::read_file(mcpreg::test::data_dir() / "registry-seed.json")).value();
        for (const auto& e : snapshot.as_array()) {
            const auto& s = e.at("server").as_object();
            if (s.contains("packages") && s.contains("remotes") && s.contains("repository") &&
                s.at("packages").at(0).as_object().contains("environmentVariables"))
                return e;
        }
        return snapshot.as_array().front();
    }();
    return entry;
}

// Every read and check the library offers, on one document. Must never throw.
void read_everything(const json::value& value)
{
    (void)server_from_json(value);
    (void)server_response_from_json(value);
    (void)server_list_from_json(value);
    (void)detect_generation(value);
    (void)classify_document(value);
    (void)validate(value);
    (void)validate(value, official_profile());
}

// Calls visit(path, value) for every value inside `root`, with a mutable reference.
void for_each_value(json::value& v, const std::string& path,
                    const std::function<void(const std::string&, json::value&)>& visit)
{
    visit(path, v);
    if (v.is_object())
        for (auto& [k, child] : v.get_object()) for_each_value(child, path + "/" + std::string(k), visit);
    else if (v.is_array())
        for (std::size_t i = 0; i < v.get_array().size(); ++i)
            for_each_value(v.get_array()[i], path + "/" + std::to_string(i), visit);
}

}  // namespace

TEST_CASE("every truncation of a real document is an error value")
{
    const auto text = json::serialize(rich_entry());
    std::size_t rejected = 0;
    for (std::size_t length = 0; length < text.size(); ++length) {
        const auto prefix = std::string_view(text).substr(0, length);
        auto parsed = parse_json(prefix);
        if (!parsed) {
            CHECK(parsed.error().code == mcpreg::errc::json_syntax);
            // The one-pass readers of text refuse it the same way, whatever they had read before the cut.
            auto response = parse_server_response(prefix);
            REQUIRE_FALSE(response);
            CHECK(response.error().code == mcpreg::errc::json_syntax);
            auto page = parse_server_list("{\"servers\":[" + std::string(prefix));
            REQUIRE_FALSE(page);
            CHECK(page.error().code == mcpreg::errc::json_syntax);
            ++rejected;
            continue;
        }
        read_everything(*parsed);  // short prefixes can be valid JSON numbers
    }
    CHECK(rejected >= text.size() - 2);
}

TEST_CASE("deep nesting is refused before it can exhaust the stack")
{
    for (std::size_t depth : {std::size_t{65}, std::size_t{1'000}, std::size_t{100'000}}) {
        std::string arrays = std::string(depth, '[') + std::string(depth, ']');
        auto parsed = parse_json(arrays);
        REQUIRE_FALSE(parsed);
        CHECK(parsed.error().code == mcpreg::errc::json_syntax);
        std::string objects = R"({"name":"a.b/c","description":"d","version":"1","_meta":)";
        for (std::size_t i = 0; i < depth; ++i) objects += R"({"a":)";
        objects += '1';
        objects.append(depth + 1, '}');
        CHECK_FALSE(parse_server(objects));
    }
    CHECK(parse_json(std::string(60, '[') + std::string(60, ']')));  // within the limit
}

TEST_CASE("invalid UTF-8 and other malformed text")
{
    for (std::string_view bad :
         {std::string_view("{\"name\":\"\xff\xfe\"}"), std::string_view("{\"name\":\"\xc3\"}"),
          std::string_view("{\"name\":\"\xed\xa0\x80\"}"), std::string_view("\"\\ud800\""),
          std::string_view("{\"a\" 1}"), std::string_view("{'a':1}"), std::string_view("[1,]"), std::string_view("nul"),
          std::string_view(""), std::string_view("\x00", 1), std::string_view("{\"a\":1}garbage")}) {
        auto parsed = parse_json(bad);
        if (parsed) read_everything(*parsed);  // a lone surrogate escape may be accepted as replacement
        else CHECK(parsed.error().code == mcpreg::errc::json_syntax);
    }
    CHECK_FALSE(parse_json("{\"name\":\"\xff\"}"));
    for (auto number : {"1e999999", "-1e999999", "123456789012345678901234567890", "[1e400]"}) {
        auto parsed = parse_json(number);
        if (parsed) read_everything(*parsed);
    }
}

TEST_CASE("10 MB strings in every string field")
{
    const std::string huge(10u << 20, 'x');
    std::string huge_url = "https://example.com/";
    huge_url.append(huge);
    json::value document = rich_entry().at("server");
    std::vector<std::string> string_paths;
    for_each_value(document, "", [&](const std::string& path, json::value& v) {
        if (v.is_string()) string_paths.push_back(path);
    });
    REQUIRE(string_paths.size() > 20);
    for (const auto& path : string_paths) {
        json::value copy = document;
        const bool url_like = path.ends_with("url") || path.ends_with("Url") || path.ends_with("src");
        for_each_value(copy, "", [&](const std::string& p, json::value& v) {
            if (p == path) v = url_like ? huge_url : huge;
        });
        auto issues = validate(copy);
        // Long enough to break a maxLength wherever one applies; never a crash or an endless regex.
        for (const auto& issue : issues) CHECK(issue.message.size() < 1024);
        (void)server_from_json(copy);
    }
    json::value long_name = document;
    std::string name = "a.b/";
    name.append(huge);
    long_name.as_object()["name"] = name;
    CHECK(std::any_of(validate(long_name).begin(), validate(long_name).end(),
                      [](const validation_issue& i) { return i.rule == "schema-maxLength" && i.path == "/name"; }));
}

TEST_CASE("a wrong type in every field is reported with its path")
{
    const json::value original = rich_entry().at("server");
    json::value scratch = original;
    std::vector<std::pair<std::string, json::kind>> fields;
    for_each_value(scratch, "", [&](const std::string& path, json::value& v) {
        if (!path.empty() && !path.starts_with("/_meta")) fields.emplace_back(path, v.kind());
    });
    REQUIRE(fields.size() > 20);
    const json::value replacements[] = {nullptr, 42, true, "text", json::array{1, 2}, json::object{{"x", 1}}};
    std::size_t checked = 0;
    for (const auto& [path, kind] : fields) {
        for (const auto& replacement : replacements) {
            if (replacement.kind() == kind || (replacement.is_number() && json::value(0).kind() == kind)) continue;
            json::value copy = original;
            for_each_value(copy, "", [&](const std::string& p, json::value& v) {
                if (p == path) v = replacement;
            });
            auto typed = server_from_json(copy);
            // Variables are a map of inputs: its keys are names, so only their values are typed fields.
            CHECK_FALSE_MESSAGE(typed, path << " = " << json::serialize(replacement));
            if (!typed) CHECK_MESSAGE(typed.error().diag.message.starts_with("at " + path), typed.error().diag.message);
            auto issues = validate(copy);
            CHECK_FALSE(is_valid(issues));
            read_everything(copy);
            ++checked;
        }
    }
    CHECK(checked > 100);
}

TEST_CASE("huge arrays and many keys")
{
    json::array packages;
    for (int i = 0; i < 100'000; ++i)
        packages.push_back(
            {{"registryType", "npm"}, {"identifier", "x"}, {"version", "1.0.0"}, {"transport", {{"type", "stdio"}}}});
    json::object document{
        {"name", "com.example/big"}, {"description", "d"}, {"version", "1.0.0"}, {"packages", std::move(packages)}};
    auto s = server_from_json(document);
    REQUIRE(s);
    CHECK(s->packages->size() == 100'000);
    auto issues = validate(document);
    CHECK_MESSAGE(is_valid(issues), (issues.empty() ? "" : issues.front().path + ": " + issues.front().message));
    json::object wide{{"name", "a.b/c"}, {"description", "d"}, {"version", "1.0.0"}};
    for (int i = 0; i < 100'000; ++i) wide[std::to_string(i)] = i;
    auto read = server_from_json(wide);
    REQUIRE(read);
    CHECK(read->extra.size() == 100'000);
    CHECK(to_json(*read) == wide);
}
