// One server two ways: with a callback, then with std::future.
//   get_callback_future NAME [REGISTRY_URL]
#include <mcpreg/client/client.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <iostream>
#include <thread>

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::cerr << "usage: get_callback_future NAME [REGISTRY_URL]\n";
        return 2;
    }
    boost::asio::io_context io;
    mcpreg::client_options options;
    if (argc > 2) options.base_url = argv[2];
    auto registry = mcpreg::client::create(io.get_executor(), options).value();

    // 1. A callback. Diagnostics arrive through call_options.
    mcpreg::diagnostics diag;
    mcpreg::call_options call;
    call.diag = &diag;
    registry.async_get_server(
        {.name = argv[1]}, call, [&](mcpreg::error_code ec, mcpreg::model::server_response entry) {
            if (ec) std::cerr << "callback: " << diag.message << " " << diag.server_message << '\n';
            else std::cout << "callback: " << entry.server.name << ' ' << entry.server.version << '\n';
        });
    io.run();

    // 2. A future, with the io_context running on another thread.
    io.restart();
    auto work = boost::asio::make_work_guard(io);
    std::thread runner([&] { io.run(); });
    auto future = registry.async_list_versions({.name = argv[1]}, {}, boost::asio::use_future);
    try {
        std::cout << "future: " << future.get().servers.size() << " versions\n";
    }
    catch (const std::exception& e) {
        std::cerr << "future: " << e.what() << '\n';
    }
    work.reset();
    runner.join();
}
