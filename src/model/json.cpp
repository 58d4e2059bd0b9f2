// The lenient reader and the lossless writer of server.json documents and registry responses.
#include <mcpreg/model/json.hpp>

#include "json_pointer.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <algorithm>

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

// Where a value sits, as a chain of links to its parents: the JSON pointer text is built only when an error
// needs it, so reading a valid document allocates no paths.
struct json_path {
    const json_path* parent = nullptr;
    std::string_view key;  // member name, unless is_index
    std::size_t index = 0;
    bool is_index = false;

    json_path child(std::string_view member) const { return json_path{this, member, 0, false}; }
    json_path item(std::size_t i) const { return json_path{this, {}, i, true}; }

    std::string pointer() const
    {
        if (!parent) return {};
        return parent->pointer() + "/" + (is_index ? std::to_string(index) : detail::escape_pointer_token(key));
    }
};

// Reads the known fields of one JSON object, remembering which keys it consumed so the rest can be kept in
// `extra`, and whether any field was found under its snake_case name.
class object_reader {
public:
    object_reader(const json::object& object, const json_path& path, bool& saw_snake_case,
                  std::optional<error>& failure)
        : object_(object), path_(path), saw_snake_case_(saw_snake_case), failure_(failure)
    {
    }

    const json_path& path() const { return path_; }
    bool failed() const { return failure_.has_value(); }

    // The value of a field under its camelCase name or, failing that, its snake_case name.
    const json::value* find(std::string_view camel)
    {
        // Objects hold fewer keys than their type has fields: once every key is read, the rest are absent.
        if (used_count_ == object_.size()) return nullptr;
        if (auto it = locate(camel); it != object_.end()) return use(it);
        if (!may_have_snake_case()) return nullptr;
        auto snake = snake_case_of(camel);
        if (snake == camel) return nullptr;
        if (auto it = locate(snake); it != object_.end()) {
            saw_snake_case_ = true;
            return use(it);
        }
        return nullptr;
    }

    std::string field_path(std::string_view camel) const { return path_.child(camel).pointer(); }

    bool fail_type(std::string_view camel, std::string_view expected, const json::value& found)
    {
        return fail_type_at(field_path(camel), expected, found);
    }

    bool fail_type_at(const std::string& pointer, std::string_view expected, const json::value& found)
    {
        if (!failure_)
            failure_ = make_error(errc::invalid_document, "at " + pointer + ": expected " + std::string(expected) +
                                                              ", found " + std::string(kind_name(found.kind())));
        return false;
    }

    bool fail_missing(std::string_view camel)
    {
        if (!failure_)
            failure_ = make_error(errc::invalid_document, "at " + field_path(camel) + ": required field \"" +
                                                              std::string(camel) + "\" is missing");
        return false;
    }

    bool read(std::string_view camel, std::optional<std::string>& out)
    {
        auto* v = find(camel);
        if (!v) return true;
        if (!v->is_string()) return fail_type(camel, "a string", *v);
        out.emplace(v->get_string());
        return true;
    }

    bool read_required(std::string_view camel, std::string& out)
    {
        std::optional<std::string> value;
        if (!read(camel, value)) return false;
        if (!value) return fail_missing(camel);
        out = std::move(*value);
        return true;
    }

    bool read(std::string_view camel, std::optional<bool>& out)
    {
        auto* v = find(camel);
        if (!v) return true;
        if (!v->is_bool()) return fail_type(camel, "a boolean", *v);
        out = v->get_bool();
        return true;
    }

    bool read(std::string_view camel, std::optional<std::vector<std::string>>& out)
    {
        auto* v = find(camel);
        if (!v) return true;
        if (!v->is_array()) return fail_type(camel, "an array of strings", *v);
        out.emplace();
        for (std::size_t i = 0; i < v->get_array().size(); ++i) {
            const auto& item = v->get_array()[i];
            if (!item.is_string()) return fail_type_at(path_.child(camel).item(i).pointer(), "a string", item);
            out->emplace_back(item.get_string());
        }
        return true;
    }

