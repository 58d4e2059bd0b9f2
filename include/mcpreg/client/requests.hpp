// What each client operation asks the registry: one aggregate per operation, so a call names its fields
// (`{.name = n, .include_deleted = true}`) instead of lining up positional strings and booleans, and a new
// field does not shift every caller's arguments. Listing takes list_options (options.hpp) the same way.
#pragma once

#include <mcpreg/model/server.hpp>

#include <optional>
#include <string>

namespace mcpreg {

/// GET /servers/{name}/versions/{version}.
struct get_server_request {
    std::string name;                ///< the server's name, e.g. "io.github.github/github-mcp-server"
    std::string version = "latest";  ///< an exact version, or "latest" for the latest one
    bool include_deleted = false;    ///< also find a deleted version (sent as ?include_deleted=true)
};

/// GET /servers/{name}/versions: every version, newest first.
struct list_versions_request {
    std::string name;              ///< the server's name
    bool include_deleted = false;  ///< also list deleted versions (sent as ?include_deleted=true)
};

/// POST /publish: a new version.
struct publish_request {
    model::server server;  ///< the server.json to publish; its name and version identify the new entry
    std::string token;     ///< a registry token (see client::async_exchange_token), sent as a bearer token
};

/// PUT /servers/{name}/versions/{version}: replaces a published version (needs edit permission).
struct edit_request {
    model::server server;  ///< the replacement; its name and version say which entry it replaces
    std::string token;     ///< a registry token with edit permission
};

/// DELETE /servers/{name}/versions/{version} (on registries that offer it).
struct delete_version_request {
    std::string name;     ///< the server's name
    std::string version;  ///< the exact version to remove
    std::string token;    ///< a registry token allowed to delete
};

/// PATCH /servers/{name}/versions/{version}/status: one version's status.
struct set_status_request {
    std::string name;                                            ///< the server's name
    std::string version;                                         ///< the exact version to change
    model::server_status status = model::server_status::active;  ///< the new status
    std::optional<std::string> message;  ///< sent as statusMessage when set (why it is deprecated, say)
    std::string token;                   ///< a registry token allowed to change the status
};

/// PATCH /servers/{name}/status: every version's status at once.
struct set_status_all_request {
    std::string name;                                            ///< the server's name
    model::server_status status = model::server_status::active;  ///< the new status of every version
    std::optional<std::string> message;                          ///< sent as statusMessage when set
    std::string token;                                           ///< a registry token allowed to change the status
};

/// POST /validate: the registry's full check of a server.json, without publishing it.
struct validate_request {
    model::server server;  ///< the document to check
};

/// POST /auth/{method}: exchanges a credential for a registry token.
struct exchange_token_request {
    /// "none", "admin", "dns", "http", "github-at", "github-oidc" or "oidc".
    std::string method;
    /// The method's JSON body: {} for "none", {"admin_key"} for "admin", {"domain", "timestamp",
    /// "signed_timestamp"} for "dns" and "http" (see sign_domain_proof), {"github_token"} for "github-at",
    /// {"oidc_token"} for "github-oidc" and "oidc". Empty is sent as {}.
    std::string json_body = "{}";
};

}  // namespace mcpreg
