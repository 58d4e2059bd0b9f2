/* mcpreg: the C API. Pure C11 (and C++); every symbol is mcpreg_* or MCPREG_*.
 *
 * Conventions (as libgit2 and SQLite):
 *  - Functions return 0 (MCPREG_OK) or a negative mcpreg_status.
 *  - Error details go to an optional `mcpreg_error **err` out-parameter, allocated only on failure and
 *    released with mcpreg_error_free. Pass NULL when the code is enough.
 *  - `T **out` results are owned by the caller and released with their own *_free (which accepts NULL).
 *    `char **out` strings are released with mcpreg_string_free.
 *  - `const char *` and `const T *` results borrow from the handle they came from: valid until that handle
 *    is freed (or, for an iterator, advanced).
 *  - Options structs start with `unsigned version`; initialise them with their *_INIT macro. Fields are only
 *    ever appended.
 *  - Nothing throws across this boundary.
 *
 * Thread safety: mcpreg_client and mcpreg_engine may be used from several threads at once. Every other
 * handle (servers, iterators, validations, resolutions, errors) belongs to one thread at a time.
 */
#ifndef MCPREG_MCPREG_H
#define MCPREG_MCPREG_H

#include <stddef.h>

#if defined(_WIN32)
#define MCPREG_CAPI __declspec(dllimport)
#else
#define MCPREG_CAPI __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define MCPREG_VERSION_MAJOR 0
#define MCPREG_VERSION_MINOR 1
#define MCPREG_VERSION_PATCH 0
#define MCPREG_VERSION_STRING "0.1.0"

/** The library's version, to compare with the header's macros. Any pointer may be NULL. */
MCPREG_CAPI void mcpreg_version(int *major, int *minor, int *patch);
MCPREG_CAPI const char *mcpreg_version_string(void);

typedef enum mcpreg_status {
    MCPREG_OK = 0,
    MCPREG_ENOTFOUND = -1,  /* no such server, version or route (HTTP 404) */
    MCPREG_EHTTP = -2,      /* the registry answered another HTTP error (see mcpreg_error_http_status) */
    MCPREG_ENETWORK = -3,   /* connecting, sending or receiving failed */
    MCPREG_ETIMEOUT = -4,
    MCPREG_ETLS = -5,
    MCPREG_EPARSE = -6,     /* not JSON, or not the document expected */
    MCPREG_ECACHE = -7,     /* the local database failed, or (offline) the answer is not cached */
    MCPREG_EINVALID = -8,   /* an argument or option is invalid */
    MCPREG_ENOMEM = -9,
    MCPREG_EINTERNAL = -10,
    MCPREG_EINPUTS = -11,   /* resolve: inputs are missing (the resolution lists them) */
    MCPREG_ITEROVER = -100  /* the iterator has no more items: not an error */
} mcpreg_status;

/* ---- errors and strings ---- */

typedef struct mcpreg_error mcpreg_error;
MCPREG_CAPI int mcpreg_error_code(const mcpreg_error *err);
/** The HTTP status when the registry answered one, else 0. */
MCPREG_CAPI int mcpreg_error_http_status(const mcpreg_error *err);
/** Our description of what failed (borrowed). */
MCPREG_CAPI const char *mcpreg_error_message(const mcpreg_error *err);
/** The registry's own text, untrusted, or "" (borrowed). */
MCPREG_CAPI const char *mcpreg_error_server_message(const mcpreg_error *err);
MCPREG_CAPI void mcpreg_error_free(mcpreg_error *err);
MCPREG_CAPI void mcpreg_string_free(char *text);

/* ---- server.json documents ---- */

typedef struct mcpreg_server mcpreg_server;
/** Parses a server.json document, or a ServerResponse ({server, _meta}), of any schema generation. */
MCPREG_CAPI int mcpreg_server_parse(mcpreg_server **out, const char *json, size_t length, mcpreg_error **err);
MCPREG_CAPI void mcpreg_server_free(mcpreg_server *server);
/** An owned copy (of an entry borrowed from an iterator, for instance), registry metadata included. */
MCPREG_CAPI int mcpreg_server_clone(mcpreg_server **out, const mcpreg_server *server, mcpreg_error **err);
MCPREG_CAPI const char *mcpreg_server_name(const mcpreg_server *server);
MCPREG_CAPI const char *mcpreg_server_version(const mcpreg_server *server);
MCPREG_CAPI const char *mcpreg_server_description(const mcpreg_server *server);
/** The title, or NULL when the document has none. */
MCPREG_CAPI const char *mcpreg_server_title(const mcpreg_server *server);
/** The registry status ("active", "deprecated", "deleted") when the document came from a registry, else NULL. */
MCPREG_CAPI const char *mcpreg_server_status(const mcpreg_server *server);
/** 1 when the registry flags this version as the latest, else 0. */
MCPREG_CAPI int mcpreg_server_is_latest(const mcpreg_server *server);
/** The server.json as compact JSON in the current schema's field names (caller-owned). */
MCPREG_CAPI int mcpreg_server_to_json(char **out, const mcpreg_server *server, mcpreg_error **err);

