// The seam between the client and the network: a connection exchanges one HTTP request for one response.
// The client ships two: sockets (TCP or TLS, keep-alive, proxies) and in-process (a function, e.g. an
// embedded registry, with no sockets at all). Tests and apps may write their own.
#pragma once

#include <mcpreg/client/options.hpp>
#include <mcpreg/error.hpp>
#include <mcpreg/export.hpp>
#include <mcpreg/http_message.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace mcpreg {

/// Where a request goes: scheme ("http" or "https"), host and port.
struct http_origin {
    std::string scheme;
    std::string host;
    unsigned short port = 0;

    bool operator==(const http_origin&) const = default;
};

struct exchange_limits {
    std::chrono::milliseconds connect_timeout{10'000};
    std::chrono::milliseconds timeout{30'000};               ///< the whole exchange
    std::size_t max_response_bytes = std::size_t{32} << 20;  ///< after decompression
};

/// Exchanges requests for responses. Implementations decompress gzip bodies, enforce the limits
/// (errc::response_too_large, errc::timeout), and honour cancellation through the handler's slot.
class MCPREG_API connection {
public:
    virtual ~connection();
    virtual void async_exchange(const http_origin& origin, http_request request, const exchange_limits& limits,
                                boost::asio::any_completion_handler<void(error_code, http_response)> handler) = 0;
};

/// TCP and TLS with keep-alive reuse per origin. TLS verifies certificates against the system trust store
/// (or tls.ca_file) and the host name, sends SNI and requires TLS 1.2 or later. With `use_environment_proxy`,
/// HTTPS_PROXY / HTTP_PROXY / NO_PROXY (and their lower-case forms) route requests through a proxy. With
/// `public_addresses_only`, see client_options::public_addresses_only.
MCPREG_API result<std::shared_ptr<connection>> make_network_connection(boost::asio::any_io_executor executor,
                                                                       const tls_options& tls,
                                                                       bool use_environment_proxy = true,
                                                                       bool public_addresses_only = false);

/// False for an IP address (text form) that is loopback, private (RFC 1918, fc00::/7), link-local, CGNAT
/// (100.64/10), multicast, broadcast, unspecified, reserved (240/4), 6to4 (2002::/16), NAT64 (64:ff9b::/96) or
/// site-local (fec0::/10), and for text that is not an address. IPv4-mapped IPv6 is judged as IPv4.
MCPREG_API bool is_public_address(std::string_view ip);

/// Hands every request to `handler` on the executor, with no sockets: for an embedded registry
/// (`[&](const http_request& r) { return registry.handle(r); }`) or a test double.
MCPREG_API std::shared_ptr<connection>
make_in_process_connection(boost::asio::any_io_executor executor,
                           std::function<http_response(const http_request&)> handler);

}  // namespace mcpreg
