// Servers for the engine's write-rule and storage tests: a name, a version and, when given, remote URLs.
#pragma once

#include <mcpreg/model/server.hpp>

#include <string>
#include <vector>

namespace mcpreg::test {

inline model::server server_of(std::string name, std::string version, std::vector<std::string> urls = {},
                               std::string description = "a test server")
{
    model::server s;
    s.name = std::move(name);
    s.version = std::move(version);
    s.description = std::move(description);
    if (!urls.empty()) {
        s.remotes.emplace();
        for (auto& url : urls) {
            model::transport t;
            t.type = "streamable-http";
            t.url = std::move(url);
            s.remotes->push_back(std::move(t));
        }
    }
    return s;
}

}  // namespace mcpreg::test
