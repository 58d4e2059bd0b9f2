// An in-process MCP registry: the registry API served from an embedded SQLite database, or from PostgreSQL
// shared by several engine processes.
//
// `registry` is the socket-free core: an HTTP request in, an HTTP response out. `http_server`
// (mcpreg/engine/http_server.hpp) puts it on a TCP port; an in-process connection can call handle() directly.
#pragma once

#include <mcpreg/engine/auth.hpp>
#include <mcpreg/error.hpp>
#include <mcpreg/export.hpp>
#include <mcpreg/http_message.hpp>
#include <mcpreg/model/server.hpp>

#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mcpreg::engine {

/// The engine answers the same plain messages the client sends.
using request = http_request;
using response = http_response;
using mcpreg::http_header;

/// How a registry is set up. Every field has a working default.
struct registry_options {
    /// SQLite database file, or ":memory:". A file is created (with its schema) when missing. Or a PostgreSQL
    /// connection URI (`postgresql://user@host/db`, any libpq URI) for several engine processes over one
    /// database: the schema is created there, writes are serialised across processes, and each process's
    /// cached responses are dropped when another one writes (LISTEN/NOTIFY).
    std::string database = ":memory:";
    /// PostgreSQL: connections each engine process keeps open (requests beyond it wait for one).
    std::size_t database_pool_size = 8;
    /// SQLite: sync every commit to disk before a write is acknowledged (synchronous=FULL), so a power loss
    /// never undoes an acknowledged publish. False trades that for faster writes (synchronous=NORMAL: the last
    /// commits may be lost on power loss, the file is never corrupted).
    bool sqlite_full_sync = true;
    /// Files imported at open: server.json documents, arrays of them, ServerResponse arrays or list pages.
    std::vector<std::string> seed_files;
    /// `Cache-Control: max-age` of read responses. Short, because a registry changes.
    std::chrono::seconds max_age{30};
    /// Cached response bodies (list pages, documents), evicted least recently used, and after `max_age`.
    std::size_t response_cache_entries = 4096;
    /// ...and at most this many bytes of them (each counted twice: the body and its gzip form).
    std::size_t response_cache_bytes = std::size_t{256} << 20;
    /// Reported by /v0/version.
    std::string version;
    std::string git_commit;
    std::string build_time;
    /// Reported by /v0/health when set (the OAuth client id the publisher CLI uses).
    std::optional<std::string> github_client_id;

