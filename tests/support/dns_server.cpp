#include "dns_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace mcpreg::test {
namespace {

void put16(std::string& out, unsigned value)
{
    out += static_cast<char>((value >> 8) & 0xFF);
    out += static_cast<char>(value & 0xFF);
}

// The question's end: the name's labels, then type and class.
std::size_t question_end(const std::string& query)
{
    std::size_t pos = 12;
    while (pos < query.size() && query[pos] != 0) pos += 1 + static_cast<unsigned char>(query[pos]);
    return std::min(query.size(), pos + 1 + 4);
}

std::string question_name(const std::string& query)
{
    std::string name;
    for (std::size_t pos = 12; pos < query.size() && query[pos] != 0;) {
        const auto length = static_cast<unsigned char>(query[pos]);
        if (!name.empty()) name += '.';
        name += query.substr(pos + 1, length);
        pos += 1 + length;
    }
    return name;
}

}  // namespace

std::string dns_server::query(const std::string& name)
{
    std::string out;
    put16(out, 0x1234);
    put16(out, 0x0100);  // RD
    put16(out, 1);
    put16(out, 0);
    put16(out, 0);
    put16(out, 0);
    std::size_t start = 0;
    while (start <= name.size()) {
        const auto dot = std::min(name.find('.', start), name.size());
        out += static_cast<char>(dot - start);
        out += name.substr(start, dot - start);
        start = dot + 1;
    }
    out += '\0';
    put16(out, 16);  // TXT
    put16(out, 1);   // IN
    return out;
}

std::string dns_server::response(const std::string& query, const dns_answer& answer)
{
    const auto end = question_end(query);
    if (answer.raw) return query.substr(0, 2) + *answer.raw;
    std::string out = query.substr(0, 2);
    put16(out, 0x8180);  // QR, RD, RA, no error
    put16(out, 1);
    put16(out, static_cast<unsigned>(answer.records.size()));
    put16(out, 0);
    put16(out, 0);
    out += query.substr(12, end - 12);
    for (const auto& record : answer.records) {
        put16(out, 0xC00C);  // the question's name
        put16(out, 16);
        put16(out, 1);
        put16(out, 0);
        put16(out, 60);  // TTL
        std::string data;
        for (const auto& text : record) {
            data += static_cast<char>(text.size());
            data += text;
        }
        put16(out, static_cast<unsigned>(data.size()));
        out += data;
    }
    return out;
}

struct dns_server::impl {
    int udp = -1;
    int tcp = -1;
    std::atomic<bool> stopping{false};
    std::function<dns_answer(const std::string&)> script;
};

dns_server::dns_server(std::function<dns_answer(const std::string& name)> script) : impl_(std::make_unique<impl>())
{
    impl_->script = std::move(script);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    impl_->tcp = ::socket(AF_INET, SOCK_STREAM, 0);
    const int yes = 1;
    ::setsockopt(impl_->tcp, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (::bind(impl_->tcp, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(impl_->tcp, 16) != 0)
        throw std::runtime_error("dns_server: cannot listen");
    socklen_t length = sizeof address;
    ::getsockname(impl_->tcp, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    impl_->udp = ::socket(AF_INET, SOCK_DGRAM, 0);
    if (::bind(impl_->udp, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
        throw std::runtime_error("dns_server: cannot bind UDP");
    thread_ = std::thread([this] {
        while (!impl_->stopping) {
            pollfd fds[2] = {{impl_->udp, POLLIN, 0}, {impl_->tcp, POLLIN, 0}};
            if (::poll(fds, 2, 50) <= 0) continue;
            if (fds[0].revents & POLLIN) {
                char buffer[4096];
                sockaddr_in from{};
                socklen_t from_length = sizeof from;
                const auto got =
                    ::recvfrom(impl_->udp, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from), &from_length);
                if (got < 12) continue;
                ++queries_;
                const std::string q(buffer, static_cast<std::size_t>(got));
                const auto answer = impl_->script(question_name(q));
                if (answer.silent) continue;
                auto message = response(q, answer);
                if (message.size() > 512) {  // truncated: the question alone, TC set
                    message = response(q, dns_answer{});
                    message[2] = static_cast<char>(message[2] | 0x02);
                }
                ::sendto(impl_->udp, message.data(), message.size(), 0, reinterpret_cast<sockaddr*>(&from),
                         from_length);
            }
            if (fds[1].revents & POLLIN) {
                const int client = ::accept(impl_->tcp, nullptr, nullptr);
                if (client < 0) continue;
                timeval wait{1, 0};
                ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
                unsigned char prefix[2];
                if (::recv(client, prefix, 2, MSG_WAITALL) == 2) {
                    std::string q(static_cast<std::size_t>(prefix[0] << 8 | prefix[1]), '\0');
                    if (::recv(client, q.data(), q.size(), MSG_WAITALL) == static_cast<ssize_t>(q.size())) {
                        ++queries_;
                        const auto answer = impl_->script(question_name(q));
                        if (!answer.silent) {
                            const auto message = response(q, answer);
                            std::string framed;
                            put16(framed, static_cast<unsigned>(std::min<std::size_t>(message.size(), 0xFFFF)));
                            framed += message.substr(0, 0xFFFF);
                            (void)::send(client, framed.data(), framed.size(), MSG_NOSIGNAL);
                        }
                    }
                }
                ::close(client);
            }
        }
    });
}

dns_server::~dns_server()
{
    impl_->stopping = true;
    thread_.join();
    ::close(impl_->udp);
    ::close(impl_->tcp);
}

}  // namespace mcpreg::test
