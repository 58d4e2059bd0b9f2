// The engine over real HTTP on 127.0.0.1: a full cursor walk of the snapshot, the wire format, and limits.
#include <mcpreg/engine/http_server.hpp>
#include <mcpreg/model/json.hpp>

#include "engine_fixture.hpp"
#include "http_test_client.hpp"
#include "test_data.hpp"

#include <doctest/doctest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <atomic>
#include <set>
#include <sys/resource.h>
#include <thread>

namespace json = boost::json;
using namespace mcpreg;

namespace {

engine::registry& snapshot_registry()
{
    static auto reg = [] {
        engine::registry_options options;
        options.seed_files = {(test::data_dir() / "registry-seed.json").string()};
        return test::open_registry(options);
    }();
    return reg;
}

json::value body_of(const engine::response& res) { return model::parse_json(res.body).value(); }

}  // namespace

TEST_CASE("a cursor walk of the snapshot returns every (name, version) once, in byte order" *
          doctest::test_suite("http"))
{
    test::running_engine running(snapshot_registry());
    test::http_test_client client(running.port());
    std::vector<std::pair<std::string, std::string>> walked;
    std::string cursor;
    int pages = 0;
    for (; pages < 100; ++pages) {
        auto res = client.get("/v0.1/servers?limit=100" + (cursor.empty() ? "" : "&cursor=" + cursor));
        REQUIRE(res.status == 200);
        auto page = body_of(res);
        for (const auto& item : page.at("servers").as_array())
            walked.emplace_back(item.at("server").at("name").as_string(), item.at("server").at("version").as_string());
        const auto& metadata = page.at("metadata").as_object();
        if (!metadata.contains("nextCursor")) break;
        // The cursor is opaque: send it back percent-encoded.
        const auto encoded = percent_encode(std::string(metadata.at("nextCursor").as_string()));
        cursor = encoded;
    }
    CHECK(pages == 23);  // 2,376 rows: 23 full pages, then one of 76 without a cursor
    REQUIRE(walked.size() == 2376);
    auto expected = walked;
    std::sort(expected.begin(), expected.end());  // std::string compares bytes: upstream's C collation
    CHECK(walked == expected);
    CHECK(std::set(walked.begin(), walked.end()).size() == walked.size());

    std::set<std::pair<std::string, std::string>> snapshot_pairs;
    const auto snapshot = model::read_json_file((test::data_dir() / "registry-seed.json").string()).value();
    for (const auto& item : snapshot.as_array())
        snapshot_pairs.emplace(item.at("server").at("name").as_string(), item.at("server").at("version").as_string());
    CHECK(std::set(walked.begin(), walked.end()) == snapshot_pairs);
}

TEST_CASE("the wire: keep-alive, HEAD, gzip, 304 and URL-encoded names over HTTP" * doctest::test_suite("http"))
{
    test::running_engine running(snapshot_registry());
    test::http_test_client client(running.port());
    auto full = client.get("/v0.1/servers?limit=50");
    REQUIRE(full.status == 200);
    CHECK(full.header("Content-Length") == std::to_string(full.body.size()));
    auto zipped = client.get("/v0.1/servers?limit=50", {{"Accept-Encoding", "gzip"}});
    CHECK(zipped.header("Content-Encoding") == "gzip");
    CHECK(test::gunzip(zipped.body) == full.body);
    auto not_modified = client.get("/v0.1/servers?limit=50", {{"If-None-Match", std::string(full.header("ETag"))}});
    CHECK(not_modified.status == 304);
    CHECK(not_modified.body.empty());
    engine::request head;
    head.method = "HEAD";
    head.target = "/v0.1/servers?limit=50";
    auto head_res = client.send(head);
    CHECK(head_res.status == 200);
    CHECK(head_res.header("Content-Length") == std::to_string(full.body.size()));
    auto encoded = client.get("/v0/servers/io.github.github%2Fgithub-mcp-server/versions");
    CHECK(encoded.status == 200);
    CHECK(body_of(encoded).at("metadata").at("count").as_int64() >= 1);
    CHECK(client.get("/v0/servers/io.github.github/github-mcp-server/versions").status == 404);
    CHECK(client.get("/v0.1/ping").status == 200);  // still the same connection
}

