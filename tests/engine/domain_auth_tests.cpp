// POST /auth/dns and /auth/http with fake DNS and HTTP sources: domain proofs, the namespaces they grant and their
// errors; the bounded DNS answer parser and TXT lookups through a real resolver.
#include <mcpreg/client/client.hpp>
#include <mcpreg/engine/registry.hpp>
#include <mcpreg/model/json.hpp>

#include <mcpreg/engine/dns.hpp>

#include "dns_server.hpp"
#include "engine_fixture.hpp"
#include "test_data.hpp"

#include <doctest/doctest.h>

#include <boost/json/serialize.hpp>

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

namespace json = boost::json;
using namespace mcpreg;

namespace {

std::string base64(const std::string& raw)
{
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < raw.size(); i += 3) {
        const auto n = (static_cast<unsigned char>(raw[i]) << 16) | (static_cast<unsigned char>(raw[i + 1]) << 8) |
                       static_cast<unsigned char>(raw[i + 2]);
        for (int shift : {18, 12, 6, 0}) out += alphabet[(n >> shift) & 63];
    }
    if (i + 1 == raw.size()) {
        const auto n = static_cast<unsigned char>(raw[i]) << 16;
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += "==";
    }
    else if (i + 2 == raw.size()) {
        const auto n = (static_cast<unsigned char>(raw[i]) << 16) | (static_cast<unsigned char>(raw[i + 1]) << 8);
        for (int shift : {18, 12, 6}) out += alphabet[(n >> shift) & 63];
        out += '=';
    }
    return out;
}

struct ed25519_key {
    std::string pem;
    std::string record;  // the TXT record / HTTP body
};

ed25519_key make_ed25519()
{
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"),
                                                            &EVP_PKEY_free);
    unsigned char raw[32];
    std::size_t length = sizeof raw;
    EVP_PKEY_get_raw_public_key(key.get(), raw, &length);
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return {std::string(data, static_cast<std::size_t>(size)),
            "v=MCPv1; k=ed25519; p=" + base64(std::string(reinterpret_cast<char*>(raw), length))};
}

std::string now_text()
{
    return model::format_rfc3339(std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
}

struct domain_fixture {
    std::map<std::string, std::vector<std::string>> txt;
    std::map<std::string, std::string> http;
    engine::registry reg = [this] {
        engine::registry_options options;
        options.dns_txt_lookup = [this](const std::string& domain) -> result<std::vector<std::string>> {
            if (domain == "broken.example") return make_error(errc::io_error, "SERVFAIL");
            return txt[domain];
        };
        options.http_key_fetch = [this](const std::string& domain) -> result<std::string> {
            auto it = http.find(domain);
            if (it == http.end()) return make_error(errc::io_error, "HTTP 404");
            return it->second;
        };
        return test::open_registry(options);
    }();

    engine::response exchange(const std::string& method, const std::string& body)
    {
        engine::request req;
        req.method = "POST";
        req.target = "/v0.1/auth/" + method;
        req.body = body;
        return reg.handle(req);
    }

    std::vector<engine::permission> permissions(const engine::response& res)
    {
        auto token = model::parse_json(res.body).value().at("registry_token").as_string();
        engine::request req;
        req.method = "POST";
        req.target = "/v0.1/publish";
        (void)token;
        // Decode the claims: the middle part of the JWT.
        const std::string t(token);
        const auto a = t.find('.'), b = t.rfind('.');
        std::string claims64 = t.substr(a + 1, b - a - 1);
        for (auto& c : claims64) c = c == '-' ? '+' : (c == '_' ? '/' : c);
        while (claims64.size() % 4) claims64 += '=';
        std::unique_ptr<BIO, decltype(&BIO_free_all)> b64(
            BIO_push(BIO_new(BIO_f_base64()), BIO_new_mem_buf(claims64.data(), -1)), &BIO_free_all);
        BIO_set_flags(b64.get(), BIO_FLAGS_BASE64_NO_NL);
        char buffer[4096];
        const int n = BIO_read(b64.get(), buffer, sizeof buffer);
        auto claims = model::parse_json(std::string_view(buffer, static_cast<std::size_t>(std::max(n, 0)))).value();
        std::vector<engine::permission> out;
        for (const auto& p : claims.at("permissions").as_array())
            out.push_back({std::string(p.at("action").as_string()), std::string(p.at("resource").as_string())});
        return out;
    }
};

std::string cause(const engine::response& res)
{
    auto body = model::parse_json(res.body).value();
    return std::string(body.at("errors").at(0).at("message").as_string());
}

}  // namespace