typedef struct mcpreg_validation mcpreg_validation;
/** Validates a document as the official registry does (schema and semantic rules). The document need
 *  not be valid JSON for a server: a parse failure is reported as an issue. */
MCPREG_CAPI int mcpreg_validate(mcpreg_validation **out, const char *json, size_t length, mcpreg_error **err);
MCPREG_CAPI void mcpreg_validation_free(mcpreg_validation *validation);
/** 1 when no issue is an error. */
MCPREG_CAPI int mcpreg_validation_valid(const mcpreg_validation *validation);
MCPREG_CAPI size_t mcpreg_validation_issue_count(const mcpreg_validation *validation);
/** The issue's JSON pointer, rule id, message and severity ("error", "warning"); NULL past the end. */
MCPREG_CAPI const char *mcpreg_validation_issue_path(const mcpreg_validation *validation, size_t index);
MCPREG_CAPI const char *mcpreg_validation_issue_rule(const mcpreg_validation *validation, size_t index);
MCPREG_CAPI const char *mcpreg_validation_issue_message(const mcpreg_validation *validation, size_t index);
MCPREG_CAPI const char *mcpreg_validation_issue_severity(const mcpreg_validation *validation, size_t index);

/* ---- the registry client (blocking) ---- */

typedef struct mcpreg_client_options {
    unsigned version;
    const char *base_url;      /* NULL: the official registry */
    const char *bearer_token;  /* NULL: none */
    long timeout_ms;           /* per attempt; 0: the default (30 s) */
    const char *cache_path;    /* an HTTP cache file (SQLite); NULL: no cache */
    int offline;               /* non-zero: answer from cache_path only */
} mcpreg_client_options;
#define MCPREG_CLIENT_OPTIONS_VERSION 1
#define MCPREG_CLIENT_OPTIONS_INIT {MCPREG_CLIENT_OPTIONS_VERSION, NULL, NULL, 0, NULL, 0}

typedef struct mcpreg_client mcpreg_client;
MCPREG_CAPI int mcpreg_client_new(mcpreg_client **out, const mcpreg_client_options *options, mcpreg_error **err);
MCPREG_CAPI void mcpreg_client_free(mcpreg_client *client);
/** One version ("latest" or NULL for the latest). */
MCPREG_CAPI int mcpreg_client_get_server(mcpreg_server **out, mcpreg_client *client, const char *name,
                                         const char *version, mcpreg_error **err);

typedef struct mcpreg_list_options {
    unsigned version;
    const char *search;         /* NULL: every server */
    const char *updated_since;  /* RFC 3339, or NULL */
    int latest_only;            /* non-zero: version=latest */
    int include_deleted;
    int page_size;              /* 0: 100 */
    const char *cursor;         /* resume from here, or NULL */
} mcpreg_list_options;
#define MCPREG_LIST_OPTIONS_VERSION 1
#define MCPREG_LIST_OPTIONS_INIT {MCPREG_LIST_OPTIONS_VERSION, NULL, NULL, 0, 0, 0, NULL}

typedef struct mcpreg_server_iter mcpreg_server_iter;
/** Every entry matching the options, fetched page by page as the iterator advances. */
MCPREG_CAPI int mcpreg_client_list_servers(mcpreg_server_iter **out, mcpreg_client *client,
                                           const mcpreg_list_options *options, mcpreg_error **err);
/** Every version of one server. */
MCPREG_CAPI int mcpreg_client_list_versions(mcpreg_server_iter **out, mcpreg_client *client, const char *name,
                                            mcpreg_error **err);
/** The next entry (borrowed until the next call), or MCPREG_ITEROVER at the end. */
MCPREG_CAPI int mcpreg_server_iter_next(const mcpreg_server **out, mcpreg_server_iter *iter, mcpreg_error **err);
/** The cursor of the next page to fetch, or NULL when there is none (borrowed). */
MCPREG_CAPI const char *mcpreg_server_iter_cursor(const mcpreg_server_iter *iter);
MCPREG_CAPI void mcpreg_server_iter_free(mcpreg_server_iter *iter);

