// The HTTP listener's request handling without a socket: raw bytes in, the bytes it would send out.
#pragma once

#include <mcpreg/engine/http_server.hpp>

#include <string>
#include <string_view>

namespace mcpreg::engine::detail {

/// Answers one request given as raw HTTP/1.1 bytes exactly as a connection would: Beast's parser with the
/// listener's limits, the same conversions, and the same 400 / 413 / 431 answer when it cannot be read. For
/// fuzzing and tests; the listener reads from its socket incrementally and shares every step after that.
std::string answer_raw(registry& reg, std::string_view bytes, const http_server_options& limits = {});

}  // namespace mcpreg::engine::detail
