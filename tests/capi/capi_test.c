/* Calls every function of the C API against an engine this program hosts on 127.0.0.1. Compiled as
 * C11 with -Wall -Wextra -pedantic -Werror; run under ASan (and valgrind when available). */
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include <mcpreg/mcpreg.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int failures = 0;
#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            ++failures;                                                              \
        }                                                                            \
    } while (0)

static const char *valid_json =
    "{\"$schema\":\"https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json\","
    "\"name\":\"io.github.example/weather\",\"description\":\"Weather\",\"version\":\"1.2.0\","
    "\"title\":\"Weather\",\"packages\":[{\"registryType\":\"npm\",\"identifier\":\"@example/weather\","
    "\"version\":\"1.2.0\",\"transport\":{\"type\":\"stdio\"},\"environmentVariables\":[{\"name\":\"API_KEY\","
    "\"isRequired\":true,\"isSecret\":true}]}]}";

struct async_outcome {
    atomic_int done;
    int status;
    int http_status;
    size_t entries;
    int has_cursor;
    char name[128];
};

static void on_server(int status, mcpreg_server *server, mcpreg_error *err, void *user_data)
{
    struct async_outcome *out = user_data;
    out->status = status;
    out->http_status = mcpreg_error_http_status(err);
    if (server) snprintf(out->name, sizeof out->name, "%s", mcpreg_server_name(server));
    mcpreg_server_free(server);
    mcpreg_error_free(err);
    atomic_store(&out->done, 1);
}

static void on_page(int status, mcpreg_server_iter *page, mcpreg_error *err, void *user_data)
{
    struct async_outcome *out = user_data;
    const mcpreg_server *item = NULL;
    out->status = status;
    while (page && mcpreg_server_iter_next(&item, page, NULL) == MCPREG_OK) ++out->entries;
    out->has_cursor = page && mcpreg_server_iter_cursor(page) != NULL;
    mcpreg_server_iter_free(page);
    mcpreg_error_free(err);
    atomic_store(&out->done, 1);
}

static int wait_for(struct async_outcome *outcome)
{
    struct timespec tick = {0, 10 * 1000 * 1000};
    int i;
    for (i = 0; i < 1000 && !atomic_load(&outcome->done); ++i) nanosleep(&tick, NULL);
    return atomic_load(&outcome->done);
}

