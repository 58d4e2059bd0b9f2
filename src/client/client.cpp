// The client's operations: URLs, headers, retries with backoff, redirects, error mapping and decoding.
// Transport details live behind `connection`.
#include <mcpreg/client/client.hpp>
#include <mcpreg/client/response_cache.hpp>
#include <mcpreg/client/retry.hpp>
#include <mcpreg/model/json.hpp>
#include <mcpreg/version.hpp>

#include "../common/sha256.hpp"
#include "registry_messages.hpp"
#include "request_encoding.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <random>

namespace mcpreg {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

struct base_url {
    http_origin origin;
    std::string path;  // without a trailing slash
};

result<base_url> parse_base_url(std::string_view text)
{
    auto parsed = boost::urls::parse_absolute_uri(text);
    if (!parsed) return make_error(errc::invalid_argument, "not an absolute URL: " + std::string(text));
    base_url out;
    out.origin.scheme = std::string(parsed->scheme());
    if (out.origin.scheme != "http" && out.origin.scheme != "https")
        return make_error(errc::invalid_argument, "the registry URL must be http or https: " + std::string(text));
    out.origin.host = std::string(parsed->encoded_host());
    if (out.origin.host.empty())
        return make_error(errc::invalid_argument, "the registry URL has no host: " + std::string(text));
    if (out.origin.host.size() > 2 && out.origin.host.front() == '[')
        out.origin.host = out.origin.host.substr(1, out.origin.host.size() - 2);
    out.origin.port = parsed->has_port() ? parsed->port_number() : (out.origin.scheme == "https" ? 443 : 80);
    out.path = std::string(parsed->encoded_path());
    while (!out.path.empty() && out.path.back() == '/') out.path.pop_back();
    return out;
}

// The server's text for a failed request: problem+json detail and errors[].message, or `error`, or the body.
std::string server_message(const http_response& response)
{
    auto parsed = model::parse_json(response.body);
    if (parsed && parsed->is_object()) {
        const auto& object = parsed->get_object();
        std::string text;
        if (auto* detail = object.if_contains("detail"); detail && detail->is_string()) text = detail->get_string();
        if (auto* errors = object.if_contains("errors"); errors && errors->is_array())
            for (const auto& e : errors->get_array())
                if (e.is_object())
                    if (auto* message = e.get_object().if_contains("message"); message && message->is_string())
                        text += (text.empty() ? "" : ": ") + std::string(message->get_string());
        if (text.empty())
            if (auto* error_text = object.if_contains("error"); error_text && error_text->is_string())
                text = error_text->get_string();
        if (!text.empty()) return text;
    }
    constexpr std::size_t shown = 300;
    return response.body.substr(0, shown);
}

// Makes connection::async_exchange awaitable.
template <class Token>
auto async_exchange(connection& conn, const http_origin& origin, http_request request, const exchange_limits& limits,
                    Token&& token)
{
    return asio::async_initiate<Token, void(error_code, http_response)>(
        [&conn](auto handler, const http_origin& o, http_request r, const exchange_limits& l) {
            conn.async_exchange(o, std::move(r), l, std::move(handler));
        },
        token, origin, std::move(request), limits);
}

// The HTTP request of a JSON call: the body (with its Content-Type) when there is one, and the caller's
// registry token as a bearer token when there is one.
http_request json_request(std::string method, std::string target, std::string body, const std::string& token)
{
    http_request request;
    request.method = std::move(method);
    request.target = std::move(target);
    request.body = std::move(body);
    if (!request.body.empty()) request.headers.push_back({"Content-Type", "application/json"});
    if (!token.empty()) request.headers.push_back({"Authorization", "Bearer " + token});
    return request;
}

// A successful answer's body read by `read`; a body that does not read is the registry's fault
// (errc::bad_response), explained in `diag`.
template <class T, class Read>
std::pair<error_code, T> decode_answer(const std::string& body, Read& read, diagnostics& diag)
{
    auto value = read(body);
    if (!value) {
        diag.message = "the registry's response is not a valid document: " + value.error().diag.message;
        return {make_error_code(errc::bad_response), T{}};
    }
    return {error_code{}, std::move(*value)};
}

// Completes a handler on its associated executor.
template <class T>
void complete(asio::any_completion_handler<void(error_code, T)> handler, const asio::any_io_executor& fallback,
              error_code ec, T value)
{
    auto executor = asio::get_associated_executor(handler, fallback);
    asio::dispatch(executor, [handler = std::move(handler), ec, value = std::move(value)]() mutable {
        std::move(handler)(ec, std::move(value));
    });
}

}  // namespace

