// Reads a server.json and makes a registry client with an installed mcpreg's model and client only.
#include <mcpreg/client/blocking_client.hpp>
#include <mcpreg/model/json.hpp>
#include <mcpreg/version.hpp>

#include <iostream>

int main()
{
    auto server = mcpreg::model::parse_server(R"({"name":"io.github.me/weather","description":"d","version":"1.0.0"})");
    mcpreg::client_options options;
    options.base_url = "https://registry.example";
    auto client = mcpreg::blocking_client::create(options);
    if (!server || !client) return 1;
    std::cout << "mcpreg " << mcpreg::version_string << " client of " << client->async_client().options().base_url
              << '\n';
}
