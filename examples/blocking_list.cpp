// The blocking client: no Asio in sight. Prints how many entries a registry holds.
//   blocking_list [REGISTRY_URL]
#include <mcpreg/client/blocking_client.hpp>

#include <iostream>

int main(int argc, char** argv)
{
    mcpreg::client_options options;
    if (argc > 1) options.base_url = argv[1];
    auto registry = mcpreg::blocking_client::create(options);
    if (!registry) {
        std::cerr << registry.error() << '\n';
        return 1;
    }
    std::size_t count = 0;
    for (const auto& entry : registry->all_servers()) {
        if (!entry) {
            std::cerr << entry.error() << '\n';
            return 1;
        }
        ++count;
    }
    std::cout << count << " entries\n";
}
