// Walks every latest server of a registry with the coroutine pager.
//   list_coroutine [REGISTRY_URL]
#include <mcpreg/client/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <iostream>

boost::asio::awaitable<void> print_all(mcpreg::client registry)
{
    mcpreg::list_options query;
    query.version = "latest";
    query.limit = 100;
    mcpreg::pager pages(registry, query);
    while (!pages.done())
        for (const auto& entry : (co_await pages.async_next_page()).servers)
            std::cout << entry.server.name << ' ' << entry.server.version << '\n';
}

int main(int argc, char** argv)
{
    boost::asio::io_context io;
    mcpreg::client_options options;
    if (argc > 1) options.base_url = argv[1];
    auto registry = mcpreg::client::create(io.get_executor(), options);
    if (!registry) {
        std::cerr << registry.error() << '\n';
        return 1;
    }
    boost::asio::co_spawn(io, print_all(*registry), [](std::exception_ptr failure) {
        if (!failure) return;
        try {
            std::rethrow_exception(failure);
        }
        catch (const std::exception& e) {
            std::cerr << "failed: " << e.what() << '\n';
        }
    });
    io.run();
}
