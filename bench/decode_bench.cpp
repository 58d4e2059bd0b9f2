// Typed decoding of a real list page, against the JSON libraries a C++ user would otherwise reach for.
//
// The competitors decode into `plain::` structs: the same fields as mcpreg::model (std::string, optional,
// vector) without unknown-field preservation, snake_case fallback or error paths, so they do strictly less
// work than mcpreg::model::parse_server_list. DOM-only parses are measured too, to show what each library's
// parser alone costs. Every decoder checks that it saw the expected number of servers and packages.
#include <mcpreg/model/json.hpp>

#include "bench_data.hpp"

#include <benchmark/benchmark.h>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <nlohmann/json.hpp>
#include <rapidjson/document.h>
#include <simdjson.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace json = boost::json;

namespace plain {

struct input {
    std::optional<std::string> description, format, value, default_value, placeholder;
    std::optional<bool> is_required, is_secret;
    std::optional<std::vector<std::string>> choices;
};
struct key_value_input : input {
    std::string name;
};
struct argument : input {
    std::string type;
    std::optional<std::string> name, value_hint;
    std::optional<bool> is_repeated;
};
struct transport {
    std::string type;
    std::optional<std::string> url;
    std::vector<key_value_input> headers;
};
struct package {
    std::string registry_type, identifier;
    std::optional<std::string> registry_base_url, version, file_sha256, runtime_hint;
    std::optional<transport> transport_;
    std::vector<argument> runtime_arguments, package_arguments;
    std::vector<key_value_input> environment_variables;
};
struct repository {
    std::optional<std::string> url, source, id, subfolder;
};
struct server {
    std::optional<std::string> schema, title, website_url;
    std::string name, description, version;
    std::optional<repository> repository_;
    std::vector<package> packages;
    std::vector<transport> remotes;
    std::optional<std::string> meta;  // raw JSON text, as mcpreg keeps `_meta` as it came
};
struct official {
    std::optional<std::string> status, published_at, updated_at;
    std::optional<bool> is_latest;
};
struct response {
    plain::server server;
    std::optional<official> official_meta;
};
struct list {
    std::vector<response> servers;
    std::optional<std::string> next_cursor;
    std::optional<std::int64_t> count;
};

}  // namespace plain

namespace {

using mcpreg::bench::list_page_text;

// The page's shape, counted once with Boost.JSON so every decoder can be checked against it.
std::size_t expected_packages()
{
    static const std::size_t count = [] {
        std::size_t n = 0;
        const auto page = json::parse(list_page_text());
        for (const auto& entry : page.at("servers").as_array())
            if (const auto* packages = entry.at("server").as_object().if_contains("packages"))
                n += packages->as_array().size();
        return n;
    }();
    return count;
}

void check(const plain::list& page)
{
    std::size_t packages = 0;
    for (const auto& entry : page.servers) packages += entry.server.packages.size();
    if (page.servers.size() != 100 || packages != expected_packages()) throw std::runtime_error("decoder lost data");
}

void set_bytes(benchmark::State& state)
{
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(list_page_text().size()));
}

// ---- simdjson On-Demand into plain structs -------------------------------------------------------------------

namespace od = simdjson::ondemand;

std::string text_of(od::value value) { return std::string(std::string_view(value.get_string())); }

void read_input_field(plain::input& in, std::string_view key, od::value value)
{
    if (key == "description") in.description = text_of(value);
    else if (key == "format") in.format = text_of(value);
    else if (key == "value") in.value = text_of(value);
    else if (key == "default") in.default_value = text_of(value);
    else if (key == "placeholder") in.placeholder = text_of(value);
    else if (key == "isRequired") in.is_required = bool(value.get_bool());
    else if (key == "isSecret") in.is_secret = bool(value.get_bool());
    else if (key == "choices") {
        in.choices.emplace();
        for (auto item : value.get_array()) in.choices->push_back(text_of(item.value()));
    }
}

std::vector<plain::key_value_input> od_key_values(od::value value)
{
    std::vector<plain::key_value_input> out;
    for (auto item : value.get_array()) {
        auto& kv = out.emplace_back();
        for (auto field : item.get_object()) {
            std::string_view key = field.unescaped_key();
            if (key == "name") kv.name = text_of(field.value());
            else read_input_field(kv, key, field.value());
        }
    }
    return out;
}

