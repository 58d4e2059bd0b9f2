// The lossless writer of server.json documents and registry responses (camelCase, or the 2025-07-09
// snake_case when a document was read in it), and the pretty printer.
#include <mcpreg/model/json.hpp>

#include "json_names.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

namespace mcpreg::model {
namespace json = boost::json;
namespace {

using detail::snake_case_of;

class object_writer {
public:
    object_writer(json::object& out, field_style style) : out_(out), style_(style) {}

    std::string key(std::string_view camel) const
    {
        return style_ == field_style::snake_case ? snake_case_of(camel) : std::string(camel);
    }

    void put(std::string_view camel, json::value value) { out_.insert_or_assign(key(camel), std::move(value)); }

    template <class T>
    void put(std::string_view camel, const std::optional<T>& value)
    {
        if (value) put(camel, json::value_from(*value));
    }

    void put(std::string_view camel, const std::optional<timestamp>& value)
    {
        if (value) put(camel, json::value(value->to_string()));
    }

    template <class T, class WriteOne>
    void put_array(std::string_view camel, const std::optional<std::vector<T>>& values, WriteOne write_one)
    {
        if (!values) return;
        json::array array;
        array.reserve(values->size());
        for (const auto& item : *values) array.push_back(write_one(item));
        put(camel, std::move(array));
    }

