// A registry's list page or detail response, as the client reads it off the network.
#include <mcpreg/model/json.hpp>

#include <boost/json/serialize.hpp>

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace mcpreg::model;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto page = parse_server_list(text)) {
        auto again = server_list_from_json(to_json(*page));
        if (!again || !(*again == *page)) std::abort();
        for (const auto& entry : page->servers) (void)entry.official();
    }
    if (auto entry = parse_server_response(text)) (void)boost::json::serialize(to_json(*entry));
    return 0;
}
