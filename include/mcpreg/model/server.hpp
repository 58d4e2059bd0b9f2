// Typed server.json documents and the registry's response envelopes.
//
// Every type is a plain aggregate. Optional schema fields are std::optional, so "absent" and "empty" stay
// different and a document round-trips unchanged. Fields this version of mcpreg does not know are kept in
// `extra`, in the order they came, and written back.
#pragma once

#include <mcpreg/model/export.hpp>
#include <mcpreg/model/timestamp.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mcpreg::model {

/// The URL of the server.json schema mcpreg writes.
inline constexpr std::string_view current_schema_url =
    "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";

/// The `_meta` key under which the registry puts its own data in a response.
inline constexpr std::string_view official_meta_key = "io.modelcontextprotocol.registry/official";
/// The only `_meta` key a publisher may use inside server.json at the official registry.
inline constexpr std::string_view publisher_meta_key = "io.modelcontextprotocol.registry/publisher-provided";

/// A user-supplied value: for an argument, an environment variable, a header or a URL variable.
struct input {
    std::optional<std::string> description;
    std::optional<bool> is_required;
    std::optional<std::string> format;  ///< "string", "number", "boolean" or "filepath" (absent means string)
    std::optional<std::string> value;   ///< fixed value; may hold `{name}` placeholders
    std::optional<bool> is_secret;
    std::optional<std::string> default_value;  ///< JSON `default`
    std::optional<std::string> placeholder;
    std::optional<std::vector<std::string>> choices;
    boost::json::object extra;

    bool operator==(const input&) const = default;
};

/// Variables that `{name}` placeholders in a value or URL refer to.
using input_map = std::map<std::string, input, std::less<>>;

/// An input whose `value` may refer to its own variables.
struct input_with_variables : input {
    std::optional<input_map> variables;

    bool operator==(const input_with_variables&) const = default;
};

/// A named input: an environment variable or an HTTP header.
struct key_value_input : input_with_variables {
    std::string name;

    bool operator==(const key_value_input&) const = default;
};

/// A command-line argument, positional or named.
struct argument : input_with_variables {
    std::string type;                       ///< "positional" or "named"
    std::optional<std::string> name;        ///< named: the flag with its dashes, e.g. "--port"
    std::optional<std::string> value_hint;  ///< positional: a label, also a URL-template variable name
    std::optional<bool> is_repeated;

    bool is_named() const noexcept { return type == "named"; }
    bool is_positional() const noexcept { return type == "positional"; }
    bool operator==(const argument&) const = default;
};

/// How to talk to a server: a package's local transport or a remote endpoint.
struct transport {
    std::string type;  ///< "stdio", "streamable-http" or "sse"
    std::optional<std::string> url;
    std::optional<std::vector<key_value_input>> headers;
    std::optional<input_map> variables;  ///< remotes: values for `{name}` in the URL
    boost::json::object extra;

    bool operator==(const transport&) const = default;
};

/// The package registries the schema names. Anything else is kept as text and reported as `unknown`.
enum class registry_kind { unknown, npm, pypi, oci, nuget, mcpb, cargo };

/// A way to install and run the server locally.
struct package {
    std::string registry_type;  ///< "npm", "pypi", "oci", "nuget", "mcpb", "cargo" or another string
    std::optional<std::string> registry_base_url;
    std::string identifier;  ///< package name, image reference or (mcpb) download URL
    std::optional<std::string> version;
    std::optional<std::string> file_sha256;
    std::optional<std::string> runtime_hint;
    std::optional<model::transport> transport;  ///< required by the schema; absent only in broken documents
    std::optional<std::vector<argument>> runtime_arguments;
    std::optional<std::vector<argument>> package_arguments;
    std::optional<std::vector<key_value_input>> environment_variables;
    boost::json::object extra;

    MCPREG_MODEL_API registry_kind kind() const noexcept;
    bool operator==(const package&) const = default;
};

/// Where the source code lives.
struct repository {
    std::optional<std::string> url;
    std::optional<std::string> source;  ///< "github", "gitlab", ...
    std::optional<std::string> id;
    std::optional<std::string> subfolder;
    boost::json::object extra;

    bool operator==(const repository&) const = default;
};

/// An icon a host can show for the server.
struct icon {
    std::string src;
    std::optional<std::string> mime_type;
    std::optional<std::vector<std::string>> sizes;
    std::optional<std::string> theme;  ///< "light" or "dark"
    boost::json::object extra;

    bool operator==(const icon&) const = default;
};

/// A server.json document (the schema's ServerDetail).
struct server {
    std::optional<std::string> schema;  ///< JSON `$schema`
    std::string name;
    std::string description;
    std::string version;
    std::optional<std::string> title;
    std::optional<model::repository> repository;
    std::optional<std::string> website_url;
    std::optional<std::vector<icon>> icons;
    std::optional<std::vector<package>> packages;
    std::optional<std::vector<transport>> remotes;
    std::optional<boost::json::object> meta;  ///< JSON `_meta`, kept as it came
    boost::json::object extra;

    bool operator==(const server&) const = default;
};

/// The lifecycle states of a published version.
enum class server_status { active, deprecated, deleted };

/// The registry's own data about one published version (`_meta["io.modelcontextprotocol.registry/official"]`).
struct official_meta {
    std::optional<std::string> status;  ///< "active", "deprecated" or "deleted" (old dumps hold other words)
    std::optional<std::string> status_message;
    std::optional<timestamp> published_at;
    std::optional<timestamp> updated_at;
    std::optional<timestamp> status_changed_at;
    std::optional<bool> is_latest;
    boost::json::object extra;

    /// The status as an enum; active when absent, nullopt for a word outside the three states.
    MCPREG_MODEL_API std::optional<server_status> parsed_status() const noexcept;
    bool operator==(const official_meta&) const = default;
};

/// A response's `_meta`: the official block plus any other registry's namespaces.
struct response_meta {
    std::optional<official_meta> official;
    boost::json::object other;  ///< every key except the official one

    bool operator==(const response_meta&) const = default;
};

/// One entry of a list or detail response: `{server, _meta}`.
struct server_response {
    model::server server;
    std::optional<response_meta> meta;
    boost::json::object extra;

    /// The official block, or nullptr.
    MCPREG_MODEL_API const official_meta* official() const noexcept;
    bool operator==(const server_response&) const = default;
};

/// A page of `GET /v0.1/servers`.
struct server_list {
    std::vector<server_response> servers;
    std::optional<std::string> next_cursor;  ///< absent on the last page
    std::optional<std::int64_t> count;
    boost::json::object metadata_extra;  ///< other keys of `metadata`
    bool has_metadata = true;            ///< false when the document had no `metadata` object
    boost::json::object extra;

    bool operator==(const server_list&) const = default;
};

/// Conversions between the enums and the schema's words ("npm", "deprecated"...); unknown words give
/// registry_kind::unknown and nullopt.
MCPREG_MODEL_API std::string_view to_string(registry_kind kind) noexcept;
MCPREG_MODEL_API registry_kind parse_registry_kind(std::string_view text) noexcept;
MCPREG_MODEL_API std::string_view to_string(server_status status) noexcept;
MCPREG_MODEL_API std::optional<server_status> parse_server_status(std::string_view text) noexcept;

}  // namespace mcpreg::model
