#include "postgres_listener.hpp"

#include "postgres_write.hpp"

#include <poll.h>
#include <unistd.h>

namespace mcpreg::engine::detail {

change_listener::~change_listener()
{
    if (!thread_.joinable()) return;
    stopping_ = true;
    const char stop = 1;
    (void)::write(wake_[1], &stop, 1);
    thread_.join();
    ::close(wake_[0]);
    ::close(wake_[1]);
}

void change_listener::start(std::function<void()> changed)
{
    changed_ = std::move(changed);
    if (::pipe(wake_) != 0) return;  // no listener: tracked() stays false and nothing is cached
    connect();
    thread_ = std::thread([this] { run(); });
}

bool change_listener::tracked()
{
    if (!connected_) return false;
    std::lock_guard lock(mutex_);
    if (!connection_) return false;
    pollfd waiting{connection_->socket(), POLLIN, 0};
    if (::poll(&waiting, 1, 0) > 0) deliver();
    return connected_;
}

void change_listener::connect()
{
    auto opened = pg::connection::open(uri_);
    if (!opened || !(*opened)->execute("LISTEN " + std::string(changes_channel))) return;
    std::lock_guard lock(mutex_);
    connection_ = std::move(*opened);
    connected_ = true;
    changed_();  // whatever happened while nobody listened
}

void change_listener::deliver()
{
    if (!connection_->take_notifications().empty()) changed_();
    if (!connection_->healthy()) {
        connected_ = false;
        changed_();
    }
}

void change_listener::run()
{
    constexpr int reconnect_interval_ms = 250;
    while (!stopping_) {
        if (!connected_) {
            {
                std::lock_guard lock(mutex_);
                connection_.reset();
            }
            pollfd wake{wake_[0], POLLIN, 0};
            if (::poll(&wake, 1, reconnect_interval_ms) > 0) break;
            connect();
            continue;
        }
        pollfd waiting[] = {{connection_->socket(), POLLIN, 0}, {wake_[0], POLLIN, 0}};
        if (::poll(waiting, 2, -1) < 0) continue;
        if (waiting[1].revents != 0) break;
        std::lock_guard lock(mutex_);
        deliver();
    }
}

}  // namespace mcpreg::engine::detail
