// mcpreg fmt [--upgrade] PATH
#include "cli.hpp"
#include "terminal.hpp"

#include <mcpreg/model/json.hpp>

#include <iostream>

namespace mcpreg::cli {
namespace json = boost::json;
namespace {

constexpr std::string_view usage =
    "usage: mcpreg fmt [--upgrade] PATH\n"
    "\n"
    "Reads PATH ('-' for standard input) through mcpreg's typed model and prints it back, indented.\n"
    "PATH may hold a server.json, an array of them, a server response, an array of responses or a\n"
    "list page. Without --upgrade the output equals the input as JSON values: unknown fields, foreign\n"
    "_meta and each document's own field style are kept.\n"
    "\n"
    "  --upgrade   rewrite every server.json into the current schema (camelCase fields, current\n"
    "              $schema, registry-managed fields dropped)\n"
    "\n"
    "Exit status: 0 printed, 2 PATH unreadable, not JSON, or not readable as these documents.\n";

model::write_options style_of(const json::value& server_json, bool upgrade)
{
    model::write_options options;
    if (!upgrade && model::detect_generation(server_json) == model::schema_generation::v2025_07_09)
        options.style = model::field_style::snake_case;
    return options;
}

result<json::value> format_server(const json::value& server_json, bool upgrade)
{
    auto server = model::server_from_json(server_json);
    if (!server) return server.error();
    return model::to_json(upgrade ? model::upgrade(std::move(*server)) : std::move(*server),
                          style_of(server_json, upgrade));
}

result<json::value> format_response(const json::value& response_json, bool upgrade)
{
    auto response = model::server_response_from_json(response_json);
    if (!response) return response.error();
    const auto* server_json = response_json.get_object().if_contains("server");
    const auto options = style_of(server_json ? *server_json : response_json, upgrade);
    if (upgrade) response->server = model::upgrade(std::move(response->server));
    return model::to_json(*response, options);
}

result<json::value> format_document(const json::value& document, bool upgrade)
{
    using model::document_kind;
    switch (model::classify_document(document)) {
    case document_kind::server: return format_server(document, upgrade);
    case document_kind::server_response: return format_response(document, upgrade);
    case document_kind::server_list: {
        auto list = model::server_list_from_json(document);
        if (!list) return list.error();
        auto out = model::to_json(*list);  // envelope and metadata; each entry is formatted in its own style
        auto& servers = out.as_object()["servers"].as_array();
        const auto& input_servers = document.at("servers").as_array();
        for (std::size_t i = 0; i < servers.size(); ++i) {
            auto entry = format_response(input_servers[i], upgrade);
            if (!entry) return entry.error();
            servers[i] = std::move(*entry);
        }
        return out;
    }
    case document_kind::server_array:
    case document_kind::server_response_array: {
        json::array out;
        std::size_t index = 0;
        for (const auto& item : document.get_array()) {
            const bool is_response = item.is_object() && item.get_object().contains("server");
            auto entry = is_response ? format_response(item, upgrade) : format_server(item, upgrade);
            if (!entry) {
                auto e = entry.error();
                e.diag.message = "entry " + std::to_string(index) + ": " + e.diag.message;
                return e;
            }
            out.push_back(std::move(*entry));
            ++index;
        }
        return json::value(std::move(out));
    }
    case document_kind::unknown: break;
    }
    return make_error(errc::unknown_document, "not a server.json, server response, list page or array of them");
}

}  // namespace

int run_fmt(const arguments& args)
{
    bool upgrade = false;
    std::string path;
    for (const auto arg : args) {
        if (arg == "--help" || arg == "-h") {
            std::cout << usage;
            return exit_ok;
        }
        if (arg == "--upgrade") upgrade = true;
        else if (arg.starts_with("-") && arg != "-") {
            std::cerr << "mcpreg fmt: unknown option '" << terminal_text(arg) << "'\n" << usage;
            return exit_unreadable;
        }
        else if (path.empty()) path = arg;
        else {
            std::cerr << "mcpreg fmt: takes one PATH\n" << usage;
            return exit_unreadable;
        }
    }
    if (path.empty()) {
        std::cerr << usage;
        return exit_unreadable;
    }
    auto document = model::read_json_file(path);
    if (!document) {
        std::cerr << "mcpreg fmt: " << terminal_text(document.error().diag.message) << '\n';
        return exit_unreadable;
    }
    auto formatted = format_document(*document, upgrade);
    if (!formatted) {
        std::cerr << "mcpreg fmt: " << terminal_text(path) << ": " << terminal_text(formatted.error().diag.message)
                  << '\n';
        return exit_unreadable;
    }
    // The same JSON value, with the controls a terminal would act on written as \u escapes.
    std::cout << terminal_json_text(model::pretty_print(*formatted));
    return exit_ok;
}

}  // namespace mcpreg::cli
