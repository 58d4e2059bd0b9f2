// A plain synchronous HTTP/1.1 client for tests that talk to a real server on 127.0.0.1.
#pragma once

#include <mcpreg/engine/registry.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace mcpreg::test {

/// One keep-alive connection to 127.0.0.1:port.
class http_test_client {
public:
    explicit http_test_client(unsigned short port);
    ~http_test_client();
    http_test_client(const http_test_client&) = delete;
    http_test_client& operator=(const http_test_client&) = delete;

    /// Sends a request and reads the response. Throws on a transport error.
    engine::response send(const engine::request& req);
    engine::response get(const std::string& target, std::vector<engine::http_header> headers = {});

    /// True when the server has closed the connection (a read returns end of stream within `wait`).
    bool closed_by_peer(std::chrono::milliseconds wait);

    /// Writes raw bytes, for malformed and slow requests.
    void write_raw(const std::string& bytes);
    /// Reads one response after write_raw().
    engine::response read_response();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// gunzips a body (for checking Content-Encoding: gzip).
std::string gunzip(const std::string& compressed);

}  // namespace mcpreg::test