TEST_CASE("DNS proofs: the domain's namespace and subdomains, the timestamp window, lookup errors, Ed25519 and P-384" *
          doctest::test_suite("auth"))
{
    domain_fixture f;
    const auto key = make_ed25519();
    f.txt["example.com"] = {"google-site-verification=abc", key.record};
    auto ok = f.exchange("dns", sign_domain_proof("example.com", key.pem).value());
    REQUIRE_MESSAGE(ok.status == 200, ok.body);
    CHECK(f.permissions(ok) ==
          std::vector<engine::permission>{{"publish", "com.example/*"}, {"publish", "com.example.*"}});

    f.txt["multi.example"] = {"v=MCPv1; k=ed25519; p=someNonsense", make_ed25519().record, key.record};
    // One good record among others is enough.
    CHECK(f.exchange("dns", sign_domain_proof("multi.example", key.pem).value()).status == 200);
    auto bad_domain = f.exchange("dns", sign_domain_proof("invalid..domain", key.pem).value());
    CHECK(bad_domain.status == 401);
    CHECK(cause(bad_domain) == "invalid domain format");
    for (int offset : {-30, 30}) {
        const auto at = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now() +
                                                                           std::chrono::seconds(offset));
        CHECK(cause(f.exchange("dns", sign_domain_proof("example.com", key.pem, model::format_rfc3339(at)).value())) ==
              "timestamp outside valid window (±15 seconds)");
    }
    CHECK(cause(f.exchange("dns", sign_domain_proof("broken.example", key.pem).value()))
              .starts_with("failed to lookup DNS TXT records"));
    CHECK(cause(f.exchange("dns", sign_domain_proof("empty.example", key.pem).value())) ==
          "no MCP public key found in DNS TXT records");
    f.txt["stale.example"] = {make_ed25519().record};
    auto stale_key = cause(f.exchange("dns", sign_domain_proof("stale.example", key.pem).value()));
    CHECK(stale_key.find("ed25519:") != std::string::npos);
    CHECK(stale_key.find("stale") != std::string::npos);
    f.txt["api.example.com"] = {key.record};
    CHECK(f.permissions(f.exchange("dns", sign_domain_proof("api.example.com", key.pem).value())) ==
          std::vector<engine::permission>{{"publish", "com.example.api/*"}, {"publish", "com.example.api.*"}});
    auto token = model::parse_json(f.exchange("dns", sign_domain_proof("example.com", key.pem).value()).body)
                     .value()
                     .at("registry_token")
                     .as_string();
    auto publish = [&](const std::string& name) {
        engine::request req;
        req.method = "POST";
        req.target = "/v0.1/publish";
        req.headers.push_back({"Authorization", "Bearer " + std::string(token)});
        req.body = json::serialize(json::object{
            {"$schema", model::current_schema_url}, {"name", name}, {"description", "d"}, {"version", "1.0.0"}});
        return f.reg.handle(req).status;
    };
    CHECK(publish("com.example/my-package") == 200);
    CHECK(publish("com.example.api/my-package") == 200);
    CHECK(publish("com.example.v1.api/my-package") == 200);
    CHECK(publish("com.otherdomain/my-package") == 403);
    CHECK(publish("com.example-other/my-package") == 403);

    // ECDSA P-384 keys with r||s signatures.
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> ec(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"),
                                                           &EVP_PKEY_free);
    unsigned char* encoded = nullptr;
    const std::size_t encoded_length = EVP_PKEY_get1_encoded_public_key(ec.get(), &encoded);
    std::string uncompressed_point(reinterpret_cast<char*>(encoded), encoded_length);
    OPENSSL_free(encoded);
    REQUIRE(encoded_length == 97);  // 0x04 || X || Y
    // Compressed form: 0x02 or 0x03 (the parity of Y), then X.
    std::string point_bytes(1, (static_cast<unsigned char>(uncompressed_point.back()) & 1) ? '\x03' : '\x02');
    point_bytes += uncompressed_point.substr(1, 48);
    f.txt["p384.example"] = {"v=MCPv1; k=ecdsap384; p=" + base64(point_bytes)};
    const auto timestamp = now_text();
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    unsigned char der[128];
    std::size_t der_length = sizeof der;
    EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha384(), nullptr, ec.get());
    EVP_DigestSign(ctx.get(), der, &der_length, reinterpret_cast<const unsigned char*>(timestamp.data()),
                   timestamp.size());
    const unsigned char* cursor = der;
    std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(
        d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der_length)), &ECDSA_SIG_free);
    unsigned char rs[96];
    BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), rs, 48);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), rs + 48, 48);
    std::string hex;
    for (unsigned char b : rs) {
        static constexpr char digits[] = "0123456789abcdef";
        hex += digits[b >> 4];
        hex += digits[b & 15];
    }
    auto body = [&](std::string signature) {
        return json::serialize(
            json::object{{"domain", "p384.example"}, {"timestamp", timestamp}, {"signed_timestamp", signature}});
    };
    CHECK(f.exchange("dns", body(hex)).status == 200);
    CHECK(cause(f.exchange("dns", body(hex.substr(2)))) == "invalid signature size for ECDSA P-384");
    f.txt["p384.example"] = {"v=MCPv1; k=ecdsap384; p=" + base64(point_bytes.substr(0, 48))};
    CHECK(cause(f.exchange("dns", body(hex))) == "invalid ECDSA P-384 public key size");
    std::string uncompressed = point_bytes;
    uncompressed[0] = '\x04';
    f.txt["p384.example"] = {"v=MCPv1; k=ecdsap384; p=" + base64(uncompressed)};
    CHECK(cause(f.exchange("dns", body(hex))) ==
          "invalid ECDSA P-384 public key format (must be compressed, with a leading 0x02 or 0x03 byte)");
}

