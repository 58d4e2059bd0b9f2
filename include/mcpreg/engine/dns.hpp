// DNS TXT lookups for domain proofs (POST /v0/auth/dns), through c-ares: asynchronous inside, bounded in time
// and in what an answer may hold. A DNS answer is untrusted data from whoever runs the domain's name servers
// (the caller of the exchange, in the worst case): txt_records_from_answer is the one place it is read.
#pragma once

#include <mcpreg/error.hpp>
#include <mcpreg/export.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mcpreg::engine {

struct dns_options {
    /// The whole lookup, every server and retry included; then errc::timeout.
    std::chrono::milliseconds timeout{5'000};
    /// Attempts per server.
    int tries = 2;
    /// Name servers ("127.0.0.1:5353", "[::1]:53"); empty: the system's (/etc/resolv.conf).
    std::vector<std::string> servers;
    /// Ask over TCP only (c-ares otherwise uses UDP and falls back to TCP for truncated answers).
    bool tcp_only = false;
    /// An answer with more TXT records, or more bytes of TXT text in all, is refused (errc::bad_response).
    std::size_t max_records = 64;
    std::size_t max_text_bytes = 64 * 1024;
};

/// The TXT records of the answer section of a DNS response message, each record's strings joined. Refused
/// (errc::bad_response): a message that is not a well-formed DNS response, or one over the options' bounds.
MCPREG_API result<std::vector<std::string>> txt_records_from_answer(std::string_view message,
                                                                    const dns_options& options = {});

/// The TXT records of `domain` (the name itself, no search domains). errc::io_error when the name has none or
/// the servers fail, errc::timeout after options.timeout. Blocks the calling thread: never call it on a thread
/// that serves requests (the engine's HTTP server runs token exchanges on a pool of their own).
MCPREG_API result<std::vector<std::string>> lookup_txt(const std::string& domain, const dns_options& options = {});

}  // namespace mcpreg::engine
