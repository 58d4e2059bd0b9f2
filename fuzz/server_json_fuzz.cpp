// server.json bytes -> JSON -> validation and the typed model, which must round-trip losslessly.
#include <mcpreg/model/json.hpp>
#include <mcpreg/model/validate.hpp>

#include <boost/json/serialize.hpp>

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace mcpreg::model;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto json = parse_json(text);
    if (!json) return 0;
    validate_options official;
    official.official_registry = true;
    (void)validate(*json);
    (void)validate(*json, official);
    (void)detect_generation(*json);
    read_info info;
    auto server = server_from_json(*json, &info);
    if (!server) return 0;
    (void)validate(*server);
    // Lossless: written in the field style it was read in, a document reads back as the same model. (In the
    // other style a field can collide with an unknown key of that spelling, which the writer must drop.)
    write_options options;
    options.style = info.style;
    auto again = server_from_json(to_json(*server, options));
    if (!again || !(*again == *server)) std::abort();
    (void)boost::json::serialize(to_json(*server));
    return 0;
}
