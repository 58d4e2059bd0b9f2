// The lenient reader and the lossless writer of server.json documents and registry responses.
#include <mcpreg/model/json.hpp>

#include "json_pointer.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_stack.hpp>

#include <algorithm>
#include <bit>

namespace mcpreg::model {
namespace json = boost::json;
namespace {

// "registryBaseUrl" -> "registry_base_url", "fileSha256" -> "file_sha256": the 2025-07-09 spelling.
std::string snake_case_of(std::string_view camel)
{
    std::string snake;
    snake.reserve(camel.size() + 4);
    for (char c : camel) {
        if (c >= 'A' && c <= 'Z') {
            snake += '_';
            snake += static_cast<char>(c - 'A' + 'a');
        }
        else {
            snake += c;
        }
    }
    return snake;
}

std::string_view kind_name(json::kind k)
{
    switch (k) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return "a number";
    case json::kind::string: return "a string";
    case json::kind::array: return "an array";
    case json::kind::object: return "an object";
    }
    return "a value";
}

// ---- writing ----

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

// ---- generation detection ----

bool contains_key_recursively(const json::value& value, std::string_view key, int depth = 0)
{
    if (depth > 16) return false;
    if (value.is_object()) {
        for (const auto& [k, v] : value.get_object())
            if (k == key || contains_key_recursively(v, key, depth + 1)) return true;
    }
    else if (value.is_array()) {
        for (const auto& v : value.get_array())
            if (contains_key_recursively(v, key, depth + 1)) return true;
    }
    return false;
}

const json::array* array_field(const json::object& object, std::string_view key)
{
    auto* v = object.if_contains(key);
    return v && v->is_array() ? &v->get_array() : nullptr;
}

std::string_view string_field(const json::value& object, std::string_view key)
{
    if (!object.is_object()) return {};
    auto* v = object.get_object().if_contains(key);
    return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view{};
}

}  // namespace

// ---- public API ----

namespace {

result<json::value> parse_json_into(std::string_view text, json::storage_ptr storage, const parse_limits& limits)
{
    json::parse_options options;
    options.max_depth = limits.max_depth;
    boost::system::error_code ec;
    json::value value = json::parse(text, ec, std::move(storage), options);
    if (ec) return make_error(errc::json_syntax, "not valid JSON: " + ec.message());
    return value;
}

// ---- reading ----
//
// One reader for every input: it is driven by parse events, so text is read in a single pass (Boost.JSON's
// basic_parser calls it token by token, and no DOM is built for known fields), and a DOM is read by replaying
// it as the same events. Model types are described by tables of their fields; unknown members (and free-form
// `_meta`) are built with a value_stack and kept in `extra`. The first error wins and the rest of the input is
// only checked for syntax, so a syntax error anywhere is reported over a typed one, as when parsing first.

// What a field holds, and so which tokens it accepts.
enum class field_type {
    text,     // std::string when the field is required, else std::optional<std::string>
    flag,     // std::optional<bool>
    integer,  // std::optional<std::int64_t>
    time,     // std::optional<timestamp>, from an RFC 3339 string
    texts,    // std::optional<std::vector<std::string>>
    object,   // a model type (emplaced by `member`)
    objects,  // std::optional<std::vector<T>> of a model type
    inputs,   // std::optional<input_map>
    raw,      // std::optional<json::object>, kept as it came
};

struct type_schema;

struct field_def {
    std::string_view camel;
    field_type type;
    bool required = false;
    const type_schema* element = nullptr;  // object, objects, inputs: the model type read
    // The member in a model object (void* for table brevity); `object` members are emplaced by it.
    void* (*member)(void*) = nullptr;
    std::string snake = {};  // the 2025-07-09 spelling, when different
    // The whole message when the value is missing (if required) or of the wrong type, instead of the pointer
    // and the kinds: a list without its `servers` array is not a list at all.
    std::string_view refusal = {};
};

struct type_schema {
    std::vector<field_def> fields;
    json::object& (*extra)(void*);                            // where unknown members go
    void* (*emplace_back)(void*);                             // a new T at the end of a std::vector<T>
    void* (*emplace_key)(void*, std::string_view) = nullptr;  // a fresh T under a key of a std::map
    std::uint32_t required = 0;                               // a bit per required field