std::vector<plain::argument> od_arguments(od::value value)
{
    std::vector<plain::argument> out;
    for (auto item : value.get_array()) {
        auto& arg = out.emplace_back();
        for (auto field : item.get_object()) {
            std::string_view key = field.unescaped_key();
            if (key == "type") arg.type = text_of(field.value());
            else if (key == "name") arg.name = text_of(field.value());
            else if (key == "valueHint") arg.value_hint = text_of(field.value());
            else if (key == "isRepeated") arg.is_repeated = bool(field.value().get_bool());
            else read_input_field(arg, key, field.value());
        }
    }
    return out;
}

plain::transport od_transport(od::value value)
{
    plain::transport t;
    for (auto field : value.get_object()) {
        std::string_view key = field.unescaped_key();
        if (key == "type") t.type = text_of(field.value());
        else if (key == "url") t.url = text_of(field.value());
        else if (key == "headers") t.headers = od_key_values(field.value());
    }
    return t;
}

plain::package od_package(od::value value)
{
    plain::package p;
    for (auto field : value.get_object()) {
        std::string_view key = field.unescaped_key();
        if (key == "registryType") p.registry_type = text_of(field.value());
        else if (key == "identifier") p.identifier = text_of(field.value());
        else if (key == "registryBaseUrl") p.registry_base_url = text_of(field.value());
        else if (key == "version") p.version = text_of(field.value());
        else if (key == "fileSha256") p.file_sha256 = text_of(field.value());
        else if (key == "runtimeHint") p.runtime_hint = text_of(field.value());
        else if (key == "transport") p.transport_ = od_transport(field.value());
        else if (key == "runtimeArguments") p.runtime_arguments = od_arguments(field.value());
        else if (key == "packageArguments") p.package_arguments = od_arguments(field.value());
        else if (key == "environmentVariables") p.environment_variables = od_key_values(field.value());
    }
    return p;
}

plain::server od_server(od::value value)
{
    plain::server s;
    for (auto field : value.get_object()) {
        std::string_view key = field.unescaped_key();
        if (key == "name") s.name = text_of(field.value());
        else if (key == "description") s.description = text_of(field.value());
        else if (key == "version") s.version = text_of(field.value());
        else if (key == "$schema") s.schema = text_of(field.value());
        else if (key == "title") s.title = text_of(field.value());
        else if (key == "websiteUrl") s.website_url = text_of(field.value());
        else if (key == "_meta") {
            od::object meta = field.value().get_object();
            s.meta = std::string(std::string_view(meta.raw_json()));
        }
        else if (key == "repository") {
            auto& repo = s.repository_.emplace();
            for (auto r : field.value().get_object()) {
                std::string_view rk = r.unescaped_key();
                if (rk == "url") repo.url = text_of(r.value());
                else if (rk == "source") repo.source = text_of(r.value());
                else if (rk == "id") repo.id = text_of(r.value());
                else if (rk == "subfolder") repo.subfolder = text_of(r.value());
            }
        }
        else if (key == "packages") {
            for (auto item : field.value().get_array()) s.packages.push_back(od_package(item.value()));
        }
        else if (key == "remotes") {
            for (auto item : field.value().get_array()) s.remotes.push_back(od_transport(item.value()));
        }
    }
    return s;
}

plain::list od_list(od::parser& parser, const simdjson::padded_string& text)
{
    plain::list page;
    auto document = parser.iterate(text);
    for (auto field : document.get_object()) {
        std::string_view key = field.unescaped_key();
        if (key == "servers") {
            for (auto item : field.value().get_array()) {
                auto& entry = page.servers.emplace_back();
                for (auto part : item.get_object()) {
                    std::string_view part_key = part.unescaped_key();
                    if (part_key == "server") entry.server = od_server(part.value());
                    else if (part_key == "_meta") {
                        for (auto ns : part.value().get_object()) {
                            if (std::string_view(ns.unescaped_key()) != "io.modelcontextprotocol.registry/official")
                                continue;
                            auto& o = entry.official_meta.emplace();
                            for (auto m : ns.value().get_object()) {
                                std::string_view mk = m.unescaped_key();
                                if (mk == "status") o.status = text_of(m.value());
                                else if (mk == "publishedAt") o.published_at = text_of(m.value());
                                else if (mk == "updatedAt") o.updated_at = text_of(m.value());
                                else if (mk == "isLatest") o.is_latest = bool(m.value().get_bool());
                            }
                        }
                    }
                }
            }
        }
        else if (key == "metadata") {
            for (auto m : field.value().get_object()) {
                std::string_view mk = m.unescaped_key();
                if (mk == "nextCursor") page.next_cursor = text_of(m.value());
                else if (mk == "count") page.count = std::int64_t(m.value().get_int64());
            }
        }
    }
    return page;
}