static void model_functions(void)
{
    mcpreg_server *server = NULL;
    mcpreg_error *err = NULL;
    char *json = NULL;
    mcpreg_validation *validation = NULL;
    size_t i;

    CHECK(mcpreg_server_parse(&server, valid_json, strlen(valid_json), &err) == MCPREG_OK);
    CHECK(err == NULL);
    CHECK(strcmp(mcpreg_server_name(server), "io.github.example/weather") == 0);
    CHECK(strcmp(mcpreg_server_version(server), "1.2.0") == 0);
    CHECK(strcmp(mcpreg_server_description(server), "Weather") == 0);
    CHECK(strcmp(mcpreg_server_title(server), "Weather") == 0);
    CHECK(mcpreg_server_status(server) == NULL);
    CHECK(mcpreg_server_is_latest(server) == 0);
    CHECK(mcpreg_server_to_json(&json, server, NULL) == MCPREG_OK);
    CHECK(strstr(json, "\"identifier\":\"@example/weather\"") != NULL);
    mcpreg_string_free(json);

    {
        const char *inputs[] = {"API_KEY=k-1"};
        mcpreg_resolution *r = NULL;
        char *config = NULL;
        CHECK(mcpreg_resolve(&r, server, NULL, NULL, 0, &err) == MCPREG_EINPUTS);
        CHECK(mcpreg_error_code(err) == MCPREG_EINPUTS);
        mcpreg_error_free(err);
        err = NULL;
        CHECK(mcpreg_resolution_missing_count(r) == 1);
        CHECK(strcmp(mcpreg_resolution_missing_name(r, 0), "API_KEY") == 0);
        CHECK(strcmp(mcpreg_resolution_missing_used_in(r, 0), "packages[0].environmentVariables[0]") == 0);
        CHECK(strcmp(mcpreg_resolution_missing_problem(r, 0), "required") == 0);
        CHECK(mcpreg_resolution_missing_is_secret(r, 0) == 1);
        CHECK(mcpreg_resolution_missing_name(r, 5) == NULL);
        CHECK(mcpreg_resolution_config(&config, r, "io.github.example/weather", MCPREG_CONFIG_VSCODE, NULL) ==
              MCPREG_EINPUTS);
        mcpreg_resolution_free(r);

        CHECK(mcpreg_resolve(&r, server, "npm", inputs, 1, &err) == MCPREG_OK);
        CHECK(strcmp(mcpreg_resolution_transport(r), "stdio") == 0);
        CHECK(strcmp(mcpreg_resolution_command(r), "npx") == 0);
        CHECK(mcpreg_resolution_arg_count(r) == 2);
        CHECK(strcmp(mcpreg_resolution_arg(r, 0), "-y") == 0);
        CHECK(strcmp(mcpreg_resolution_arg(r, 1), "@example/weather@1.2.0") == 0);
        CHECK(mcpreg_resolution_arg(r, 2) == NULL);
        CHECK(mcpreg_resolution_env_count(r) == 1);
        CHECK(strcmp(mcpreg_resolution_env_name(r, 0), "API_KEY") == 0);
        CHECK(strcmp(mcpreg_resolution_env_value(r, 0), "k-1") == 0);
        CHECK(mcpreg_resolution_env_is_secret(r, 0) == 1);
        CHECK(mcpreg_resolution_url(r) == NULL);
        for (i = 0; i < 4; ++i) {
            CHECK(mcpreg_resolution_config(&config, r, "io.github.example/weather", (mcpreg_config_format)i, NULL) ==
                  MCPREG_OK);
            CHECK(strstr(config, "k-1") == NULL); /* secrets never reach a configuration */
            mcpreg_string_free(config);
        }
        mcpreg_resolution_free(r);
        CHECK(mcpreg_resolve(&r, server, "pypi", NULL, 0, &err) == MCPREG_EINVALID);
        CHECK(r == NULL);
        mcpreg_error_free(err);
        err = NULL;
    }
    mcpreg_server_free(server);

    CHECK(mcpreg_server_parse(&server, "{not json", 9, &err) == MCPREG_EPARSE);
    CHECK(server == NULL);
    CHECK(mcpreg_error_code(err) == MCPREG_EPARSE);
    CHECK(strlen(mcpreg_error_message(err)) > 0);
    mcpreg_error_free(err);
    err = NULL;

    CHECK(mcpreg_validate(&validation, valid_json, strlen(valid_json), NULL) == MCPREG_OK);
    CHECK(mcpreg_validation_valid(validation) == 1);
    mcpreg_validation_free(validation);
    {
        const char *bad = "{\"name\":\"no-slash\",\"description\":\"d\",\"version\":\"latest\"}";
        CHECK(mcpreg_validate(&validation, bad, strlen(bad), NULL) == MCPREG_OK);
        CHECK(mcpreg_validation_valid(validation) == 0);
        CHECK(mcpreg_validation_issue_count(validation) >= 2);
        for (i = 0; i < mcpreg_validation_issue_count(validation); ++i) {
            CHECK(mcpreg_validation_issue_path(validation, i) != NULL);
            CHECK(mcpreg_validation_issue_rule(validation, i) != NULL);
            CHECK(mcpreg_validation_issue_message(validation, i) != NULL);
            CHECK(mcpreg_validation_issue_severity(validation, i) != NULL);
        }
        CHECK(mcpreg_validation_issue_rule(validation, 999) == NULL);
        mcpreg_validation_free(validation);
    }
}