    // Unknown fields go last, untouched; a known field of the same name wins.
    void put_extra(const json::object& extra)
    {
        for (const auto& [k, v] : extra)
            if (!out_.contains(k)) out_.emplace(k, v);
    }

private:
    json::object& out_;
    field_style style_;
};

void write_input_fields(object_writer& w, const input& in)
{
    w.put("description", in.description);
    w.put("isRequired", in.is_required);
    w.put("format", in.format);
    w.put("value", in.value);
    w.put("isSecret", in.is_secret);
    w.put("default", in.default_value);
    w.put("placeholder", in.placeholder);
    w.put("choices", in.choices);
}

json::object write_input(const input& in, field_style style)
{
    json::object out;
    object_writer w(out, style);
    write_input_fields(w, in);
    w.put_extra(in.extra);
    return out;
}

void write_input_map(object_writer& w, std::string_view camel, const std::optional<input_map>& variables,
                     field_style style)
{
    if (!variables) return;
    json::object map;
    for (const auto& [name, in] : *variables) map.emplace(name, write_input(in, style));
    w.put(camel, std::move(map));
}

json::object write_key_value(const key_value_input& in, field_style style)
{
    json::object out;
    object_writer w(out, style);
    w.put("name", json::value(in.name));
    write_input_fields(w, in);
    write_input_map(w, "variables", in.variables, style);
    w.put_extra(in.extra);
    return out;
}

json::object write_argument(const argument& in, field_style style)
{
    json::object out;
    object_writer w(out, style);
    w.put("type", json::value(in.type));
    w.put("name", in.name);
    w.put("valueHint", in.value_hint);
    w.put("isRepeated", in.is_repeated);
    write_input_fields(w, in);
    write_input_map(w, "variables", in.variables, style);
    w.put_extra(in.extra);
    return out;
}

json::object write_transport(const transport& in, field_style style)
{
    json::object out;
    object_writer w(out, style);
    w.put("type", json::value(in.type));
    w.put("url", in.url);
    w.put_array("headers", in.headers, [style](const key_value_input& kv) { return write_key_value(kv, style); });
    write_input_map(w, "variables", in.variables, style);
    w.put_extra(in.extra);
    return out;
}

json::object write_package(const package& in, field_style style)
{
    json::object out;
    object_writer w(out, style);
    auto args = [style](const argument& a) { return write_argument(a, style); };
    w.put("registryType", json::value(in.registry_type));
    w.put("registryBaseUrl", in.registry_base_url);
    w.put("identifier", json::value(in.identifier));
    w.put("version", in.version);
    w.put("fileSha256", in.file_sha256);
    w.put("runtimeHint", in.runtime_hint);
    if (in.transport) w.put("transport", write_transport(*in.transport, style));
    w.put_array("runtimeArguments", in.runtime_arguments, args);
    w.put_array("packageArguments", in.package_arguments, args);
    w.put_array("environmentVariables", in.environment_variables,
                [style](const key_value_input& kv) { return write_key_value(kv, style); });
    w.put_extra(in.extra);
    return out;
}

json::object write_server(const server& in, field_style style)
{
    json::object out;
    object_writer w(out, style);
    w.put("$schema", in.schema);
    w.put("name", json::value(in.name));
    w.put("description", json::value(in.description));
    w.put("version", json::value(in.version));
    w.put("title", in.title);
    if (in.repository) {
        json::object repo;
        object_writer rw(repo, style);
        rw.put("url", in.repository->url);
        rw.put("source", in.repository->source);
        rw.put("id", in.repository->id);
        rw.put("subfolder", in.repository->subfolder);
        rw.put_extra(in.repository->extra);
        w.put("repository", std::move(repo));
    }
    w.put("websiteUrl", in.website_url);
    w.put_array("icons", in.icons, [style](const icon& i) {
        json::object icon_json;
        object_writer iw(icon_json, style);
        iw.put("src", json::value(i.src));
        iw.put("mimeType", i.mime_type);
        iw.put("sizes", i.sizes);
        iw.put("theme", i.theme);
        iw.put_extra(i.extra);
        return icon_json;
    });
    w.put_array("packages", in.packages, [style](const package& p) { return write_package(p, style); });
    w.put_array("remotes", in.remotes, [style](const transport& t) { return write_transport(t, style); });
    if (in.meta) w.put("_meta", *in.meta);
    w.put_extra(in.extra);
    return out;
}

}  // namespace

json::value to_json(const server& value, const write_options& options) { return write_server(value, options.style); }

json::value to_json(const server_response& value, const write_options& options)
{
    json::object out;
    out.emplace("server", write_server(value.server, options.style));
    if (value.meta) {
        json::object meta;
        if (value.meta->official) {
            const auto& official = *value.meta->official;
            json::object block;
            object_writer w(block, options.style);
            w.put("status", official.status);
            w.put("statusMessage", official.status_message);
            w.put("publishedAt", official.published_at);
            w.put("updatedAt", official.updated_at);
            w.put("statusChangedAt", official.status_changed_at);
            w.put("isLatest", official.is_latest);
            w.put_extra(official.extra);
            meta.emplace(official_meta_key, std::move(block));
        }
        for (const auto& [k, v] : value.meta->other) meta.emplace(k, v);
        out.emplace("_meta", std::move(meta));
    }
    for (const auto& [k, v] : value.extra)
        if (!out.contains(k)) out.emplace(k, v);
    return out;
}

json::value to_json(const server_list& value, const write_options& options)
{
    json::object out;
    json::array servers;
    servers.reserve(value.servers.size());
    for (const auto& response : value.servers) servers.push_back(to_json(response, options));
    out.emplace("servers", std::move(servers));
    if (value.has_metadata) {
        json::object metadata;
        if (value.next_cursor) metadata.emplace("nextCursor", *value.next_cursor);
        if (value.count) metadata.emplace("count", *value.count);
        for (const auto& [k, v] : value.metadata_extra)
            if (!metadata.contains(k)) metadata.emplace(k, v);
        out.emplace("metadata", std::move(metadata));
    }
    for (const auto& [k, v] : value.extra)
        if (!out.contains(k)) out.emplace(k, v);
    return out;
}

std::string serialize(const server& value, const write_options& options)
{
    return json::serialize(to_json(value, options));
}

namespace {

void pretty_print_into(std::string& out, const json::value& value, int indent)
{
    auto newline = [&](int level) {
        out += '\n';
        out.append(static_cast<std::size_t>(level) * 2, ' ');
    };
    switch (value.kind()) {
    case json::kind::object: {
        const auto& object = value.get_object();
        if (object.empty()) {
            out += "{}";
            return;
        }
        out += '{';
        bool first = true;
        for (const auto& [k, v] : object) {
            if (!first) out += ',';
            first = false;
            newline(indent + 1);
            out += json::serialize(json::string_view(k));
            out += ": ";
            pretty_print_into(out, v, indent + 1);
        }
        newline(indent);
        out += '}';
        return;
    }
    case json::kind::array: {
        const auto& array = value.get_array();
        if (array.empty()) {
            out += "[]";
            return;
        }
        out += '[';
        for (std::size_t i = 0; i < array.size(); ++i) {
            if (i) out += ',';
            newline(indent + 1);
            pretty_print_into(out, array[i], indent + 1);
        }
        newline(indent);
        out += ']';
        return;
    }
    default: out += json::serialize(value);
    }
}

}  // namespace

std::string pretty_print(const json::value& value)
{
    std::string out;
    pretty_print_into(out, value, 0);
    out += '\n';
    return out;
}

}  // namespace mcpreg::model
