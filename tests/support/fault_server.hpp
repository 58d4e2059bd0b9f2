// A scripted HTTP(S) server on 127.0.0.1 for fault injection: each request gets what the script says,
// including failures no real registry should produce (drops, stalls, bombs). One thread, bounded waits, stops
// itself on destruction.
#pragma once

#include <mcpreg/http_message.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace mcpreg::test {

/// What the server does with one request.
struct fault_action {
    enum class kind {
        respond,        ///< send `response` (its body as is; set Content-Encoding yourself for raw gzip)
        drop_mid_body,  ///< send the headers and half the body of `response`, then close
        close_at_once,  ///< close without answering
        stall,          ///< wait `stall_for`, then close without answering
        raw,            ///< write `raw` as it is (any bytes, e.g. two responses to one request), keep the connection
    };
    kind what = kind::respond;
    http_response response;
    std::string raw;
    std::chrono::milliseconds stall_for{0};

    static fault_action raw_bytes(std::string bytes)
    {
        fault_action a;
        a.what = kind::raw;
        a.raw = std::move(bytes);
        return a;
    }

    static fault_action respond(int status, std::string body = {}, std::vector<http_header> headers = {})
    {
        fault_action a;
        a.response.status = status;
        a.response.body = std::move(body);
        a.response.headers = std::move(headers);
        return a;
    }
};

/// TLS material for the server: PEM file paths.
struct fault_tls {
    std::string certificate_chain_file;
    std::string private_key_file;
};

class fault_server {
public:
    /// `script(request, index)` decides each answer; index counts requests from 0.
    explicit fault_server(std::function<fault_action(const http_request&, int)> script,
                          std::optional<fault_tls> tls = std::nullopt);
    ~fault_server();

    unsigned short port() const noexcept { return port_; }
    int requests() const noexcept { return requests_.load(); }
    int connections() const noexcept { return connections_.load(); }
    std::string url() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
    unsigned short port_ = 0;
    std::atomic<int> requests_{0};
    std::atomic<int> connections_{0};
    std::thread thread_;
};

/// An HTTP CONNECT proxy on 127.0.0.1: tunnels bytes to the requested host and port, and counts tunnels.
class connect_proxy {
public:
    connect_proxy();
    ~connect_proxy();
    unsigned short port() const noexcept { return port_; }
    int tunnels() const noexcept { return tunnels_.load(); }
    std::string last_authority() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
    unsigned short port_ = 0;
    std::atomic<int> tunnels_{0};
    std::thread thread_;
};

/// gzip-compresses `body` (for responses that claim Content-Encoding: gzip).
std::string gzip(std::string_view body);

/// A throw-away certificate authority and certificates it signs, written as PEM files in a temporary folder.
class test_pki {
public:
    test_pki();
    ~test_pki();
    std::string ca_file() const;
    /// A server certificate for `host` (DNS name or IP address), valid now unless `expired`.
    fault_tls issue(const std::string& host, bool expired = false, bool self_signed = false);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace mcpreg::test
