#include "cli/rate_limit.hpp"

#include <algorithm>

namespace antq::cli::http {

RateLimiter::RateLimiter(double rate, double burst, std::size_t max_clients)
    : rate_(rate), burst_(burst), max_clients_(max_clients) {}

bool RateLimiter::make_room(Clock::time_point now) {
  if (buckets_.size() < max_clients_) return true;
  if (swept_ != Clock::time_point{} && now - swept_ < std::chrono::seconds(1)) return false;
  swept_ = now;
  std::erase_if(buckets_, [&](const auto& entry) {
    const Bucket& b = entry.second;
    return b.tokens + std::chrono::duration<double>(now - b.at).count() * rate_ >= burst_;
  });
  return buckets_.size() < max_clients_;
}

RateLimiter::Bucket* RateLimiter::find(const std::string& key, Clock::time_point now) {
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (!make_room(now)) return nullptr;
    return &buckets_.emplace(key, Bucket{burst_, now}).first->second;
  }
  Bucket& b = it->second;
  const double elapsed = std::max(0.0, std::chrono::duration<double>(now - b.at).count());
  b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
  b.at = std::max(b.at, now);
  return &b;
}

double RateLimiter::take(const std::string& key, Clock::time_point now) {
  Bucket* b = find(key, now);
  if (!b) return 1;
  if (b->tokens < 1) return (1 - b->tokens) / rate_;
  b->tokens -= 1;
  return 0;
}

void RateLimiter::charge(const std::string& key, double n, Clock::time_point now) {
  if (n <= 0) return;
  // A request that was let in is charged even when its bucket was forgotten meanwhile and the table is full: the
  // table then holds one key more than max_clients for a moment, not a debt less.
  Bucket* b = find(key, now);
  if (!b) b = &buckets_.emplace(key, Bucket{burst_, now}).first->second;
  b->tokens -= n;
}

}  // namespace antq::cli::http
