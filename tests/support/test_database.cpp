#include "test_database.hpp"

#include <mcpreg/config.hpp>

#if MCPREG_WITH_POSTGRES
#include <libpq-fe.h>
#endif
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace mcpreg::test {

std::optional<std::string> postgres_server()
{
    const char* state = std::getenv("MCPREG_TEST_POSTGRES");
    if (!state || !*state) return std::nullopt;
    std::ifstream in(state);
    std::string directory, uri;
    if (!std::getline(in, directory) || !std::getline(in, uri) || uri.empty())
        throw std::runtime_error(std::string("no PostgreSQL test server recorded in ") + state);
    return uri;
}

std::string fresh_database()
{
    auto server = postgres_server();
    if (!server) return ":memory:";
#if !MCPREG_WITH_POSTGRES
    throw std::runtime_error("MCPREG_TEST_POSTGRES is set, but this mcpreg was built without PostgreSQL");
#else
    static std::atomic<int> counter{0};
    const std::string schema = "t" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(server->c_str()), &PQfinish);
    if (PQstatus(conn.get()) != CONNECTION_OK)
        throw std::runtime_error("cannot reach the PostgreSQL test server: " + std::string(PQerrorMessage(conn.get())));
    PQsetNoticeProcessor(
        conn.get(), [](void*, const char*) {}, nullptr);
    std::unique_ptr<PGresult, decltype(&PQclear)> made(
        PQexec(conn.get(), ("DROP SCHEMA IF EXISTS " + schema + " CASCADE; CREATE SCHEMA " + schema).c_str()),
        &PQclear);
    if (PQresultStatus(made.get()) != PGRES_COMMAND_OK)
        throw std::runtime_error("cannot create a test schema: " + std::string(PQerrorMessage(conn.get())));
    return *server + "&options=-csearch_path%3D" + schema;
#endif
}

std::string shared_key_file()
{
    static const std::string path = [] {
        char directory[] = "/tmp/mcpreg-test-key.XXXXXX";
        if (!::mkdtemp(directory)) throw std::runtime_error("cannot make a directory for the test signing key");
        return std::string(directory) + "/jwt-key.pem";
    }();
    return path;
}

}  // namespace mcpreg::test