    bool read(std::string_view camel, std::optional<json::object>& out)
    {
        auto* v = find(camel);
        if (!v) return true;
        if (!v->is_object()) return fail_type(camel, "an object", *v);
        out.emplace(v->get_object(), json::storage_ptr{});  // a copy of its own: the source may live in an arena
        return true;
    }

    bool read(std::string_view camel, std::optional<std::int64_t>& out)
    {
        auto* v = find(camel);
        if (!v) return true;
        if (v->is_int64()) out = v->get_int64();
        else if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
            out = static_cast<std::int64_t>(v->get_uint64());
        else return fail_type(camel, "an integer", *v);
        return true;
    }

    bool read(std::string_view camel, std::optional<timestamp>& out)
    {
        std::optional<std::string> text;
        if (!read(camel, text)) return false;
        if (!text) return true;
        auto parsed = timestamp::parse(*text);
        if (!parsed) {
            if (!failure_)
                failure_ =
                    make_error(errc::invalid_document, "at " + field_path(camel) + ": " + parsed.error().diag.message);
            return false;
        }
        out = std::move(*parsed);
        return true;
    }

    // An object-valued field read by `read_one(object, path, out)`.
    template <class T, class ReadOne>
    bool read_object(std::string_view camel, std::optional<T>& out, ReadOne read_one)
    {
        auto* v = find(camel);
        if (!v) return true;
        if (!v->is_object()) return fail_type(camel, "an object", *v);
        out.emplace();
        const auto field = path_.child(camel);
        return read_one(v->get_object(), field, *out);
    }

    // An array of objects, each read by `read_one(object, path, out)`.
    template <class T, class ReadOne>
    bool read_array(std::string_view camel, std::optional<std::vector<T>>& out, ReadOne read_one)
    {
        auto* v = find(camel);
        if (!v) return true;
        if (!v->is_array()) return fail_type(camel, "an array", *v);
        out.emplace();
        out->reserve(v->get_array().size());
        for (std::size_t i = 0; i < v->get_array().size(); ++i) {
            const auto& item = v->get_array()[i];
            const auto field = path_.child(camel);
            const auto item_path = field.item(i);
            if (!item.is_object()) return fail_type_at(item_path.pointer(), "an object", item);
            if (!read_one(item.get_object(), item_path, out->emplace_back())) return false;
        }
        return true;
    }

    // Every key not consumed by a read: unknown fields, kept for the round trip.
    void keep_rest(json::object& extra) const
    {
        if (used_count_ == object_.size()) return;
        for (std::size_t i = 0; i < object_.size(); ++i) {
            if (is_used(i)) continue;
            const auto& kv = object_.begin()[i];
            extra.emplace(kv.key(), kv.value());
        }
    }

    bool& saw_snake_case() { return saw_snake_case_; }
    std::optional<error>& failure() { return failure_; }

private:
    // Which keys were read, by position: a bit each for the first 64 (every object of the schema), a vector
    // only for bigger ones, so reading an ordinary object allocates nothing.
    const json::value* use(json::object::const_iterator it)
    {
        const auto index = static_cast<std::size_t>(it - object_.begin());
        if (!is_used(index)) {
            ++used_count_;
            if (index < 64) used_low_ |= std::uint64_t{1} << index;
            else used_high_.push_back(index);
        }
        return &it->value();
    }

    // Writers emit fields in schema order, the order they are read in: a scan from just after the last key
    // found usually matches at its first comparison. Big objects (unknown extras) use the object's index.
    json::object::const_iterator locate(std::string_view key)
    {
        const std::size_t size = object_.size();
        if (size > 32) return object_.find(key);
        const auto* first = object_.begin();
        for (std::size_t step = 0, i = next_; step < size; ++step, ++i) {
            if (i >= size) i = 0;
            const auto candidate = first[i].key();
            // Length and first letter settle most comparisons without a call to memcmp.
            if (candidate.size() == key.size() && !key.empty() && candidate[0] == key[0] && candidate == key) {
                next_ = i + 1;
                return first + i;
            }
        }
        return object_.end();
    }

