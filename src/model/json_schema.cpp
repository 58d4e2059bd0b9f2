#include "json_schema.hpp"

#include "json_pointer.hpp"
#include "schema_sources.hpp"
#include "url.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <regex>

namespace mcpreg::model::detail {
namespace json = boost::json;
namespace {

bool is_ascii_alnum(char c) noexcept
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_ascii_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

bool all_of(std::string_view s, bool (*predicate)(char)) noexcept
{
    for (char c : s)
        if (!predicate(c)) return false;
    return true;
}

bool no_space(std::string_view s) noexcept
{
    for (char c : s)
        if (is_space(c)) return false;
    return true;
}

// ^https?://[^\s]+$
bool is_http_url_pattern(std::string_view s) noexcept
{
    std::string_view rest;
    if (s.starts_with("https://")) rest = s.substr(8);
    else if (s.starts_with("http://")) rest = s.substr(7);
    else return false;
    return !rest.empty() && no_space(rest);
}

using string_matcher = std::function<bool(std::string_view)>;

// The patterns the server.json schemas use, matched by hand: exact, linear and safe on 10 MB inputs, where
// libstdc++'s recursive std::regex would overflow the stack. Any other pattern falls back to std::regex.
string_matcher known_pattern(std::string_view pattern)
{
    if (pattern == R"(^[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+$)")
        return [](std::string_view s) {
            auto slash = s.find('/');
            if (slash == std::string_view::npos || slash == 0 || slash + 1 == s.size()) return false;
            auto ns = s.substr(0, slash), rest = s.substr(slash + 1);
            return all_of(ns, [](char c) { return is_ascii_alnum(c) || c == '.' || c == '-'; }) &&
                   all_of(rest, [](char c) { return is_ascii_alnum(c) || c == '.' || c == '_' || c == '-'; });
        };
    if (pattern == R"(^[a-f0-9]{64}$)")
        return [](std::string_view s) {
            return s.size() == 64 && all_of(s, [](char c) { return is_ascii_digit(c) || (c >= 'a' && c <= 'f'); });
        };
    if (pattern == R"(^(\d+x\d+|any)$)")
        return [](std::string_view s) {
            if (s == "any") return true;
            auto x = s.find('x');
            return x != std::string_view::npos && x > 0 && x + 1 < s.size() && all_of(s.substr(0, x), is_ascii_digit) &&
                   all_of(s.substr(x + 1), is_ascii_digit);
        };
    if (pattern == R"(^https?://[^\s]+$)") return is_http_url_pattern;
    if (pattern == R"(^(https?://[^\s]+|\{[a-zA-Z_][a-zA-Z0-9_]*\}[^\s]*)$)")
        return [](std::string_view s) {
            if (is_http_url_pattern(s)) return true;
            if (s.size() < 3 || s[0] != '{') return false;
            auto close = s.find('}');
            if (close == std::string_view::npos || close < 2) return false;
            auto name = s.substr(1, close - 1);
            if (!(name[0] == '_' || (is_ascii_alnum(name[0]) && !is_ascii_digit(name[0])))) return false;
            return all_of(name, [](char c) { return is_ascii_alnum(c) || c == '_'; }) && no_space(s.substr(close + 1));
        };
    auto regex = std::make_shared<std::regex>(std::string(pattern), std::regex::ECMAScript);
    return [regex](std::string_view s) {
        constexpr std::size_t max_regex_input = 4096;  // bounds std::regex's recursion depth
        return s.size() <= max_regex_input && std::regex_search(s.begin(), s.end(), *regex);
    };
}

std::size_t code_points(std::string_view s) noexcept
{
    std::size_t count = 0;
    for (char c : s)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
    return count;
}

std::string excerpt(std::string_view s)
{
    constexpr std::size_t shown = 80;
    std::string text = json::serialize(json::string_view(s.substr(0, shown)));
    if (s.size() > shown) text.insert(text.size() - 1, "...");
    return text;
}

std::string json_excerpt(const json::value& v)
{
    auto text = json::serialize(v);
    constexpr std::size_t shown = 80;
    if (text.size() > shown) text = text.substr(0, shown) + "...";
    return text;
}

struct schema_node {
    std::vector<std::string> types;
    std::vector<std::pair<std::string, const schema_node*>> properties;
    std::vector<std::string> required;
    std::string pattern;
    string_matcher pattern_matcher;
    std::optional<std::size_t> min_length, max_length;
    std::optional<json::array> enum_values;
    std::optional<json::value> const_value;
    std::string format;
    const schema_node* items = nullptr;
    bool additional_properties_forbidden = false;
    const schema_node* additional_properties = nullptr;
    std::vector<const schema_node*> all_of, any_of;
    const schema_node* not_schema = nullptr;
    std::string ref;  // "#/definitions/X" until linked
    const schema_node* ref_target = nullptr;
};

class compiled_schema {
public:
    explicit compiled_schema(std::string_view text)
    {
        const auto document = json::parse(text).as_object();
        if (auto* definitions = document.if_contains("definitions"))
            for (const auto& [name, definition] : definitions->as_object())
                definitions_["#/definitions/" + std::string(name)] = compile(definition);
        root_ = compile(document);
        for (auto& node : nodes_) {
            if (node.ref.empty()) continue;
            auto it = definitions_.find(node.ref);
            if (it != definitions_.end()) node.ref_target = it->second;
        }
    }

