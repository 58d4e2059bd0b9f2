// The lenient reader of server.json documents and registry responses.
// One reader for every input: it is driven by parse events, so text is read in a single pass (Boost.JSON's
// basic_parser calls it token by token, and no DOM is built for known fields), and a DOM is read by replaying
// it as the same events. Model types are described by tables of their fields; unknown members (and free-form
// `_meta`) are built with a value_stack and kept in `extra`. The first error wins and the rest of the input is
// only checked for syntax, so a syntax error anywhere is reported over a typed one, as when parsing first.

#include <mcpreg/model/json.hpp>

#include "json_pointer.hpp"
#include "json_read_tables.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value_stack.hpp>

#include <algorithm>
#include <bit>

namespace mcpreg::model {
namespace json = boost::json;
namespace {

using detail::field_def;
using detail::field_type;
using detail::kind_name;
using detail::not_a_list;
using detail::schemas;
using detail::type_schema;

result<json::value> parse_json_into(std::string_view text, json::storage_ptr storage, const parse_limits& limits)
{
    json::parse_options options;
    options.max_depth = limits.max_depth;
    boost::system::error_code ec;
    json::value value = json::parse(text, ec, std::move(storage), options);
    if (ec) return make_error(errc::json_syntax, "not valid JSON: " + ec.message());
    return value;
}

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
        field_value_begins(top.type->fields[static_cast<std::size_t>(index)], top.target, kind, text, i, u, b);
    }

    // The value of a known field begins: stored, or a frame opened for it (the reference to the top frame is
    // not held: pushing a frame may move it).
    void field_value_begins(const field_def& f, void* target, json::kind kind, std::string_view text, std::int64_t i,
                            std::uint64_t u, bool b)
    {
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

}  // namespace mcpreg::model
