// One GET of a whole URL (path and query kept), for the tool's calls outside the registry API.
#include "cli.hpp"

#include <mcpreg/client/blocking_client.hpp>

namespace mcpreg::cli {

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

}  // namespace mcpreg::cli