TEST_CASE("HTTP proofs: the domain's namespace without subdomains, malformed bodies, bad keys, oversized key files" *
          doctest::test_suite("auth"))
{
    domain_fixture f;
    const auto key = make_ed25519();
    f.http["example.com"] = "\n  " + key.record + "\n";
    auto ok = f.exchange("http", sign_domain_proof("example.com", key.pem).value());
    REQUIRE_MESSAGE(ok.status == 200, ok.body);
    CHECK(f.permissions(ok) == std::vector<engine::permission>{{"publish", "com.example/*"}});  // no subdomains
    auto with = [&](std::string domain, std::string timestamp, std::string signature) {
        return cause(
            f.exchange("http", json::serialize(json::object{
                                   {"domain", domain}, {"timestamp", timestamp}, {"signed_timestamp", signature}})));
    };
    CHECK(with("invalid..domain", now_text(), "00") == "invalid domain format");
    CHECK(with("example.com", "yesterday", "00") == "invalid timestamp format");
    CHECK(with("example.com", now_text(), "zz") == "invalid signature format, must be hex");
    CHECK(with("example.com", now_text(), "0011") == "invalid signature size for Ed25519");
    CHECK(with("missing.example", now_text(), "00").starts_with("failed to fetch public key"));
    f.http["nokey.example"] = "hello";
    CHECK(with("nokey.example", now_text(), "00") == "no MCP public key found in HTTP response");
    f.http["badb64.example"] = "v=MCPv1; k=ed25519; p=invalid-base64!!!";
    CHECK(with("badb64.example", now_text(), "00") ==
          "failed to decode public key: illegal base64 data at input byte 4");
    f.http["short.example"] = "v=MCPv1; k=ed25519; p=" + base64("0123456789");
    CHECK(with("short.example", now_text(), "00") == "invalid Ed25519 public key size");
    f.http["wrong.example"] = make_ed25519().record;
    CHECK(cause(f.exchange("http", sign_domain_proof("wrong.example", key.pem).value()))
              .starts_with("signature verification failed"));
    f.http["big.example"] = std::string(5000, 'x');
    CHECK(with("big.example", now_text(), "00").starts_with("failed to fetch public key"));  // too big
    CHECK(f.exchange("http", "{").status == 400);
    CHECK(f.exchange("http", R"({"domain": 1})").status == 422);
    auto plain = test::open_registry();
    engine::request off;
    off.method = "POST";
    off.target = "/v0.1/auth/dns";
    CHECK(plain.handle(off).status == 404);  // no resolver configured: no endpoint
}

