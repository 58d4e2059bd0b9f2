// Reading whole files and finding the server.json documents they hold.
#include <mcpreg/model/json.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

namespace mcpreg::model {

result<boost::json::value> read_json_file(const std::string& path, std::size_t max_bytes)
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
    auto json = parse_json(text);
    if (!json) return make_error(errc::json_syntax, path + ": " + json.error().diag.message);
    return std::move(*json);
}

std::vector<located_server> locate_servers(const boost::json::value& document)
{
    std::vector<located_server> found;
    // An entry of an array or list: a {server, _meta} response, or a server.json itself.
    auto add_entry = [&found](const boost::json::value& item, std::string pointer) {
        const auto* server = item.is_object() ? item.get_object().if_contains("server") : nullptr;
        if (server && server->is_object()) found.push_back({pointer + "/server", server, &item});
        else found.push_back({std::move(pointer), &item, nullptr});
    };
    switch (classify_document(document)) {
    case document_kind::server_response: found.push_back({"/server", &document.at("server"), &document}); break;
    case document_kind::server_list: {
        const auto& servers = document.at("servers").get_array();
        for (std::size_t i = 0; i < servers.size(); ++i) add_entry(servers[i], "/servers/" + std::to_string(i));
        break;
    }
    case document_kind::server_array:
    case document_kind::server_response_array: {
        const auto& items = document.get_array();
        for (std::size_t i = 0; i < items.size(); ++i) add_entry(items[i], "/" + std::to_string(i));
        break;
    }
    case document_kind::server:
    case document_kind::unknown: found.push_back({"", &document, nullptr}); break;
    }
    return found;
}

}  // namespace mcpreg::model
