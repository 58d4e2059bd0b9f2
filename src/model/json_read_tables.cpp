#include "json_read_tables.hpp"

namespace mcpreg::model::detail {
namespace json = boost::json;

schemas::schemas()
{
    add_input_tables();
    add_server_tables();
    add_response_tables();
}

// The inputs, arguments and transports a package or a remote is described with.
void schemas::add_input_tables()
{
    {
        std::vector<field_def> f;
        add_input_fields<model::input>(f, nullptr);
        input = schema_for<model::input>(std::move(f));
        input.emplace_key = [](void* m, std::string_view key) -> void* {
            auto& slot = (*static_cast<input_map*>(m))[std::string(key)];
            slot = {};  // a repeated key: the last one wins, as in a DOM
            return &slot;
        };
    }
    {
        std::vector<field_def> f{{"name", field_type::text, true, nullptr, MCPREG_MEMBER(key_value_input, name)}};
        add_input_fields<key_value_input>(f, &input);
        key_value = schema_for<key_value_input>(std::move(f));
    }
    {
        std::vector<field_def> f{
            {"type", field_type::text, true, nullptr, MCPREG_MEMBER(model::argument, type)},
            {"name", field_type::text, false, nullptr, MCPREG_MEMBER(model::argument, name)},
            {"valueHint", field_type::text, false, nullptr, MCPREG_MEMBER(model::argument, value_hint)},
            {"isRepeated", field_type::flag, false, nullptr, MCPREG_MEMBER(model::argument, is_repeated)},
        };
        add_input_fields<model::argument>(f, &input);
        argument = schema_for<model::argument>(std::move(f));
    }
    transport = schema_for<model::transport>({
        {"type", field_type::text, true, nullptr, MCPREG_MEMBER(model::transport, type)},
        {"url", field_type::text, false, nullptr, MCPREG_MEMBER(model::transport, url)},
        {"headers", field_type::objects, false, &key_value, MCPREG_EMPLACED(model::transport, headers)},
        {"variables", field_type::inputs, false, &input, MCPREG_MEMBER(model::transport, variables)},
    });
}

// server.json itself: its packages, repository and icons.
void schemas::add_server_tables()
{
    package = schema_for<model::package>({
        {"registryType", field_type::text, true, nullptr, MCPREG_MEMBER(model::package, registry_type)},
        {"registryBaseUrl", field_type::text, false, nullptr, MCPREG_MEMBER(model::package, registry_base_url)},
        {"identifier", field_type::text, true, nullptr, MCPREG_MEMBER(model::package, identifier)},
        {"version", field_type::text, false, nullptr, MCPREG_MEMBER(model::package, version)},
        {"fileSha256", field_type::text, false, nullptr, MCPREG_MEMBER(model::package, file_sha256)},
        {"runtimeHint", field_type::text, false, nullptr, MCPREG_MEMBER(model::package, runtime_hint)},
        {"transport", field_type::object, false, &transport, MCPREG_EMPLACED(model::package, transport)},
        {"runtimeArguments", field_type::objects, false, &argument, MCPREG_EMPLACED(model::package, runtime_arguments)},
        {"packageArguments", field_type::objects, false, &argument, MCPREG_EMPLACED(model::package, package_arguments)},
        {"environmentVariables", field_type::objects, false, &key_value,
         MCPREG_EMPLACED(model::package, environment_variables)},
    });
    repository = schema_for<model::repository>({
        {"url", field_type::text, false, nullptr, MCPREG_MEMBER(model::repository, url)},
        {"source", field_type::text, false, nullptr, MCPREG_MEMBER(model::repository, source)},
        {"id", field_type::text, false, nullptr, MCPREG_MEMBER(model::repository, id)},
        {"subfolder", field_type::text, false, nullptr, MCPREG_MEMBER(model::repository, subfolder)},
    });
    icon = schema_for<model::icon>({
        {"src", field_type::text, true, nullptr, MCPREG_MEMBER(model::icon, src)},
        {"mimeType", field_type::text, false, nullptr, MCPREG_MEMBER(model::icon, mime_type)},
        {"sizes", field_type::texts, false, nullptr, MCPREG_MEMBER(model::icon, sizes)},
        {"theme", field_type::text, false, nullptr, MCPREG_MEMBER(model::icon, theme)},
    });
    server = schema_for<model::server>({
        {"$schema", field_type::text, false, nullptr, MCPREG_MEMBER(model::server, schema)},
        {"name", field_type::text, true, nullptr, MCPREG_MEMBER(model::server, name)},
        {"description", field_type::text, true, nullptr, MCPREG_MEMBER(model::server, description)},
        {"version", field_type::text, true, nullptr, MCPREG_MEMBER(model::server, version)},
        {"title", field_type::text, false, nullptr, MCPREG_MEMBER(model::server, title)},
        {"repository", field_type::object, false, &repository, MCPREG_EMPLACED(model::server, repository)},
        {"websiteUrl", field_type::text, false, nullptr, MCPREG_MEMBER(model::server, website_url)},
        {"icons", field_type::objects, false, &icon, MCPREG_EMPLACED(model::server, icons)},
        {"packages", field_type::objects, false, &package, MCPREG_EMPLACED(model::server, packages)},
        {"remotes", field_type::objects, false, &transport, MCPREG_EMPLACED(model::server, remotes)},
        {"_meta", field_type::raw, false, nullptr, MCPREG_MEMBER(model::server, meta)},
    });
}

// The registry's envelopes: a server response with its `_meta`, and a list page.
void schemas::add_response_tables()
{
    official = schema_for<official_meta>({
        {"status", field_type::text, false, nullptr, MCPREG_MEMBER(official_meta, status)},
        {"statusMessage", field_type::text, false, nullptr, MCPREG_MEMBER(official_meta, status_message)},
        {"publishedAt", field_type::time, false, nullptr, MCPREG_MEMBER(official_meta, published_at)},
        {"updatedAt", field_type::time, false, nullptr, MCPREG_MEMBER(official_meta, updated_at)},
        {"statusChangedAt", field_type::time, false, nullptr, MCPREG_MEMBER(official_meta, status_changed_at)},
        {"isLatest", field_type::flag, false, nullptr, MCPREG_MEMBER(official_meta, is_latest)},
    });
    // The registry's block; every other key of `_meta` is kept in `other`.
    response_meta = {{{std::string_view(official_meta_key), field_type::object, false, &official,
                       MCPREG_EMPLACED(model::response_meta, official)}},
                     [](void* t) -> json::object& { return static_cast<model::response_meta*>(t)->other; },
                     nullptr};
    response_meta.index_fields();
    response = schema_for<server_response>({
        {"server", field_type::object, false, &server,
         [](void* t) -> void* {
             auto& r = *static_cast<server_response*>(t);
             r.server = {};  // a repeated member: the last one wins, as in a DOM
             return &r.server;
         }},
        {"_meta", field_type::object, false, &response_meta, MCPREG_EMPLACED(server_response, meta)},
    });
    // `metadata` fills the list itself.
    list_metadata = {{{"nextCursor", field_type::text, false, nullptr, MCPREG_MEMBER(server_list, next_cursor)},
                      {"count", field_type::integer, false, nullptr, MCPREG_MEMBER(server_list, count)}},
                     [](void* t) -> json::object& { return static_cast<server_list*>(t)->metadata_extra; },
                     nullptr};
    list_metadata.index_fields();
    list = schema_for<server_list>({
        {"servers", field_type::objects, true, &response, MCPREG_MEMBER(server_list, servers), {}, not_a_list},
        {"metadata", field_type::object, false, &list_metadata, [](void* t) { return t; }},
    });
}

#undef MCPREG_MEMBER
#undef MCPREG_EMPLACED

}  // namespace mcpreg::model::detail
