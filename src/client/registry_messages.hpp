// What the client sends to a registry and how it reads the answers: paths, query strings, JSON bodies and
// the typed readers of each operation's answer. Private to the client.
#pragma once

#include <mcpreg/client/client.hpp>
#include <mcpreg/client/options.hpp>
#include <mcpreg/error.hpp>
#include <mcpreg/model/server.hpp>

#include <optional>
#include <string>

namespace mcpreg::detail {

// "/v0.1/servers/{name}": the root of one server's resources, its name percent-encoded.
std::string server_path(const std::string& api_version, const std::string& name);
// "/v0.1/servers/{name}/versions/{version}": one published version.
std::string version_path(const std::string& api_version, const std::string& name, const std::string& version);
// The query that asks for deleted entries too; nothing when they are not wanted (the registry's default).
std::string include_deleted_query(bool include_deleted);
// The query string of a list request: the filter's set fields, percent-encoded.
std::string list_query(const list_options& query);
// A server.json as the body of a publish, an edit or a validation.
std::string document_body(const model::server& server);
// The body of both status changes: {"status", "statusMessage"?}.
std::string status_body(model::server_status status, const std::optional<std::string>& message);
// The readers of each answer: a body that does not read is errc::invalid_document or json_syntax.
result<model::server_response> read_server_response(const std::string& body);
result<model::server_list> read_server_list(const std::string& body);
result<status_update> read_status_update(const std::string& body);
result<remote_validation> read_validation(const std::string& body);
result<registry_token> read_token(const std::string& body);

}  // namespace mcpreg::detail
