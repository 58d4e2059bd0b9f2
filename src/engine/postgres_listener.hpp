// Other engine processes' writes, as the PostgreSQL storage learns of them. Private to the library.
#pragma once

#include "postgres.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace mcpreg::engine::detail {

/// Waits for other processes' NOTIFY on the changes channel on one session of its own, and reports them. While
/// that session is down changes can go unseen, so tracked() is false until it is back (and the cache is
/// cleared then).
class change_listener {
public:
    explicit change_listener(std::string uri) : uri_(std::move(uri)) {}
    change_listener(const change_listener&) = delete;
    change_listener& operator=(const change_listener&) = delete;
    ~change_listener();

    /// Connects and starts the listening thread; `changed` runs (on that thread, or in tracked()) for every
    /// change and whenever changes may have been missed.
    void start(std::function<void()> changed);
    /// Whether changes are being received now; delivers those already received first.
    bool tracked();

private:
    void connect();
    // Under mutex_: hands the received notifications on, and notices a lost session.
    void deliver();
    void run();

    std::string uri_;
    std::function<void()> changed_;
    std::mutex mutex_;  // the session: this thread and tracked() both read from it
    std::unique_ptr<pg::connection> connection_;
    std::atomic<bool> connected_{false};
    std::atomic<bool> stopping_{false};
    int wake_[2] = {-1, -1};
    std::thread thread_;
};

}  // namespace mcpreg::engine::detail
