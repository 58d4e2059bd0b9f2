// Paths of the bundled test data and a file reader for tests.
#pragma once

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

} // namespace mcpreg::test
