// Documents as a whole: their schema generation, upgrading to the current one, and what kind of document a
// JSON value is. The reader and writer are json_read.cpp and json_write.cpp.
#include <mcpreg/model/json.hpp>

#include <algorithm>

namespace mcpreg::model {
namespace json = boost::json;
namespace {

bool contains_key_recursively(const json::value& value, std::string_view key, int depth = 0)
{
    if (depth > 16) return false;
    if (value.is_object()) {
        for (const auto& [k, v] : value.get_object())
            if (k == key || contains_key_recursively(v, key, depth + 1)) return true;
    }
    else if (value.is_array()) {
        for (const auto& v : value.get_array())
            if (contains_key_recursively(v, key, depth + 1)) return true;
    }
    return false;
}

const json::array* array_field(const json::object& object, std::string_view key)
{
    auto* v = object.if_contains(key);
    return v && v->is_array() ? &v->get_array() : nullptr;
}

std::string_view string_field(const json::value& object, std::string_view key)
{
    if (!object.is_object()) return {};
    auto* v = object.get_object().if_contains(key);
    return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view{};
}

}  // namespace

schema_generation detect_generation(const json::value& server_json)
{
    if (!server_json.is_object()) return schema_generation::unknown;
    const auto& server = server_json.get_object();
    bool snake = false;
    auto visit_keys = [&](const json::value& v, auto&& self, int depth) -> void {
        if (depth > 16 || snake) return;
        if (v.is_object()) {
            for (const auto& [k, child] : v.get_object()) {
                if (k == "_meta" || k == "variables") continue;  // free-form or user-chosen keys
                static constexpr std::string_view snake_fields[] = {
                    "registry_type",     "registry_base_url", "file_sha256",           "runtime_hint",
                    "runtime_arguments", "package_arguments", "environment_variables", "is_required",
                    "is_secret",         "value_hint",        "is_repeated",           "website_url"};
                if (std::find(std::begin(snake_fields), std::end(snake_fields), std::string_view(k)) !=
                    std::end(snake_fields))
                    snake = true;
                self(child, self, depth + 1);
            }
        }
        else if (v.is_array()) {
            for (const auto& child : v.get_array()) self(child, self, depth + 1);
        }
    };
    visit_keys(server_json, visit_keys, 0);
    if (snake) return schema_generation::v2025_07_09;

    const auto* meta = server.if_contains("_meta");
    if (server.contains("status") || (meta && meta->is_object() && meta->get_object().contains(official_meta_key)))
        return schema_generation::v2025_09_16;

    const auto* packages = array_field(server, "packages");
    const auto* remotes = array_field(server, "remotes");
    auto any_package = [&](auto predicate) {
        return packages && std::any_of(packages->begin(), packages->end(), predicate);
    };
    auto url_starts_with_variable = [](const json::value& t) {
        auto url = string_field(t, "url");
        return !url.empty() && url.front() == '{';
    };
    if (any_package([](const json::value& p) { return string_field(p, "registryType") == "cargo"; }) ||
        any_package([&](const json::value& p) {
            return p.is_object() && p.get_object().contains("transport") &&
                   url_starts_with_variable(p.get_object().at("transport"));
        }) ||
        (remotes && std::any_of(remotes->begin(), remotes->end(), url_starts_with_variable)))
        return schema_generation::draft;
    if (remotes && std::any_of(remotes->begin(), remotes->end(), [](const json::value& r) {
            return r.is_object() && r.get_object().contains("variables");
        }))
        return schema_generation::v2025_12_11;
    if (any_package([](const json::value& p) {
            return string_field(p, "registryType") == "mcpb" && p.is_object() && p.get_object().contains("version");
        }))
        return schema_generation::v2025_10_17;
    if (server.contains("title") || server.contains("icons") ||
        any_package([](const json::value& p) { return p.is_object() && !p.get_object().contains("version"); }) ||
        (packages && contains_key_recursively(*packages, "placeholder")) ||
        (remotes && contains_key_recursively(*remotes, "placeholder")))
        return schema_generation::v2025_10_11;
    return schema_generation::v2025_09_29;
}

server upgrade(server value)
{
    value.schema = std::string(current_schema_url);
    value.extra.erase("status");
    if (value.meta) {
        value.meta->erase(official_meta_key);
        if (value.meta->empty()) value.meta.reset();
    }
    return value;
}

document_kind classify_document(const json::value& value) noexcept
{
    auto kind_of_object = [](const json::object& object) {
        if (auto* s = object.if_contains("server"); s && s->is_object()) return document_kind::server_response;
        if (auto* s = object.if_contains("servers"); s && s->is_array()) return document_kind::server_list;
        if (object.contains("name")) return document_kind::server;
        return document_kind::unknown;
    };
    if (value.is_object()) {
        auto kind = kind_of_object(value.get_object());
        return kind == document_kind::unknown && !value.get_object().empty() &&
                       (value.get_object().contains("description") || value.get_object().contains("version"))
                   ? document_kind::server  // a server.json missing its name: let validation say so
                   : kind;
    }
    if (!value.is_array() || value.get_array().empty()) return document_kind::unknown;
    const auto& first = value.get_array().front();
    if (!first.is_object()) return document_kind::unknown;
    switch (kind_of_object(first.get_object())) {
    case document_kind::server: return document_kind::server_array;
    case document_kind::server_response: return document_kind::server_response_array;
    default: return document_kind::unknown;
    }
}

std::string_view to_string(document_kind kind) noexcept
{
    switch (kind) {
    case document_kind::server: return "server.json";
    case document_kind::server_response: return "server response";
    case document_kind::server_list: return "server list page";
    case document_kind::server_array: return "array of server.json";
    case document_kind::server_response_array: return "array of server responses";
    case document_kind::unknown: break;
    }
    return "unknown document";
}

}  // namespace mcpreg::model
