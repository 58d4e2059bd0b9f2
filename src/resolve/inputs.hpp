// Resolving the inputs of one package or remote: values, substitution, the inputs still needed. Private.
#pragma once

#include <mcpreg/resolve/resolve.hpp>

#include "../common/utf8.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace mcpreg::resolve::detail {

inline std::string at(std::string_view base, std::string_view field, std::size_t index)
{
    return std::string(base) + (base.empty() ? "" : ".") + std::string(field) + "[" + std::to_string(index) + "]";
}

inline bool is_number(std::string_view text)
{
    if (text.empty()) return false;
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc{} && end == text.data() + text.size();
}

// Launch specs and client configurations are JSON documents: a value that is not UTF-8 cannot be carried, and
// a NUL byte would silently cut an argument or a variable short when the host calls execve.
inline std::optional<error> refuse_malformed_inputs(const input_values& inputs)
{
    for (const auto& [name, values] : inputs) {
        if (!mcpreg::detail::is_valid_utf8(name) || name.find('\0') != std::string::npos)
            return make_error(errc::invalid_argument, "an input name is not valid UTF-8 text");
        for (const auto& value : values)
            if (!mcpreg::detail::is_valid_utf8(value) || value.find('\0') != std::string::npos)
                return make_error(errc::invalid_argument, "the value given for " + name + " is not valid UTF-8");
    }
    return std::nullopt;
}

// A produced value and where secret values sit in it. Spans move with the text when pieces are joined, so
// a secret substituted into `Bearer {token}` or `-e TOKEN={token}` stays located wherever it ends up.
struct piece {
    std::string text;
    std::vector<secret_span> spans;

    void append(std::string_view more) { text += more; }
    void append(const piece& more)
    {
        for (auto span : more.spans) {
            span.offset += text.size();
            spans.push_back(std::move(span));
        }
        text += more.text;
    }
    void append_secret(std::string_view value, std::string input)
    {
        spans.push_back({text.size(), value.size(), std::move(input)});
        text += value;
    }
    // The whole value is one secret (an input marked isSecret), whatever was substituted into it.
    void all_secret(std::string input) { spans = {{0, text.size(), std::move(input)}}; }
};

inline piece plain(std::string text) { return piece{std::move(text), {}}; }

// Every name an entry declares secret, anywhere in it. A value substituted by name (`{NAME}`) is a secret when
// any declaration of that name is, whichever place is resolved first.
inline void collect_secret_names(const model::input& in, std::string_view name, std::set<std::string>& out)
{
    if (in.is_secret.value_or(false) && !name.empty()) out.emplace(name);
}
inline void collect_secret_names(const std::optional<model::input_map>& variables, std::set<std::string>& out)
{
    if (variables)
        for (const auto& [name, variable] : *variables) collect_secret_names(variable, name, out);
}
inline void collect_secret_names(const std::optional<std::vector<model::key_value_input>>& list,
                                 std::set<std::string>& out)
{
    if (list)
        for (const auto& kv : *list) {
            collect_secret_names(kv, kv.name, out);
            collect_secret_names(kv.variables, out);
        }
}
inline void collect_secret_names(const std::optional<std::vector<model::argument>>& list, std::set<std::string>& out)
{
    if (list)
        for (const auto& a : *list) {
            if (a.name) collect_secret_names(a, *a.name, out);
            if (a.value_hint) collect_secret_names(a, *a.value_hint, out);
            collect_secret_names(a.variables, out);
        }
}

// Collects resolved values and the inputs still needed while one package or remote is resolved.
struct input_resolver {
    const input_values& inputs;
    std::vector<missing_input>& missing;
    /// Names declared secret anywhere in the package or remote (collect_secret_names).
    std::set<std::string> secret_names;
    /// Every value resolved so far by input name, for `{--port}` / `{PORT}` in transport URLs.
    std::map<std::string, piece, std::less<>> by_name;

    const std::vector<std::string>* supplied(std::string_view name) const
    {
        auto it = inputs.find(name);
        return it == inputs.end() || it->second.empty() ? nullptr : &it->second;
    }

    bool secret_name(std::string_view name) const { return secret_names.contains(std::string(name)); }

    void report(const model::input& in, std::string name, std::string used_in, std::string problem)
    {
        missing_input m;
        m.name = std::move(name);
        m.used_in = std::move(used_in);
        m.description = in.description;
        m.is_required = in.is_required.value_or(false);
        m.is_secret = in.is_secret.value_or(false) || secret_name(m.name);
        m.default_value = in.default_value;
        m.choices = in.choices;
        m.format = in.format.value_or("string");
        m.problem = std::move(problem);
        missing.push_back(std::move(m));
    }

    // A value passes `choices` and `format`; otherwise it is reported and refused.
    bool acceptable(const model::input& in, const std::string& name, const std::string& used_in,
                    const std::string& value)
    {
        if (in.choices && !in.choices->empty() &&
            std::find(in.choices->begin(), in.choices->end(), value) == in.choices->end()) {
            std::string list;
            for (const auto& c : *in.choices) list += (list.empty() ? "" : ", ") + c;
            report(in, name, used_in, "not one of: " + list);
            return false;
        }
        const auto format = in.format.value_or("string");
        if (format == "number" && !is_number(value)) {
            report(in, name, used_in, "not a number");
            return false;
        }
        if (format == "boolean" && value != "true" && value != "false") {
            report(in, name, used_in, "not true or false");
            return false;
        }
        return true;
    }

