// Shared pieces of the fuzz targets: a registry seeded with real entries, built once per process.
#pragma once

#include <mcpreg/engine/registry.hpp>
#include <mcpreg/model/json.hpp>

#include <boost/json/array.hpp>

#include <cstdlib>
#include <string>

namespace mcpreg::fuzz {

/// The first 200 entries of the bundled snapshot in an in-memory registry with anonymous publishing on.
inline engine::registry& seeded_registry()
{
    static engine::registry reg = [] {
        engine::registry_options options;
        options.anonymous_auth = true;
        auto r = engine::registry::open(options);
        if (!r) std::abort();
        auto all = model::read_json_file(std::string(MCPREG_TEST_DATA_DIR) + "/registry-seed.json");
        if (!all || !all->is_array()) std::abort();
        boost::json::array some(all->as_array().begin(), all->as_array().begin() + 200);
        if (!r->import_json(some)) std::abort();
        return std::move(*r);
    }();
    return reg;
}

/// Percent-encodes every byte that is not unreserved, so any input can travel as one query value.
inline std::string percent_encode(std::string_view bytes)
{
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const char byte : bytes) {
        const auto c = static_cast<unsigned char>(byte);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~')
            out += static_cast<char>(c);
        else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

}  // namespace mcpreg::fuzz
