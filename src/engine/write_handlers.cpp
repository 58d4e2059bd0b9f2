// The write API: publish, edit, delete, status and /validate, as upstream's handlers/v0/publish.go, edit.go
// and status.go answer them. Bodies are checked strictly (request_body.hpp), tokens verified here, the
// registry's rules applied by registry_service, and refusals mapped to problem+json by problem.cpp.
#include "problem.hpp"
#include "registry_impl.hpp"
#include "request_body.hpp"

#include <mcpreg/model/json.hpp>
#include <mcpreg/model/validate.hpp>

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace mcpreg::engine {
namespace json = boost::json;
namespace {

// The sink of reads that only ask whether a row exists.
void ignore_row(const detail::rendered_row&) {}

// A status write's body: the status asked for, and its message.
struct status_change {
    model::server_status status;
    std::optional<std::string> message;
};

// huma's checks of a status body, with the header check: one 422 lists every problem.
std::variant<status_change, response> read_status_change(const request& req)
{
    auto body = detail::read_body(req);
    if (auto* refused = std::get_if<response>(&body)) return std::move(*refused);
    const auto& document = std::get<json::value>(body);
    std::vector<detail::field_error> errors;
    std::optional<model::server_status> status;
    std::optional<std::string> message;
    if (detail::check_object(document, "body", {{"status", "statusMessage"}, {"status"}}, errors)) {
        const auto& o = document.get_object();
        if (auto* s = o.if_contains("status")) {
            if (s->is_string()) status = model::parse_server_status(s->get_string());
            if (!status)
                errors.push_back({"expected value to be one of \"active, deprecated, deleted\"", "body.status", *s});
        }
        if (auto* m = o.if_contains("statusMessage")) {
            if (!m->is_string()) errors.push_back({"expected string", "body.statusMessage", *m});
            else if (m->get_string().size() > 500)
                errors.push_back({"expected length <= 500", "body.statusMessage", *m});
            else message = std::string(m->get_string());
        }
    }
    if (req.header("Authorization").empty())
        errors.insert(errors.begin(), {"required header parameter is missing", "header.Authorization", nullptr});
    if (!errors.empty()) return detail::problem(422, "validation failed", errors);
    return status_change{*status, std::move(message)};
}

// What a server.json must meet to be stored: one set of rules for publish, edit and /validate (the JSON Schema
// of its generation, patterns, enums and formats included, and the official registry's publish profile), so
// a write stores exactly what /validate calls valid.
std::vector<model::validation_issue> registry_rules(const json::value& document)
{
    model::validate_options rules;
    rules.official_registry = true;
    return model::validate(document, rules);
}

std::string issues_path(std::string pointer)
{
    // "/packages/0/version" -> "packages[0].version", as upstream's /validate reports paths.
    std::string out;
    std::size_t pos = 0;
    while (pos < pointer.size()) {
        auto next = pointer.find('/', pos + 1);
        auto token = pointer.substr(pos + 1, next == std::string::npos ? std::string::npos : next - pos - 1);
        const bool index =
            !token.empty() && std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (index) out += "[" + token + "]";
        else out += (out.empty() ? "" : ".") + (token == "$schema" ? std::string("schema") : token);
        pos = next == std::string::npos ? pointer.size() : next;
    }
    return out;
}

std::string permission_list(const std::vector<permission>& permissions, std::string_view action)
{
    std::string list;
    for (const auto& p : permissions)
        if (p.action == action) list += (list.empty() ? "" : ", ") + p.resource;
    return list;
}

}  // namespace

std::variant<token_claims, response> registry::impl::authenticate(const request& req, const json::value* body)
{
    // huma checks the required header together with the body: one 422 lists every problem.
    auto errors = body ? detail::check_server_body(*body) : std::vector<detail::field_error>{};
    const auto header = req.header("Authorization");
    if (header.empty())
        errors.insert(errors.begin(), {"required header parameter is missing", "header.Authorization", nullptr});
    if (!errors.empty()) return detail::problem(422, "validation failed", errors);
    if (header.size() < 7 || !iequals(header.substr(0, 7), "Bearer "))
        return detail::problem(401, "Invalid Authorization header format. Expected 'Bearer <token>'");
    auto claims = signer.verify(header.substr(7));
    if (!claims) return detail::problem(401, "Invalid or expired Registry JWT token");
    return std::move(*claims);
}

void registry::impl::record(const token_claims* who, std::string_view action, const std::string& name,
                            const std::string& version, int status, std::string detail_text)
{
    audit_entry entry{model::timestamp::now().to_string(),
                      who ? who->auth_method + ":" + who->subject : std::string("anonymous"),
                      std::string(action),
                      name,
                      version,
                      status < 300 ? "ok" : std::to_string(status),
                      std::move(detail_text)};
    (void)store->audit(entry);  // the audit log must not turn a done write into a failure
}

namespace {

// The host's package ownership check, package by package; the refusal upstream reports, if any.
std::optional<std::string> verify_packages(const registry_options& options, const model::server& server)
{
    if (!options.package_verifier || !server.packages) return std::nullopt;
    for (std::size_t i = 0; i < server.packages->size(); ++i) {
        const auto& package = (*server.packages)[i];
        if (auto reason = options.package_verifier(package, server))
            return "registry validation failed for package " + std::to_string(i) + " (" + package.identifier +
                   "): " + *reason;
    }
    return std::nullopt;
}

}  // namespace

std::variant<registry::impl::authenticated_write, response> registry::impl::read_authenticated_write(const request& req)
{
    auto body = detail::read_body(req);
    if (auto* refused = std::get_if<response>(&body)) return std::move(*refused);
    auto& document = std::get<json::value>(body);
    auto authenticated = authenticate(req, &document);
    if (auto* refused = std::get_if<response>(&authenticated)) return std::move(*refused);
    return authenticated_write{std::move(document), std::move(std::get<token_claims>(authenticated))};
}

response registry::impl::publish(const detail::routed_request& r)
{
    const auto& req = r.req;
    auto write = read_authenticated_write(req);
    if (auto* refused = std::get_if<response>(&write)) return std::move(*refused);
    const auto& [document, who] = std::get<authenticated_write>(write);
    const auto& name_value = document.at("name");
    const std::string name(name_value.as_string());
    if (!permits(who.permissions, "publish", name)) {
        const auto granted = permission_list(who.permissions, "publish");
        std::string message = "You do not have permission to publish this server." +
                              (granted.empty() ? std::string(" You do not have any publish permissions")
                                               : " You have permission to publish: " + granted) +
                              ". Attempting to publish: " + name;
        if (name.starts_with("io.github."))
            message += ". If this is an organization namespace, make sure your membership is public or that your token "
                       "can read organization membership.";
        record(&who, "publish", name, std::string(document.at("version").as_string()), 403, message);
        return detail::problem(403, message);
    }
    auto issues = registry_rules(document);
    // The publisher `_meta` size is a service check upstream (400 with its cause), not a schema failure.
    std::optional<std::string> meta_too_large;
    std::erase_if(issues, [&](const model::validation_issue& i) {
        if (i.rule != "publisher-meta-too-large") return false;
        meta_too_large = i.message;
        return true;
    });
    if (!model::is_valid(issues))
        return detail::problem(422, "Failed to publish server, invalid schema: call /validate for details");
    auto server = model::server_from_json(document);
    if (!server) return detail::problem(422, "Failed to publish server, invalid schema: call /validate for details");
    if (options.publish_policy) {
        if (auto reason = options.publish_policy(*server, who)) {
            record(&who, "publish", server->name, server->version, 403, *reason);
            return detail::problem(403, *reason);
        }
    }
    if (meta_too_large) {
        record(&who, "publish", server->name, server->version, 400, *meta_too_large);
        return detail::problem(400, "Failed to publish server",
                               std::vector<detail::field_error>{{*meta_too_large, "", nullptr}});
    }
    if (auto refused = verify_packages(options, *server)) {
        record(&who, "publish", server->name, server->version, 400, *refused);
        return detail::problem(400, "Failed to publish server",
                               std::vector<detail::field_error>{{*refused, "", nullptr}});
    }
    const std::string stored_document = json::serialize(model::to_json(*server));
    auto outcome = service.publish(*server, stored_document);
    if (!outcome) {
        record(&who, "publish", server->name, server->version, 500, outcome.error().diag.message);
        return detail::storage_fault(outcome.error(), "Failed to publish server");
    }
    if (auto* refused = std::get_if<detail::write_refusal>(&*outcome)) {
        auto res = detail::refusal_response("Failed to publish server", *refused);
        record(&who, "publish", server->name, server->version, res.status, refused->message);
        return res;
    }
    cache.clear();
    record(&who, "publish", server->name, server->version, 200, "");
    return detail::json_response(200, detail::render_entry(std::get<detail::stored_version>(*outcome)));
}

response registry::impl::edit(const detail::routed_request& r)
{
    const auto& req = r.req;
    const auto& name = r["serverName"];
    const auto& version = r["version"];
    auto write = read_authenticated_write(req);
    if (auto* refused = std::get_if<response>(&write)) return std::move(*refused);
    const auto& [document, who] = std::get<authenticated_write>(write);
    {
        auto existing = store->get(name, version, false, ignore_row);
        if (!existing) return detail::storage_fault(existing.error(), "Failed to edit server");
        if (!*existing) return detail::problem(404, "Server not found");
    }
    if (!permits(who.permissions, "edit", name)) {
        record(&who, "edit", name, version, 403, "no edit permission");
        return detail::problem(403, "You do not have edit permissions for this server");
    }
    if (document.at("name").as_string() != name) return detail::problem(400, "Cannot rename server");
    if (document.at("version").as_string() != version)
        return detail::problem(400, "Version in request body must match URL path parameter");
    auto server = model::server_from_json(document);
    if (!model::is_valid(registry_rules(document)) || !server)
        return detail::problem(422, "Failed to edit server, invalid schema: call /validate for details");
    if (options.publish_policy) {
        if (auto reason = options.publish_policy(*server, who)) {
            record(&who, "edit", name, version, 403, *reason);
            return detail::problem(403, *reason);
        }
    }
    if (auto refused = verify_packages(options, *server)) {
        record(&who, "edit", name, version, 400, *refused);
        return detail::problem(400, "Failed to edit server", std::vector<detail::field_error>{{*refused, "", nullptr}});
    }
    auto outcome = service.edit(*server, json::serialize(model::to_json(*server)));
    if (!outcome) return detail::storage_fault(outcome.error(), "Failed to edit server");
    if (auto* refused = std::get_if<detail::write_refusal>(&*outcome)) {
        auto res = detail::refusal_response("Failed to edit server", *refused);
        record(&who, "edit", name, version, res.status, refused->message);
        return res;
    }
    cache.clear();
    record(&who, "edit", name, version, 200, "");
    return detail::json_response(200, detail::render_entry(std::get<detail::stored_version>(*outcome)));
}

response registry::impl::remove(const detail::routed_request& r)
{
    const auto& req = r.req;
    const auto& name = r["serverName"];
    const auto& version = r["version"];
    auto authenticated = authenticate(req, nullptr);
    if (auto* refused = std::get_if<response>(&authenticated)) return std::move(*refused);
    const auto& who = std::get<token_claims>(authenticated);
    if (!permits(who.permissions, "edit", name)) {
        record(&who, "delete", name, version, 403, "no edit permission");
        return detail::problem(403, "You do not have edit permissions for this server");
    }
    // A tombstone, never an erasure (registry_service::remove): the row stays, hidden, so its number can never
    // be published again with other content, and incremental mirrors (updated_since) see it go.
    auto outcome = service.remove(name, version);
    if (!outcome) return detail::storage_fault(outcome.error(), "Failed to delete server");
    if (auto* refused = std::get_if<detail::write_refusal>(&*outcome))
        return detail::refusal_response("Failed to delete server", *refused);
    cache.clear();
    record(&who, "delete", name, version, 200, "");
    return detail::json_response(200, detail::render_entry(std::get<detail::stored_version>(*outcome)));
}

response registry::impl::set_status(const detail::routed_request& r)
{
    const auto& req = r.req;
    const auto& name = r["serverName"];
    const auto version =
        r.path.contains("version") ? std::optional<std::string>(r["version"]) : std::optional<std::string>();
    auto change = read_status_change(req);
    if (auto* refused = std::get_if<response>(&change)) return std::move(*refused);
    const auto& [status, message] = std::get<status_change>(change);
    auto authenticated = authenticate(req, nullptr);
    if (auto* refused = std::get_if<response>(&authenticated)) return std::move(*refused);
    const auto& who = std::get<token_claims>(authenticated);
    const std::string version_label = version.value_or("*");

    if (version) {
        auto existing = store->get(name, *version, true, ignore_row);
        if (!existing) return detail::storage_fault(existing.error(), "Failed to update server status");
        if (!*existing) return detail::problem(404, "Server version not found");
    }
    else {
        auto latest = store->get(name, "latest", true, ignore_row);
        if (!latest) return detail::storage_fault(latest.error(), "Failed to update server status");
        if (!*latest) return detail::problem(404, "Server not found");
    }
    if (!permits(who.permissions, "publish", name) && !permits(who.permissions, "edit", name)) {
        record(&who, "status", name, version_label, 403, "no publish or edit permission");
        return detail::problem(403, "You do not have publish or edit permissions for this server");
    }
    if (status == model::server_status::active && message)
        return detail::problem(400, "status_message cannot be provided when setting status to active");
    auto refusal = [&](const detail::write_refusal& refused) {
        auto res = detail::refusal_response("Failed to update server status", refused);
        record(&who, "status", name, version_label, res.status, refused.message);
        return res;
    };
    if (version) {
        auto outcome = service.set_status(name, *version, status, message);
        if (!outcome) return detail::storage_fault(outcome.error(), "Failed to update server status");
        if (auto* refused = std::get_if<detail::write_refusal>(&*outcome)) return refusal(*refused);
        cache.clear();
        record(&who, "status", name, *version, 200, std::string(model::to_string(status)));
        return detail::json_response(200, detail::render_entry(std::get<detail::stored_version>(*outcome)));
    }
    auto outcome = service.set_status_all(name, status, message);
    if (!outcome) return detail::storage_fault(outcome.error(), "Failed to update server status");
    if (auto* refused = std::get_if<detail::write_refusal>(&*outcome)) return refusal(*refused);
    cache.clear();
    record(&who, "status", name, "*", 200, std::string(model::to_string(status)));
    json::array servers;
    for (const auto& row : std::get<std::vector<detail::stored_version>>(*outcome))
        servers.push_back(model::parse_json(detail::render_entry(row)).value());
    const auto count = servers.size();
    return detail::json_response(200, json::object{{"updatedCount", count}, {"servers", std::move(servers)}});
}

response registry::impl::validate(const detail::routed_request& r)
{
    auto body = detail::read_body(r.req);
    if (auto* refused = std::get_if<response>(&body)) return std::move(*refused);
    const auto& document = std::get<json::value>(body);
    if (auto errors = detail::check_server_body(document); !errors.empty())
        return detail::problem(422, "validation failed", errors);
    json::array issues;
    bool valid = true;
    for (const auto& issue : registry_rules(document)) {
        valid = valid && issue.severity != model::severity::error;
        issues.push_back({{"type", issue.rule.starts_with("schema-") && issue.rule != "schema-field-required" &&
                                           !issue.rule.starts_with("schema-version")
                                       ? "schema"
                                       : "semantic"},
                          {"path", issues_path(issue.path)},
                          {"message", issue.message},
                          {"severity", model::to_string(issue.severity)},
                          {"reference", issue.rule}});
    }
    return detail::json_response(200, json::object{{"valid", valid}, {"issues", std::move(issues)}});
}

}  // namespace mcpreg::engine

namespace mcpreg::engine {

void registry::impl::add_write_routes(const std::string& prefix)
{
    using detail::routed_request;
    routes.add("POST", prefix + "/publish", [this](const routed_request& r) { return publish(r); });
    routes.add("POST", prefix + "/validate", [this](const routed_request& r) { return validate(r); });
    routes.add("PUT", prefix + "/servers/{serverName}/versions/{version}",
               [this](const routed_request& r) { return edit(r); });
    routes.add("DELETE", prefix + "/servers/{serverName}/versions/{version}",
               [this](const routed_request& r) { return remove(r); });
    routes.add("PATCH", prefix + "/servers/{serverName}/status",
               [this](const routed_request& r) { return set_status(r); });
    routes.add("PATCH", prefix + "/servers/{serverName}/versions/{version}/status",
               [this](const routed_request& r) { return set_status(r); });
}

}  // namespace mcpreg::engine
