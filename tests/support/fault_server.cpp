#include "fault_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "../../src/common/gzip.hpp"
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <stdexcept>

namespace mcpreg::test {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct fault_server::impl {
    asio::io_context io;
    tcp::acceptor acceptor{io};
    std::optional<asio::ssl::context> tls;
    std::function<fault_action(const http_request&, int)> script;
    std::atomic<bool> stopping{false};
};

namespace {

template <class Stream>
void serve_connection(Stream& stream, fault_server& owner,
                      std::function<fault_action(const http_request&, int)>& script, std::atomic<int>& counter,
                      std::atomic<bool>& stopping)
{
    beast::flat_buffer buffer;
    while (!stopping) {
        http::request<http::string_body> in;
        boost::system::error_code ec;
        http::read(stream, buffer, in, ec);
        if (ec) return;
        http_request req;
        req.method = std::string(in.method_string());
        req.target = std::string(in.target());
        for (const auto& f : in) req.headers.push_back({std::string(f.name_string()), std::string(f.value())});
        req.body = in.body();
        const int index = counter++;
        auto action = script(req, index);
        (void)owner;
        switch (action.what) {
        case fault_action::kind::close_at_once: return;
        case fault_action::kind::raw:
            asio::write(stream, asio::buffer(action.raw), ec);
            if (ec) return;
            break;
        case fault_action::kind::stall:
            for (auto waited = std::chrono::milliseconds(0); waited < action.stall_for && !stopping;
                 waited += std::chrono::milliseconds(20))
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            return;
        case fault_action::kind::drop_mid_body: {
            std::string head = "HTTP/1.1 " + std::to_string(action.response.status) +
                               " OK\r\nContent-Length: " + std::to_string(action.response.body.size()) + "\r\n";
            for (const auto& h : action.response.headers) head += h.name + ": " + h.value + "\r\n";
            head += "\r\n" + action.response.body.substr(0, action.response.body.size() / 2);
            asio::write(stream, asio::buffer(head), ec);
            return;
        }
        case fault_action::kind::respond: {
            http::response<http::string_body> out{static_cast<http::status>(action.response.status), 11};
            for (const auto& h : action.response.headers) out.set(h.name, h.value);
            out.body() = std::move(action.response.body);
            out.keep_alive(in.keep_alive());
            out.prepare_payload();
            http::write(stream, out, ec);
            if (ec || !in.keep_alive()) return;
        }
        }
    }
}

}  // namespace

fault_server::fault_server(std::function<fault_action(const http_request&, int)> script, std::optional<fault_tls> tls)
    : impl_(std::make_unique<impl>())
{
    impl_->script = std::move(script);
    if (tls) {
        impl_->tls.emplace(asio::ssl::context::tls_server);
        impl_->tls->use_certificate_chain_file(tls->certificate_chain_file);
        impl_->tls->use_private_key_file(tls->private_key_file, asio::ssl::context::pem);
    }
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    impl_->acceptor.open(endpoint.protocol());
    impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
    impl_->acceptor.bind(endpoint);
    impl_->acceptor.listen();
    port_ = impl_->acceptor.local_endpoint().port();
    thread_ = std::thread([this] {
        while (!impl_->stopping) {
            boost::system::error_code ec;
            tcp::socket socket(impl_->io);
            impl_->acceptor.accept(socket, ec);
            if (ec || impl_->stopping) return;
            ++connections_;
            if (impl_->tls) {
                asio::ssl::stream<tcp::socket> stream(std::move(socket), *impl_->tls);
                stream.handshake(asio::ssl::stream_base::server, ec);
                if (!ec) serve_connection(stream, *this, impl_->script, requests_, impl_->stopping);
            }
            else {
                serve_connection(socket, *this, impl_->script, requests_, impl_->stopping);
            }
        }
    });
}

fault_server::~fault_server()
{
    impl_->stopping = true;
    boost::system::error_code ignored;
    impl_->acceptor.cancel(ignored);
    // A blocking accept() is not woken by close(): connect once to release it.
    {
        asio::io_context io;
        tcp::socket poke(io);
        poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ignored);
    }
    thread_.join();
}

std::string fault_server::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

struct connect_proxy::impl {
    asio::io_context io;
    tcp::acceptor acceptor{io};
    std::atomic<bool> stopping{false};
    std::mutex mutex;
    std::string last_authority;
    std::vector<std::thread> relays;
};