    const schema_node& root() const { return *root_; }

private:
    const schema_node* compile(const json::value& value)
    {
        auto& node = nodes_.emplace_back();
        if (!value.is_object()) return &node;  // `true` / `{}`: anything goes
        const auto& object = value.get_object();
        if (auto* ref = object.if_contains("$ref")) node.ref = std::string(ref->as_string());
        if (auto* type = object.if_contains("type")) {
            if (type->is_string()) node.types.emplace_back(type->get_string());
            else
                for (const auto& t : type->as_array()) node.types.emplace_back(t.as_string());
        }
        if (auto* properties = object.if_contains("properties"))
            for (const auto& [name, property] : properties->as_object())
                node.properties.emplace_back(std::string(name), compile(property));
        if (auto* required = object.if_contains("required"))
            for (const auto& name : required->as_array()) node.required.emplace_back(name.as_string());
        if (auto* pattern = object.if_contains("pattern")) {
            node.pattern = std::string(pattern->as_string());
            node.pattern_matcher = known_pattern(node.pattern);
        }
        if (auto* v = object.if_contains("minLength"))
            node.min_length = static_cast<std::size_t>(v->to_number<std::int64_t>());
        if (auto* v = object.if_contains("maxLength"))
            node.max_length = static_cast<std::size_t>(v->to_number<std::int64_t>());
        if (auto* v = object.if_contains("enum")) node.enum_values = v->as_array();
        if (auto* v = object.if_contains("const")) node.const_value = *v;
        if (auto* v = object.if_contains("format")) node.format = std::string(v->as_string());
        if (auto* v = object.if_contains("items")) node.items = compile(*v);
        if (auto* v = object.if_contains("additionalProperties")) {
            if (v->is_bool()) node.additional_properties_forbidden = !v->get_bool();
            else node.additional_properties = compile(*v);
        }
        if (auto* v = object.if_contains("allOf"))
            for (const auto& sub : v->as_array()) node.all_of.push_back(compile(sub));
        if (auto* v = object.if_contains("anyOf"))
            for (const auto& sub : v->as_array()) node.any_of.push_back(compile(sub));
        if (auto* v = object.if_contains("not")) node.not_schema = compile(*v);
        return &node;
    }

    std::deque<schema_node> nodes_;  // stable addresses
    std::map<std::string, const schema_node*> definitions_;
    const schema_node* root_ = nullptr;
};

bool has_type(const json::value& v, std::string_view type)
{
    if (type == "string") return v.is_string();
    if (type == "object") return v.is_object();
    if (type == "array") return v.is_array();
    if (type == "boolean") return v.is_bool();
    if (type == "null") return v.is_null();
    if (type == "number") return v.is_number();
    if (type == "integer")
        return v.is_int64() || v.is_uint64() ||
               (v.is_double() && v.get_double() == static_cast<double>(static_cast<std::int64_t>(v.get_double())));
    return false;
}

std::string_view type_name(const json::value& v)
{
    switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "boolean";
    case json::kind::int64:
    case json::kind::uint64: return "integer";
    case json::kind::double_: return "number";
    case json::kind::string: return "string";
    case json::kind::array: return "array";
    case json::kind::object: return "object";
    }
    return "value";
}

class validator {
public:
    explicit validator(std::vector<validation_issue>& issues) : issues_(issues) {}

    void check(const schema_node& s, const json::value& v, const std::string& path)
    {
        if (s.ref_target) {  // draft-07: a $ref replaces its siblings
            check(*s.ref_target, v, path);
            return;
        }
        if (!s.types.empty()) {
            bool ok = false;
            for (const auto& t : s.types) ok = ok || has_type(v, t);
            if (!ok) {
                std::string expected;
                for (const auto& t : s.types) expected += (expected.empty() ? "" : " or ") + t;
                add("schema-type", path, "expected " + expected + ", found " + std::string(type_name(v)));
                return;  // the other keywords would only repeat the type error
            }
        }
        if (s.enum_values) {
            bool ok = false;
            for (const auto& e : *s.enum_values) ok = ok || e == v;
            if (!ok) {
                std::string allowed;
                for (const auto& e : *s.enum_values) allowed += (allowed.empty() ? "" : ", ") + json::serialize(e);
                add("schema-enum", path, json_excerpt(v) + " is not one of " + allowed);
            }
        }
        if (s.const_value && *s.const_value != v)
            add("schema-const", path, "must be " + json::serialize(*s.const_value));
        if (v.is_string()) check_string(s, v.get_string(), path);
        if (v.is_object()) check_object(s, v.get_object(), path);
        if (v.is_array() && s.items) {
            const auto& array = v.get_array();
            for (std::size_t i = 0; i < array.size(); ++i) check(*s.items, array[i], path + "/" + std::to_string(i));
        }
        for (const auto* sub : s.all_of) check(*sub, v, path);
        if (!s.any_of.empty()) check_any_of(s, v, path);
        if (s.not_schema) {
            std::vector<validation_issue> scratch;
            validator inner(scratch);
            inner.check(*s.not_schema, v, path);
            if (scratch.empty()) {
                const auto* negated = s.not_schema->ref_target ? s.not_schema->ref_target : s.not_schema;
                add("schema-not", path,
                    negated->const_value ? "must not be " + json::serialize(*negated->const_value)
                                         : "matches a schema it must not match");
            }
        }
    }

private:
    void add(std::string rule, const std::string& path, std::string message)
    {
        issues_.push_back({std::move(rule), severity::error, path, std::move(message)});
    }