    void index_fields()
    {
        required = 0;
        for (std::size_t i = 0; i < fields.size(); ++i) {
            if (fields[i].required) required |= std::uint32_t{1} << i;
            if (auto snake = snake_case_of(fields[i].camel); snake != fields[i].camel)
                fields[i].snake = std::move(snake);
        }
    }
};

template <class T>
type_schema schema_for(std::vector<field_def> fields)
{
    type_schema schema{std::move(fields), [](void* t) -> json::object& { return static_cast<T*>(t)->extra; },
                       [](void* v) -> void* { return &static_cast<std::vector<T>*>(v)->emplace_back(); }};
    schema.index_fields();
    return schema;
}

#define MCPREG_MEMBER(T, m) [](void* t) -> void* { return &static_cast<T*>(t)->m; }
#define MCPREG_EMPLACED(T, m) [](void* t) -> void* { return &static_cast<T*>(t)->m.emplace(); }

template <class T>
void add_input_fields(std::vector<field_def>& f, const type_schema* input_schema)
{
    f.push_back({"description", field_type::text, false, nullptr, MCPREG_MEMBER(T, description)});
    f.push_back({"isRequired", field_type::flag, false, nullptr, MCPREG_MEMBER(T, is_required)});
    f.push_back({"format", field_type::text, false, nullptr, MCPREG_MEMBER(T, format)});
    f.push_back({"value", field_type::text, false, nullptr, MCPREG_MEMBER(T, value)});
    f.push_back({"isSecret", field_type::flag, false, nullptr, MCPREG_MEMBER(T, is_secret)});
    f.push_back({"default", field_type::text, false, nullptr, MCPREG_MEMBER(T, default_value)});
    f.push_back({"placeholder", field_type::text, false, nullptr, MCPREG_MEMBER(T, placeholder)});
    f.push_back({"choices", field_type::texts, false, nullptr, MCPREG_MEMBER(T, choices)});
    if constexpr (std::is_base_of_v<input_with_variables, T>)
        f.push_back({"variables", field_type::inputs, false, input_schema, MCPREG_MEMBER(T, variables)});
}

constexpr std::string_view not_a_list = "a server list must be an object with a \"servers\" array";

// Every model type's table. Built once; the reader only looks them up.
struct schemas {
    type_schema input, key_value, argument, transport, package, repository, icon, server, official, response_meta,
        response, list_metadata, list;
    // Fields the reader's special cases name, by their index in the tables below.
    static constexpr std::size_t response_server = 0, list_metadata_field = 1;