// ---- nlohmann::json DOM, then into plain structs -------------------------------------------------------------

using njson = nlohmann::json;

template <class T>
void nl_optional(const njson& object, const char* key, std::optional<T>& out)
{
    if (auto it = object.find(key); it != object.end()) out = it->get<T>();
}

void nl_input(const njson& object, plain::input& in)
{
    nl_optional(object, "description", in.description);
    nl_optional(object, "format", in.format);
    nl_optional(object, "value", in.value);
    nl_optional(object, "default", in.default_value);
    nl_optional(object, "placeholder", in.placeholder);
    nl_optional(object, "isRequired", in.is_required);
    nl_optional(object, "isSecret", in.is_secret);
    nl_optional(object, "choices", in.choices);
}

std::vector<plain::key_value_input> nl_key_values(const njson& array)
{
    std::vector<plain::key_value_input> out;
    for (const auto& item : array) {
        auto& kv = out.emplace_back();
        kv.name = item.at("name").get<std::string>();
        nl_input(item, kv);
    }
    return out;
}

std::vector<plain::argument> nl_arguments(const njson& array)
{
    std::vector<plain::argument> out;
    for (const auto& item : array) {
        auto& arg = out.emplace_back();
        arg.type = item.at("type").get<std::string>();
        nl_optional(item, "name", arg.name);
        nl_optional(item, "valueHint", arg.value_hint);
        nl_optional(item, "isRepeated", arg.is_repeated);
        nl_input(item, arg);
    }
    return out;
}

plain::transport nl_transport(const njson& object)
{
    plain::transport t;
    t.type = object.at("type").get<std::string>();
    nl_optional(object, "url", t.url);
    if (auto it = object.find("headers"); it != object.end()) t.headers = nl_key_values(*it);
    return t;
}

plain::list nl_list(const std::string& text)
{
    const auto document = njson::parse(text);
    plain::list page;
    for (const auto& item : document.at("servers")) {
        auto& entry = page.servers.emplace_back();
        const auto& s = item.at("server");
        entry.server.name = s.at("name").get<std::string>();
        entry.server.description = s.at("description").get<std::string>();
        entry.server.version = s.at("version").get<std::string>();
        nl_optional(s, "$schema", entry.server.schema);
        nl_optional(s, "title", entry.server.title);
        nl_optional(s, "websiteUrl", entry.server.website_url);
        if (auto it = s.find("_meta"); it != s.end()) entry.server.meta = it->dump();
        if (auto it = s.find("repository"); it != s.end()) {
            auto& repo = entry.server.repository_.emplace();
            nl_optional(*it, "url", repo.url);
            nl_optional(*it, "source", repo.source);
            nl_optional(*it, "id", repo.id);
            nl_optional(*it, "subfolder", repo.subfolder);
        }
        if (auto it = s.find("packages"); it != s.end()) {
            for (const auto& p : *it) {
                auto& pkg = entry.server.packages.emplace_back();
                pkg.registry_type = p.at("registryType").get<std::string>();
                pkg.identifier = p.at("identifier").get<std::string>();
                nl_optional(p, "registryBaseUrl", pkg.registry_base_url);
                nl_optional(p, "version", pkg.version);
                nl_optional(p, "fileSha256", pkg.file_sha256);
                nl_optional(p, "runtimeHint", pkg.runtime_hint);
                if (auto t = p.find("transport"); t != p.end()) pkg.transport_ = nl_transport(*t);
                if (auto a = p.find("runtimeArguments"); a != p.end()) pkg.runtime_arguments = nl_arguments(*a);
                if (auto a = p.find("packageArguments"); a != p.end()) pkg.package_arguments = nl_arguments(*a);
                if (auto e = p.find("environmentVariables"); e != p.end())
                    pkg.environment_variables = nl_key_values(*e);
            }
        }
        if (auto it = s.find("remotes"); it != s.end())
            for (const auto& r : *it) entry.server.remotes.push_back(nl_transport(r));
        if (auto meta = item.find("_meta"); meta != item.end()) {
            if (auto o = meta->find("io.modelcontextprotocol.registry/official"); o != meta->end()) {
                auto& official = entry.official_meta.emplace();
                nl_optional(*o, "status", official.status);
                nl_optional(*o, "publishedAt", official.published_at);
                nl_optional(*o, "updatedAt", official.updated_at);
                nl_optional(*o, "isLatest", official.is_latest);
            }
        }
    }
    const auto& metadata = document.at("metadata");
    nl_optional(metadata, "nextCursor", page.next_cursor);
    nl_optional(metadata, "count", page.count);
    return page;
}

