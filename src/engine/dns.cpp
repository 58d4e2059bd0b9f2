#include <mcpreg/engine/dns.hpp>

#include <ares.h>
#include <arpa/nameser.h>
#include <poll.h>

#include <algorithm>
#include <memory>
#include <type_traits>

namespace mcpreg::engine {
namespace {

// DNS messages are at most 64 KiB (the TCP length prefix is 16 bits).
constexpr std::size_t max_message_bytes = 65'535;

struct txt_list_free {
    void operator()(ares_txt_ext* list) const noexcept { ares_free_data(list); }
};

using channel_data = std::remove_pointer_t<ares_channel>;
struct channel_free {
    void operator()(channel_data* channel) const noexcept { ares_destroy(channel); }
};

result<void> library_ready()
{
    static const int status = ares_library_init(ARES_LIB_INIT_ALL);
    if (status != ARES_SUCCESS) return make_error(errc::io_error, std::string("c-ares: ") + ares_strerror(status));
    return {};
}

// What a query's callback saw, read once the query is done.
struct query_outcome {
    bool done = false;
    int status = ARES_SUCCESS;
    std::string message;
};

void on_answer(void* arg, int status, int, unsigned char* answer, int length)
{
    auto& outcome = *static_cast<query_outcome*>(arg);
    outcome.done = true;
    outcome.status = status;
    if (status == ARES_SUCCESS && answer && length > 0)
        outcome.message.assign(reinterpret_cast<const char*>(answer), static_cast<std::size_t>(length));
}

using clock_type = std::chrono::steady_clock;

// Runs the channel's sockets until the query is done or the deadline passes.
void run_until_done(ares_channel channel, const query_outcome& outcome, clock_type::time_point deadline)
{
    while (!outcome.done) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
        if (left.count() <= 0) return;
        ares_socket_t sockets[ARES_GETSOCK_MAXNUM];
        const int mask = ares_getsock(channel, sockets, ARES_GETSOCK_MAXNUM);
        pollfd fds[ARES_GETSOCK_MAXNUM];
        nfds_t count = 0;
        for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
            short events = 0;
            if (ARES_GETSOCK_READABLE(mask, i)) events |= POLLIN;
            if (ARES_GETSOCK_WRITABLE(mask, i)) events |= POLLOUT;
            if (events) fds[count++] = pollfd{sockets[i], events, 0};
        }
        timeval max_wait{left.count() / 1000, static_cast<suseconds_t>((left.count() % 1000) * 1000)};
        timeval wait_buffer{};
        const timeval* wait = ares_timeout(channel, &max_wait, &wait_buffer);
        const int wait_ms = static_cast<int>(wait->tv_sec * 1000 + wait->tv_usec / 1000);
        const int ready = ::poll(fds, count, std::max(wait_ms, 1));
        if (ready <= 0) {
            ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // timeouts and retries
            continue;
        }
        for (nfds_t i = 0; i < count; ++i) {
            if (!fds[i].revents) continue;
            const bool readable = fds[i].revents & (POLLIN | POLLERR | POLLHUP);
            const bool writable = fds[i].revents & POLLOUT;
            ares_process_fd(channel, readable ? fds[i].fd : ARES_SOCKET_BAD, writable ? fds[i].fd : ARES_SOCKET_BAD);
        }
    }
}

}  // namespace

result<std::vector<std::string>> txt_records_from_answer(std::string_view message, const dns_options& options)
{
    if (message.size() < 12 || message.size() > max_message_bytes)
        return make_error(errc::bad_response, "not a DNS message");
    ares_txt_ext* raw = nullptr;
    const int status = ares_parse_txt_reply_ext(reinterpret_cast<const unsigned char*>(message.data()),
                                                static_cast<int>(message.size()), &raw);
    std::unique_ptr<ares_txt_ext, txt_list_free> list(raw);
    if (status == ARES_ENODATA) return std::vector<std::string>{};
    if (status != ARES_SUCCESS)
        return make_error(errc::bad_response, std::string("unreadable DNS answer: ") + ares_strerror(status));
    std::vector<std::string> records;
    std::size_t text_bytes = 0;
    // A record is one or more strings; record_start marks the first string of each.
    for (const ares_txt_ext* part = list.get(); part; part = part->next) {
        text_bytes += part->length;
        if (text_bytes > options.max_text_bytes)
            return make_error(errc::bad_response, "the DNS answer holds more than " +
                                                      std::to_string(options.max_text_bytes) + " bytes of TXT text");
        if (part->record_start || records.empty()) {
            if (records.size() == options.max_records)
                return make_error(errc::bad_response, "the DNS answer holds more than " +
                                                          std::to_string(options.max_records) + " TXT records");
            records.emplace_back();
        }
        records.back().append(reinterpret_cast<const char*>(part->txt), part->length);
    }
    return records;
}

result<std::vector<std::string>> lookup_txt(const std::string& domain, const dns_options& options)
{
    if (auto ready = library_ready(); !ready) return ready.error();
    const auto deadline = clock_type::now() + options.timeout;
    ares_options settings{};
    settings.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES | (options.tcp_only ? ARES_FLAG_USEVC : 0);
    settings.timeout = static_cast<int>(std::min<std::chrono::milliseconds::rep>(options.timeout.count(), 5'000));
    settings.tries = std::max(1, options.tries);
    // Declared before the channel: destroying a channel completes its queries, which write here.
    query_outcome outcome;
    ares_channel raw = nullptr;
    if (const int status = ares_init_options(&raw, &settings, ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
        status != ARES_SUCCESS)
        return make_error(errc::io_error, std::string("c-ares: ") + ares_strerror(status));
    std::unique_ptr<channel_data, channel_free> channel(raw);
    if (!options.servers.empty()) {
        std::string csv;
        for (const auto& server : options.servers) csv += (csv.empty() ? "" : ",") + server;
        if (const int status = ares_set_servers_ports_csv(channel.get(), csv.c_str()); status != ARES_SUCCESS)
            return make_error(errc::invalid_argument, "unusable DNS servers " + csv + ": " + ares_strerror(status));
    }
    ares_query(channel.get(), domain.c_str(), ns_c_in, ns_t_txt, on_answer, &outcome);
    run_until_done(channel.get(), outcome, deadline);
    if (!outcome.done) {
        ares_cancel(channel.get());  // the callback runs now, with ARES_ECANCELLED
        return make_error(errc::timeout,
                          "no DNS answer for " + domain + " within " + std::to_string(options.timeout.count()) + " ms");
    }
    if (outcome.status == ARES_ENODATA || outcome.status == ARES_ENOTFOUND)
        return make_error(errc::io_error, "no TXT records for " + domain);
    if (outcome.status != ARES_SUCCESS)
        return make_error(errc::io_error, "DNS lookup of " + domain + " failed: " + ares_strerror(outcome.status));
    return txt_records_from_answer(outcome.message, options);
}

}  // namespace mcpreg::engine
