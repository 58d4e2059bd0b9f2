// Reading and writing server.json documents and registry responses.
//
// One lenient reader accepts every schema generation: snake_case or camelCase field names, `status` inside
// the server, a missing or unknown `$schema`, `repository: {}`, packages without a version. It fails only on
// what cannot be represented: text that is not JSON, a field of the wrong JSON type, a missing required
// field. Strict checking is validate()'s job.
#pragma once

#include <mcpreg/error.hpp>
#include <mcpreg/model/export.hpp>
#include <mcpreg/model/generation.hpp>
#include <mcpreg/model/server.hpp>

#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace mcpreg::model {

/// Limits the reader applies to untrusted text.
struct parse_limits {
    std::size_t max_depth = 64;  ///< deeper nesting is a json_syntax error, not a stack overflow
};

/// Parses JSON text with mcpreg's limits. Errors: errc::json_syntax (with the offset in the message).
MCPREG_MODEL_API result<boost::json::value> parse_json(std::string_view text, const parse_limits& limits = {});

/// What the reader learnt about a server.json document.
struct read_info {
    schema_generation declared = schema_generation::unknown;  ///< from `$schema`
    schema_generation detected = schema_generation::unknown;  ///< from the fields actually used
    field_style style = field_style::camel_case;
};

/// The oldest generation whose fields cover everything the document uses (ignoring `$schema`).
MCPREG_MODEL_API schema_generation detect_generation(const boost::json::value& server_json);

/// Reads a server.json object. Errors (errc::invalid_document) name the JSON pointer of the bad field.
MCPREG_MODEL_API result<server> server_from_json(const boost::json::value& json, read_info* info = nullptr);
/// The same from JSON text (errc::json_syntax when it is not JSON).
MCPREG_MODEL_API result<server> parse_server(std::string_view text, read_info* info = nullptr);

/// Reads one `{server, _meta}` entry. A flat server object with its `_meta` inside (the 2025-07 and
/// 2025-09-16 API shapes) is accepted too; its official block is then read from the server's `_meta`.
MCPREG_MODEL_API result<server_response> server_response_from_json(const boost::json::value& json);
/// Reads a list page (`servers` plus `metadata.nextCursor`/`next_cursor` and `count`).
MCPREG_MODEL_API result<server_list> server_list_from_json(const boost::json::value& json);

/// Parse JSON text straight into the typed value. Faster than parse_json then *_from_json: the intermediate
/// DOM lives in one arena that is dropped at once.
MCPREG_MODEL_API result<server_response> parse_server_response(std::string_view text);
MCPREG_MODEL_API result<server_list> parse_server_list(std::string_view text);

struct write_options {
    /// snake_case reproduces a 2025-07-09 document; mcpreg otherwise writes camelCase.
    field_style style = field_style::camel_case;
};

MCPREG_MODEL_API boost::json::value to_json(const server& value, const write_options& options = {});
MCPREG_MODEL_API boost::json::value to_json(const server_response& value, const write_options& options = {});
MCPREG_MODEL_API boost::json::value to_json(const server_list& value, const write_options& options = {});
/// Compact JSON text.
MCPREG_MODEL_API std::string serialize(const server& value, const write_options& options = {});

/// Rewrites an older document into the current schema: sets `$schema` to the current URL and drops the
/// registry-managed fields older generations kept inside server.json (`status`, the official `_meta`).
MCPREG_MODEL_API server upgrade(server value);

/// What a JSON document holds, for tools that accept any of them.
enum class document_kind {
    unknown,
    server,                 ///< one server.json object
    server_response,        ///< one `{server, _meta}` object
    server_list,            ///< a list page: `{servers: [...], metadata}`
    server_array,           ///< a JSON array of server.json objects
    server_response_array,  ///< a JSON array of `{server, _meta}` objects
};

/// What shape a JSON document has, so a reader can pick the right *_from_json.
MCPREG_MODEL_API document_kind classify_document(const boost::json::value& json) noexcept;
/// "server", "server_response", ... (for messages).
MCPREG_MODEL_API std::string_view to_string(document_kind kind) noexcept;

/// One server.json object inside a larger document.
struct located_server {
    std::string pointer;                           ///< "" alone, "/3/server" in an array of responses, ...
    const boost::json::value* server = nullptr;    ///< the server.json object (or whatever stands there)
    const boost::json::value* response = nullptr;  ///< the enclosing `{server, _meta}`, if any
};

/// Every server.json a document holds, whatever its kind. A document of unknown kind is returned whole, as
/// one server.json, so that validation can say what is wrong with it. Pointers borrow from `json`.
MCPREG_MODEL_API std::vector<located_server> locate_servers(const boost::json::value& json);

/// Reads and parses a JSON file ("-" is standard input). Errors name the path: errc::io_error for an
/// unreadable or oversized file, errc::json_syntax for text that is not JSON.
MCPREG_MODEL_API result<boost::json::value> read_json_file(const std::string& path,
                                                           std::size_t max_bytes = std::size_t{512} << 20);

/// Pretty-prints JSON with two-space indentation and a trailing newline (the form `mcpreg fmt` prints).
MCPREG_MODEL_API std::string pretty_print(const boost::json::value& json);

}  // namespace mcpreg::model