static void engine_and_client(const char *seed_file, const char *cache_path)
{
    mcpreg_engine_options engine_options = MCPREG_ENGINE_OPTIONS_INIT;
    mcpreg_client_options client_options = MCPREG_CLIENT_OPTIONS_INIT;
    mcpreg_list_options list_options = MCPREG_LIST_OPTIONS_INIT;
    mcpreg_engine *engine = NULL;
    mcpreg_client *client = NULL;
    mcpreg_server *server = NULL;
    mcpreg_server_iter *iter = NULL;
    const mcpreg_server *item = NULL;
    mcpreg_error *err = NULL;
    unsigned short port = 0;
    char url[64];
    char *body = NULL;
    int status = 0, rc;
    size_t size = 0, count = 0, latest = 0;

    engine_options.seed_file = seed_file;
    engine_options.anonymous_auth = 1;
    CHECK(mcpreg_engine_open(&engine, &engine_options, &err) == MCPREG_OK);
    CHECK(mcpreg_engine_size(&size, engine, NULL) == MCPREG_OK);
    CHECK(size == 2376);
    CHECK(mcpreg_engine_handle(engine, "GET", "/v0.1/servers?limit=1", NULL, &status, &body, NULL) == MCPREG_OK);
    CHECK(status == 200);
    CHECK(strstr(body, "\"servers\"") != NULL);
    mcpreg_string_free(body);
    CHECK(mcpreg_engine_listen(engine, "127.0.0.1", 0, &port, &err) == MCPREG_OK);
    CHECK(port != 0);
    CHECK(mcpreg_engine_listen(engine, "127.0.0.1", 0, &port, &err) == MCPREG_EINVALID); /* already */
    mcpreg_error_free(err);
    err = NULL;
    snprintf(url, sizeof url, "http://127.0.0.1:%u", (unsigned)port);

    client_options.base_url = url;
    client_options.cache_path = cache_path;
    CHECK(mcpreg_client_new(&client, &client_options, &err) == MCPREG_OK);
    CHECK(mcpreg_client_get_server(&server, client, "io.github.github/github-mcp-server", NULL, &err) == MCPREG_OK);
    CHECK(strcmp(mcpreg_server_status(server), "active") == 0);
    CHECK(mcpreg_server_is_latest(server) == 1);
    mcpreg_server_free(server);
    CHECK(mcpreg_client_get_server(&server, client, "io.github.nobody/none", "1.0.0", &err) == MCPREG_ENOTFOUND);
    CHECK(mcpreg_error_http_status(err) == 404);
    CHECK(strlen(mcpreg_error_server_message(err)) > 0);
    mcpreg_error_free(err);
    err = NULL;

    list_options.latest_only = 1;
    CHECK(mcpreg_client_list_servers(&iter, client, &list_options, &err) == MCPREG_OK);
    while ((rc = mcpreg_server_iter_next(&item, iter, &err)) == MCPREG_OK) {
        ++latest;
        if (latest == 150) CHECK(mcpreg_server_iter_cursor(iter) != NULL);
    }
    CHECK(rc == MCPREG_ITEROVER);
    CHECK(latest == 902);
    CHECK(mcpreg_server_iter_cursor(iter) == NULL);
    mcpreg_server_iter_free(iter);

    CHECK(mcpreg_client_list_versions(&iter, client, "io.github.github/github-mcp-server", &err) == MCPREG_OK);
    while ((rc = mcpreg_server_iter_next(&item, iter, &err)) == MCPREG_OK) {
        CHECK(strcmp(mcpreg_server_name(item), "io.github.github/github-mcp-server") == 0);
        ++count;
    }
    CHECK(rc == MCPREG_ITEROVER);
    CHECK(count > 1);
    mcpreg_server_iter_free(iter);

    {
        /* Asynchronous reads complete on the client's thread. */
        struct async_outcome got, missing, page;
        memset(&got, 0, sizeof got);
        memset(&missing, 0, sizeof missing);
        memset(&page, 0, sizeof page);
        list_options.latest_only = 0;
        list_options.page_size = 10;
        CHECK(mcpreg_client_get_server_async(client, "io.github.github/github-mcp-server", NULL, on_server, &got,
                                             &err) == MCPREG_OK);
        CHECK(mcpreg_client_get_server_async(client, "io.github.nobody/none", NULL, on_server, &missing, &err) ==
              MCPREG_OK);
        CHECK(mcpreg_client_list_page_async(client, &list_options, on_page, &page, &err) == MCPREG_OK);
        CHECK(wait_for(&got) && wait_for(&missing) && wait_for(&page));
        CHECK(got.status == MCPREG_OK);
        CHECK(strcmp(got.name, "io.github.github/github-mcp-server") == 0);
        CHECK(missing.status == MCPREG_ENOTFOUND);
        CHECK(missing.http_status == 404);
        CHECK(page.status == MCPREG_OK);
        CHECK(page.entries == 10);
        CHECK(page.has_cursor == 1);
        CHECK(mcpreg_client_get_server_async(client, "x", NULL, NULL, NULL, &err) == MCPREG_EINVALID);
        mcpreg_error_free(err);
        err = NULL;
    }

    {
        /* Writes, then the catalog sees them. */
        mcpreg_catalog *catalog = NULL;
        mcpreg_server *mine = NULL, *stored = NULL;
        char *token = NULL;
        size_t fetched = 0, added = 0, updated = 0, deleted = 0, rows = 0;
        const char *doc = "{\"$schema\":\"https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json\","
                          "\"name\":\"io.modelcontextprotocol.anonymous/c-api\",\"description\":\"From C zebras\","
                          "\"version\":\"1.0.0\"}";
        CHECK(mcpreg_catalog_open(&catalog, NULL, &err) == MCPREG_OK);
        CHECK(mcpreg_catalog_sync(catalog, client, &fetched, &added, &updated, &deleted, &err) == MCPREG_OK);
        CHECK(fetched == 2376 && added == 2376 && updated == 0 && deleted == 0);
        CHECK(mcpreg_client_login(&token, client, "none", NULL, &err) == MCPREG_OK);
        CHECK(token != NULL && strlen(token) > 20);
        CHECK(mcpreg_server_parse(&mine, doc, strlen(doc), NULL) == MCPREG_OK);
        CHECK(mcpreg_client_publish(&stored, client, mine, token, &err) == MCPREG_OK);
        CHECK(mcpreg_server_is_latest(stored) == 1);
        mcpreg_server_free(stored);
        CHECK(mcpreg_client_publish(NULL, client, mine, token, &err) == MCPREG_EHTTP); /* duplicate version */
        CHECK(mcpreg_error_http_status(err) == 400);
        mcpreg_error_free(err);
        err = NULL;
        CHECK(mcpreg_client_set_status(client, "io.modelcontextprotocol.anonymous/c-api", "1.0.0", "deprecated",
                                       "use 2", token, &err) == MCPREG_OK);
        CHECK(mcpreg_client_set_status(client, "io.modelcontextprotocol.anonymous/c-api", NULL, "sleeping", NULL,
                                       token, &err) == MCPREG_EINVALID);
        mcpreg_error_free(err);
        err = NULL;
        CHECK(mcpreg_catalog_sync(catalog, client, &fetched, &added, &updated, &deleted, &err) == MCPREG_OK);
        CHECK(added == 1);
        CHECK(mcpreg_catalog_size(&rows, catalog, NULL) == MCPREG_OK);
        CHECK(rows == 2377);
        CHECK(mcpreg_catalog_search(&iter, catalog, "zebras", 5, &err) == MCPREG_OK);
        CHECK(mcpreg_server_iter_next(&item, iter, &err) == MCPREG_OK);
        CHECK(strcmp(mcpreg_server_name(item), "io.modelcontextprotocol.anonymous/c-api") == 0);
        CHECK(strcmp(mcpreg_server_status(item), "deprecated") == 0);
        {
            mcpreg_server *kept = NULL;
            CHECK(mcpreg_server_clone(&kept, item, NULL) == MCPREG_OK);
            CHECK(strcmp(mcpreg_server_status(kept), "deprecated") == 0);
            mcpreg_server_free(kept);
        }
        CHECK(mcpreg_server_iter_next(&item, iter, &err) == MCPREG_ITEROVER);
        mcpreg_server_iter_free(iter);
        mcpreg_server_free(mine);
        mcpreg_string_free(token);
        mcpreg_catalog_free(catalog);
    }
    {
        /* Freeing a client waits for its pending callbacks. */
        struct async_outcome pending;
        memset(&pending, 0, sizeof pending);
        CHECK(mcpreg_client_get_server_async(client, "io.github.github/github-mcp-server", "latest", on_server,
                                             &pending, &err) == MCPREG_OK);
        mcpreg_client_free(client);
        CHECK(atomic_load(&pending.done) == 1);
    }

    /* Stopped: the cache (fresh for the engine's max-age) still answers, and offline mode needs no network. */
    mcpreg_engine_stop(engine);
    mcpreg_engine_stop(engine);
    client_options.offline = 1;
    CHECK(mcpreg_client_new(&client, &client_options, &err) == MCPREG_OK);
    CHECK(mcpreg_client_get_server(&server, client, "io.github.github/github-mcp-server", NULL, &err) == MCPREG_OK);
    mcpreg_server_free(server);
    CHECK(mcpreg_client_get_server(&server, client, "io.github.nobody/none", NULL, &err) == MCPREG_ECACHE);
    mcpreg_error_free(err);
    err = NULL;
    mcpreg_client_free(client);
    client_options.cache_path = NULL;
    CHECK(mcpreg_client_new(&client, &client_options, &err) == MCPREG_EINVALID); /* offline without a cache */
    CHECK(client == NULL);
    mcpreg_error_free(err);
    err = NULL;
    mcpreg_engine_free(engine);
}

