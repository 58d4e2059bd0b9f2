#include <mcpreg/model/generation.hpp>
#include <mcpreg/model/server.hpp>

namespace mcpreg::model {

std::string_view to_string(registry_kind kind) noexcept
{
    switch (kind) {
    case registry_kind::npm: return "npm";
    case registry_kind::pypi: return "pypi";
    case registry_kind::oci: return "oci";
    case registry_kind::nuget: return "nuget";
    case registry_kind::mcpb: return "mcpb";
    case registry_kind::cargo: return "cargo";
    case registry_kind::unknown: break;
    }
    return "unknown";
}

registry_kind parse_registry_kind(std::string_view text) noexcept
{
    for (auto kind : {registry_kind::npm, registry_kind::pypi, registry_kind::oci, registry_kind::nuget,
                      registry_kind::mcpb, registry_kind::cargo})
        if (to_string(kind) == text) return kind;
    return registry_kind::unknown;
}

registry_kind package::kind() const noexcept { return parse_registry_kind(registry_type); }

std::string_view to_string(server_status status) noexcept
{
    switch (status) {
    case server_status::active: return "active";
    case server_status::deprecated: return "deprecated";
    case server_status::deleted: return "deleted";
    }
    return "active";
}

std::optional<server_status> parse_server_status(std::string_view text) noexcept
{
    for (auto status : {server_status::active, server_status::deprecated, server_status::deleted})
        if (to_string(status) == text) return status;
    return std::nullopt;
}

std::optional<server_status> official_meta::parsed_status() const noexcept
{
    return status ? parse_server_status(*status) : server_status::active;
}

const official_meta* server_response::official() const noexcept
{
    return meta && meta->official ? &*meta->official : nullptr;
}

std::string_view to_string(schema_generation generation) noexcept
{
    switch (generation) {
    case schema_generation::v2025_07_09: return "2025-07-09";
    case schema_generation::v2025_09_16: return "2025-09-16";
    case schema_generation::v2025_09_29: return "2025-09-29";
    case schema_generation::v2025_10_11: return "2025-10-11";
    case schema_generation::v2025_10_17: return "2025-10-17";
    case schema_generation::v2025_12_11: return "2025-12-11";
    case schema_generation::draft: return "draft";
    case schema_generation::unknown: break;
    }
    return "unknown";
}

std::optional<schema_generation> parse_generation(std::string_view id) noexcept
{
    for (auto generation : known_generations)
        if (to_string(generation) == id) return generation;
    if (id == "unknown") return schema_generation::unknown;
    return std::nullopt;
}

schema_generation generation_of_schema_url(std::string_view url) noexcept
{
    url = url.substr(0, url.find('#'));
    constexpr std::string_view file = "/server.schema.json";
    if (url.size() <= file.size() || url.substr(url.size() - file.size()) != file) return schema_generation::unknown;
    url.remove_suffix(file.size());
    auto id = url.substr(url.rfind('/') + 1);
    auto parent = url.substr(0, url.rfind('/'));
    const bool under_schemas = parent.ends_with("/schemas");
    if (id == "draft" && (under_schemas || parent.ends_with("/server-json"))) return schema_generation::draft;
    if (!under_schemas) return schema_generation::unknown;
    auto generation = parse_generation(id);
    return generation ? *generation : schema_generation::unknown;
}

std::string_view schema_url(schema_generation generation) noexcept
{
    switch (generation) {
    case schema_generation::v2025_07_09:
        return "https://static.modelcontextprotocol.io/schemas/2025-07-09/server.schema.json";
    case schema_generation::v2025_09_16:
        return "https://static.modelcontextprotocol.io/schemas/2025-09-16/server.schema.json";
    case schema_generation::v2025_09_29:
        return "https://static.modelcontextprotocol.io/schemas/2025-09-29/server.schema.json";
    case schema_generation::v2025_10_11:
        return "https://static.modelcontextprotocol.io/schemas/2025-10-11/server.schema.json";
    case schema_generation::v2025_10_17:
        return "https://static.modelcontextprotocol.io/schemas/2025-10-17/server.schema.json";
    case schema_generation::v2025_12_11: return current_schema_url;
    case schema_generation::draft:
        return "https://raw.githubusercontent.com/modelcontextprotocol/registry/main/docs/reference/server-json/draft/"
               "server.schema.json";
    case schema_generation::unknown: break;
    }
    return {};
}

}  // namespace mcpreg::model
