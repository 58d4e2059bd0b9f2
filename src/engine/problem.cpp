#include "problem.hpp"

#include "registry_service.hpp"

#include <boost/json/serialize.hpp>

namespace mcpreg::engine::detail {
namespace json = boost::json;

std::string_view reason_phrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Request Entity Too Large";
    case 422: return "Unprocessable Entity";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
    }
}

response problem(int status, std::string_view detail, const std::vector<field_error>& errors)
{
    json::object body{{"title", reason_phrase(status)}, {"status", status}, {"detail", detail}};
    if (!errors.empty()) {
        json::array list;
        for (const auto& e : errors)
            list.push_back({{"message", e.message}, {"location", e.location}, {"value", e.value}});
        body["errors"] = std::move(list);
    }
    response res;
    res.status = status;
    res.headers.push_back({"Content-Type", "application/problem+json"});
    res.body = json::serialize(body);
    return res;
}

response json_response(int status, std::string body)
{
    response res;
    res.status = status;
    res.headers.push_back({"Content-Type", "application/json"});
    res.body = std::move(body);
    return res;
}

response json_response(int status, const json::value& body) { return json_response(status, json::serialize(body)); }

response storage_fault(const error& e, std::string_view failure)
{
    if (e.code == errc::timeout) {  // a bounded statement (a search) ran out of time: try a narrower one later
        auto res = problem(503, std::string(failure) + ": the query took too long; use longer or fewer words");
        res.headers.push_back({"Retry-After", "1"});
        return res;
    }
    if (e.code != errc::storage_unavailable) return problem(500, failure);
    auto res = problem(503, std::string(failure) + ": the database is unavailable, try again shortly");
    res.headers.push_back({"Retry-After", "1"});
    return res;
}

response refusal_response(std::string_view failure, const write_refusal& refused)
{
    switch (refused.reason) {
    case refusal_reason::not_found: return problem(404, refused.message);
    case refusal_reason::nothing_to_change: return problem(400, refused.message);
    case refusal_reason::remote_url_taken:
    case refusal_reason::version_limit:
    case refusal_reason::duplicate_version: break;
    }
    return problem(400, failure, {{refused.message, "", nullptr}});
}

}  // namespace mcpreg::engine::detail
