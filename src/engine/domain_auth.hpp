// Domain proofs for POST /auth/dns and /auth/http (upstream internal/api/handlers/v0/auth/common.go).
// Private to the library.
#pragma once

#include <mcpreg/error.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace mcpreg::engine::detail {

/// `api.example.com` -> `com.example.api`.
std::string reverse_domain(std::string_view domain);

/// 1-253 characters, not an IP literal, at least one dot, labels [A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?.
bool is_valid_domain(std::string_view domain);

/// Checks the timestamp window and the signature of `timestamp` against the MCP keys in `records`
/// (`v=MCPv1; k=ed25519|ecdsap384; p=<base64>`). On failure, the message upstream reports.
/// `source` names where the records came from, for messages ("DNS TXT records", "HTTP response").
result<void> verify_domain_proof(std::string_view timestamp, std::string_view signed_timestamp_hex,
                                 const std::vector<std::string>& records, std::string_view source,
                                 std::chrono::system_clock::time_point now);

}  // namespace mcpreg::engine::detail
