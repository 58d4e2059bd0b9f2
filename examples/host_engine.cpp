// Hosts a registry from a seed file on a free port, reads it back in-process and over HTTP, and stops.
//   host_engine SEED.json
#include <mcpreg/client/blocking_client.hpp>
#include <mcpreg/engine/http_server.hpp>

#include <boost/asio/io_context.hpp>

#include <iostream>
#include <thread>

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::cerr << "usage: host_engine SEED.json\n";
        return 2;
    }
    mcpreg::engine::registry_options options;
    options.seed_files = {argv[1]};
    auto registry = mcpreg::engine::registry::open(options);
    if (!registry) {
        std::cerr << registry.error() << '\n';
        return 1;
    }

    // In-process: the client talks to the engine with no sockets at all.
    auto local = mcpreg::blocking_client::create_in_process({}, [&](const mcpreg::http_request& r) {
                     return registry->handle(r);
                 }).value();
    std::cout << "in-process: " << local.list_servers().value().servers.size() << " servers on the first page\n";

    // Over HTTP on 127.0.0.1.
    boost::asio::io_context io;
    mcpreg::engine::http_server server(io.get_executor(), *registry);
    const auto port = server.listen("127.0.0.1", 0).value();
    std::thread engine_thread([&] { io.run(); });
    mcpreg::client_options client_options;
    client_options.base_url = "http://127.0.0.1:" + std::to_string(port);
    auto remote = mcpreg::blocking_client::create(client_options).value();
    std::cout << "over HTTP on port " << port << ": " << remote.list_servers().value().servers.size()
              << " servers on the first page\n";
    server.stop();
    engine_thread.join();
}
