// Cursors and the other list parameters, as a client may send them: any bytes, percent-encoded, into the
// engine's query decoding and keyset pagination, and into the offline catalog's cursor decoding.
#include "fuzz_support.hpp"

#include <mcpreg/cache/catalog.hpp>

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace mcpreg;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    auto& reg = fuzz::seeded_registry();
    for (const char* parameter : {"cursor", "updated_since", "search", "version", "limit", "include_deleted"}) {
        engine::request req;
        req.target = "/v0.1/servers?limit=5&" + std::string(parameter) + "=" + fuzz::percent_encode(bytes);
        const auto res = reg.handle(req);
        if (res.status >= 500) std::abort();
    }
    // The raw bytes as the query string itself: invalid percent-encoding included.
    engine::request raw;
    raw.target = "/v0.1/servers?" + std::string(bytes);
    if (reg.handle(raw).status >= 500) std::abort();

    static auto catalog = cache::catalog::open({":memory:"});
    if (!catalog) std::abort();
    cache::catalog_query query;
    query.cursor = std::string(bytes);
    (void)catalog->list(query);
    return 0;
}
