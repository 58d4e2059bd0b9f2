// Resolving the inputs of one package or remote: values, substitution, the inputs still needed. Private.
#pragma once

#include <mcpreg/resolve/resolve.hpp>

#include "../common/utf8.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
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

// Launch specs and client configurations are JSON documents: a value that is not UTF-8 cannot be carried.
inline std::optional<error> refuse_malformed_inputs(const input_values& inputs)
{
    for (const auto& [name, values] : inputs) {
        if (!mcpreg::detail::is_valid_utf8(name))
            return make_error(errc::invalid_argument, "an input name is not valid UTF-8");
        for (const auto& value : values)
            if (!mcpreg::detail::is_valid_utf8(value))
                return make_error(errc::invalid_argument, "the value given for " + name + " is not valid UTF-8");
    }
    return std::nullopt;
}

// Collects resolved values and the inputs still needed while one package or remote is resolved.
struct input_resolver {
    const input_values& inputs;
    std::vector<missing_input>& missing;
    /// Every value resolved so far by input name, for `{--port}` / `{PORT}` in transport URLs.
    std::map<std::string, std::string, std::less<>> by_name;

    const std::vector<std::string>* supplied(std::string_view name) const
    {
        auto it = inputs.find(name);
        return it == inputs.end() || it->second.empty() ? nullptr : &it->second;
    }

    void report(const model::input& in, std::string name, std::string used_in, std::string problem)
    {
        missing_input m;
        m.name = std::move(name);
        m.used_in = std::move(used_in);
        m.description = in.description;
        m.is_required = in.is_required.value_or(false);
        m.is_secret = in.is_secret.value_or(false);
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
    std::optional<std::string> substitute(std::string_view text, const std::optional<model::input_map>& variables,
                                          const std::string& used_in)
    {
        std::string out;
        bool complete = true;
        for (std::size_t i = 0; i < text.size();) {
            const auto close = text[i] == '{' ? text.find('}', i) : std::string_view::npos;
            if (close == std::string_view::npos) {
                out += text[i++];
                continue;
            }
            const std::string name(text.substr(i + 1, close - i - 1));
            const model::input* variable = nullptr;
            if (variables)
                if (auto it = variables->find(name); it != variables->end()) variable = &it->second;
            std::optional<std::string> value;
            if (variable) {
                if (auto* given = supplied(name)) value = given->front();
                else value = variable->default_value;
                if (value && !acceptable(*variable, name, used_in, *value)) value.reset(), complete = false;
                else if (!value) {
                    if (variable->is_required.value_or(false)) report(*variable, name, used_in, "required");
                    complete = false;
                }
            }
            else if (auto found = by_name.find(name); found != by_name.end()) {
                value = found->second;
            }
            else if (auto* given = supplied(name)) {
                value = given->front();
            }
            if (value) out += *value;
            else if (!variable) out += text.substr(i, close - i + 1);  // nothing defines it: left as written
            i = close + 1;
        }
        if (!complete) return std::nullopt;
        return out;
    }

    // The values of one input: its fixed `value` (substituted), else the user's, else its default. Empty when
    // there is none (a required one is then reported).
    std::vector<std::string> values(const model::input_with_variables& in, const std::string& name,
                                    const std::string& used_in, bool repeated)
    {
        std::vector<std::string> out;
        if (in.value) {
            if (auto v = substitute(*in.value, in.variables, used_in)) out.push_back(std::move(*v));
            return out;
        }
        if (auto* given = supplied(name)) {
            for (const auto& v : *given) {
                if (!acceptable(in, name, used_in, v)) return {};
                out.push_back(v);
                if (!repeated) break;
            }
        }
        else if (in.default_value) {
            if (!acceptable(in, name, used_in, *in.default_value)) return {};
            out.push_back(*in.default_value);
        }
        else if (in.is_required.value_or(false)) {
            report(in, name, used_in, "required");
        }
        if (!out.empty() && !name.empty()) by_name.emplace(name, out.front());
        return out;
    }

    void arguments(const std::optional<std::vector<model::argument>>& list, std::string_view base,
                   std::string_view field, bool joined, std::vector<std::string>& argv)
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
                    if (!flag.empty()) argv.push_back(flag);
                    continue;
                }
                auto got = values(a, flag, where, repeated);
                if (a.format.value_or("") == "boolean" && !a.value) {
                    // A boolean flag: present when true, absent when false.
                    if (!got.empty() && got.front() == "true") argv.push_back(flag);
                    continue;
                }
                for (const auto& v : got) {
                    if (joined) argv.push_back(flag + "=" + v);
                    else {
                        argv.push_back(flag);
                        argv.push_back(v);
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
                    std::string_view field, std::map<std::string, std::string>& into, std::set<std::string>& secrets)
    {
        if (!list) return;
        for (std::size_t i = 0; i < list->size(); ++i) {
            const auto& kv = (*list)[i];
            auto got = values(kv, kv.name, at(base, field, i), false);
            if (got.empty()) continue;
            into[kv.name] = std::move(got.front());
            if (kv.is_secret.value_or(false)) secrets.insert(kv.name);
        }
    }
};

}  // namespace mcpreg::resolve::detail
