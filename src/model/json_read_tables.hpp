// The reader's tables: what each model type's fields are, how they are spelled and where they go. Built once
// (json_read_tables.cpp); the reader (json_read.cpp) only looks them up. Private to the model.
#pragma once

#include <mcpreg/model/server.hpp>

#include "json_names.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace mcpreg::model::detail {

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
    raw,      // std::optional<boost::json::object>, kept as it came
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
    boost::json::object& (*extra)(void*);                     // where unknown members go
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
    type_schema schema{std::move(fields), [](void* t) -> boost::json::object& { return static_cast<T*>(t)->extra; },
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

inline constexpr std::string_view not_a_list = "a server list must be an object with a \"servers\" array";

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
    schemas();
    void add_input_tables();
    void add_server_tables();
    void add_response_tables();
};

}  // namespace mcpreg::model::detail