connect_proxy::connect_proxy() : impl_(std::make_unique<impl>())
{
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    impl_->acceptor.open(endpoint.protocol());
    impl_->acceptor.bind(endpoint);
    impl_->acceptor.listen();
    port_ = impl_->acceptor.local_endpoint().port();
    thread_ = std::thread([this] {
        while (!impl_->stopping) {
            auto client = std::make_shared<tcp::socket>(impl_->io);
            boost::system::error_code ec;
            impl_->acceptor.accept(*client, ec);
            if (ec || impl_->stopping) return;
            std::string head;
            asio::read_until(*client, asio::dynamic_buffer(head), "\r\n\r\n", ec);
            if (ec || !head.starts_with("CONNECT ")) continue;
            const auto authority = head.substr(8, head.find(' ', 8) - 8);
            {
                std::lock_guard lock(impl_->mutex);
                impl_->last_authority = authority;
            }
            const auto colon = authority.rfind(':');
            auto upstream = std::make_shared<tcp::socket>(impl_->io);
            upstream->connect(tcp::endpoint(asio::ip::make_address(authority.substr(0, colon)),
                                            static_cast<unsigned short>(std::stoi(authority.substr(colon + 1)))),
                              ec);
            if (ec) continue;
            ++tunnels_;
            asio::write(*client, asio::buffer(std::string("HTTP/1.1 200 Connection established\r\n\r\n")), ec);
            auto pump = [](std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to) {
                char buffer[16384];
                boost::system::error_code e;
                while (true) {
                    auto n = from->read_some(asio::buffer(buffer), e);
                    if (e) break;
                    asio::write(*to, asio::buffer(buffer, n), e);
                    if (e) break;
                }
                to->shutdown(tcp::socket::shutdown_send, e);
            };
            impl_->relays.emplace_back(pump, client, upstream);
            impl_->relays.emplace_back(pump, upstream, client);
        }
    });
}

connect_proxy::~connect_proxy()
{
    impl_->stopping = true;
    {
        asio::io_context io;
        tcp::socket poke(io);
        boost::system::error_code ignored;
        poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ignored);
    }
    thread_.join();
    for (auto& relay : impl_->relays) relay.join();  // tunnels end when their client closes
}

std::string connect_proxy::last_authority() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->last_authority;
}

std::string gzip(std::string_view body) { return mcpreg::detail::gzip_compress(body); }

// ---- test PKI ----

namespace {

using key_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using cert_ptr = std::unique_ptr<X509, decltype(&X509_free)>;

key_ptr make_key() { return key_ptr(EVP_EC_gen("P-256"), &EVP_PKEY_free); }

void set_name(X509_NAME* name, const std::string& common_name)
{
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name.c_str()),
                               -1, -1, 0);
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (!ext) throw std::runtime_error("X509V3_EXT_conf_nid");
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

cert_ptr make_cert(EVP_PKEY* key, const std::string& subject, X509* issuer, EVP_PKEY* issuer_key, bool ca,
                   const std::string& host, bool expired, long serial)
{
    cert_ptr cert(X509_new(), &X509_free);
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
    if (expired) {
        X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3 * 24 * 3600);
        X509_gmtime_adj(X509_getm_notAfter(cert.get()), -24 * 3600);
    }
    else {
        X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
        X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
    }
    X509_set_pubkey(cert.get(), key);
    set_name(X509_get_subject_name(cert.get()), subject);
    X509* signer = issuer ? issuer : cert.get();
    X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
    if (ca) {
        add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
        add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    }
    else {
        const bool ip = host.find_first_not_of("0123456789.") == std::string::npos;
        add_extension(cert.get(), signer, NID_subject_alt_name, (ip ? "IP:" : "DNS:") + host);
        add_extension(cert.get(), signer, NID_ext_key_usage, "serverAuth");
    }
    if (!X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256())) throw std::runtime_error("X509_sign");
    return cert;
}

void write_pem(const std::string& path, X509* cert)
{
    FILE* f = std::fopen(path.c_str(), "w");
    PEM_write_X509(f, cert);
    std::fclose(f);
}

void write_pem(const std::string& path, EVP_PKEY* key)
{
    FILE* f = std::fopen(path.c_str(), "w");
    PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
}

}  // namespace

struct test_pki::impl {
    std::filesystem::path dir;
    key_ptr ca_key{nullptr, &EVP_PKEY_free};
    cert_ptr ca_cert{nullptr, &X509_free};
    int issued = 0;
};

test_pki::test_pki() : impl_(std::make_unique<impl>())
{
    impl_->dir = std::filesystem::temp_directory_path() / ("mcpreg-pki-" + std::to_string(::getpid()) + "-" +
                                                           std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    std::filesystem::create_directories(impl_->dir);
    impl_->ca_key = make_key();
    impl_->ca_cert = make_cert(impl_->ca_key.get(), "mcpreg test CA", nullptr, nullptr, true, "", false, 1);
    write_pem(ca_file(), impl_->ca_cert.get());
}

test_pki::~test_pki()
{
    std::error_code ignored;
    std::filesystem::remove_all(impl_->dir, ignored);
}

std::string test_pki::ca_file() const { return (impl_->dir / "ca.pem").string(); }

fault_tls test_pki::issue(const std::string& host, bool expired, bool self_signed)
{
    const auto n = std::to_string(++impl_->issued);
    auto key = make_key();
    auto cert = self_signed ? make_cert(key.get(), host, nullptr, nullptr, false, host, expired, 100 + impl_->issued)
                            : make_cert(key.get(), host, impl_->ca_cert.get(), impl_->ca_key.get(), false, host,
                                        expired, 100 + impl_->issued);
    fault_tls files{(impl_->dir / ("server" + n + ".pem")).string(), (impl_->dir / ("server" + n + ".key")).string()};
    write_pem(files.certificate_chain_file, cert.get());
    write_pem(files.private_key_file, key.get());
    return files;
}

}  // namespace mcpreg::test
