// Options of the registry client: where to connect, how long to wait, how to retry, TLS.
#pragma once

#include <mcpreg/http_message.hpp>
#include <mcpreg/model/list_filter.hpp>
#include <mcpreg/model/timestamp.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mcpreg {

struct diagnostics;
class response_cache;

/// The official registry.
inline constexpr std::string_view official_registry_url = "https://registry.modelcontextprotocol.io";

/// When and how often a failed request is tried again. Only idempotent requests (reads) are retried, and
/// only for connection failures, timeouts, 408, 429 and 5xx.
struct retry_options {
    int max_attempts = 4;                            ///< 1 disables retries
    std::chrono::milliseconds initial_backoff{250};  ///< the wait before the second attempt
    double multiplier = 2.0;                         ///< each further wait grows by this factor
    std::chrono::milliseconds max_backoff{20'000};   ///< no computed wait is longer
    double jitter = 0.2;                             ///< each wait is spread by up to ±20%
    /// A Retry-After longer than this is not waited for: the request fails with rate_limited at once.
    std::chrono::milliseconds max_retry_after{60'000};
};

struct tls_options {
    /// A PEM file of trusted CA certificates, used instead of the system trust store when set.
    std::string ca_file;
    /// Turns certificate and host name verification off. Anyone on the network path can then read and
    /// change what the client sends and receives. For local tests only.
    bool disable_verification_dangerously = false;
};

struct client_options {
    std::string base_url = std::string(official_registry_url);
    std::string api_version = "v0.1";         ///< "v0.1" (stable) or "v0"
    std::string user_agent;                   ///< empty: "mcpreg/<version>"
    std::vector<http_header> headers;         ///< sent with every request (API keys, tenant headers)
    std::optional<std::string> bearer_token;  ///< Authorization for reads; writes take their own token
    std::chrono::milliseconds connect_timeout{10'000};
    std::chrono::milliseconds request_timeout{30'000};  ///< one attempt, from connect to the last byte
    /// The whole operation: every attempt, redirect and backoff wait. When it runs out the operation fails
    /// with errc::timeout (or, when a backoff wait would outlast it, with the last attempt's error).
    std::chrono::milliseconds operation_timeout{120'000};
    std::size_t max_response_bytes = std::size_t{32} << 20;  ///< after decompression
    int max_redirects = 5;
    retry_options retry;
    tls_options tls;
    /// Honour HTTPS_PROXY, HTTP_PROXY and NO_PROXY (CONNECT tunnels for https).
    bool use_environment_proxy = true;
    /// Dial only public unicast addresses: refuse loopback, private, link-local, CGNAT, multicast, unspecified,
    /// 6to4, NAT64 and site-local ones (errc::non_public_address), as the official registry does when it fetches
    /// URLs that callers name. The environment proxy is then not used, since it would dial for us.
    bool public_addresses_only = false;
    /// GET responses are served from and stored in this cache (see response_cache). Requests with other
    /// methods never touch it. Unset: no caching.
    std::shared_ptr<response_cache> cache;
    /// Never use the network: GETs are answered from `cache` (fresh or stale, diagnostics.cache "stale" for
    /// the latter) or fail with errc::not_cached; other requests fail with errc::not_cached too.
    bool offline = false;
};

/// Per-call settings.
struct call_options {
    std::optional<std::chrono::milliseconds> timeout;            ///< overrides client_options::request_timeout
    std::optional<std::chrono::milliseconds> operation_timeout;  ///< overrides client_options::operation_timeout
    /// When given, filled after the call: on failure everything known; on success the method, URL, attempts,
    /// HTTP status and cache outcome.
    diagnostics* diag = nullptr;
};

/// A list query (GET /servers): the filter the engine and the catalog answer too.
using list_options = model::list_filter;

}  // namespace mcpreg
