#include "cli.hpp"

#include <mcpreg/model/json.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace mcpreg::cli {

result<std::string> read_input_file(const std::string& path, std::size_t max_bytes)
{
    std::ifstream file;
    std::istream* in = &std::cin;
    if (path != "-") {
        file.open(path, std::ios::binary);
        if (!file) return make_error(errc::io_error, path + ": cannot open: " + std::strerror(errno));
        in = &file;
    }
    std::string text;
    char buffer[1 << 16];
    while (*in) {
        in->read(buffer, sizeof buffer);
        text.append(buffer, static_cast<std::size_t>(in->gcount()));
        if (text.size() > max_bytes)
            return make_error(errc::io_error, path + ": larger than " + std::to_string(max_bytes >> 20) + " MiB");
    }
    if (in->bad()) return make_error(errc::io_error, path + ": read error");
    return text;
}

result<boost::json::value> read_json_file(const std::string& path)
{
    auto text = read_input_file(path);
    if (!text) return text.error();
    auto json = model::parse_json(*text);
    if (!json) return make_error(errc::json_syntax, path + ": " + json.error().diag.message);
    return std::move(*json);
}

std::vector<located_server> locate_servers(const boost::json::value& document)
{
    using model::document_kind;
    std::vector<located_server> found;
    switch (model::classify_document(document)) {
    case document_kind::server_response: found.push_back({"/server", &document.at("server")}); break;
    case document_kind::server_list: {
        const auto& servers = document.at("servers").get_array();
        for (std::size_t i = 0; i < servers.size(); ++i) {
            const auto* server = servers[i].is_object() ? servers[i].get_object().if_contains("server") : nullptr;
            if (server) found.push_back({"/servers/" + std::to_string(i) + "/server", server});
            else found.push_back({"/servers/" + std::to_string(i), &servers[i]});
        }
        break;
    }
    case document_kind::server_array:
    case document_kind::server_response_array: {
        const auto& items = document.get_array();
        for (std::size_t i = 0; i < items.size(); ++i) {
            const auto* server = items[i].is_object() ? items[i].get_object().if_contains("server") : nullptr;
            if (server && server->is_object()) found.push_back({"/" + std::to_string(i) + "/server", server});
            else found.push_back({"/" + std::to_string(i), &items[i]});
        }
        break;
    }
    case document_kind::server:
    case document_kind::unknown: found.push_back({"", &document}); break;
    }
    return found;
}

}  // namespace mcpreg::cli
