// The bundled snapshot of the real registry, shared by the benchmarks.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fstream>
#include <sstream>
#include <string>

namespace mcpreg::bench {

/// Every entry of tests/data/registry-seed.json (2,376 ServerResponse objects), parsed once.
inline const boost::json::array& snapshot()
{
    static const boost::json::value document = [] {
        std::ifstream in(std::string(MCPREG_TEST_DATA_DIR) + "/registry-seed.json", std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        return boost::json::parse(text.str());
    }();
    return document.as_array();
}

/// A real list page: the first 100 entries, as GET /v0.1/servers?limit=100 would send them (85 KB).
inline const std::string& list_page_text()
{
    static const std::string text = [] {
        boost::json::array servers(snapshot().begin(), snapshot().begin() + 100);
        return boost::json::serialize(boost::json::value{{"servers", std::move(servers)},
                                                         {"metadata", {{"nextCursor", "cursor"}, {"count", 100}}}});
    }();
    return text;
}

}  // namespace mcpreg::bench