/* Asynchronous reads. The call returns at once; `callback` runs later on a thread the client owns, one
 * callback at a time, in the order the calls were made, exactly once per accepted call (mcpreg_client_free
 * waits for the pending ones). The callback owns what it receives: it must free `server`, `page` and `err`
 * (each may be NULL). It must not free the client it was called for. */
typedef void (*mcpreg_server_callback)(int status, mcpreg_server *server, mcpreg_error *err, void *user_data);
typedef void (*mcpreg_page_callback)(int status, mcpreg_server_iter *page, mcpreg_error *err, void *user_data);
MCPREG_CAPI int mcpreg_client_get_server_async(mcpreg_client *client, const char *name, const char *version,
                                               mcpreg_server_callback callback, void *user_data, mcpreg_error **err);
/** One page of a listing: `page` iterates that page's entries only; mcpreg_server_iter_cursor(page) is the
 *  cursor of the next page (NULL after the last), to pass in the options of the next call. */
MCPREG_CAPI int mcpreg_client_list_page_async(mcpreg_client *client, const mcpreg_list_options *options,
                                              mcpreg_page_callback callback, void *user_data, mcpreg_error **err);

/** Exchanges a credential for a registry token (caller-owned): `method` is "none", "admin", "dns",
 *  "http", "github-at" or "github-oidc", `json_body` its request body (NULL: "{}"). */
MCPREG_CAPI int mcpreg_client_login(char **token, mcpreg_client *client, const char *method, const char *json_body,
                                    mcpreg_error **err);
/** Publishes `server` with a registry token; `*out` (may be NULL) receives the stored entry. */
MCPREG_CAPI int mcpreg_client_publish(mcpreg_server **out, mcpreg_client *client, const mcpreg_server *server,
                                      const char *token, mcpreg_error **err);
/** Sets the status ("active", "deprecated", "deleted") of one version, or of every version when `version`
 *  is NULL. `message` may be NULL. */
MCPREG_CAPI int mcpreg_client_set_status(mcpreg_client *client, const char *name, const char *version,
                                         const char *status, const char *message, const char *token,
                                         mcpreg_error **err);

/* ---- the offline catalog: a mirror of registries, searched locally ---- */

typedef struct mcpreg_catalog mcpreg_catalog;
/** Opens (or creates) a catalog file; NULL for memory. */
MCPREG_CAPI int mcpreg_catalog_open(mcpreg_catalog **out, const char *path, mcpreg_error **err);
MCPREG_CAPI void mcpreg_catalog_free(mcpreg_catalog *catalog);
/** Mirrors the registry `client` points at: everything the first time, then what changed. Any count pointer
 *  may be NULL. */
MCPREG_CAPI int mcpreg_catalog_sync(mcpreg_catalog *catalog, mcpreg_client *client, size_t *fetched, size_t *added,
                                    size_t *updated, size_t *deleted, mcpreg_error **err);
/** Rows stored, deleted ones included. */
MCPREG_CAPI int mcpreg_catalog_size(size_t *out, mcpreg_catalog *catalog, mcpreg_error **err);
/** Ranked full-text search of the latest entries; iterate the results like a listing. */
MCPREG_CAPI int mcpreg_catalog_search(mcpreg_server_iter **out, mcpreg_catalog *catalog, const char *query,
                                      int limit, mcpreg_error **err);

/* ---- resolution: an entry to an argv and env, or a URL and headers ---- */

typedef struct mcpreg_resolution mcpreg_resolution;
/** Resolves `server`. `selection` is NULL (the default policy), a registry type ("npm"), a package index
 *  ("0"), "remote" or "remote:N". `inputs` holds `input_count` "KEY=VALUE" strings (a key may repeat).
 *  Returns MCPREG_EINPUTS when inputs are missing: `*out` is then set and lists them. */
MCPREG_CAPI int mcpreg_resolve(mcpreg_resolution **out, const mcpreg_server *server, const char *selection,
                               const char *const *inputs, size_t input_count, mcpreg_error **err);
