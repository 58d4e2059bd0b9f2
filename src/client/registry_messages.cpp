#include "registry_messages.hpp"

#include <mcpreg/model/json.hpp>

#include "request_encoding.hpp"

#include <boost/json/serialize.hpp>

namespace mcpreg::detail {
namespace json = boost::json;

// "/v0.1/servers/{name}": the root of one server's resources, its name percent-encoded.
std::string server_path(const std::string& api_version, const std::string& name)
{
    return "/" + api_version + "/servers/" + percent_encode(name);
}

// "/v0.1/servers/{name}/versions/{version}": one published version.
std::string version_path(const std::string& api_version, const std::string& name, const std::string& version)
{
    return server_path(api_version, name) + "/versions/" + percent_encode(version);
}

// The query that asks for deleted entries too; nothing when they are not wanted (the registry's default).
std::string include_deleted_query(bool include_deleted) { return include_deleted ? "?include_deleted=true" : ""; }

std::string list_query(const list_options& query)
{
    std::string params;
    auto add = [&](std::string_view name, const std::string& value) {
        params += (params.empty() ? "?" : "&") + std::string(name) + "=" + percent_encode(value);
    };
    if (query.cursor) add("cursor", *query.cursor);
    if (query.limit) add("limit", std::to_string(*query.limit));
    if (query.search) add("search", *query.search);
    if (query.updated_since) add("updated_since", query.updated_since->to_string());
    if (query.version) add("version", *query.version);
    if (query.include_deleted) add("include_deleted", *query.include_deleted ? "true" : "false");
    return params;
}

// A server.json as the body of a publish, an edit or a validation.
std::string document_body(const model::server& server) { return json::serialize(model::to_json(server)); }

// The body of both status changes: {"status", "statusMessage"?}.
std::string status_body(model::server_status status, const std::optional<std::string>& message)
{
    json::object body{{"status", model::to_string(status)}};
    if (message) body["statusMessage"] = *message;
    return json::serialize(body);
}

result<model::server_response> read_server_response(const std::string& body)
{
    return model::parse_server_response(body);
}

result<model::server_list> read_server_list(const std::string& body) { return model::parse_server_list(body); }

result<status_update> read_status_update(const std::string& body)
{
    auto parsed = model::parse_json(body);
    if (!parsed) return parsed.error();
    const auto* object = parsed->if_object();
    const auto* count = object ? object->if_contains("updatedCount") : nullptr;
    if (!count || !count->is_int64()) return make_error(errc::invalid_document, "no updatedCount");
    auto list = model::server_list_from_json(*parsed);
    if (!list) return list.error();
    return status_update{count->get_int64(), std::move(list->servers)};
}

result<remote_validation> read_validation(const std::string& body)
{
    auto parsed = model::parse_json(body);
    if (!parsed) return parsed.error();
    const auto* object = parsed->if_object();
    const auto* valid = object ? object->if_contains("valid") : nullptr;
    const auto* issues = object ? object->if_contains("issues") : nullptr;
    if (!valid || !valid->is_bool() || !issues || !issues->is_array())
        return make_error(errc::invalid_document, "expected {valid, issues}");
    remote_validation out;
    out.valid = valid->get_bool();
    for (const auto& item : issues->get_array()) {
        if (!item.is_object()) return make_error(errc::invalid_document, "an issue is not an object");
        auto text = [&](std::string_view key) {
            const auto* v = item.get_object().if_contains(key);
            return v && v->is_string() ? std::string(v->get_string()) : std::string();
        };
        out.issues.push_back({text("type"), text("path"), text("message"), text("severity"), text("reference")});
    }
    return out;
}

result<registry_token> read_token(const std::string& body)
{
    auto parsed = model::parse_json(body);
    if (!parsed) return parsed.error();
    const auto* object = parsed->if_object();
    const auto* token = object ? object->if_contains("registry_token") : nullptr;
    if (!token || !token->is_string()) return make_error(errc::invalid_document, "no registry_token");
    registry_token out{std::string(token->get_string()), 0};
    if (const auto* expires = object->if_contains("expires_at"); expires && expires->is_int64())
        out.expires_at = expires->get_int64();
    return out;
}

}  // namespace mcpreg::detail