    // Snake_case names are looked up only in objects that could hold one: most documents are camelCase.
    bool may_have_snake_case()
    {
        if (!may_have_snake_case_)
            may_have_snake_case_ = std::any_of(object_.begin(), object_.end(), [](const json::key_value_pair& kv) {
                return kv.key().find('_') != json::string_view::npos;
            });
        return *may_have_snake_case_;
    }

    bool is_used(std::size_t index) const
    {
        if (index < 64) return (used_low_ >> index) & 1U;
        return std::find(used_high_.begin(), used_high_.end(), index) != used_high_.end();
    }

    const json::object& object_;
    const json_path& path_;
    std::uint64_t used_low_ = 0;
    std::vector<std::size_t> used_high_;
    std::size_t used_count_ = 0;
    std::size_t next_ = 0;  // where locate() starts
    std::optional<bool> may_have_snake_case_;
    bool& saw_snake_case_;
    std::optional<error>& failure_;
};

// Shared state of one read: the first error and the field style seen.
struct read_state {
    bool saw_snake_case = false;
    std::optional<error> failure;

    object_reader reader(const json::object& object, const json_path& path)
    {
        return object_reader(object, path, saw_snake_case, failure);
    }
};

bool read_input_fields(object_reader& r, input& out)
{
    return r.read("description", out.description) && r.read("isRequired", out.is_required) &&
           r.read("format", out.format) && r.read("value", out.value) && r.read("isSecret", out.is_secret) &&
           r.read("default", out.default_value) && r.read("placeholder", out.placeholder) &&
           r.read("choices", out.choices);
}

bool read_input(read_state& state, const json::object& object, const json_path& path, input& out)
{
    auto r = state.reader(object, path);
    if (!read_input_fields(r, out)) return false;
    r.keep_rest(out.extra);
    return true;
}

bool read_input_map(read_state& state, object_reader& r, std::string_view camel, std::optional<input_map>& out)
{
    auto* v = r.find(camel);
    if (!v) return true;
    if (!v->is_object()) return r.fail_type(camel, "an object", *v);
    out.emplace();
    for (const auto& [key, item] : v->get_object()) {
        const auto field = r.path().child(camel);
        const auto item_path = field.child(key);
        if (!item.is_object()) return r.fail_type_at(item_path.pointer(), "an object", item);
        if (!read_input(state, item.get_object(), item_path, (*out)[std::string(key)])) return false;
    }
    return true;
}

bool read_input_with_variables(read_state& state, object_reader& r, input_with_variables& out)
{
    return read_input_fields(r, out) && read_input_map(state, r, "variables", out.variables);
}

bool read_key_value(read_state& state, const json::object& object, const json_path& path, key_value_input& out)
{
    auto r = state.reader(object, path);
    if (!r.read_required("name", out.name) || !read_input_with_variables(state, r, out)) return false;
    r.keep_rest(out.extra);
    return true;
}

bool read_argument(read_state& state, const json::object& object, const json_path& path, argument& out)
{
    auto r = state.reader(object, path);
    if (!r.read_required("type", out.type) || !r.read("name", out.name) || !r.read("valueHint", out.value_hint) ||
        !r.read("isRepeated", out.is_repeated) || !read_input_with_variables(state, r, out))
        return false;
    r.keep_rest(out.extra);
    return true;
}

bool read_transport(read_state& state, const json::object& object, const json_path& path, transport& out)
{
    auto r = state.reader(object, path);
    auto read_header = [&state](const json::object& o, const json_path& p, key_value_input& kv) {
        return read_key_value(state, o, p, kv);
    };
    if (!r.read_required("type", out.type) || !r.read("url", out.url) ||
        !r.read_array("headers", out.headers, read_header) || !read_input_map(state, r, "variables", out.variables))
        return false;
    r.keep_rest(out.extra);
    return true;
}

