// Names and kinds as the reader's messages and the writer's snake_case style spell them. Private to the model.
#pragma once

#include <boost/json/kind.hpp>

#include <string>
#include <string_view>

namespace mcpreg::model::detail {

// "registryBaseUrl" -> "registry_base_url", "fileSha256" -> "file_sha256": the 2025-07-09 spelling.
inline std::string snake_case_of(std::string_view camel)
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

inline std::string_view kind_name(boost::json::kind k)
{
    switch (k) {
    case boost::json::kind::null: return "null";
    case boost::json::kind::bool_: return "a boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_: return "a number";
    case boost::json::kind::string: return "a string";
    case boost::json::kind::array: return "an array";
    case boost::json::kind::object: return "an object";
    }
    return "a value";
}

}  // namespace mcpreg::model::detail
