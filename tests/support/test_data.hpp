// Paths of the bundled test data and a file reader for tests.
#pragma once

#include <mcpreg/http_message.hpp>
#include <mcpreg/model/json.hpp>
#include <mcpreg/model/semver.hpp>
#include <mcpreg/model/validate.hpp>

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace mcpreg::test {

inline std::filesystem::path data_dir() { return MCPREG_TEST_DATA_DIR; }

inline std::string read_file(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open test file " + path.string());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// The *.json files of a folder, sorted.
inline std::vector<std::filesystem::path> json_files(const std::filesystem::path& dir)
{
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        if (entry.path().extension() == ".json") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

using mcpreg::percent_encode;

/// The official registry's publish profile.
inline model::validate_options official_profile()
{
    model::validate_options options;
    options.official_registry = true;
    return options;
}

/// Validation against one schema generation, whatever `$schema` says.
inline model::validate_options against(model::schema_generation generation)
{
    model::validate_options options;
    options.generation = generation;
    return options;
}

}  // namespace mcpreg::test

// Lets doctest print model values (and results holding them) in failure messages.
namespace mcpreg::model {
inline std::ostream& operator<<(std::ostream& out, const server& s)
{
    return out << boost::json::serialize(to_json(s));
}
inline std::ostream& operator<<(std::ostream& out, const server_response& r)
{
    return out << boost::json::serialize(to_json(r));
}
inline std::ostream& operator<<(std::ostream& out, const server_list& l)
{
    return out << boost::json::serialize(to_json(l));
}
inline std::ostream& operator<<(std::ostream& out, const timestamp& t) { return out << t.to_string(); }
inline std::ostream& operator<<(std::ostream& out, const semver& v) { return out << v.to_string(); }
}  // namespace mcpreg::model

// Lets doctest print any result<T> (T itself need not be printable) in failure messages.
namespace mcpreg {
template <class T>
std::ostream& operator<<(std::ostream& out, const boost::system::result<T, error>& r)
{
    if (r) return out << "(a value)";
    return out << "error: " << r.error();
}
}  // namespace mcpreg