bool read_package(read_state& state, const json::object& object, const json_path& path, package& out)
{
    auto r = state.reader(object, path);
    auto read_args = [&state](const json::object& o, const json_path& p, argument& a) {
        return read_argument(state, o, p, a);
    };
    auto read_env = [&state](const json::object& o, const json_path& p, key_value_input& kv) {
        return read_key_value(state, o, p, kv);
    };
    auto read_one_transport = [&state](const json::object& o, const json_path& p, transport& t) {
        return read_transport(state, o, p, t);
    };
    if (!r.read_required("registryType", out.registry_type) || !r.read("registryBaseUrl", out.registry_base_url) ||
        !r.read_required("identifier", out.identifier) || !r.read("version", out.version) ||
        !r.read("fileSha256", out.file_sha256) || !r.read("runtimeHint", out.runtime_hint) ||
        !r.read_object("transport", out.transport, read_one_transport) ||
        !r.read_array("runtimeArguments", out.runtime_arguments, read_args) ||
        !r.read_array("packageArguments", out.package_arguments, read_args) ||
        !r.read_array("environmentVariables", out.environment_variables, read_env))
        return false;
    r.keep_rest(out.extra);
    return true;
}

bool read_server(read_state& state, const json::object& object, const json_path& path, server& out)
{
    auto r = state.reader(object, path);
    auto read_repository = [&state](const json::object& o, const json_path& p, repository& repo) {
        auto rr = state.reader(o, p);
        if (!rr.read("url", repo.url) || !rr.read("source", repo.source) || !rr.read("id", repo.id) ||
            !rr.read("subfolder", repo.subfolder))
            return false;
        rr.keep_rest(repo.extra);
        return true;
    };
    auto read_icon = [&state](const json::object& o, const json_path& p, icon& i) {
        auto ir = state.reader(o, p);
        if (!ir.read_required("src", i.src) || !ir.read("mimeType", i.mime_type) || !ir.read("sizes", i.sizes) ||
            !ir.read("theme", i.theme))
            return false;
        ir.keep_rest(i.extra);
        return true;
    };
    auto read_one_package = [&state](const json::object& o, const json_path& p, package& pkg) {
        return read_package(state, o, p, pkg);
    };
    auto read_remote = [&state](const json::object& o, const json_path& p, transport& t) {
        return read_transport(state, o, p, t);
    };
    if (!r.read("$schema", out.schema) || !r.read_required("name", out.name) ||
        !r.read_required("description", out.description) || !r.read_required("version", out.version) ||
        !r.read("title", out.title) || !r.read_object("repository", out.repository, read_repository) ||
        !r.read("websiteUrl", out.website_url) || !r.read_array("icons", out.icons, read_icon) ||
        !r.read_array("packages", out.packages, read_one_package) ||
        !r.read_array("remotes", out.remotes, read_remote) || !r.read("_meta", out.meta))
        return false;
    r.keep_rest(out.extra);
    return true;
}

bool read_official(read_state& state, const json::object& object, const json_path& path, official_meta& out)
{
    auto r = state.reader(object, path);
    if (!r.read("status", out.status) || !r.read("statusMessage", out.status_message) ||
        !r.read("publishedAt", out.published_at) || !r.read("updatedAt", out.updated_at) ||
        !r.read("statusChangedAt", out.status_changed_at) || !r.read("isLatest", out.is_latest))
        return false;
    r.keep_rest(out.extra);
    return true;
}

bool read_response_meta(read_state& state, const json::object& meta, const json_path& path, response_meta& out)
{
    for (const auto& [key, value] : meta) {
        if (key != official_meta_key) {
            out.other.emplace(key, value);
            continue;
        }
        const auto official_path = path.child(official_meta_key);
        if (!value.is_object()) {
            state.failure =
                make_error(errc::invalid_document, "at " + official_path.pointer() + ": expected an object, found " +
                                                       std::string(kind_name(value.kind())));
            return false;
        }
        if (!read_official(state, value.get_object(), official_path, out.official.emplace())) return false;
    }
    return true;
}

bool fail(read_state& state, std::string message)
{
    if (!state.failure) state.failure = make_error(errc::invalid_document, std::move(message));
    return false;
}