// ---- the benchmarks ------------------------------------------------------------------------------------------

void typed_mcpreg_model(benchmark::State& state)
{
    const auto& text = list_page_text();
    {
        auto list = mcpreg::model::parse_server_list(text);
        std::size_t packages = 0;
        for (const auto& entry : list->servers) packages += entry.server.packages ? entry.server.packages->size() : 0;
        if (list->servers.size() != 100 || packages != expected_packages())
            throw std::runtime_error("decoder lost data");
    }
    for (auto _ : state) {
        auto list = mcpreg::model::parse_server_list(text);
        benchmark::DoNotOptimize(list);
    }
    set_bytes(state);
}
BENCHMARK(typed_mcpreg_model);

void typed_simdjson_ondemand(benchmark::State& state)
{
    const simdjson::padded_string text(list_page_text());
    od::parser parser;
    check(od_list(parser, text));
    for (auto _ : state) {
        auto page = od_list(parser, text);
        benchmark::DoNotOptimize(page);
    }
    set_bytes(state);
}
BENCHMARK(typed_simdjson_ondemand);

void typed_nlohmann(benchmark::State& state)
{
    const auto& text = list_page_text();
    check(nl_list(text));
    for (auto _ : state) {
        auto page = nl_list(text);
        benchmark::DoNotOptimize(page);
    }
    set_bytes(state);
}
BENCHMARK(typed_nlohmann);

void dom_boost_json(benchmark::State& state)
{
    const auto& text = list_page_text();
    for (auto _ : state) benchmark::DoNotOptimize(json::parse(text));
    set_bytes(state);
}
BENCHMARK(dom_boost_json);

void dom_boost_json_arena(benchmark::State& state)
{
    const auto& text = list_page_text();
    for (auto _ : state) {
        json::monotonic_resource arena;
        benchmark::DoNotOptimize(json::parse(text, &arena));
    }
    set_bytes(state);
}
BENCHMARK(dom_boost_json_arena);

void dom_simdjson(benchmark::State& state)
{
    const simdjson::padded_string text(list_page_text());
    simdjson::dom::parser parser;
    for (auto _ : state) {
        simdjson::dom::element root = parser.parse(text);
        benchmark::DoNotOptimize(root);
    }
    set_bytes(state);
}
BENCHMARK(dom_simdjson);

void dom_rapidjson(benchmark::State& state)
{
    const auto& text = list_page_text();
    for (auto _ : state) {
        rapidjson::Document document;
        document.Parse(text.data(), text.size());
        if (document.HasParseError()) throw std::runtime_error("rapidjson parse error");
        benchmark::DoNotOptimize(document);
    }
    set_bytes(state);
}
BENCHMARK(dom_rapidjson);

void dom_nlohmann(benchmark::State& state)
{
    const auto& text = list_page_text();
    for (auto _ : state) benchmark::DoNotOptimize(njson::parse(text));
    set_bytes(state);
}
BENCHMARK(dom_nlohmann);

}  // namespace

BENCHMARK_MAIN();
