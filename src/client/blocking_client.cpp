#include <mcpreg/client/blocking_client.hpp>

#include <boost/asio/io_context.hpp>

#include <mutex>

namespace mcpreg {
namespace asio = boost::asio;

struct blocking_client::impl {
    asio::io_context io;
    std::mutex mutex;
    std::optional<mcpreg::client> async;

    // Starts an operation with a callback, runs the io_context on the calling thread until it has no work left,
    // and returns the outcome with the diagnostics the operation recorded.
    template <class T, class Start>
    result<T> run(call_options call, Start start)
    {
        std::lock_guard lock(mutex);
        diagnostics local;
        if (!call.diag) call.diag = &local;
        std::optional<std::pair<error_code, T>> outcome;
        start(call, [&](error_code ec, T value) { outcome.emplace(ec, std::move(value)); });
        io.restart();
        io.run();
        if (!outcome) return make_error(errc::cancelled, "the operation did not complete");
        if (outcome->first) {
            error e{outcome->first, *call.diag};
            if (e.diag.message.empty()) e.diag.message = outcome->first.message();
            return e;
        }
        return std::move(outcome->second);
    }
};

blocking_client::blocking_client(std::unique_ptr<impl> p) noexcept : impl_(std::move(p)) {}
blocking_client::blocking_client(blocking_client&&) noexcept = default;
blocking_client& blocking_client::operator=(blocking_client&&) noexcept = default;
blocking_client::~blocking_client() = default;

result<blocking_client> blocking_client::create(client_options options)
{
    auto p = std::make_unique<impl>();
    auto c = client::create(p->io.get_executor(), std::move(options));
    if (!c) return c.error();
    p->async.emplace(std::move(*c));
    return blocking_client(std::move(p));
}

result<blocking_client> blocking_client::create_in_process(client_options options,
                                                           std::function<http_response(const http_request&)> handler)
{
    auto p = std::make_unique<impl>();
    auto c = client::create(p->io.get_executor(), std::move(options),
                            make_in_process_connection(p->io.get_executor(), std::move(handler)));
    if (!c) return c.error();
    p->async.emplace(std::move(*c));
    return blocking_client(std::move(p));
}

mcpreg::client& blocking_client::async_client() noexcept { return *impl_->async; }

result<model::server_list> blocking_client::list_servers(const list_options& query, call_options call)
{
    return impl_->run<model::server_list>(
        call, [&](call_options c, auto handler) { impl_->async->async_list_servers(query, c, std::move(handler)); });
}

result<model::server_response> blocking_client::get_server(get_server_request req, call_options call)
{
    return impl_->run<model::server_response>(call, [&](call_options c, auto handler) {
        impl_->async->async_get_server(std::move(req), c, std::move(handler));
    });
}

result<model::server_list> blocking_client::list_versions(list_versions_request req, call_options call)
{
    return impl_->run<model::server_list>(call, [&](call_options c, auto handler) {
        impl_->async->async_list_versions(std::move(req), c, std::move(handler));
    });
}

result<http_response> blocking_client::request(http_request req, call_options call)
{
    return impl_->run<http_response>(call, [&](call_options c, auto handler) {
        impl_->async->async_request(std::move(req), c, std::move(handler));
    });
}

result<model::server_response> blocking_client::publish(publish_request req, call_options call)
{
    return impl_->run<model::server_response>(call, [&](call_options c, auto handler) {
        impl_->async->async_publish(std::move(req), c, std::move(handler));
    });
}

result<model::server_response> blocking_client::edit(edit_request req, call_options call)
{
    return impl_->run<model::server_response>(
        call, [&](call_options c, auto handler) { impl_->async->async_edit(std::move(req), c, std::move(handler)); });
}

result<model::server_response> blocking_client::delete_version(delete_version_request req, call_options call)
{
    return impl_->run<model::server_response>(call, [&](call_options c, auto handler) {
        impl_->async->async_delete_version(std::move(req), c, std::move(handler));
    });
}

result<model::server_response> blocking_client::set_status(set_status_request req, call_options call)
{
    return impl_->run<model::server_response>(call, [&](call_options c, auto handler) {
        impl_->async->async_set_status(std::move(req), c, std::move(handler));
    });
}

result<status_update> blocking_client::set_status_all(set_status_all_request req, call_options call)
{
    return impl_->run<status_update>(call, [&](call_options c, auto handler) {
        impl_->async->async_set_status_all(std::move(req), c, std::move(handler));
    });
}

result<remote_validation> blocking_client::validate(validate_request req, call_options call)
{
    return impl_->run<remote_validation>(call, [&](call_options c, auto handler) {
        impl_->async->async_validate(std::move(req), c, std::move(handler));
    });
}

result<registry_token> blocking_client::exchange_token(exchange_token_request req, call_options call)
{
    return impl_->run<registry_token>(call, [&](call_options c, auto handler) {
        impl_->async->async_exchange_token(std::move(req), c, std::move(handler));
    });
}

server_range blocking_client::all_servers(list_options query)
{
    return server_range(*this, pager(*impl_->async, std::move(query)));
}

std::optional<result<model::server_response>> server_range::next()
{
    while (position_ >= buffered_.size()) {
        if (failed_ || pager_.done()) return std::nullopt;
        auto page = owner_->impl_->run<model::server_list>(
            {}, [&](call_options, auto handler) { pager_.async_next_page(std::move(handler)); });
        if (!page) {
            failed_ = true;
            return result<model::server_response>(page.error());
        }
        buffered_ = std::move(page->servers);
        position_ = 0;
    }
    return result<model::server_response>(std::move(buffered_[position_++]));
}

server_range::iterator& server_range::iterator::operator++()
{
    if (!range_) return *this;
    current_ = range_->next();
    if (!current_) range_ = nullptr;
    return *this;
}

}  // namespace mcpreg

namespace mcpreg {

result<http_response> fetch_url(std::string_view url, client_options options, std::vector<http_header> headers)
{
    const auto scheme_end = url.find("://");
    const auto path_start = scheme_end == std::string_view::npos ? url.npos : url.find('/', scheme_end + 3);
    options.base_url = std::string(url.substr(0, path_start));
    auto c = blocking_client::create(options);
    if (!c) return c.error();
    http_request request;
    if (path_start != url.npos) request.target = std::string(url.substr(path_start));
    request.headers = std::move(headers);
    return c->request(std::move(request));
}

}  // namespace mcpreg