namespace {

// `text` as TXT character-strings of at most 255 bytes.
std::vector<std::string> strings_of(const std::string& text)
{
    std::vector<std::string> out;
    for (std::size_t i = 0; i < text.size(); i += 255) out.push_back(text.substr(i, 255));
    return out;
}

engine::dns_options loopback_dns(const test::dns_server& server)
{
    engine::dns_options options;
    options.servers = {server.address()};
    options.timeout = std::chrono::milliseconds(2000);
    return options;
}

}  // namespace

TEST_CASE("DNS answers are read by one bounded parser: records joined, oversized and malformed answers refused" *
          doctest::test_suite("engine"))
{
    const auto q = test::dns_server::query("example.com");
    const auto two = test::dns_server::response(q, {{{"v=MCPv1; ", "k=ed25519"}, {"other"}}, {}, false});
    auto records = engine::txt_records_from_answer(two);
    REQUIRE(records);
    CHECK(*records == std::vector<std::string>{"v=MCPv1; k=ed25519", "other"});
    CHECK(engine::txt_records_from_answer(test::dns_server::response(q, {})).value().empty());

    test::dns_answer many;
    for (int i = 0; i < 65; ++i) many.records.push_back({"r" + std::to_string(i)});
    CHECK(engine::txt_records_from_answer(test::dns_server::response(q, many)).error().code == errc::bad_response);
    test::dns_answer large;  // 40 KiB of text in 40 records: within the default bounds, over a tighter one
    for (int i = 0; i < 40; ++i) large.records.push_back(strings_of(std::string(1024, 'x')));
    const auto large_message = test::dns_server::response(q, large);
    CHECK(engine::txt_records_from_answer(large_message).value().size() == 40);
    engine::dns_options tight;
    tight.max_text_bytes = 8192;
    CHECK(engine::txt_records_from_answer(large_message, tight).error().code == errc::bad_response);

    // Malformed: truncated anywhere, a record length past the end, garbage, empty, over 64 KiB.
    for (std::size_t cut = 0; cut < two.size(); ++cut)
        CHECK_MESSAGE(!engine::txt_records_from_answer(two.substr(0, cut)), cut);
    auto lying = two;
    lying[lying.size() - 7] = static_cast<char>(0xFF);  // an RDLENGTH longer than the message
    CHECK_FALSE(engine::txt_records_from_answer(lying));
    CHECK_FALSE(engine::txt_records_from_answer(std::string(100, '\xff')));
    CHECK_FALSE(engine::txt_records_from_answer(""));
    CHECK_FALSE(engine::txt_records_from_answer(std::string(70'000, '\0')));
}

TEST_CASE("TXT lookups through a real resolver: large answers over TCP, silence times out, the engine survives any" *
          doctest::test_suite("engine"))
{
    const auto key = make_ed25519();
    // The proof among 20 KiB of other records: larger than UDP carries, so the resolver retries over TCP.
    test::dns_answer crowded;
    for (int i = 0; i < 20; ++i)
        crowded.records.push_back(strings_of(std::string(1000, static_cast<char>('a' + i % 26))));
    crowded.records.push_back({key.record});
    std::string mode = "crowded";
    test::dns_server server([&](const std::string& name) -> test::dns_answer {
        if (mode == "silent") return {{}, std::nullopt, true};
        if (mode == "garbage") return {{}, std::string(3000, '\x7f'), false};
        if (mode == "huge") {
            test::dns_answer huge;
            for (int i = 0; i < 250; ++i) huge.records.push_back(strings_of(std::string(250, 'z')));
            return huge;
        }
        if (name == "crowded.example") return crowded;
        return {};
    });
    const auto dns = loopback_dns(server);
    auto found = engine::lookup_txt("crowded.example", dns);
    REQUIRE_MESSAGE(found, found.error().diag.message);
    CHECK(found->size() == 21);
    CHECK(found->back() == key.record);
    CHECK(engine::lookup_txt("nothing.example", dns).error().code == errc::io_error);

    engine::registry_options options;
    options.dns_txt_lookup = [&](const std::string& domain) { return engine::lookup_txt(domain, dns); };
    auto reg = test::open_registry(options);
    auto exchange = [&](const std::string& domain) {
        engine::request req;
        req.method = "POST";
        req.target = "/v0.1/auth/dns";
        req.body = sign_domain_proof(domain, key.pem, now_text()).value();
        return reg.handle(req);
    };
    CHECK(exchange("crowded.example").status == 200);
    for (const auto* hostile : {"garbage", "huge"}) {
        mode = hostile;
        CHECK_MESSAGE(exchange("crowded.example").status == 401, hostile);
    }
    mode = "silent";
    const auto started = std::chrono::steady_clock::now();
    CHECK(exchange("crowded.example").status == 401);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
    mode = "crowded";
    CHECK(exchange("crowded.example").status == 200);  // and it still works
}

TEST_CASE("a blocked namespace stays blocked in upper case and for its subdomains" * doctest::test_suite("auth"))
{
    const auto key = make_ed25519();
    engine::registry_options options;
    options.blocked_namespaces = {"com.evil"};
    options.dns_txt_lookup = [&](const std::string&) -> result<std::vector<std::string>> {
        return std::vector<std::string>{key.record};
    };
    options.http_key_fetch = [&](const std::string&) -> result<std::string> { return key.record; };
    auto reg = test::open_registry(options);
    auto exchange = [&](const std::string& method, const std::string& domain) {
        engine::request req;
        req.method = "POST";
        req.target = "/v0.1/auth/" + method;
        req.body = sign_domain_proof(domain, key.pem, now_text()).value();
        return reg.handle(req).status;
    };
    for (const auto* method : {"dns", "http"}) {
        for (const auto* domain : {"evil.com", "EVIL.COM", "Evil.Com", "sub.evil.com", "SUB.EVIL.COM", "a.b.evil.com"})
            CHECK_MESSAGE(exchange(method, domain) == 401, method, " ", domain);
        CHECK(exchange(method, "good.com") == 200);
        CHECK(exchange(method, "notevil.com") == 200);
    }
}

TEST_CASE("a domain proof grants the lower-case namespace whatever the case it was sent in" *
          doctest::test_suite("auth"))
{
    domain_fixture f;
    const auto key = make_ed25519();
    f.txt["example.com"] = {key.record};
    auto res = f.exchange("dns", sign_domain_proof("EXAMPLE.Com", key.pem).value());
    REQUIRE(res.status == 200);
    const auto granted = f.permissions(res);
    REQUIRE_FALSE(granted.empty());
    CHECK(granted.front().resource == "com.example/*");
}
