/* The C API: list the latest version of every server of a registry, page by page.
 *   example_c_list [REGISTRY_URL] */
#include <mcpreg/mcpreg.h>

#include <stdio.h>

int main(int argc, char **argv)
{
    mcpreg_client_options options = MCPREG_CLIENT_OPTIONS_INIT;
    mcpreg_list_options query = MCPREG_LIST_OPTIONS_INIT;
    mcpreg_client *client = NULL;
    mcpreg_server_iter *iter = NULL;
    const mcpreg_server *server = NULL;
    mcpreg_error *err = NULL;
    int status;
    size_t count = 0;

    if (argc > 1) options.base_url = argv[1];
    if (mcpreg_client_new(&client, &options, &err) != MCPREG_OK) goto failed;
    query.latest_only = 1;
    if (mcpreg_client_list_servers(&iter, client, &query, &err) != MCPREG_OK) goto failed;
    while ((status = mcpreg_server_iter_next(&server, iter, &err)) == MCPREG_OK) {
        printf("%s %s\n", mcpreg_server_name(server), mcpreg_server_version(server));
        ++count;
    }
    if (status != MCPREG_ITEROVER) goto failed;
    fprintf(stderr, "%zu servers\n", count);
    mcpreg_server_iter_free(iter);
    mcpreg_client_free(client);
    return 0;

failed:
    fprintf(stderr, "error %d: %s\n", mcpreg_error_code(err), mcpreg_error_message(err));
    mcpreg_error_free(err);
    mcpreg_server_iter_free(iter);
    mcpreg_client_free(client);
    return 1;
}