    static const schemas& get()
    {
        static const schemas all;
        return all;
    }

private:
    schemas()
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
        package = schema_for<model::package>({
            {"registryType", field_type::text, true, nullptr, MCPREG_MEMBER(model::package, registry_type)},
            {"registryBaseUrl", field_type::text, false, nullptr, MCPREG_MEMBER(model::package, registry_base_url)},
            {"identifier", field_type::text, true, nullptr, MCPREG_MEMBER(model::package, identifier)},
            {"version", field_type::text, false, nullptr, MCPREG_MEMBER(model::package, version)},
            {"fileSha256", field_type::text, false, nullptr, MCPREG_MEMBER(model::package, file_sha256)},
            {"runtimeHint", field_type::text, false, nullptr, MCPREG_MEMBER(model::package, runtime_hint)},
            {"transport", field_type::object, false, &transport, MCPREG_EMPLACED(model::package, transport)},
            {"runtimeArguments", field_type::objects, false, &argument,
             MCPREG_EMPLACED(model::package, runtime_arguments)},
            {"packageArguments", field_type::objects, false, &argument,
             MCPREG_EMPLACED(model::package, package_arguments)},
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
};

#undef MCPREG_MEMBER
#undef MCPREG_EMPLACED

// The reader's state machine. Events come from basic_parser (token_handler) or replay().
class typed_reader {
public:
    // `root_error` is the message when the input is not an object, followed by the kind found when
    // `root_error_names_kind`.
    typed_reader(const type_schema& root, void* target, std::string base_path, std::string root_error,
                 bool root_error_names_kind = true)
        : base_path_(std::move(base_path)),
          root_error_(std::move(root_error)),
          root_error_names_kind_(root_error_names_kind)
    {
        frames_.reserve(16);
        frames_.push_back({frame_kind::root, &root, target});
    }

    std::optional<error>& failure() { return failure_; }
    bool saw_snake_case() const { return saw_snake_case_; }

    // From a DOM: a value the reader would keep as it came (an unknown member, a `_meta` object) is copied
    // whole rather than replayed token by token. False when the value is to be read.
    bool keep_whole(const json::value& v)
    {
        if (failure_ || capture_depth_ > 0 || frames_.back().kind != frame_kind::typed) return false;
        auto& top = frames_.back();
        if (top.field == unknown_field) {
            top.field = no_field;
            top.type->extra(top.target).insert_or_assign(pending_key_, v);
            return true;
        }
        if (top.field < 0 || !v.is_object()) return false;
        const auto& f = top.type->fields[static_cast<std::size_t>(top.field)];
        if (f.type != field_type::raw) return false;
        top.field = no_field;
        static_cast<std::optional<json::object>*>(f.member(top.target))->emplace(v.get_object(), json::storage_ptr{});
        return true;
    }

    void open(bool is_object)
    {
        if (failure_) return;
        if (capture_depth_ > 0) {
            ++capture_depth_;
            return;
        }
        value_begins(is_object ? json::kind::object : json::kind::array, {});
    }

    void close(bool is_object, std::size_t n)
    {
        if (failure_) return;
        if (capture_depth_ > 0) {
            if (is_object) capture_.push_object(n);
            else capture_.push_array(n);
            if (--capture_depth_ == 0) deliver(capture_.release());
            return;
        }
        auto& top = frames_.back();
        if (top.kind == frame_kind::typed) finish_object(top);
        frames_.pop_back();
    }

    void key(std::string_view k)
    {
        if (failure_) return;
        if (capture_depth_ > 0) {
            capture_.push_key(k);
            return;
        }
        auto& top = frames_.back();
        if (top.kind == frame_kind::inputs) {
            pending_key_.assign(k);
            return;
        }
        // Writers emit fields in schema order: the search starts after the last field found.
        const auto& fields = top.type->fields;
        const std::size_t count = fields.size();
        for (std::size_t step = 0, i = top.next_field; step < count; ++step, ++i) {
            if (i >= count) i = 0;
            const auto& f = fields[i];
            const bool camel = f.camel == k;
            if (camel || (!f.snake.empty() && f.snake == k)) {
                if (!camel) saw_snake_case_ = true;
                top.field = static_cast<int>(i);
                top.next_field = i + 1;
                top.seen |= std::uint32_t{1} << i;
                return;
            }
        }
        top.field = unknown_field;
        pending_key_.assign(k);
    }

    // A scalar token: `kind` and the one of the other arguments it uses.
    void scalar(json::kind kind, std::string_view text, std::int64_t i = 0, std::uint64_t u = 0, double d = 0,
                bool b = false)
    {
        if (failure_) return;
        if (capture_depth_ > 0) {
            push_scalar(capture_, kind, text, i, u, d, b);
            return;
        }
        value_begins(kind, text, i, u, b);
        if (capture_scalar_) {
            capture_scalar_ = false;
            deliver(scalar_value(kind, text, i, u, d, b));
        }
    }

private:
    static constexpr int no_field = -1, unknown_field = -2;

    enum class frame_kind { root, typed, objects, inputs, texts };

    struct frame {
        frame_kind kind;
        const type_schema* type;  // typed: its type; objects, inputs: the element type
        void* target;             // typed: the model object; objects: the vector; inputs: the map; texts: the vector
        // How the parent names this value, for error pointers: a field, a key, or an index.
        std::string_view member = {};
        std::string owned_member = {};
        std::size_t index = 0;
        bool is_index = false;
        // typed: the fields seen, the one whose value comes next, where the next search starts.
        std::uint32_t seen = 0;
        int field = no_field;
        std::size_t next_field = 0;
        std::size_t items = 0;  // objects, texts: the next index
    };

    static void push_scalar(json::value_stack& stack, json::kind kind, std::string_view text, std::int64_t i,
                            std::uint64_t u, double d, bool b)
    {
        switch (kind) {
        case json::kind::string: stack.push_string(text); break;
        case json::kind::int64: stack.push_int64(i); break;
        case json::kind::uint64: stack.push_uint64(u); break;
        case json::kind::double_: stack.push_double(d); break;
        case json::kind::bool_: stack.push_bool(b); break;
        default: stack.push_null(); break;
        }
    }

    static json::value scalar_value(json::kind kind, std::string_view text, std::int64_t i, std::uint64_t u, double d,
                                    bool b)
    {
        switch (kind) {
        case json::kind::string: return json::string(text);
        case json::kind::int64: return i;
        case json::kind::uint64: return u;
        case json::kind::double_: return d;
        case json::kind::bool_: return b;
        default: return nullptr;
        }
    }

    // The JSON pointer of the value the top frame reads (the root frame, frames_[0], names nothing).
    std::string current_path() const
    {
        std::string path = base_path_;
        for (std::size_t k = 1; k < frames_.size(); ++k) {
            const auto& f = frames_[k];
            path += '/';
            if (f.is_index) path += std::to_string(f.index);
            else path += detail::escape_pointer_token(f.owned_member.empty() ? f.member : f.owned_member);
        }
        return path;
    }

    std::string child_path(std::string_view member) const
    {
        return current_path() + "/" + detail::escape_pointer_token(member);
    }

    void fail(std::string message)
    {
        if (!failure_) failure_ = make_error(errc::invalid_document, std::move(message));
    }

    void fail_type(const std::string& pointer, std::string_view expected, json::kind found)
    {
        fail("at " + pointer + ": expected " + std::string(expected) + ", found " + std::string(kind_name(found)));
    }

    // A value begins in the top frame: store it, open a frame for it, or start capturing it.
    void value_begins(json::kind kind, std::string_view text, std::int64_t i = 0, std::uint64_t u = 0, bool b = false)
    {
        auto& top = frames_.back();
        switch (top.kind) {
        case frame_kind::root:
            if (kind != json::kind::object)
                return fail(root_error_ + (root_error_names_kind_ ? std::string(kind_name(kind)) : ""));
            top.kind = frame_kind::typed;
            return;
        case frame_kind::objects: {
            const std::size_t index = top.items++;
            if (kind != json::kind::object)
                return fail_type(current_path() + "/" + std::to_string(index), "an object", kind);
            void* element = top.type->emplace_back(top.target);
            frames_.push_back({frame_kind::typed, top.type, element, {}, {}, index, true});
            return;
        }
        case frame_kind::texts: {
            const std::size_t index = top.items++;
            if (kind != json::kind::string)
                return fail_type(current_path() + "/" + std::to_string(index), "a string", kind);
            static_cast<std::vector<std::string>*>(top.target)->emplace_back(text);
            return;
        }
        case frame_kind::inputs: {
            if (kind != json::kind::object) return fail_type(child_path(pending_key_), "an object", kind);
            void* element = top.type->emplace_key(top.target, pending_key_);
            frames_.push_back({frame_kind::typed, top.type, element, {}, pending_key_});
            return;
        }
        case frame_kind::typed: break;
        }
        const int index = top.field;
        top.field = no_field;
        if (index == unknown_field) return start_capture(kind, &top.type->extra(top.target), nullptr);
        const auto& f = top.type->fields[static_cast<std::size_t>(index)];
        void* target = top.target;
        switch (f.type) {
        case field_type::text:
            if (kind != json::kind::string) return fail_type(child_path(f.camel), "a string", kind);
            // One member pointer serves both: std::string and std::optional<std::string> are told by `required`.
            if (f.required) static_cast<std::string*>(f.member(target))->assign(text);
            else static_cast<std::optional<std::string>*>(f.member(target))->emplace(text);
            return;
        case field_type::flag:
            if (kind != json::kind::bool_) return fail_type(child_path(f.camel), "a boolean", kind);
            *static_cast<std::optional<bool>*>(f.member(target)) = b;
            return;
        case field_type::integer:
            if (kind == json::kind::int64) *static_cast<std::optional<std::int64_t>*>(f.member(target)) = i;
            else if (kind == json::kind::uint64 && u <= static_cast<std::uint64_t>(INT64_MAX))
                *static_cast<std::optional<std::int64_t>*>(f.member(target)) = static_cast<std::int64_t>(u);
            else fail_type(child_path(f.camel), "an integer", kind);
            return;
        case field_type::time: {
            if (kind != json::kind::string) return fail_type(child_path(f.camel), "a string", kind);
            auto parsed = timestamp::parse(text);
            if (!parsed) return fail("at " + child_path(f.camel) + ": " + parsed.error().diag.message);
            *static_cast<std::optional<timestamp>*>(f.member(target)) = std::move(*parsed);
            return;
        }
        case field_type::texts:
            if (kind != json::kind::array) return fail_type(child_path(f.camel), "an array of strings", kind);
            frames_.push_back({frame_kind::texts, nullptr,
                               &static_cast<std::optional<std::vector<std::string>>*>(f.member(target))->emplace(),
                               f.camel});
            return;
        case field_type::object:
            if (kind != json::kind::object) return fail_type(child_path(f.camel), "an object", kind);
            frames_.push_back({frame_kind::typed, f.element, f.member(target), f.camel});
            return;
        case field_type::objects:
            if (kind != json::kind::array) {
                if (!f.refusal.empty()) return fail(std::string(f.refusal));
                return fail_type(child_path(f.camel), "an array", kind);
            }
            frames_.push_back({frame_kind::objects, f.element, f.member(target), f.camel});
            return;
        case field_type::inputs:
            if (kind != json::kind::object) return fail_type(child_path(f.camel), "an object", kind);
            frames_.push_back({frame_kind::inputs, f.element,
                               &static_cast<std::optional<input_map>*>(f.member(target))->emplace(), f.camel});
            return;
        case field_type::raw:
            if (kind != json::kind::object) return fail_type(child_path(f.camel), "an object", kind);
            return start_capture(kind, nullptr, static_cast<std::optional<json::object>*>(f.member(target)));
        }
    }

    // Keeps the value beginning now: in `extra` under the pending key, or in `raw`.
    void start_capture(json::kind kind, json::object* extra, std::optional<json::object>* raw)
    {
        capture_extra_ = extra;
        capture_raw_ = raw;
        if (extra) capture_key_.swap(pending_key_);
        capture_.reset();
        if (kind == json::kind::object || kind == json::kind::array) capture_depth_ = 1;
        else capture_scalar_ = true;
    }

    void deliver(json::value value)
    {
        if (capture_raw_) *capture_raw_ = std::move(value.as_object());
        else capture_extra_->insert_or_assign(capture_key_, std::move(value));  // a repeated key: the last wins
        capture_extra_ = nullptr;
        capture_raw_ = nullptr;
    }

    void finish_object(frame& f)
    {
        if (const auto missing = f.type->required & ~f.seen) {
            const auto& field = f.type->fields[static_cast<std::size_t>(std::countr_zero(missing))];
            if (!field.refusal.empty()) return fail(std::string(field.refusal));
            return fail("at " + child_path(field.camel) + ": required field \"" + std::string(field.camel) +
                        "\" is missing");
        }
        const auto& all = schemas::get();
        auto seen = [&f](std::size_t field) { return ((f.seen >> field) & 1U) != 0; };
        if (f.type == &all.list) static_cast<server_list*>(f.target)->has_metadata = seen(schemas::list_metadata_field);
        if (f.type == &all.response && !seen(schemas::response_server))
            read_flat_response(*static_cast<server_response*>(f.target));
    }

    // The 2025-07 and 2025-09-16 API shapes: a flat server with the registry's block in its own `_meta`. Its
    // members were kept as unknown ones; they are read again as a server.
    void read_flat_response(server_response& response);

    std::vector<frame> frames_;
    std::string pending_key_;  // the key of an unknown member or of a map entry, until its value begins
    std::string base_path_;
    std::string root_error_;
    bool root_error_names_kind_;
    std::optional<error> failure_;
    bool saw_snake_case_ = false;
    // The value being kept as it came.
    json::value_stack capture_;
    std::size_t capture_depth_ = 0;
    bool capture_scalar_ = false;
    json::object* capture_extra_ = nullptr;
    std::string capture_key_;
    std::optional<json::object>* capture_raw_ = nullptr;
};

// Replays a DOM as parse events; a value the reader keeps as it came is copied whole instead.
void replay(const json::value& v, typed_reader& reader)
{
    if (reader.keep_whole(v)) return;
    switch (v.kind()) {
    case json::kind::object:
        reader.open(true);
        for (const auto& [k, child] : v.get_object()) {
            reader.key(k);
            replay(child, reader);
        }
        return reader.close(true, v.get_object().size());
    case json::kind::array:
        reader.open(false);
        for (const auto& child : v.get_array()) replay(child, reader);
        return reader.close(false, v.get_array().size());
    case json::kind::string: return reader.scalar(json::kind::string, v.get_string());
    case json::kind::int64: return reader.scalar(json::kind::int64, {}, v.get_int64());
    case json::kind::uint64: return reader.scalar(json::kind::uint64, {}, 0, v.get_uint64());
    case json::kind::double_: return reader.scalar(json::kind::double_, {}, 0, 0, v.get_double());
    case json::kind::bool_: return reader.scalar(json::kind::bool_, {}, 0, 0, 0, v.get_bool());
    case json::kind::null: return reader.scalar(json::kind::null, {});
    }
}

void typed_reader::read_flat_response(server_response& response)
{
    const std::string path = current_path();
    if (!response.extra.contains("name")) return fail("at " + path + ": neither a {server, _meta} entry nor a server");
    json::object flat = std::move(response.extra);
    response.extra = {};
    if (response.meta) {
        // Read as the registry's envelope on the way in; a flat server keeps its `_meta` whole.
        server_response meta_only;
        meta_only.meta = std::move(response.meta);
        flat.insert_or_assign("_meta", to_json(meta_only, {}).as_object().at("_meta"));
        response.meta.reset();
    }
    const auto& all = schemas::get();
    typed_reader server_reader(all.server, &response.server, path, "");
    replay(flat, server_reader);
    saw_snake_case_ = saw_snake_case_ || server_reader.saw_snake_case();
    if (server_reader.failure()) return fail(std::move(server_reader.failure()->diag.message));
    if (!response.server.meta) return;
    const auto* block = response.server.meta->if_contains(official_meta_key);
    if (!block || !block->is_object()) return;
    typed_reader official_reader(all.official, &response.meta.emplace().official.emplace(),
                                 path + "/_meta/" + detail::escape_pointer_token(official_meta_key), "");
    replay(*block, official_reader);
    if (official_reader.failure()) fail(std::move(official_reader.failure()->diag.message));
}

// basic_parser's handler: tokens to the reader. Strings and keys split into parts (escapes) are joined first.
class token_handler {
    using error_code = boost::system::error_code;

public:
    static constexpr std::size_t max_object_size = json::object::max_size();
    static constexpr std::size_t max_array_size = json::array::max_size();
    static constexpr std::size_t max_key_size = json::string::max_size();
    static constexpr std::size_t max_string_size = json::string::max_size();

    explicit token_handler(typed_reader& reader) : reader_(reader) {}

    bool on_document_begin(error_code&) { return true; }
    bool on_document_end(error_code&) { return true; }
    bool on_object_begin(error_code&) { return reader_.open(true), true; }
    bool on_object_end(std::size_t n, error_code&) { return reader_.close(true, n), true; }
    bool on_array_begin(error_code&) { return reader_.open(false), true; }
    bool on_array_end(std::size_t n, error_code&) { return reader_.close(false, n), true; }
    bool on_key_part(json::string_view s, std::size_t, error_code&) { return parts_.append(s), true; }
    bool on_key(json::string_view s, std::size_t, error_code&)
    {
        reader_.key(joined(s));
        parts_.clear();
        return true;
    }
    bool on_string_part(json::string_view s, std::size_t, error_code&) { return parts_.append(s), true; }
    bool on_string(json::string_view s, std::size_t, error_code&)
    {
        reader_.scalar(json::kind::string, joined(s));
        parts_.clear();
        return true;
    }
    bool on_number_part(json::string_view, error_code&) { return true; }
    bool on_int64(std::int64_t i, json::string_view, error_code&)
    {
        return reader_.scalar(json::kind::int64, {}, i), true;
    }
    bool on_uint64(std::uint64_t u, json::string_view, error_code&)
    {
        return reader_.scalar(json::kind::uint64, {}, 0, u), true;
    }
    bool on_double(double d, json::string_view, error_code&)
    {
        return reader_.scalar(json::kind::double_, {}, 0, 0, d), true;
    }
    bool on_bool(bool b, error_code&) { return reader_.scalar(json::kind::bool_, {}, 0, 0, 0, b), true; }
    bool on_null(error_code&) { return reader_.scalar(json::kind::null, {}), true; }
    bool on_comment_part(json::string_view, error_code&) { return true; }
    bool on_comment(json::string_view, error_code&) { return true; }

private:
    std::string_view joined(json::string_view last)
    {
        if (parts_.empty()) return last;
        parts_.append(last);
        return parts_;
    }

    typed_reader& reader_;
    std::string parts_;
};

// Reads a T from JSON text in one pass.
template <class T>
result<T> read_text(std::string_view text, const type_schema& schema, std::string root_error,
                    bool root_error_names_kind)
{
    T out;
    // A list page's entries are about a kilobyte of text each: reserving avoids moving them as the vector grows.
    if constexpr (std::is_same_v<T, server_list>) out.servers.reserve(std::min<std::size_t>(text.size() / 700, 1000));
    typed_reader reader(schema, &out, "", std::move(root_error), root_error_names_kind);
    json::parse_options options;
    options.max_depth = parse_limits{}.max_depth;
    json::basic_parser<token_handler> parser(options, reader);
    boost::system::error_code ec;
    const auto used = parser.write_some(false, text.data(), text.size(), ec);
    if (!ec && used < text.size()) ec = json::error::extra_data;
    if (ec) return make_error(errc::json_syntax, "not valid JSON: " + ec.message());
    if (reader.failure()) return std::move(*reader.failure());
    return out;
}

// Reads a T from a DOM.
template <class T>
result<T> read_value(const json::value& value, const type_schema& schema, std::string root_error,
                     bool root_error_names_kind, bool* saw_snake_case = nullptr)
{
    T out;
    typed_reader reader(schema, &out, "", std::move(root_error), root_error_names_kind);
    replay(value, reader);
    if (reader.failure()) return std::move(*reader.failure());
    if (saw_snake_case) *saw_snake_case = reader.saw_snake_case();
    return out;
}

// Parses into a throw-away arena, then reads the typed value out of it.
template <class Read>
auto parse_then_read(std::string_view text, Read read) -> decltype(read(std::declval<const json::value&>()))
{
    json::monotonic_resource arena;
    auto value = parse_json_into(text, &arena, {});
    if (!value) return value.error();
    return read(*value);
}

}  // namespace

result<json::value> parse_json(std::string_view text, const parse_limits& limits)
{
    return parse_json_into(text, {}, limits);
}

schema_generation detect_generation(const json::value& server_json)
{
    if (!server_json.is_object()) return schema_generation::unknown;
    const auto& server = server_json.get_object();
    bool snake = false;
    auto visit_keys = [&](const json::value& v, auto&& self, int depth) -> void {
        if (depth > 16 || snake) return;
        if (v.is_object()) {
            for (const auto& [k, child] : v.get_object()) {
                if (k == "_meta" || k == "variables") continue;  // free-form or user-chosen keys
                static constexpr std::string_view snake_fields[] = {
                    "registry_type",     "registry_base_url", "file_sha256",           "runtime_hint",
                    "runtime_arguments", "package_arguments", "environment_variables", "is_required",
                    "is_secret",         "value_hint",        "is_repeated",           "website_url"};
                if (std::find(std::begin(snake_fields), std::end(snake_fields), std::string_view(k)) !=
                    std::end(snake_fields))
                    snake = true;
                self(child, self, depth + 1);
            }
        }
        else if (v.is_array()) {
            for (const auto& child : v.get_array()) self(child, self, depth + 1);
        }
    };
    visit_keys(server_json, visit_keys, 0);
    if (snake) return schema_generation::v2025_07_09;

    const auto* meta = server.if_contains("_meta");
    if (server.contains("status") || (meta && meta->is_object() && meta->get_object().contains(official_meta_key)))
        return schema_generation::v2025_09_16;

    const auto* packages = array_field(server, "packages");
    const auto* remotes = array_field(server, "remotes");
    auto any_package = [&](auto predicate) {
        return packages && std::any_of(packages->begin(), packages->end(), predicate);
    };
    auto url_starts_with_variable = [](const json::value& t) {
        auto url = string_field(t, "url");
        return !url.empty() && url.front() == '{';
    };
    if (any_package([](const json::value& p) { return string_field(p, "registryType") == "cargo"; }) ||
        any_package([&](const json::value& p) {
            return p.is_object() && p.get_object().contains("transport") &&
                   url_starts_with_variable(p.get_object().at("transport"));
        }) ||
        (remotes && std::any_of(remotes->begin(), remotes->end(), url_starts_with_variable)))
        return schema_generation::draft;
    if (remotes && std::any_of(remotes->begin(), remotes->end(), [](const json::value& r) {
            return r.is_object() && r.get_object().contains("variables");
        }))
        return schema_generation::v2025_12_11;
    if (any_package([](const json::value& p) {
            return string_field(p, "registryType") == "mcpb" && p.is_object() && p.get_object().contains("version");
        }))
        return schema_generation::v2025_10_17;
    if (server.contains("title") || server.contains("icons") ||
        any_package([](const json::value& p) { return p.is_object() && !p.get_object().contains("version"); }) ||
        (packages && contains_key_recursively(*packages, "placeholder")) ||
        (remotes && contains_key_recursively(*remotes, "placeholder")))
        return schema_generation::v2025_10_11;
    return schema_generation::v2025_09_29;
}

result<server> server_from_json(const json::value& value, read_info* info)
{
    bool snake = false;
    auto out = read_value<server>(value, schemas::get().server, "a server.json document must be an object, found ",
                                  true, &snake);
    if (out && info) {
        info->declared = out->schema ? generation_of_schema_url(*out->schema) : schema_generation::unknown;
        info->detected = detect_generation(value);
        info->style = snake ? field_style::snake_case : field_style::camel_case;
    }
    return out;
}

result<server> parse_server(std::string_view text, read_info* info)
{
    // Through a DOM: detecting the schema generation looks at the whole document.
    return parse_then_read(text, [info](const json::value& v) { return server_from_json(v, info); });
}

result<server_response> parse_server_response(std::string_view text)
{
    return read_text<server_response>(text, schemas::get().response, "a server response must be an object, found ",
                                      true);
}

result<server_list> parse_server_list(std::string_view text)
{
    return read_text<server_list>(text, schemas::get().list, std::string(not_a_list), false);
}

result<server_response> server_response_from_json(const json::value& value)
{
    return read_value<server_response>(value, schemas::get().response, "a server response must be an object, found ",
                                       true);
}

result<server_list> server_list_from_json(const json::value& value)
{
    return read_value<server_list>(value, schemas::get().list, std::string(not_a_list), false);
}

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

server upgrade(server value)
{
    value.schema = std::string(current_schema_url);
    value.extra.erase("status");
    if (value.meta) {
        value.meta->erase(official_meta_key);
        if (value.meta->empty()) value.meta.reset();
    }
    return value;
}

document_kind classify_document(const json::value& value) noexcept
{
    auto kind_of_object = [](const json::object& object) {
        if (auto* s = object.if_contains("server"); s && s->is_object()) return document_kind::server_response;
        if (auto* s = object.if_contains("servers"); s && s->is_array()) return document_kind::server_list;
        if (object.contains("name")) return document_kind::server;
        return document_kind::unknown;
    };
    if (value.is_object()) {
        auto kind = kind_of_object(value.get_object());
        return kind == document_kind::unknown && !value.get_object().empty() &&
                       (value.get_object().contains("description") || value.get_object().contains("version"))
                   ? document_kind::server  // a server.json missing its name: let validation say so
                   : kind;
    }
    if (!value.is_array() || value.get_array().empty()) return document_kind::unknown;
    const auto& first = value.get_array().front();
    if (!first.is_object()) return document_kind::unknown;
    switch (kind_of_object(first.get_object())) {
    case document_kind::server: return document_kind::server_array;
    case document_kind::server_response: return document_kind::server_response_array;
    default: return document_kind::unknown;
    }
}

std::string_view to_string(document_kind kind) noexcept
{
    switch (kind) {
    case document_kind::server: return "server.json";
    case document_kind::server_response: return "server response";
    case document_kind::server_list: return "server list page";
    case document_kind::server_array: return "array of server.json";
    case document_kind::server_response_array: return "array of server responses";
    case document_kind::unknown: break;
    }
    return "unknown document";
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
