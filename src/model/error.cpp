#include <mcpreg/error.hpp>

#include <boost/system/errc.hpp>

#include <ostream>

namespace mcpreg {
namespace {

// Boost's error_category has a protected non-virtual destructor by design: categories are never deleted
// through a base pointer.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"

class mcpreg_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "mcpreg"; }

    std::string message(int value) const override
    {
        switch (static_cast<errc>(value)) {
        case errc::json_syntax: return "not valid JSON";
        case errc::invalid_document: return "the JSON document has a wrong type or a missing field";
        case errc::unknown_document: return "not a document mcpreg can read";
        case errc::invalid_argument: return "invalid argument";
        case errc::invalid_timestamp: return "not an RFC 3339 timestamp";
        case errc::invalid_version: return "invalid version";
        case errc::validation_failed: return "the document breaks the registry's rules";
        case errc::io_error: return "input/output error";
        case errc::bad_response: return "the registry's response is not the registry API";
        case errc::response_too_large: return "the response exceeds the size limit";
        case errc::too_many_redirects: return "too many redirects";
        case errc::insecure_redirect: return "refused a redirect from https to http";
        case errc::cancelled: return "operation cancelled";
        case errc::timeout: return "operation timed out";
        case errc::storage_error: return "local database error";
        case errc::non_public_address: return "refused to connect to a non-public address";
        case errc::not_cached: return "offline, and the response is not in the cache";
        case errc::storage_unavailable: return "the database server is unavailable";
        case errc::redirect_refused: return "refused to follow the redirect of a write";
        }
        return "unknown mcpreg error";
    }

    boost::system::error_condition default_error_condition(int value) const noexcept override
    {
        switch (static_cast<errc>(value)) {
        case errc::json_syntax:
        case errc::invalid_document:
        case errc::unknown_document:
        case errc::invalid_argument:
        case errc::invalid_timestamp:
        case errc::invalid_version:
        case errc::validation_failed:
        case errc::response_too_large: return make_error_condition(condition::invalid_input);
        case errc::timeout:
        case errc::storage_unavailable: return make_error_condition(condition::transient);
        default: return {value, *this};
        }
    }
};

class http_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "mcpreg.http"; }
    std::string message(int status) const override { return "HTTP status " + std::to_string(status); }

    boost::system::error_condition default_error_condition(int status) const noexcept override
    {
        if (status == 404 || status == 410) return make_error_condition(condition::not_found);
        if (status == 401 || status == 403) return make_error_condition(condition::unauthorized);
        if (status == 429) return make_error_condition(condition::rate_limited);
        if (status == 408 || status >= 500) return make_error_condition(condition::transient);
        if (status == 400 || status == 409 || status == 413 || status == 422)
            return make_error_condition(condition::invalid_input);
        return {status, *this};
    }
};

class condition_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "mcpreg.condition"; }

    std::string message(int value) const override
    {
        switch (static_cast<condition>(value)) {
        case condition::not_found: return "not found";
        case condition::unauthorized: return "unauthorized";
        case condition::rate_limited: return "rate limited";
        case condition::transient: return "transient failure";
        case condition::invalid_input: return "invalid input";
        }
        return "unknown condition";
    }

    bool equivalent(const error_code& code, int value) const noexcept override
    {
        if (code.category() == mcpreg_category() || code.category() == http_category())
            return code.default_error_condition() == boost::system::error_condition(value, *this);
        // Socket-level failures from Asio and the OS are worth retrying.
        if (static_cast<condition>(value) == condition::transient) {
            namespace se = boost::system::errc;
            for (auto transient_errc :
                 {se::connection_refused, se::connection_reset, se::connection_aborted, se::timed_out,
                  se::host_unreachable, se::network_unreachable, se::network_down, se::broken_pipe})
                if (code == transient_errc) return true;
        }
        return false;
    }
};

#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& mcpreg_category() noexcept
{
    static const mcpreg_category_impl instance;
    return instance;
}

const boost::system::error_category& http_category() noexcept
{
    static const http_category_impl instance;
    return instance;
}

const boost::system::error_category& condition_category() noexcept
{
    static const condition_category_impl instance;
    return instance;
}

std::string error::what() const
{
    std::string text = diag.message.empty() ? code.message() : diag.message;
    if (!diag.server_message.empty()) text += " [server said: " + diag.server_message + "]";
    return text;
}

std::ostream& operator<<(std::ostream& out, const error& e) { return out << e.what(); }

error_exception::error_exception(error e) : boost::system::system_error(e.code, e.what()), diag_(std::move(e.diag)) {}

void throw_exception_from_error(const error& e, const boost::source_location&) { throw error_exception(e); }

}  // namespace mcpreg
