// DNS answers, as a domain's name servers may send them: any bytes into the one parser of TXT answers.
// Property: a clean refusal or records within the bounds, never a crash or an overread.
#include <mcpreg/engine/dns.hpp>

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view message(reinterpret_cast<const char*>(data), size);
    mcpreg::engine::dns_options bounds;
    bounds.max_records = 8;
    bounds.max_text_bytes = 1024;
    auto records = mcpreg::engine::txt_records_from_answer(message, bounds);
    if (!records) return 0;
    std::size_t text = 0;
    for (const auto& r : *records) text += r.size();
    if (records->size() > bounds.max_records || text > bounds.max_text_bytes) std::abort();
    return 0;
}