// Reads in place: a server_response holds dozens of JSON objects, and moving one is not free.
bool read_response(read_state& state, const json::object& object, const json_path& path, server_response& response)
{
    const auto* server_json = object.if_contains("server");
    if (!server_json) {
        // The 2025-07 and 2025-09-16 API shapes: a flat server with the registry's block in its own `_meta`.
        if (!object.contains("name"))
            return fail(state, "at " + path.pointer() + ": neither a {server, _meta} entry nor a server");
        if (!read_server(state, object, path, response.server)) return false;
        if (response.server.meta) {
            if (auto* official = response.server.meta->if_contains(official_meta_key);
                official && official->is_object())
                return read_official(state, official->get_object(), path.child("_meta").child(official_meta_key),
                                     response.meta.emplace().official.emplace());
        }
        return true;
    }
    if (!server_json->is_object())
        return fail(state, "at " + path.pointer() + "/server: expected an object, found " +
                               std::string(kind_name(server_json->kind())));
    if (!read_server(state, server_json->get_object(), path.child("server"), response.server)) return false;
    for (const auto& [key, value] : object) {
        if (key == "server") continue;
        if (key == "_meta") {
            if (!value.is_object())
                return fail(state, "at " + path.pointer() + "/_meta: expected an object, found " +
                                       std::string(kind_name(value.kind())));
            if (!read_response_meta(state, value.get_object(), path.child("_meta"), response.meta.emplace()))
                return false;
            continue;
        }
        response.extra.emplace(key, value);
    }
    return true;
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
    if (!value.is_object())
        return make_error(errc::invalid_document,
                          "a server.json document must be an object, found " + std::string(kind_name(value.kind())));
    read_state state;
    server out;
    read_server(state, value.get_object(), json_path{}, out);
    if (state.failure) return std::move(*state.failure);
    if (info) {
        info->declared = out.schema ? generation_of_schema_url(*out.schema) : schema_generation::unknown;
        info->detected = detect_generation(value);
        info->style = state.saw_snake_case ? field_style::snake_case : field_style::camel_case;
    }
    return out;
}

result<server> parse_server(std::string_view text, read_info* info)
{
    return parse_then_read(text, [info](const json::value& v) { return server_from_json(v, info); });
}

result<server_response> parse_server_response(std::string_view text)
{
    return parse_then_read(text, [](const json::value& v) { return server_response_from_json(v); });
}

result<server_list> parse_server_list(std::string_view text)
{
    return parse_then_read(text, [](const json::value& v) { return server_list_from_json(v); });
}

result<server_response> server_response_from_json(const json::value& value)
{
    if (!value.is_object())
        return make_error(errc::invalid_document,
                          "a server response must be an object, found " + std::string(kind_name(value.kind())));
    read_state state;
    server_response response;
    if (!read_response(state, value.get_object(), json_path{}, response)) return std::move(*state.failure);
    return response;
}

result<server_list> server_list_from_json(const json::value& value)
{
    const json::array* servers = value.is_object() ? array_field(value.get_object(), "servers") : nullptr;
    if (!servers) return make_error(errc::invalid_document, "a server list must be an object with a \"servers\" array");
    server_list list;
    list.servers.reserve(servers->size());
    for (std::size_t i = 0; i < servers->size(); ++i) {
        const auto& item = (*servers)[i];
        const json_path root, servers_path = root.child("servers"), path = servers_path.item(i);
        if (!item.is_object())
            return make_error(errc::invalid_document, "at " + path.pointer() + ": expected an object, found " +
                                                          std::string(kind_name(item.kind())));
        read_state state;
        if (!read_response(state, item.get_object(), path, list.servers.emplace_back()))
            return std::move(*state.failure);
    }
    read_state state;
    for (const auto& [key, item] : value.get_object()) {
        if (key == "servers") continue;
        if (key != "metadata") {
            list.extra.emplace(key, item);
            continue;
        }
        if (!item.is_object())
            return make_error(errc::invalid_document,
                              "at /metadata: expected an object, found " + std::string(kind_name(item.kind())));
        const json_path root, metadata_path = root.child("metadata");
        auto r = state.reader(item.get_object(), metadata_path);
        if (!r.read("nextCursor", list.next_cursor) || !r.read("count", list.count)) return std::move(*state.failure);
        r.keep_rest(list.metadata_extra);
    }
    list.has_metadata = value.get_object().contains("metadata");
    return list;
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
