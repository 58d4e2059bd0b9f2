#include "body_cache.hpp"

namespace mcpreg::engine::detail {

std::shared_ptr<const cached_body> body_cache::find(const std::string& key)
{
    std::lock_guard lock(mutex_);
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    if (clock::now() - it->second->stored > lifetime_) {
        bytes_ -= weight(*it->second->body);
        order_.erase(it->second);
        index_.erase(it);
        return nullptr;
    }
    order_.splice(order_.begin(), order_, it->second);
    return it->second->body;
}

std::uint64_t body_cache::generation() const
{
    std::lock_guard lock(mutex_);
    return generation_;
}

bool body_cache::insert(const std::string& key, std::shared_ptr<const cached_body> body, std::uint64_t read_at)
{
    if (capacity_ == 0 || weight(*body) > max_bytes_) return false;
    std::lock_guard lock(mutex_);
    if (read_at != generation_) return false;
    if (auto it = index_.find(key); it != index_.end()) {
        bytes_ -= weight(*it->second->body);
        it->second->body = std::move(body);
        bytes_ += weight(*it->second->body);
        it->second->stored = clock::now();
    }
    else {
        bytes_ += weight(*body);
        order_.push_front({key, std::move(body), clock::now()});
        index_[key] = order_.begin();
    }
    while (order_.size() > capacity_ || bytes_ > max_bytes_) {
        bytes_ -= weight(*order_.back().body);
        index_.erase(order_.back().key);
        order_.pop_back();
    }
    return true;
}

void body_cache::clear()
{
    std::lock_guard lock(mutex_);
    ++generation_;
    order_.clear();
    index_.clear();
    bytes_ = 0;
}

}  // namespace mcpreg::engine::detail
