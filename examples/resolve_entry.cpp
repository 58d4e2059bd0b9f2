// Resolves a registry entry into a command line, asking for what is missing the way a host would.
//   example_resolve_entry NAME [REGISTRY_URL] [KEY=VALUE]...
#include <mcpreg/client/blocking_client.hpp>
#include <mcpreg/resolve/resolve.hpp>

#include <iostream>

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::cerr << "usage: example_resolve_entry NAME [REGISTRY_URL] [KEY=VALUE]...\n";
        return 2;
    }
    mcpreg::client_options options;
    if (argc > 2) options.base_url = argv[2];
    auto client = mcpreg::blocking_client::create(options).value();
    auto entry = client.get_server({.name = argv[1]});
    if (!entry) {
        std::cerr << entry.error() << '\n';
        return 1;
    }
    mcpreg::resolve::input_values inputs;
    for (int i = 3; i < argc; ++i) {
        const std::string pair = argv[i];
        const auto eq = pair.find('=');
        if (eq != std::string::npos) inputs[pair.substr(0, eq)].push_back(pair.substr(eq + 1));
    }
    auto resolved = mcpreg::resolve::resolve(entry->server, {}, inputs);
    if (!resolved) {
        std::cerr << resolved.error() << '\n';
        return 1;
    }
    if (!resolved->complete()) {
        for (const auto& m : resolved->missing)
            std::cout << "needs " << m.name << (m.is_secret ? " (secret)" : "") << ": " << m.description.value_or("")
                      << '\n';
        return 3;
    }
    const auto& spec = resolved->spec;
    if (spec.command.empty()) std::cout << "connect to " << *spec.url << '\n';
    else std::cout << "run: " << mcpreg::resolve::posix_command_line(spec.argv()) << '\n';
    return 0;
}