struct client::impl : std::enable_shared_from_this<client::impl> {
    executor_type executor;
    client_options options;
    base_url base;
    std::shared_ptr<connection> conn;
    std::mutex random_mutex;
    std::minstd_rand random{std::random_device{}()};

    double next_random()
    {
        std::lock_guard lock(random_mutex);
        return std::uniform_real_distribution<double>(0.0, 1.0)(random);
    }

    http_request prepare(http_request request) const
    {
        auto set_default = [&](std::string_view name, std::string value) {
            if (request.header(name).empty()) request.headers.push_back({std::string(name), std::move(value)});
        };
        for (const auto& h : options.headers) set_default(h.name, h.value);
        if (options.bearer_token) set_default("Authorization", "Bearer " + *options.bearer_token);
        set_default("User-Agent",
                    options.user_agent.empty() ? "mcpreg/" + std::string(version_string) : options.user_agent);
        set_default("Accept", "application/json, application/problem+json");
        set_default("Accept-Encoding", "gzip");
        return request;
    }

    // One logical request through the response cache (GETs only): fresh entries are served, stale ones
    // revalidated, and served anyway when the registry fails. Then as fetch().
    asio::awaitable<std::pair<error_code, http_response>> execute(http_request request, call_options call)
    {
        auto self = shared_from_this();
        request = prepare(std::move(request));  // default headers, once: fetch() sends it as prepared
        const bool cacheable = options.cache && request.method == "GET" && request.header("If-None-Match").empty() &&
                               request.header("If-Modified-Since").empty();
        if (!cacheable && !options.offline) co_return co_await fetch(std::move(request), call);
        diagnostics diag;
        diag.method = request.method;
        diag.url = base.origin.scheme + "://" + base.origin.host + ":" + std::to_string(base.origin.port) + base.path +
                   request.target;
        if (!cacheable) {
            diag.message = request.method + " " + diag.url + ": offline, and only GET responses are cached";
            co_return finish(make_error_code(errc::not_cached), {}, std::move(diag), call);
        }
        auto& cache = *options.cache;
        std::string identity;
        for (const auto& h : request.headers)
            if (!iequals(h.name, "User-Agent") && !iequals(h.name, "Accept") && !iequals(h.name, "Accept-Encoding"))
                identity += h.name + ": " + h.value + "\n";
        // Credentials are hashed into the key: never stored, and never shared between identities.
        const std::string key = "GET " + diag.url + " " + detail::sha256_hex(identity);
        const auto now = std::chrono::system_clock::now();
        auto stored = cache.find(key);
        if (stored && (options.offline || now < stored->fresh_until)) {
            const bool stale = now >= stored->fresh_until;
            cache.record(stale ? response_cache::event::stale_serve : response_cache::event::hit);
            diag.cache = stale ? "stale" : "hit";
            co_return finish({}, std::move(stored->response), std::move(diag), call);
        }
        if (options.offline) {
            cache.record(response_cache::event::miss);
            diag.cache = "miss";
            diag.message = "GET " + diag.url + ": offline, and the response is not in the cache";
            co_return finish(make_error_code(errc::not_cached), {}, std::move(diag), call);
        }
        if (stored) {
            if (auto etag = stored->response.header("ETag"); !etag.empty())
                request.headers.push_back({"If-None-Match", std::string(etag)});
            if (auto modified = stored->response.header("Last-Modified"); !modified.empty())
                request.headers.push_back({"If-Modified-Since", std::string(modified)});
            cache.record(response_cache::event::revalidation);
        }
        else {
            cache.record(response_cache::event::miss);
        }
        call_options inner = call;
        inner.diag = &diag;
        auto [ec, response] = co_await fetch(std::move(request), inner);
        if (stored && !ec && response.status == 304) {
            // The 304 may carry new freshness headers; the stored ones apply otherwise.
            http_response merged = stored->response;
            for (const auto& h : response.headers)
                if (iequals(h.name, "Cache-Control") || iequals(h.name, "Expires") || iequals(h.name, "Date")) {
                    std::erase_if(merged.headers, [&](const http_header& m) { return iequals(m.name, h.name); });
                    merged.headers.push_back(h);
                }
            if (auto fresh = response_fresh_until(merged, std::chrono::system_clock::now(), cache.default_ttl(),
                                                  cache.max_ttl()))
                cache.refresh(key, *fresh);
            cache.record(response_cache::event::hit);
            diag.cache = "revalidated";
            co_return finish({}, std::move(stored->response), std::move(diag), call);
        }
        if (!ec && response.status == 200) {
            if (auto fresh = response_fresh_until(response, std::chrono::system_clock::now(), cache.default_ttl(),
                                                  cache.max_ttl()))
                cache.store(key, response, *fresh);
            diag.cache = "miss";
        }
        else if (stored && is_retryable(ec)) {
            // stale-if-error: an old answer beats none while the registry is down.
            cache.record(response_cache::event::stale_serve);
            diag.cache = "stale";
            diag.message = "served a stale cached response: " + diag.message;
            co_return finish({}, std::move(stored->response), std::move(diag), call);
        }
        co_return finish(ec, std::move(response), std::move(diag), call);
    }