MCPREG_CAPI void mcpreg_resolution_free(mcpreg_resolution *resolution);
/** "stdio", "streamable-http" or "sse". */
MCPREG_CAPI const char *mcpreg_resolution_transport(const mcpreg_resolution *resolution);
/** argv[0], or NULL for a remote. */
MCPREG_CAPI const char *mcpreg_resolution_command(const mcpreg_resolution *resolution);
MCPREG_CAPI size_t mcpreg_resolution_arg_count(const mcpreg_resolution *resolution);
MCPREG_CAPI const char *mcpreg_resolution_arg(const mcpreg_resolution *resolution, size_t index);
MCPREG_CAPI size_t mcpreg_resolution_env_count(const mcpreg_resolution *resolution);
MCPREG_CAPI const char *mcpreg_resolution_env_name(const mcpreg_resolution *resolution, size_t index);
MCPREG_CAPI const char *mcpreg_resolution_env_value(const mcpreg_resolution *resolution, size_t index);
/** 1 when that environment variable holds a secret (never log it). */
MCPREG_CAPI int mcpreg_resolution_env_is_secret(const mcpreg_resolution *resolution, size_t index);
/** The URL of a remote or an HTTP package transport, or NULL. */
MCPREG_CAPI const char *mcpreg_resolution_url(const mcpreg_resolution *resolution);
MCPREG_CAPI size_t mcpreg_resolution_missing_count(const mcpreg_resolution *resolution);
/** A missing input's name (the KEY to supply), where it is used, and why ("required", or the refusal). */
MCPREG_CAPI const char *mcpreg_resolution_missing_name(const mcpreg_resolution *resolution, size_t index);
MCPREG_CAPI const char *mcpreg_resolution_missing_used_in(const mcpreg_resolution *resolution, size_t index);
MCPREG_CAPI const char *mcpreg_resolution_missing_problem(const mcpreg_resolution *resolution, size_t index);
MCPREG_CAPI int mcpreg_resolution_missing_is_secret(const mcpreg_resolution *resolution, size_t index);

typedef enum mcpreg_config_format {
    MCPREG_CONFIG_VSCODE = 0,
    MCPREG_CONFIG_CLAUDE_DESKTOP = 1,
    MCPREG_CONFIG_CURSOR = 2,
    MCPREG_CONFIG_GENERIC = 3
} mcpreg_config_format;
/** A client configuration for the resolved server, caller-owned JSON text. Secrets are never included: VS Code
 *  gets password prompts, Cursor ${env:NAME}, Claude Desktop visible <NAME> placeholders to replace by hand,
 *  the generic spec masks. MCPREG_EINVALID when the configuration would carry text the client expands (`${`)
 *  or a name that is not a valid environment variable, header or configuration key. */
MCPREG_CAPI int mcpreg_resolution_config(char **out, const mcpreg_resolution *resolution, const char *server_name,
                                         mcpreg_config_format format, mcpreg_error **err);

/* ---- the engine: a registry hosted in this process ---- */

typedef struct mcpreg_engine_options {
    unsigned version;
    const char *database;   /* a SQLite file, or NULL for memory */
    const char *seed_file;  /* JSON imported at open, or NULL */
    int anonymous_auth;     /* non-zero: POST /v0/auth/none hands out anonymous tokens (tests) */
} mcpreg_engine_options;
#define MCPREG_ENGINE_OPTIONS_VERSION 1
#define MCPREG_ENGINE_OPTIONS_INIT {MCPREG_ENGINE_OPTIONS_VERSION, NULL, NULL, 0}

typedef struct mcpreg_engine mcpreg_engine;
MCPREG_CAPI int mcpreg_engine_open(mcpreg_engine **out, const mcpreg_engine_options *options, mcpreg_error **err);
/** Stops serving (if it was) and frees. */
MCPREG_CAPI void mcpreg_engine_free(mcpreg_engine *engine);
/** Serves HTTP on host:port from the library's own thread; port 0 picks one, written to *bound_port. */
MCPREG_CAPI int mcpreg_engine_listen(mcpreg_engine *engine, const char *host, unsigned short port,
                                     unsigned short *bound_port, mcpreg_error **err);
/** Stops serving; open connections finish their request. Safe to call when not listening. */
MCPREG_CAPI void mcpreg_engine_stop(mcpreg_engine *engine);
/** Answers one request in-process: `body` may be NULL; `*status` and `*response_body` (caller-owned) out. */
MCPREG_CAPI int mcpreg_engine_handle(mcpreg_engine *engine, const char *method, const char *target, const char *body,
                                     int *status, char **response_body, mcpreg_error **err);
/** Stored (name, version) rows. */
MCPREG_CAPI int mcpreg_engine_size(size_t *out, mcpreg_engine *engine, mcpreg_error **err);

#ifdef __cplusplus
}
#endif

#endif /* MCPREG_MCPREG_H */