TEST_CASE("limits: a body of 1 MiB + 1 gets 413, oversized headers 431, garbage 400" * doctest::test_suite("http"))
{
    test::running_engine running(snapshot_registry());
    {
        test::http_test_client client(running.port());
        engine::request big;
        big.method = "POST";
        big.target = "/v0.1/publish";
        big.body.assign((1u << 20) + 1, 'x');
        big.headers.push_back({"Content-Type", "application/json"});
        CHECK(client.send(big).status == 413);
    }
    {
        test::http_test_client client(running.port());
        engine::request exactly;
        exactly.method = "POST";
        exactly.target = "/v0.1/servers";
        exactly.body.assign(1u << 20, 'x');
        CHECK(client.send(exactly).status == 405);  // within the limit: routed (no such write route here)
    }
    {
        test::http_test_client client(running.port());
        client.write_raw("GET /v0.1/ping HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(100'000, 'a') + "\r\n\r\n");
        CHECK(client.read_response().status == 431);
    }
    {
        test::http_test_client client(running.port());
        client.write_raw("THIS IS NOT HTTP\r\n\r\n");
        CHECK(client.read_response().status == 400);
    }
    test::http_test_client after(running.port());
    CHECK(after.get("/v0.1/ping").status == 200);
}

TEST_CASE("hostile requests get their documented 4xx and the server keeps serving" * doctest::test_suite("http"))
{
    auto reg = test::open_registry();
    const auto token = reg.issue_token({{"publish", "*"}});
    test::running_engine running(reg);
    auto status_of = [&](const std::string& raw) {
        test::http_test_client client(running.port());
        client.write_raw(raw);
        return client.read_response().status;
    };
    auto post = [&](const std::string& body) {
        return "POST /v0.1/publish HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
               "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
               body;
    };
    std::string many = "GET /v0.1/servers?";
    for (int i = 0; i < 10'000; ++i) many += "p" + std::to_string(i % 10) + "=1&";
    // 10,000 query parameters (about 50 KB, inside the header limit).
    CHECK(status_of(many + " HTTP/1.1\r\nHost: x\r\n\r\n") == 400);
    // Invalid percent-encoding, in the query and in a name.
    CHECK(status_of("GET /v0.1/servers?search=%zz HTTP/1.1\r\nHost: x\r\n\r\n") == 400);
    CHECK(status_of("GET /v0.1/servers/a%2/versions/latest HTTP/1.1\r\nHost: x\r\n\r\n") == 400);
    // A NUL byte in the request line, and one percent-encoded in a name.
    CHECK(status_of(std::string("GET /v0.1/ser") + '\0' + "vers HTTP/1.1\r\nHost: x\r\n\r\n") == 400);
    CHECK(status_of("GET /v0.1/servers/a%00b%2Fc/versions/latest HTTP/1.1\r\nHost: x\r\n\r\n") == 400);
    // `..` in names stays a name that does not exist.
    CHECK(status_of("GET /v0.1/servers/..%2F..%2Fetc%2Fpasswd/versions/latest HTTP/1.1\r\nHost: x\r\n\r\n") == 404);
    // SQL metacharacters in a search are text: an ordinary (empty) answer.
    CHECK(status_of("GET /v0.1/servers?search=%27%3B%20DROP%20TABLE%20server_versions%3B-- HTTP/1.1\r\nHost: "
                    "x\r\n\r\n") == 200);
    CHECK(status_of("GET /v0.1/x/io.github.mcpreg/search?q=%22%29%20OR%201%3D1%20-- HTTP/1.1\r\nHost: x\r\n\r\n") ==
          200);
    // Invalid UTF-8 in a body, JSON bombs: deep nesting, a huge exponent, a 100,000-element array.
    CHECK(status_of(post("{\"name\":\"com.example/\xff\xfe\",\"description\":\"d\",\"version\":\"1.0.0\"}")) / 100 ==
          4);
    CHECK(status_of(post(std::string(100'000, '[') + std::string(100'000, ']'))) == 400);
    CHECK(status_of(post("{\"name\":\"com.example/x\",\"description\":\"d\",\"version\":\"1.0.0\",\"n\":1e999999}")) /
              100 ==
          4);
    std::string wide = "{\"$schema\":\"" + std::string(model::current_schema_url) +
                       "\",\"name\":\"com.example/wide\",\"description\":\"d\",\"version\":\"1.0.0\",\"packages\":[";
    for (int i = 0; i < 100'000; ++i) wide += i ? ",{}" : "{}";
    wide += "]}";
    CHECK(status_of(post(wide)) / 100 == 4);
    CHECK(reg.size().value() == 0);
    test::http_test_client after(running.port());
    CHECK(after.get("/v0.1/ping").status == 200);
}

TEST_CASE("a client sending its headers one byte a second is dropped" * doctest::test_suite("http"))
{
    engine::http_server_options options;
    options.read_timeout = std::chrono::milliseconds(1500);
    test::running_engine running(snapshot_registry(), options);
    test::http_test_client slow(running.port());
    const std::string request = "GET /v0.1/ping HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    const auto started = std::chrono::steady_clock::now();
    bool dropped = false;
    for (std::size_t i = 0; i < request.size() && !dropped; ++i) {
        try {
            slow.write_raw(std::string(1, request[i]));
        }
        catch (const std::exception&) {
            dropped = true;  // the server closed the connection
            break;
        }
        dropped = slow.closed_by_peer(std::chrono::milliseconds(1000));
    }
    const auto elapsed = std::chrono::steady_clock::now() - started;
    CHECK(dropped);
    CHECK(elapsed < std::chrono::seconds(5));
    test::http_test_client other(running.port());
    CHECK(other.get("/v0.1/ping").status == 200);
}

TEST_CASE("an idle keep-alive connection is closed after idle_timeout, a busy one is not" * doctest::test_suite("http"))
{
    engine::http_server_options options;
    options.idle_timeout = std::chrono::milliseconds(400);
    test::running_engine running(snapshot_registry(), options);
    test::http_test_client busy(running.port());
    // Requests 100 ms apart for 1.2 s: each one moves the deadline, so the connection outlives idle_timeout.
    for (int i = 0; i < 12; ++i) {
        CHECK(busy.get("/v0.1/ping").status == 200);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    const auto idle_since = std::chrono::steady_clock::now();
    CHECK(busy.closed_by_peer(std::chrono::milliseconds(3000)));
    const auto idle = std::chrono::steady_clock::now() - idle_since;
    CHECK(idle >= std::chrono::milliseconds(250));
    CHECK(idle < std::chrono::milliseconds(2000));
}

TEST_CASE("a client that stops reading its responses is dropped after write_timeout" * doctest::test_suite("http"))
{
    engine::http_server_options options;
    options.write_timeout = std::chrono::milliseconds(500);
    test::running_engine running(snapshot_registry(), options);
    namespace asio = boost::asio;
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), running.port()});
    socket.set_option(asio::socket_base::receive_buffer_size(4096));
    // 300 pipelined list pages (about 25 MB of answers) that are never read: the server's writes stall.
    std::string requests;
    for (int i = 0; i < 300; ++i) requests += "GET /v0.1/servers?limit=100 HTTP/1.1\r\nHost: x\r\n\r\n";
    asio::write(socket, asio::buffer(requests));
    const auto written = std::chrono::steady_clock::now();
    for (int i = 0; i < 100 && running.server().connections() == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    REQUIRE(running.server().connections() == 1);
    for (int i = 0; i < 100 && running.server().connections() > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(running.server().connections() == 0);
    CHECK(std::chrono::steady_clock::now() - written >= std::chrono::milliseconds(400));
    test::http_test_client after(running.port());
    CHECK(after.get("/v0.1/ping").status == 200);
}

TEST_CASE("the wire: pipelined requests, HTTP/1.0, and 304 without a Content-Length" * doctest::test_suite("http"))
{
    test::running_engine running(snapshot_registry());
    namespace asio = boost::asio;
    asio::io_context io;
    auto exchange = [&](const std::string& bytes) {
        asio::ip::tcp::socket socket(io);
        socket.connect({asio::ip::make_address("127.0.0.1"), running.port()});
        asio::write(socket, asio::buffer(bytes));
        socket.shutdown(asio::ip::tcp::socket::shutdown_send);
        std::string reply;
        boost::system::error_code ec;
        asio::read(socket, asio::dynamic_buffer(reply), ec);  // until the server closes
        return reply;
    };
    // Three requests in one write: three answers, in order, on one connection.
    const auto pipelined = exchange("GET /v0.1/ping HTTP/1.1\r\nHost: x\r\n\r\n"
                                    "GET /v0.1/servers/io.example%2Fnothing/versions/latest HTTP/1.1\r\nHost: x\r\n\r\n"
                                    "GET /v0.1/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const auto first_404 = pipelined.find("HTTP/1.1 404 Not Found\r\n");
    CHECK(pipelined.starts_with("HTTP/1.1 200 OK\r\n"));
    CHECK(first_404 != std::string::npos);
    CHECK(pipelined.find("HTTP/1.1 200 OK\r\n", first_404) != std::string::npos);
    CHECK(pipelined.find("Connection: close\r\n") > first_404);
    // HTTP/1.0 closes unless asked to keep the connection, and says so when it does.
    const auto plain = exchange("GET /v0.1/ping HTTP/1.0\r\n\r\n");
    CHECK(plain.starts_with("HTTP/1.0 200 OK\r\n"));
    CHECK(plain.find("Connection: keep-alive") == std::string::npos);
    const auto kept = exchange("GET /v0.1/ping HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    CHECK(kept.find("Connection: keep-alive\r\n") != std::string::npos);
    // A request cut off by the end of the stream is malformed.
    CHECK(exchange("GET /v0.1/ping HTTP/1.1\r\nHost").starts_with("HTTP/1.1 400 Bad Request\r\n"));
    // 304 carries no body and no Content-Length.
    test::http_test_client client(running.port());
    const auto etag = std::string(client.get("/v0.1/servers?limit=5").header("ETag"));
    const auto not_modified = exchange("GET /v0.1/servers?limit=5 HTTP/1.1\r\nHost: x\r\nIf-None-Match: " + etag +
                                       "\r\nConnection: close\r\n\r\n");
    CHECK(not_modified.starts_with("HTTP/1.1 304 Not Modified\r\n"));
    CHECK(not_modified.find("Content-Length") == std::string::npos);
    CHECK(not_modified.ends_with("\r\n\r\n"));
}

TEST_CASE("1,000 concurrent connections are served, and the server keeps serving" * doctest::test_suite("http"))
{
    // Two descriptors per connection live in this process (client and server side).
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    if (limit.rlim_cur < 2200) {
        limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, 4096);
        setrlimit(RLIMIT_NOFILE, &limit);
    }
    test::running_engine running(snapshot_registry());
    namespace asio = boost::asio;
    asio::io_context io;
    const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), running.port());
    std::vector<asio::ip::tcp::socket> sockets;
    sockets.reserve(1000);
    for (int i = 0; i < 1000; ++i) {
        auto& socket = sockets.emplace_back(io);
        socket.connect(endpoint);
    }
    const std::string request = "GET /v0.1/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    for (auto& socket : sockets) asio::write(socket, asio::buffer(request));
    int ok = 0, refused = 0;
    for (auto& socket : sockets) {
        std::string reply;
        boost::system::error_code ec;
        asio::read(socket, asio::dynamic_buffer(reply), ec);  // until the server closes
        if (reply.starts_with("HTTP/1.1 200")) ++ok;
        else if (reply.starts_with("HTTP/1.1 503")) ++refused;
    }
    CHECK(ok + refused == 1000);
    CHECK(ok == 1000);
    sockets.clear();
    test::http_test_client after(running.port());
    CHECK(after.get("/v0.1/servers?limit=1").status == 200);
}

TEST_CASE("beyond max_connections, new connections get 503 and the server recovers" * doctest::test_suite("http"))
{
    engine::http_server_options options;
    options.max_connections = 4;
    test::running_engine running(snapshot_registry(), options);
    std::vector<std::unique_ptr<test::http_test_client>> held;
    for (int i = 0; i < 4; ++i) {
        held.push_back(std::make_unique<test::http_test_client>(running.port()));
        CHECK(held.back()->get("/v0.1/ping").status == 200);  // keep-alive: the connection stays open
    }
    test::http_test_client extra(running.port());
    auto refused = extra.read_response();
    CHECK(refused.status == 503);
    CHECK(refused.header("Retry-After") == "1");
    held.clear();
    for (int i = 0; i < 200 && running.server().connections() > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    test::http_test_client later(running.port());
    CHECK(later.get("/v0.1/ping").status == 200);
}

TEST_CASE("stop() closes idle keep-alive connections and the port" * doctest::test_suite("http"))
{
    auto& reg = snapshot_registry();
    boost::asio::io_context io;
    engine::http_server server(io.get_executor(), reg);
    const auto port = server.listen("127.0.0.1", 0).value();
    std::thread thread([&] { io.run(); });
    test::http_test_client client(port);
    CHECK(client.get("/v0.1/ping").status == 200);
    server.stop();
    CHECK(client.closed_by_peer(std::chrono::milliseconds(3000)));
    thread.join();  // run() returns: no work is left
    CHECK(server.connections() == 0);
    boost::asio::io_context probe;
    boost::asio::ip::tcp::socket socket(probe);
    boost::system::error_code ec;
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
    CHECK(ec);
    CHECK_FALSE(server.listen("256.0.0.1", 0));
}

TEST_CASE("token exchanges that hang never hold up reads or writes, and their number and time are bounded" *
          doctest::test_suite("http"))
{
    // A DNS lookup that hangs for a while, as a slow or hostile name server makes it. The times leave room for
    // a first publish on a fresh PostgreSQL schema on a loaded machine, well under the deadline.
    using std::chrono::milliseconds;
    constexpr milliseconds hang{5000}, deadline{3000};
    std::atomic<int> lookups{0};
    engine::registry_options options;
    options.dns_txt_lookup = [&](const std::string&) -> result<std::vector<std::string>> {
        ++lookups;
        std::this_thread::sleep_for(hang);
        return std::vector<std::string>{};
    };
    auto reg = test::open_registry(options);
    engine::http_server_options limits;
    limits.exchange_threads = 2;
    limits.max_pending_exchanges = 3;
    limits.exchange_timeout = deadline;
    test::running_engine running(reg, limits);  // one thread serves the reads

    engine::request exchange;
    exchange.method = "POST";
    exchange.target = "/v0.1/auth/dns";
    exchange.body = R"({"domain":"slow.example","timestamp":"2025-01-01T00:00:00Z","signed_timestamp":"00"})";
    // A first publish before anything hangs: a fresh database prepares its statements.
    {
        test::http_test_client warm(running.port());
        engine::request req;
        req.method = "POST";
        req.target = "/v0.1/publish";
        req.headers.push_back({"Authorization", "Bearer " + reg.issue_token({{"publish", "*"}})});
        req.body = R"({"$schema":")" + std::string(model::current_schema_url) +
                   R"(","name":"com.example/warm","description":"d","version":"1.0.0"})";
        REQUIRE(warm.send(req).status == 200);
    }
    std::vector<std::thread> callers;
    std::vector<int> statuses(5, 0);
    std::vector<std::chrono::milliseconds> took(5);
    for (std::size_t i = 0; i < statuses.size(); ++i) {
        callers.emplace_back([&, i] {
            test::http_test_client c(running.port());
            const auto started = std::chrono::steady_clock::now();
            statuses[i] = c.send(exchange).status;
            took[i] = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    // While they hang, reads keep their latency, and a publish (a lane of its own) goes through.
    test::http_test_client reader(running.port());
    for (int i = 0; i < 10; ++i) {
        const auto started = std::chrono::steady_clock::now();
        CHECK(reader.get("/v0.1/ping").status == 200);
        CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(200));
    }
    auto publish = [&](const std::string& name) {
        engine::request req;
        req.method = "POST";
        req.target = "/v0.1/publish";
        req.headers.push_back({"Authorization", "Bearer " + reg.issue_token({{"publish", "*"}})});
        req.body = R"({"$schema":")" + std::string(model::current_schema_url) + R"(","name":")" + name +
                   R"(","description":"d","version":"1.0.0"})";
        return reader.send(req).status;
    };
    const auto publish_started = std::chrono::steady_clock::now();
    CHECK(publish("com.example/during") == 200);
    // Had it queued behind the exchanges it would take their whole hang, or be refused: it takes what the
    // database takes (another test may be loading it).
    CHECK(std::chrono::steady_clock::now() - publish_started < deadline);
    for (auto& t : callers) t.join();
    // Two ran (answered 504 at the deadline: they may still finish), one waited in the queue (503 at the
    // deadline, and never run: safe to retry), two were refused at once (503).
    CHECK(std::count(statuses.begin(), statuses.end(), 504) == 2);
    CHECK(std::count(statuses.begin(), statuses.end(), 503) == 3);
    CHECK(std::count_if(took.begin(), took.end(), [&](auto t) { return t < deadline / 2; }) == 2);
    CHECK(std::count_if(took.begin(), took.end(), [&](auto t) {
              return t >= deadline - milliseconds(100) && t < hang - milliseconds(500);
          }) == 3);
    std::this_thread::sleep_for(hang - deadline + milliseconds(500));  // the running lookups end; the queued one
                                                                       // never starts
    CHECK(lookups.load() == 2);
    CHECK(reader.get("/v0.1/ping").status == 200);
}