    // One logical request, already prepared: attempts with backoff, redirects; an HTTP error status is returned
    // as a response.
    asio::awaitable<std::pair<error_code, http_response>> fetch(http_request request, call_options call)
    {
        auto self = shared_from_this();
        const bool idempotent = request.method == "GET" || request.method == "HEAD";
        exchange_limits limits;
        const auto attempt_timeout = call.timeout.value_or(options.request_timeout);
        limits.max_response_bytes = options.max_response_bytes;
        const auto deadline =
            std::chrono::steady_clock::now() + call.operation_timeout.value_or(options.operation_timeout);
        auto remaining = [&] {
            return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        };

        http_origin origin = base.origin;
        std::string target = base.path + request.target;
        diagnostics diag;
        diag.method = request.method;
        int redirects = 0;
        for (int attempt = 1;; ++attempt) {
            diag.attempts = attempt;
            diag.url = origin.scheme + "://" + origin.host + ":" + std::to_string(origin.port) + target;
            if (remaining().count() <= 0) {
                diag.message = request.method + " " + diag.url + ": the operation timeout passed";
                co_return finish(make_error_code(errc::timeout), {}, std::move(diag), call);
            }
            limits.timeout = std::min(attempt_timeout, remaining());
            limits.connect_timeout = std::min(options.connect_timeout, remaining());
            http_request to_send = request;
            to_send.target = target;
            if (auto checked = detail::check_request(origin, to_send); !checked) {
                diag.message = request.method + " " + diag.url + ": " + checked.error().diag.message;
                co_return finish(checked.error().code, {}, std::move(diag), call);
            }
            auto [ec, response] =
                co_await async_exchange(*conn, origin, std::move(to_send), limits, asio::as_tuple(asio::use_awaitable));
            if (ec == asio::error::operation_aborted ||
                (co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none) {
                diag.message = "cancelled";
                co_return finish(asio::error::operation_aborted, {}, std::move(diag), call);
            }
            attempt_outcome outcome{ec, idempotent, std::nullopt};
            if (!ec) {
                const int status = response.status;
                diag.http_status = status;
                if (status >= 300 && status < 400 && status != 304 && !response.header("Location").empty()) {
                    const http_origin from = origin;
                    auto next = follow_redirect(origin, target, response.header("Location"), redirects, diag);
                    if (!next && !idempotent) next = check_write_redirect(status, from, origin, diag);
                    if (next) co_return finish(next, {}, std::move(diag), call);
                    // Credentials are for the registry's origin: another host gets none of them.
                    if (origin != from)
                        std::erase_if(request.headers,
                                      [](const http_header& h) { return !safe_across_origins(h.name); });
                    --attempt;  // a redirect is not a failed attempt
                    continue;
                }
                if (status < 400) co_return finish({}, std::move(response), std::move(diag), call);
                outcome.ec = make_http_error(status);
                diag.server_message = server_message(response);
                if (auto header = response.header("Retry-After"); !header.empty()) {
                    outcome.retry_after = parse_retry_after(header);
                    if (outcome.retry_after)
                        diag.retry_after = std::chrono::duration_cast<std::chrono::seconds>(*outcome.retry_after);
                }
                auto wait = retry_delay(options.retry, attempt, outcome, next_random());
                if (wait && *wait >= remaining()) wait.reset();  // the retry could not finish in time
                if (!wait) {
                    diag.message = request.method + " " + diag.url + " failed with HTTP " + std::to_string(status);
                    // The error response itself goes back too: callers of async_request read it.
                    co_return finish(outcome.ec, std::move(response), std::move(diag), call);
                }
                if (!co_await sleep(*wait)) co_return finish(asio::error::operation_aborted, {}, std::move(diag), call);
                continue;
            }
            diag.message = request.method + " " + diag.url + ": " + ec.message();
            auto wait = retry_delay(options.retry, attempt, outcome, next_random());
            if (wait && *wait >= remaining()) wait.reset();
            if (!wait) co_return finish(ec, {}, std::move(diag), call);
            if (!co_await sleep(*wait)) co_return finish(asio::error::operation_aborted, {}, std::move(diag), call);
        }
    }

    // A write follows only a 307 or 308 to the same origin: 301, 302 and 303 would turn it into a GET (as
    // browsers do) and lose it, and another origin would receive its body (a token exchange's GitHub token).
    static error_code check_write_redirect(int status, const http_origin& from, const http_origin& to,
                                           diagnostics& diag)
    {
        if ((status == 307 || status == 308) && from == to) return {};
        diag.message = "refused to follow HTTP " + std::to_string(status) + " for a write" +
                       (from == to ? " (it would become a GET)" : " to another origin (" + to.host + ")");
        return make_error_code(errc::redirect_refused);
    }

    // Headers a redirect to another origin keeps: nothing that may identify or authorise the caller (the
    // Authorization header, cookies, and every header the caller configured, such as API keys).
    static bool safe_across_origins(std::string_view name)
    {
        for (std::string_view safe : {"User-Agent", "Accept", "Accept-Encoding", "Content-Type"})
            if (iequals(name, safe)) return true;
        return false;
    }

    // Follows one redirect; an error when there are too many or one would leave https for http.
    error_code follow_redirect(http_origin& origin, std::string& target, std::string_view location, int& redirects,
                               diagnostics& diag) const
    {
        if (++redirects > options.max_redirects) {
            diag.message = "more than " + std::to_string(options.max_redirects) + " redirects";
            return make_error_code(errc::too_many_redirects);
        }
        boost::urls::url current;
        current.set_scheme(origin.scheme);
        current.set_encoded_host(origin.host);
        current.set_port_number(origin.port);
        auto parsed_target = boost::urls::parse_origin_form(target);
        if (parsed_target) {
            current.set_encoded_path(parsed_target->encoded_path());
            if (parsed_target->has_query()) current.set_encoded_query(parsed_target->encoded_query());
        }
        auto reference = boost::urls::parse_uri_reference(location);
        boost::urls::url resolved;
        if (!reference || !boost::urls::resolve(current, *reference, resolved)) {
            diag.message = "unusable redirect location: " + std::string(location).substr(0, 200);
            return make_error_code(errc::bad_response);
        }
        const std::string scheme(resolved.scheme());
        if (origin.scheme == "https" && scheme != "https") {
            diag.message =
                "refused a redirect from https to " + scheme + ": " + std::string(resolved.buffer()).substr(0, 200);
            return make_error_code(errc::insecure_redirect);
        }
        if (scheme != "http" && scheme != "https") {
            diag.message = "refused a redirect to " + scheme;
            return make_error_code(errc::bad_response);
        }
        origin.scheme = scheme;
        origin.host = std::string(resolved.encoded_host());
        origin.port = resolved.has_port() ? resolved.port_number() : (scheme == "https" ? 443 : 80);
        target = std::string(resolved.encoded_path());
        if (target.empty()) target = "/";
        if (resolved.has_query()) target += "?" + std::string(resolved.encoded_query());
        return {};
    }

    asio::awaitable<bool> sleep(std::chrono::milliseconds wait)
    {
        asio::steady_timer timer(co_await asio::this_coro::executor, wait);
        error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        co_return !ec;
    }

    static std::pair<error_code, http_response> finish(error_code ec, http_response response, diagnostics diag,
                                                       const call_options& call)
    {
        if (call.diag) *call.diag = std::move(diag);
        return {ec, std::move(response)};
    }

    // Runs `work` (a coroutine producing {error_code, T}) and completes `handler` with it, on the handler's
    // executor, honouring the handler's cancellation slot. The completion holds the implementation: `work`
    // runs on `this`, and the client handles that started it may all be gone before it even begins.
    template <class T, class Work>
    void launch(Work work, asio::any_completion_handler<void(error_code, T)> handler)
    {
        auto slot = asio::get_associated_cancellation_slot(handler);
        auto done = [self = shared_from_this(), handler = std::move(handler)](std::exception_ptr failure,
                                                                              std::pair<error_code, T> result) mutable {
            if (failure) result = {make_error_code(errc::bad_response), T{}};
            complete(std::move(handler), self->executor, result.first, std::move(result.second));
        };
        asio::co_spawn(executor, std::move(work), asio::bind_cancellation_slot(slot, std::move(done)));
    }

    // GET a JSON document and read it as T.
    template <class T, class Read>
    asio::awaitable<std::pair<error_code, T>> get_json(std::string target, call_options call, Read read)
    {
        co_return co_await send_json<T>("GET", std::move(target), {}, {}, call, std::move(read));
    }

    // A JSON request with a bearer token; decoded by `read` on success (2xx).
    template <class T, class Read>
    asio::awaitable<std::pair<error_code, T>> send_json(std::string method, std::string target, std::string body,
                                                        std::string token, call_options call, Read read)
    {
        diagnostics local;
        if (!call.diag) call.diag = &local;
        auto [ec, response] =
            co_await execute(json_request(std::move(method), std::move(target), std::move(body), token), call);
        if (ec) co_return std::pair{ec, T{}};
        co_return decode_answer<T>(response.body, read, *call.diag);
    }
};

result<client> client::create(executor_type executor, client_options options)
{
    auto conn =
        make_network_connection(executor, options.tls, options.use_environment_proxy, options.public_addresses_only);
    if (!conn) return conn.error();
    return create(std::move(executor), std::move(options), std::move(*conn));
}

result<client> client::create(executor_type executor, client_options options, std::shared_ptr<connection> conn)
{
    auto base = parse_base_url(options.base_url);
    if (!base) return base.error();
    if (options.api_version != "v0.1" && options.api_version != "v0")
        return make_error(errc::invalid_argument, "api_version must be v0.1 or v0, not " + options.api_version);
    if (!conn) return make_error(errc::invalid_argument, "no connection");
    auto p = std::make_shared<impl>();
    p->executor = std::move(executor);
    p->options = std::move(options);
    p->base = std::move(*base);
    p->conn = std::move(conn);
    return client(std::move(p));
}

client::executor_type client::get_executor() const noexcept { return impl_->executor; }
const client_options& client::options() const noexcept { return impl_->options; }

using detail::document_body;
using detail::include_deleted_query;
using detail::list_query;
using detail::read_server_list;
using detail::read_server_response;
using detail::read_status_update;
using detail::read_token;
using detail::read_validation;
using detail::server_path;
using detail::status_body;
using detail::version_path;

void client::list_servers_impl(std::shared_ptr<impl> p, list_options query, call_options call,
                               asio::any_completion_handler<void(error_code, model::server_list)> handler)
{
    std::string target = "/" + p->options.api_version + "/servers" + list_query(query);
    p->launch<model::server_list>(p->get_json<model::server_list>(std::move(target), call, read_server_list),
                                  std::move(handler));
}

void client::get_server_impl(std::shared_ptr<impl> p, get_server_request request, call_options call,
                             asio::any_completion_handler<void(error_code, model::server_response)> handler)
{
    std::string target = version_path(p->options.api_version, request.name, request.version) +
                         include_deleted_query(request.include_deleted);
    p->launch<model::server_response>(
        p->get_json<model::server_response>(std::move(target), call, read_server_response), std::move(handler));
}

void client::list_versions_impl(std::shared_ptr<impl> p, list_versions_request request, call_options call,
                                asio::any_completion_handler<void(error_code, model::server_list)> handler)
{
    std::string target = server_path(p->options.api_version, request.name) + "/versions" +
                         include_deleted_query(request.include_deleted);
    p->launch<model::server_list>(p->get_json<model::server_list>(std::move(target), call, read_server_list),
                                  std::move(handler));
}

void client::request_impl(std::shared_ptr<impl> p, http_request request, call_options call,
                          asio::any_completion_handler<void(error_code, http_response)> handler)
{
    auto work = [](std::shared_ptr<impl> self, http_request r,
                   call_options c) -> asio::awaitable<std::pair<error_code, http_response>> {
        auto [ec, response] = co_await self->execute(std::move(r), c);
        // An HTTP error status is an answer here, not a failure.
        if (ec && ec.category() == http_category()) ec = {};
        co_return std::pair{ec, std::move(response)};
    };
    p->launch<http_response>(work(p, std::move(request), call), std::move(handler));
}

void client::publish_impl(std::shared_ptr<impl> p, publish_request request, call_options call,
                          asio::any_completion_handler<void(error_code, model::server_response)> handler)
{
    std::string target = "/" + p->options.api_version + "/publish";
    p->launch<model::server_response>(
        p->send_json<model::server_response>("POST", std::move(target), document_body(request.server),
                                             std::move(request.token), call, read_server_response),
        std::move(handler));
}

void client::edit_impl(std::shared_ptr<impl> p, edit_request request, call_options call,
                       asio::any_completion_handler<void(error_code, model::server_response)> handler)
{
    std::string target = version_path(p->options.api_version, request.server.name, request.server.version);
    p->launch<model::server_response>(
        p->send_json<model::server_response>("PUT", std::move(target), document_body(request.server),
                                             std::move(request.token), call, read_server_response),
        std::move(handler));
}

void client::delete_version_impl(std::shared_ptr<impl> p, delete_version_request request, call_options call,
                                 asio::any_completion_handler<void(error_code, model::server_response)> handler)
{
    std::string target = version_path(p->options.api_version, request.name, request.version);
    p->launch<model::server_response>(p->send_json<model::server_response>("DELETE", std::move(target), {},
                                                                           std::move(request.token), call,
                                                                           read_server_response),
                                      std::move(handler));
}

void client::set_status_impl(std::shared_ptr<impl> p, set_status_request request, call_options call,
                             asio::any_completion_handler<void(error_code, model::server_response)> handler)
{
    std::string target = version_path(p->options.api_version, request.name, request.version) + "/status";
    p->launch<model::server_response>(
        p->send_json<model::server_response>("PATCH", std::move(target), status_body(request.status, request.message),
                                             std::move(request.token), call, read_server_response),
        std::move(handler));
}

void client::set_status_all_impl(std::shared_ptr<impl> p, set_status_all_request request, call_options call,
                                 asio::any_completion_handler<void(error_code, status_update)> handler)
{
    std::string target = server_path(p->options.api_version, request.name) + "/status";
    p->launch<status_update>(p->send_json<status_update>("PATCH", std::move(target),
                                                         status_body(request.status, request.message),
                                                         std::move(request.token), call, read_status_update),
                             std::move(handler));
}

void client::validate_impl(std::shared_ptr<impl> p, validate_request request, call_options call,
                           asio::any_completion_handler<void(error_code, remote_validation)> handler)
{
    std::string target = "/" + p->options.api_version + "/validate";
    p->launch<remote_validation>(p->send_json<remote_validation>("POST", std::move(target),
                                                                 document_body(request.server), {}, call,
                                                                 read_validation),
                                 std::move(handler));
}

void client::exchange_token_impl(std::shared_ptr<impl> p, exchange_token_request request, call_options call,
                                 asio::any_completion_handler<void(error_code, registry_token)> handler)
{
    std::string target = "/" + p->options.api_version + "/auth/" + percent_encode(request.method);
    // Every method's body is a JSON object: an empty one stands for the empty object.
    std::string body = request.json_body.empty() ? std::string("{}") : std::move(request.json_body);
    p->launch<registry_token>(
        p->send_json<registry_token>("POST", std::move(target), std::move(body), {}, call, read_token),
        std::move(handler));
}

pager::pager(client c, list_options query) : client_(std::move(c)), walker_(std::move(query)) {}

void pager::next_page_impl(asio::any_completion_handler<void(error_code, model::server_list)> handler)
{
    const auto fallback = client_.get_executor();
    if (walker_.done()) return complete(std::move(handler), fallback, error_code{}, model::server_list{});
    auto slot = asio::get_associated_cancellation_slot(handler);
    client_.async_list_servers(
        walker_.query(), {},
        asio::bind_cancellation_slot(
            slot, [this, fallback, handler = std::move(handler)](error_code ec, model::server_list page) mutable {
                if (ec && walker_.retry_smaller(ec)) return next_page_impl(std::move(handler));
                if (ec) return complete(std::move(handler), fallback, ec, model::server_list{});
                if (auto accepted = walker_.accept(page); !accepted)
                    return complete(std::move(handler), fallback, accepted.error().code, model::server_list{});
                complete(std::move(handler), fallback, error_code{}, std::move(page));
            }));
}

}  // namespace mcpreg
