// A registry served over HTTP on 127.0.0.1 from a background thread, stopped (with a bound) on destruction.
#pragma once

#include <mcpreg/engine/http_server.hpp>
#include <mcpreg/engine/registry.hpp>
#include <mcpreg/model/json.hpp>
#include <mcpreg/model/server.hpp>

#include "test_database.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <thread>

namespace mcpreg::test {

/// A minimal valid server.json ($schema, name, description, version) as a ServerResponse, with the registry
/// metadata given (publishedAt and updatedAt both `published_at`).
inline boost::json::value entry(std::string_view name, std::string_view version, std::string_view published_at,
                                std::string_view status = "active", std::string_view description = "d")
{
    return {
        {"server",
         {{"$schema", model::current_schema_url}, {"name", name}, {"description", description}, {"version", version}}},
        {"_meta",
         {{model::official_meta_key,
           {{"status", status}, {"publishedAt", published_at}, {"updatedAt", published_at}}}}}};
}

/// A response and its body parsed (null when not JSON).
struct answer {
    engine::response res;
    boost::json::value body;

    std::string detail() const
    {
        return body.is_object() && body.get_object().contains("detail") ? std::string(body.at("detail").as_string())
                                                                        : "";
    }
    bool mentions(std::string_view text) const { return res.body.find(text) != std::string::npos; }
};

inline answer call(engine::registry& reg, std::string method, std::string target,
                   const boost::json::value& body = nullptr, std::optional<std::string> token = std::nullopt)
{
    engine::request req;
    req.method = std::move(method);
    req.target = std::move(target);
    if (!body.is_null()) req.body = boost::json::serialize(body);
    if (token) req.headers.push_back({"Authorization", "Bearer " + *token});
    answer a{reg.handle(req), nullptr};
    if (auto parsed = model::parse_json(a.res.body)) a.body = std::move(*parsed);
    return a;
}

/// A registry on the test run's database (SQLite in memory, or a fresh PostgreSQL schema) unless `options`
/// names another.
inline engine::registry open_registry(engine::registry_options options = {})
{
    if (options.database == ":memory:") options.database = fresh_database();
    if (options.jwt_key_file.empty() && options.database.starts_with("postgresql:"))
        options.jwt_key_file = shared_key_file();
    return engine::registry::open(std::move(options)).value();
}

class running_engine {
public:
    explicit running_engine(engine::registry& reg, engine::http_server_options options = {})
        : server_(io_.get_executor(), reg, options),
          port_(server_.listen("127.0.0.1", 0).value()),
          thread_([this] { io_.run(); })
    {
    }

    ~running_engine()
    {
        server_.stop();
        // Connections close as their requests end; a stuck one cannot keep the test alive.
        for (int i = 0; i < 500 && server_.connections() > 0; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        io_.stop();
        thread_.join();
    }

    unsigned short port() const noexcept { return port_; }
    engine::http_server& server() noexcept { return server_; }

private:
    boost::asio::io_context io_;
    engine::http_server server_;
    unsigned short port_;
    std::thread thread_;
};

}  // namespace mcpreg::test