    /// The Ed25519 key (PEM) that signs registry tokens. Empty: `<database>.jwt-key.pem` beside a database
    /// file (created on first use), or a key that lives as long as the process for ":memory:". Required with
    /// PostgreSQL: every engine process over the database signs with this one key, so each accepts the others'
    /// tokens.
    std::string jwt_key_file;
    /// The audience (`aud`) of the registry tokens this registry issues and accepts. Unset: "mcpreg:" and the
    /// database's own random identity, so every engine over one database accepts the others' tokens and no
    /// other deployment does, even one sharing the key file.
    std::optional<std::string> token_audience;
    /// POST /v0/auth/none: anyone gets publish and edit on `io.modelcontextprotocol.anonymous/*` (dev/test).
    bool anonymous_auth = false;
    /// POST /v0/auth/admin with {"admin_key": this} gets publish and edit on every name. Unset: disabled.
    std::optional<std::string> admin_key;
    /// POST /v0/auth/dns: the TXT records of a domain (the apex name itself). Unset: the endpoint is off.
    /// A failure's message is reported to the caller as "failed to lookup DNS TXT records: ...".
    std::function<result<std::vector<std::string>>(const std::string& domain)> dns_txt_lookup;
    /// POST /v0/auth/http: the body of https://<domain>/.well-known/mcp-registry-auth (status 200, at most
    /// 4096 bytes, no redirects, public addresses only). Unset: the endpoint is off.
    std::function<result<std::string>(const std::string& domain)> http_key_fetch;
    /// POST /v0/auth/github-at: performs a request against the GitHub REST API (`request.target` is relative
    /// to the API base, e.g. "/user") and returns its response. Unset: the endpoint is off.
    std::function<result<http_response>(const http_request& request)> github_api;
    /// POST /v0/auth/github-oidc: GitHub Actions ID tokens (set `issuer` to github_actions_issuer in production).
    /// The repository owner gets publish on `io.github.<owner>/*`. Unset: the endpoint is off.
    std::optional<oidc_issuer> github_oidc;
    /// POST /v0/auth/oidc: administrators' ID tokens from any OIDC provider. Unset: the endpoint is off.
    std::optional<admin_oidc_options> admin_oidc;
    /// Namespaces no token may be issued for (upstream internal/auth/blocks.go): a grant that would cover
    /// `<blocked>/x` or `<blocked>.x/y` makes the exchange fail with 401, unless the token also holds `*`.
    std::vector<std::string> blocked_namespaces;
    /// Package ownership verification (npm mcpName, PyPI/NuGet README marker, OCI label, MCPB hash), called for
    /// every package of a publish or edit, in order. Return a reason to refuse (400, "registry validation
    /// failed for package <i> (<identifier>): <reason>"). Unset: no verification (the embedded default).
    std::function<std::optional<std::string>(const model::package& package, const model::server& server)>
        package_verifier;
    /// The official registry's cap on versions per server name.
    std::size_t max_versions_per_server = 10'000;
    /// Consulted on every publish and edit after the registry's own checks pass. Return nullopt to accept
    /// (changes made to `server` are stored: a rewrite), or a reason to refuse with 403.
    std::function<std::optional<std::string>(model::server& server, const token_claims& who)> publish_policy;
};

/// What an import did.
struct import_report {
    std::size_t read = 0;      ///< entries found in the input
    std::size_t inserted = 0;  ///< new (name, version) rows
    std::size_t replaced = 0;  ///< rows that existed and were overwritten
};

/// One write, as the audit log records it.
struct audit_entry {
    std::string at;      ///< RFC 3339
    std::string actor;   ///< "<auth_method>:<subject>" of the token, or "import"
    std::string action;  ///< "publish", "edit", "status", "delete"
    std::string name;
    std::string version;  ///< "*" for every version
    std::string outcome;  ///< "ok", or the HTTP status of the refusal
    std::string detail;
};

/// The registry API over SQLite or PostgreSQL.
///
/// \par Thread safety
/// Distinct objects: safe. Shared objects: handle() and import_*() may be called from several threads at
/// once; SQLite serialises them on its one connection, PostgreSQL runs up to `database_pool_size` at once, and
/// cached responses are served concurrently.
class MCPREG_API registry {
public:
    /// Opens (or creates) the database, migrates its schema and imports the seed files.
    static result<registry> open(registry_options options);

    registry(registry&&) noexcept;
    registry& operator=(registry&&) noexcept;
    ~registry();

    /// Answers one request. Never throws for anything a client sends; every failure is an HTTP status.
    response handle(const request& req);

    /// Imports the entries of one JSON document (see registry_options::seed_files).
    result<import_report> import_json(const boost::json::value& document);
    /// The same from a file.
    result<import_report> import_file(const std::string& path);

    /// Number of stored (name, version) rows, deleted ones included.
    result<std::size_t> size();

    /// A registry token signed with this registry's key (for hosting apps and tests).
    std::string issue_token(std::vector<permission> permissions, std::string auth_method = "admin",
                            std::string subject = "embedded");

    /// The most recent writes, newest first.
    result<std::vector<audit_entry>> audit_log(std::size_t limit = 100);

    /// The options the registry was opened with.
    const registry_options& options() const noexcept;

private:
    struct impl;
    explicit registry(std::unique_ptr<impl> impl) noexcept;
    std::unique_ptr<impl> impl_;
};

/// The reverse-DNS namespace of mcpreg's API extensions: `/v0.1/x/io.github.mcpreg/...`.
inline constexpr std::string_view extension_namespace = "io.github.mcpreg";

}  // namespace mcpreg::engine
