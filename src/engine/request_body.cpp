#include "request_body.hpp"

#include <mcpreg/model/json.hpp>

#include <algorithm>
#include <cctype>
#include <tuple>

namespace mcpreg::engine::detail {
namespace json = boost::json;

std::string location(const std::string& parent, std::string_view key) { return parent + "." + std::string(key); }

std::string location(const std::string& parent, std::size_t index)
{
    return parent + "[" + std::to_string(index) + "]";
}

std::variant<json::value, response> read_body(const request& req)
{
    auto parsed = model::parse_json(req.body);
    if (!parsed)
        return problem(400, "Request body is not valid JSON", {{parsed.error().diag.message, "body", nullptr}});
    return std::move(*parsed);
}

bool check_object(const json::value& v, const std::string& at, const object_shape& shape,
                  std::vector<field_error>& errors)
{
    if (!v.is_object()) {
        errors.push_back({"expected object", at, v});
        return false;
    }
    for (const auto& [key, value] : v.get_object())
        if (std::find(shape.allowed.begin(), shape.allowed.end(), std::string_view(key)) == shape.allowed.end())
            errors.push_back({"unexpected property", location(at, key), value});
    for (auto key : shape.required)
        if (!v.get_object().contains(key))
            errors.push_back({"expected required property " + std::string(key) + " to be present", at, v});
    return true;
}

namespace {

// huma's strict decoding of a ServerJSON body (pkg/api/v0/types.go, pkg/model/types.go): unknown properties,
// missing required ones, wrong JSON types and the name pattern are 422s before any handler runs.
class body_checker {
public:
    std::vector<field_error> errors;