int main(int argc, char **argv)
{
    int major = -1, minor = -1, patch = -1;
    mcpreg_client_options bad = MCPREG_CLIENT_OPTIONS_INIT;
    mcpreg_client *client = NULL;
    mcpreg_error *err = NULL;

    if (argc != 3) {
        fprintf(stderr, "usage: capi_test SEED_FILE CACHE_PATH\n");
        return 2;
    }
    mcpreg_version(&major, &minor, &patch);
    CHECK(major == MCPREG_VERSION_MAJOR && minor == MCPREG_VERSION_MINOR && patch == MCPREG_VERSION_PATCH);
    CHECK(strcmp(mcpreg_version_string(), MCPREG_VERSION_STRING) == 0);
    mcpreg_version(NULL, NULL, NULL);

    /* NULL is accepted by every free function and by the error accessors. */
    mcpreg_error_free(NULL);
    mcpreg_string_free(NULL);
    mcpreg_server_free(NULL);
    mcpreg_validation_free(NULL);
    mcpreg_client_free(NULL);
    mcpreg_server_iter_free(NULL);
    mcpreg_resolution_free(NULL);
    mcpreg_engine_free(NULL);
    mcpreg_engine_stop(NULL);
    mcpreg_catalog_free(NULL);
    CHECK(mcpreg_error_code(NULL) == MCPREG_OK);
    CHECK(strcmp(mcpreg_error_message(NULL), "") == 0);

    bad.version = 99;
    CHECK(mcpreg_client_new(&client, &bad, &err) == MCPREG_EINVALID);
    CHECK(strstr(mcpreg_error_message(err), "version 99") != NULL);
    mcpreg_error_free(err);
    CHECK(mcpreg_client_new(NULL, NULL, NULL) == MCPREG_EINVALID);

    model_functions();
    engine_and_client(argv[1], argv[2]);
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("all C API checks passed\n");
    return 0;
}
