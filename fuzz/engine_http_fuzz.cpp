// Raw HTTP/1.1 bytes into the engine, through the listener's own parser, limits and conversions.
// Properties: never a crash, never a 500 (every failure here is the client's), always a status line.
#include "../src/engine/http_codec.hpp"
#include "fuzz_support.hpp"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    mcpreg::engine::http_server_options limits;
    limits.max_body_bytes = 64 << 10;  // small limits so the fuzzer reaches them
    limits.max_header_bytes = 8 << 10;
    const auto answer = mcpreg::engine::detail::answer_raw(mcpreg::fuzz::seeded_registry(), bytes, limits);
    if (!answer.starts_with("HTTP/1.")) std::abort();
    if (answer.find(" 500 ") == 8) std::abort();
    return 0;
}
