// mcpreg error vocabulary: error codes, coarse conditions, diagnostics and result<T>.
#pragma once

#include <mcpreg/model/export.hpp>

#include <boost/assert/source_location.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <boost/system/system_error.hpp>

#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>
#include <type_traits>

namespace mcpreg {

using boost::system::error_code;

/// Faults detected by mcpreg itself (as opposed to the network, TLS or an HTTP status).
enum class errc {
    json_syntax = 1,      ///< the text is not JSON (or nests too deeply)
    invalid_document,     ///< JSON, but a field has the wrong type or a required field is missing
    unknown_document,     ///< JSON of a shape that is none of the documents mcpreg reads
    invalid_argument,     ///< a caller passed a value the operation cannot use
    invalid_timestamp,    ///< not an RFC 3339 timestamp
    invalid_version,      ///< not a version string the operation accepts
    validation_failed,    ///< a document parsed but breaks the registry's rules
    io_error,             ///< a local file could not be read or written
    bad_response,         ///< a registry answered with something that is not the API
    response_too_large,   ///< a response exceeded the configured size cap
    too_many_redirects,   ///< the redirect limit was reached
    insecure_redirect,    ///< a redirect would have left https for plain http
    cancelled,            ///< the operation was cancelled
    timeout,              ///< the operation ran past its deadline
    storage_error,        ///< the local database failed (SQLite's message is in the diagnostics)
    non_public_address,   ///< the host resolved only to addresses client_options::public_addresses_only refuses
    not_cached,           ///< offline, and the cache holds no answer for the request
    storage_unavailable,  ///< the database server cannot be reached now (worth retrying)
    redirect_refused,     ///< a write was redirected in a way that would change it or resend it elsewhere
};

/// Coarse classes of failure, for `if (ec == mcpreg::condition::transient)`.
enum class condition {
    not_found = 1,  ///< the server, version or route does not exist
    unauthorized,   ///< credentials missing, invalid, expired or without permission
    rate_limited,   ///< the registry asked us to slow down (429)
    transient,      ///< worth retrying later: timeouts, 5xx, dropped connections
    invalid_input,  ///< the caller's input was rejected (malformed, invalid, too large)
};

/// The category of errc values.
MCPREG_MODEL_API const boost::system::error_category& mcpreg_category() noexcept;
/// The category whose values are HTTP status codes (404, 429, 503...).
MCPREG_MODEL_API const boost::system::error_category& http_category() noexcept;
/// The category of condition values.
MCPREG_MODEL_API const boost::system::error_category& condition_category() noexcept;

inline error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), mcpreg_category()}; }
inline boost::system::error_condition make_error_condition(condition c) noexcept
{
    return {static_cast<int>(c), condition_category()};
}
/// An error_code whose value is the HTTP status.
inline error_code make_http_error(int status) noexcept { return {status, http_category()}; }

/// Everything known about a failure beyond its code.
///
/// `message` is written by mcpreg. `server_message` is text taken from a remote party (a registry's
/// problem+json `detail`/`errors`): it is untrusted, so keep it apart when showing or logging.
struct diagnostics {
    std::string message;
    std::string server_message;
    int http_status = 0;
    std::string method;
    std::string url;
    int attempts = 0;
    std::optional<std::chrono::seconds> retry_after;
    /// What the response cache did: "hit", "revalidated", "stale" (served because the registry failed, or
    /// offline), "miss", or empty when no cache was consulted.
    std::string cache;
};

/// The error half of result<T>: a code plus diagnostics.
struct error {
    error_code code;
    diagnostics diag;

    /// Our message, then the server's text in brackets when there is one.
    MCPREG_MODEL_API std::string what() const;
};

/// Writes what() (so a result<T> prints in test frameworks and logs).
MCPREG_MODEL_API std::ostream& operator<<(std::ostream& out, const error& e);

/// Thrown by result<T>::value() on failure: a system_error that keeps the diagnostics.
class MCPREG_MODEL_API error_exception : public boost::system::system_error {
public:
    explicit error_exception(error e);
    const mcpreg::diagnostics& diagnostics() const noexcept { return diag_; }

private:
    mcpreg::diagnostics diag_;
};

/// Found by ADL from boost::system::result<T, error>::value().
[[noreturn]] MCPREG_MODEL_API void throw_exception_from_error(const error& e, const boost::source_location& loc);

/// The return type of every fallible synchronous mcpreg function: check it, or call `.value()` to throw.
template <class T>
using result = boost::system::result<T, error>;

/// Shorthand for a failed result with our own message.
inline error make_error(errc code, std::string message)
{
    error e{make_error_code(code), {}};
    e.diag.message = std::move(message);
    return e;
}

}  // namespace mcpreg

template <>
struct boost::system::is_error_code_enum<mcpreg::errc> : std::true_type {
};
template <>
struct boost::system::is_error_condition_enum<mcpreg::condition> : std::true_type {
};
