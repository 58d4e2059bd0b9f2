// A scripted DNS server on 127.0.0.1 (UDP and TCP on one port) for TXT lookups: answers every question with
// the TXT records the script gives, or with raw bytes. Answers over 512 bytes go over UDP truncated (TC), so
// resolvers retry over TCP as with real servers. One thread, stops itself on destruction.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace mcpreg::test {

struct dns_answer {
    /// Each record is one or more character-strings (each at most 255 bytes).
    std::vector<std::vector<std::string>> records;
    /// When set, sent instead of a well-formed answer (the query id is still copied in).
    std::optional<std::string> raw;
    /// Never answer (the resolver must time out).
    bool silent = false;
};

class dns_server {
public:
    explicit dns_server(std::function<dns_answer(const std::string& name)> script);
    ~dns_server();
    unsigned short port() const noexcept { return port_; }
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
    int queries() const noexcept { return queries_.load(); }

    /// A response message to `query` holding `answer`'s TXT records (for tests of the answer parser).
    static std::string response(const std::string& query, const dns_answer& answer);
    /// A TXT query message for `name`.
    static std::string query(const std::string& name);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
    unsigned short port_ = 0;
    std::atomic<int> queries_{0};
    std::thread thread_;
};

}  // namespace mcpreg::test