    void check_string(const schema_node& s, json::string_view text, const std::string& path)
    {
        const std::string_view sv(text.data(), text.size());
        if (s.min_length || s.max_length) {
            auto length = code_points(sv);
            if (s.min_length && length < *s.min_length)
                add("schema-minLength", path,
                    "shorter than " + std::to_string(*s.min_length) + " characters (" + std::to_string(length) + ")");
            if (s.max_length && length > *s.max_length)
                add("schema-maxLength", path,
                    "longer than " + std::to_string(*s.max_length) + " characters (" + std::to_string(length) + ")");
        }
        if (s.pattern_matcher && !s.pattern_matcher(sv))
            add("schema-pattern", path, excerpt(sv) + " does not match pattern " + s.pattern);
        if (s.format == "uri" && !is_absolute_uri(sv)) add("schema-format", path, excerpt(sv) + " is not a valid URI");
    }

    void check_object(const schema_node& s, const json::object& object, const std::string& path)
    {
        for (const auto& name : s.required)
            if (!object.contains(name))
                add("schema-required", path + "/" + escape_pointer_token(name),
                    "missing required property \"" + name + "\"");
        for (const auto& [name, property] : s.properties)
            if (auto* v = object.if_contains(name)) check(*property, *v, path + "/" + escape_pointer_token(name));
        if (!s.additional_properties_forbidden && !s.additional_properties) return;
        for (const auto& [key, value] : object) {
            bool declared = false;
            for (const auto& [name, property] : s.properties) declared = declared || name == key;
            if (declared) continue;
            auto child = path + "/" + escape_pointer_token(key);
            if (s.additional_properties_forbidden)
                add("schema-additionalProperties", child, "unexpected property \"" + std::string(key) + "\"");
            else check(*s.additional_properties, value, child);
        }
    }

    // All branches failing: report the branch that failed least; when several tie, one summary issue.
    void check_any_of(const schema_node& s, const json::value& v, const std::string& path)
    {
        std::vector<std::vector<validation_issue>> failures;
        for (const auto* branch : s.any_of) {
            std::vector<validation_issue> branch_issues;
            validator inner(branch_issues);
            inner.check(*branch, v, path);
            if (branch_issues.empty()) return;
            failures.push_back(std::move(branch_issues));
        }
        // A branch that fails on an enum or const of a direct child (a discriminator such as "type") is the
        // wrong form rather than a broken one: rank those last.
        auto rank = [&](const std::vector<validation_issue>& failure) {
            bool wrong_form = std::any_of(failure.begin(), failure.end(), [&](const validation_issue& i) {
                return (i.rule == "schema-enum" || i.rule == "schema-const") && i.path.size() > path.size() &&
                       i.path.find('/', path.size() + 1) == std::string::npos;
            });
            return std::pair{wrong_form, failure.size()};
        };
        std::size_t best = 0, ties = 0;
        for (std::size_t i = 1; i < failures.size(); ++i) {
            if (rank(failures[i]) < rank(failures[best])) {
                best = i;
                ties = 0;
            }
            else if (rank(failures[i]) == rank(failures[best])) {
                ++ties;
            }
        }
        if (ties == 0) {
            issues_.insert(issues_.end(), failures[best].begin(), failures[best].end());
            return;
        }
        std::string reasons;
        for (const auto& failure : failures) {
            const auto& first = failure.front();
            auto where = first.path.substr(std::min(first.path.size(), path.size()));
            reasons += (reasons.empty() ? "" : "; or ") + (where.empty() ? "" : where + ": ") + first.message;
        }
        add("schema-anyOf", path, "matches none of the allowed forms (" + reasons + ")");
    }

    std::vector<validation_issue>& issues_;
};

const compiled_schema& schema_for(schema_generation generation)
{
    static const auto compiled = [] {
        std::map<schema_generation, std::unique_ptr<compiled_schema>> schemas;
        for (const auto& embedded : embedded_schemas())
            if (auto generation_id = parse_generation(embedded.id))
                schemas.emplace(*generation_id, std::make_unique<compiled_schema>(embedded.text));
        return schemas;
    }();
    auto it = compiled.find(generation);
    if (it == compiled.end()) it = compiled.find(current_generation);
    return *it->second;
}

}  // namespace

void validate_against_schema(const json::value& document, schema_generation generation,
                             std::vector<validation_issue>& issues)
{
    validator(issues).check(schema_for(generation).root(), document, "");
}

}  // namespace mcpreg::model::detail
