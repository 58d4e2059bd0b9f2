// Serves a registry over HTTP/1.1 (Boost.Beast) on the caller's executor.
#pragma once

#include <mcpreg/engine/registry.hpp>
#include <mcpreg/error.hpp>
#include <mcpreg/export.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace mcpreg::engine {

/// Limits of the HTTP server. Every field has a safe default.
struct http_server_options {
    std::size_t max_body_bytes = std::size_t{1} << 20;     ///< larger request bodies get 413
    std::size_t max_header_bytes = std::size_t{64} << 10;  ///< larger request headers get 431
    std::chrono::milliseconds read_timeout{
        10'000};  ///< a request must arrive whole within this (slow clients are dropped)
    std::chrono::milliseconds idle_timeout{
        60'000};  ///< a keep-alive connection may wait this long for its next request
    std::chrono::milliseconds write_timeout{30'000};
    std::size_t max_connections = 10'000;  ///< beyond this, new connections get 503 and are closed
    /// Token exchanges (POST /v0/auth/..., which may wait on DNS, HTTPS key fetches, GitHub or a JWKS that the
    /// caller may choose) run on a pool of this many threads of the server's own, so the threads that serve
    /// reads never wait on the network.
    std::size_t exchange_threads = 4;
    /// Token exchanges running or queued at once; beyond this, 503 with Retry-After.
    std::size_t max_pending_exchanges = 64;
    /// Writes (publish, edit, status, delete, validate) run on a pool of their own, so hanging exchanges
    /// never hold them up.
    std::size_t write_threads = 2;
    /// Writes running or queued at once; beyond this, 503 with Retry-After.
    std::size_t max_pending_writes = 64;
    /// An exchange or write may take this long. One still queued then is never run (503, safe to retry); one
    /// already running is answered 504 and finishes in the background (bounded by its own outbound timeouts).
    std::chrono::milliseconds exchange_timeout{30'000};
};

/// An HTTP listener for a registry.
///
/// \par Executor
/// Everything runs on the executor given at construction; run its io_context on one thread or several.
///
/// \par Object lifetimes
/// The registry must outlive the server. Destroying the server stops it.
///
/// \par Threads
/// Reads are answered on the executor's threads. Token exchanges and writes run on two pools the server owns
/// (`exchange_threads`, `write_threads`); the destructor waits for the requests running there.
///
/// \par Thread safety
/// listen() once, before the executor runs or from it. stop() may be called from any thread.
class MCPREG_API http_server {
public:
    http_server(boost::asio::any_io_executor executor, registry& reg, http_server_options options = {});
    ~http_server();
    http_server(const http_server&) = delete;
    http_server& operator=(const http_server&) = delete;

    /// Binds `host:port` (port 0 picks a free port), starts accepting, and returns the bound port.
    result<unsigned short> listen(const std::string& host, unsigned short port);

    /// Stops accepting, lets requests in progress finish, and closes idle connections. Idempotent.
    void stop();

    /// Connections open now.
    std::size_t connections() const noexcept;

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

}  // namespace mcpreg::engine