    void server(const json::value& v)
    {
        static const object_shape shape{{"$schema", "name", "description", "version", "title", "repository",
                                         "websiteUrl", "icons", "packages", "remotes", "_meta"},
                                        {"$schema", "name", "description", "version"}};
        const std::string at = "body";
        if (!object(v, at, shape)) return;
        const auto& o = v.get_object();
        for (auto key : {"$schema", "name", "description", "version", "title", "websiteUrl"}) string_field(o, at, key);
        if (auto* name = o.if_contains("name"); name && name->is_string()) {
            const std::string_view text = name->get_string();
            const auto slash = text.find('/');
            auto ok = [](std::string_view part, std::string_view extra) {
                return !part.empty() && std::all_of(part.begin(), part.end(), [&](char c) {
                    return std::isalnum(static_cast<unsigned char>(c)) || extra.find(c) != std::string_view::npos;
                });
            };
            if (slash == std::string_view::npos || !ok(text.substr(0, slash), ".-") ||
                !ok(text.substr(slash + 1), "._-"))
                errors.push_back(
                    {"expected string to match pattern ^[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+$", location(at, "name"), *name});
        }
        if (auto* schema = o.if_contains("$schema"); schema && schema->is_string() && schema->get_string().empty())
            errors.push_back({"expected length >= 1", location(at, "$schema"), *schema});
        // The struct tags' lengths (in characters, as huma counts them).
        for (auto [key, min, max] : {std::tuple{"name", 3, 200}, std::tuple{"description", 1, 100},
                                     std::tuple{"version", 1, 255}, std::tuple{"title", 1, 100}}) {
            const auto* field = o.if_contains(key);
            if (!field || !field->is_string()) continue;
            const std::string_view text = field->get_string();
            const auto length = static_cast<int>(std::count_if(
                text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
            if (length < min)
                errors.push_back({"expected length >= " + std::to_string(min), location(at, key), *field});
            if (length > max)
                errors.push_back({"expected length <= " + std::to_string(max), location(at, key), *field});
        }
        if (auto* r = o.if_contains("repository"))
            object(*r, location(at, "repository"), {{"url", "source", "id", "subfolder"}, {}});
        array_of(o, at, "icons", [&](const json::value& icon, const std::string& where) {
            object(icon, where, {{"src", "mimeType", "sizes", "theme"}, {"src"}});
        });
        array_of(o, at, "packages", [&](const json::value& p, const std::string& where) { package(p, where); });
        array_of(o, at, "remotes", [&](const json::value& t, const std::string& where) { transport(t, where); });
        if (auto* meta = o.if_contains("_meta"))
            object(*meta, location(at, "_meta"), {{"io.modelcontextprotocol.registry/publisher-provided"}, {}});
    }

    bool object(const json::value& v, const std::string& at, const object_shape& shape)
    {
        return check_object(v, at, shape, errors);
    }

private:
    void string_field(const json::object& o, const std::string& at, std::string_view key)
    {
        if (auto* v = o.if_contains(key); v && !v->is_string())
            errors.push_back({"expected string", location(at, key), *v});
    }

    template <class Each>
    void array_of(const json::object& o, const std::string& at, std::string_view key, Each each)
    {
        const auto* v = o.if_contains(key);
        if (!v) return;
        if (!v->is_array()) {
            errors.push_back({"expected array", location(at, key), *v});
            return;
        }
        for (std::size_t i = 0; i < v->get_array().size(); ++i) each(v->get_array()[i], location(location(at, key), i));
    }

    void package(const json::value& p, const std::string& at)
    {
        if (!object(p, at,
                    {{"registryType", "registryBaseUrl", "identifier", "version", "fileSha256", "runtimeHint",
                      "transport", "runtimeArguments", "packageArguments", "environmentVariables"},
                     {"registryType", "identifier", "transport"}}))
            return;
        const auto& o = p.get_object();
        if (auto* t = o.if_contains("transport")) transport(*t, location(at, "transport"));
        for (auto key : {"runtimeArguments", "packageArguments"})
            array_of(o, at, key, [&](const json::value& a, const std::string& where) {
                input(a, where, {"type", "name", "valueHint", "isRepeated", "variables"}, {"type"});
            });
        array_of(o, at, "environmentVariables", [&](const json::value& e, const std::string& where) {
            input(e, where, {"name", "variables"}, {"name"});
        });
    }

    void transport(const json::value& t, const std::string& at)
    {
        if (!object(t, at, {{"type", "url", "headers", "variables"}, {"type"}})) return;
        const auto& o = t.get_object();
        array_of(o, at, "headers", [&](const json::value& h, const std::string& where) {
            input(h, where, {"name", "variables"}, {"name"});
        });
        variables(o, at);
    }

    void input(const json::value& v, const std::string& at, std::vector<std::string_view> extra,
               std::vector<std::string_view> required)
    {
        object_shape shape{
            {"description", "isRequired", "format", "value", "isSecret", "default", "placeholder", "choices"},
            std::move(required)};
        shape.allowed.insert(shape.allowed.end(), extra.begin(), extra.end());
        if (!object(v, at, shape)) return;
        variables(v.get_object(), at);
    }

    void variables(const json::object& o, const std::string& at)
    {
        const auto* vars = o.if_contains("variables");
        if (!vars) return;
        if (!vars->is_object()) {
            errors.push_back({"expected object", location(at, "variables"), *vars});
            return;
        }
        for (const auto& [key, value] : vars->get_object())
            object(value, location(location(at, "variables"), key),
                   {{"description", "isRequired", "format", "value", "isSecret", "default", "placeholder", "choices"},
                    {}});
    }
};

}  // namespace

std::vector<field_error> check_server_body(const json::value& body)
{
    body_checker checker;
    checker.server(body);
    return std::move(checker.errors);
}

std::vector<field_error> check_string_members(const json::value& body, const std::vector<std::string_view>& keys)
{
    std::vector<field_error> errors;
    if (check_object(body, "body", {keys, keys}, errors))
        for (auto key : keys)
            if (const auto* v = body.get_object().if_contains(key); v && !v->is_string())
                errors.push_back({"expected string", location("body", key), *v});
    return errors;
}

std::variant<std::string, response> read_credential(const request& req, std::string_view field)
{
    auto body = read_body(req);
    if (auto* refused = std::get_if<response>(&body)) return std::move(*refused);
    const auto& document = std::get<json::value>(body);
    if (auto errors = check_string_members(document, {field}); !errors.empty())
        return problem(422, "validation failed", errors);
    return std::string(document.at(field).as_string());
}

}  // namespace mcpreg::engine::detail