    // `{name}` placeholders replaced from `variables` (input, else default). nullopt when a variable has no
    // value: reported when it is required; an optional one omits the whole value.
    std::optional<piece> substitute(std::string_view text, const std::optional<model::input_map>& variables,
                                    const std::string& used_in)
    {
        piece out;
        bool complete = true;
        for (std::size_t i = 0; i < text.size();) {
            const auto close = text[i] == '{' ? text.find('}', i) : std::string_view::npos;
            if (close == std::string_view::npos) {
                out.text += text[i++];
                continue;
            }
            const std::string name(text.substr(i + 1, close - i - 1));
            const model::input* variable = nullptr;
            if (variables)
                if (auto it = variables->find(name); it != variables->end()) variable = &it->second;
            if (variable) {
                std::optional<std::string> value;
                if (auto* given = supplied(name)) value = given->front();
                else value = variable->default_value;
                if (value && !acceptable(*variable, name, used_in, *value)) value.reset(), complete = false;
                else if (!value) {
                    if (variable->is_required.value_or(false)) report(*variable, name, used_in, "required");
                    complete = false;
                }
                if (value) {
                    if (variable->is_secret.value_or(false) || secret_name(name)) out.append_secret(*value, name);
                    else out.append(*value);
                }
            }
            else if (auto found = by_name.find(name); found != by_name.end()) {
                if (found->second.spans.empty() && secret_name(name)) out.append_secret(found->second.text, name);
                else out.append(found->second);
            }
            else if (auto* given = supplied(name)) {
                if (secret_name(name)) out.append_secret(given->front(), name);
                else out.append(given->front());
            }
            else out.append(text.substr(i, close - i + 1));  // nothing defines it: left as written
            i = close + 1;
        }
        if (!complete) return std::nullopt;
        return out;
    }

    // The values of one input: its fixed `value` (substituted), else the user's, else its default. Empty when
    // there is none (a required one is then reported). An input marked secret is a secret as a whole.
    std::vector<piece> values(const model::input_with_variables& in, const std::string& name,
                              const std::string& used_in, bool repeated)
    {
        std::vector<piece> out;
        const bool secret = in.is_secret.value_or(false) || secret_name(name);
        if (in.value) {
            if (auto v = substitute(*in.value, in.variables, used_in)) {
                if (secret) v->all_secret(name.empty() ? used_in : name);
                out.push_back(std::move(*v));
            }
            return out;
        }
        if (auto* given = supplied(name)) {
            for (const auto& v : *given) {
                if (!acceptable(in, name, used_in, v)) return {};
                out.push_back(plain(v));
                if (secret) out.back().all_secret(name);
                if (!repeated) break;
            }
        }
        else if (in.default_value) {
            if (!acceptable(in, name, used_in, *in.default_value)) return {};
            out.push_back(plain(*in.default_value));
            if (secret) out.back().all_secret(name);
        }
        else if (in.is_required.value_or(false)) {
            report(in, name, used_in, "required");
        }
        if (!out.empty() && !name.empty()) by_name.emplace(name, out.front());
        return out;
    }

    void arguments(const std::optional<std::vector<model::argument>>& list, std::string_view base,
                   std::string_view field, bool joined, std::vector<piece>& argv)
    {
        if (!list) return;
        for (std::size_t i = 0; i < list->size(); ++i) {
            const auto& a = (*list)[i];
            const auto where = at(base, field, i);
            const bool repeated = a.is_repeated.value_or(false);
            if (a.is_named()) {
                const std::string flag = a.name.value_or("");
                // Nothing says it takes a value (no value, default, hint, format, choices or repetition): a flag
                // such as --verbose. A --port with format "number" and no input is left out instead.
                const bool valueless = !a.value && !a.default_value && !a.value_hint && !a.format && !a.choices &&
                                       !repeated && !supplied(flag) && !a.is_required.value_or(false);
                if (valueless) {
                    if (!flag.empty()) argv.push_back(plain(flag));
                    continue;
                }
                auto got = values(a, flag, where, repeated);
                if (a.format.value_or("") == "boolean" && !a.value) {
                    // A boolean flag: present when true, absent when false.
                    if (!got.empty() && got.front().text == "true") argv.push_back(plain(flag));
                    continue;
                }
                for (auto& v : got) {
                    if (joined) {
                        piece token = plain(flag + "=");
                        token.append(v);
                        argv.push_back(std::move(token));
                    }
                    else {
                        argv.push_back(plain(flag));
                        argv.push_back(std::move(v));
                    }
                }
            }
            else {
                const std::string key = a.value_hint ? *a.value_hint : a.name.value_or(where);
                for (auto& v : values(a, key, where, repeated)) argv.push_back(std::move(v));
            }
        }
    }

    void key_values(const std::optional<std::vector<model::key_value_input>>& list, std::string_view base,
                    std::string_view field, std::map<std::string, piece>& into)
    {
        if (!list) return;
        for (std::size_t i = 0; i < list->size(); ++i) {
            const auto& kv = (*list)[i];
            auto got = values(kv, kv.name, at(base, field, i), false);
            if (got.empty()) continue;
            into[kv.name] = std::move(got.front());
        }
    }
};

}  // namespace mcpreg::resolve::detail
