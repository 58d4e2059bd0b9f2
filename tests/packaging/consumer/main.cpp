// Reads, validates and writes a server.json with an installed mcpreg.
#include <mcpreg/model/json.hpp>
#include <mcpreg/model/semver.hpp>
#include <mcpreg/model/validate.hpp>
#include <mcpreg/version.hpp>

#include <iostream>

int main()
{
    auto server = mcpreg::model::parse_server(R"({"name":"io.github.me/weather","description":"d","version":"1.0.0"})");
    if (!server || !mcpreg::model::is_valid(mcpreg::model::validate(*server))) return 1;
    if (!mcpreg::model::is_semantic_version(server->version)) return 1;
    std::cout << "mcpreg " << mcpreg::version_string << ": " << mcpreg::model::serialize(*server) << '\n';
}
