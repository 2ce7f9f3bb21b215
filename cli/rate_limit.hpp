// The request rate of each client of antq serve: a token bucket per client key (the fingerprint of its certificate,
// or its address over plain HTTP on loopback), refilled at `rate` tokens a second up to `burst`. Not thread-safe:
// the HTTP server calls it under its own mutex.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>

namespace antq::cli::http {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // `rate` > 0 and `burst` >= 1 (antq serve's options check them); at most `max_clients` buckets are kept.
  RateLimiter(double rate, double burst, std::size_t max_clients = 100000);

  // 0 when `key` may send a request now (one token taken); else the seconds until it may, nothing taken. A client
  // not seen for burst ÷ rate seconds holds a full bucket, as a new one: such buckets are forgotten when the table is
  // full. When it is full of clients that sent requests within that time (a flood of distinct keys), a new key is
  // refused for a second rather than the table emptied: the clients it holds keep their debts.
  double take(const std::string& key, Clock::time_point now);

  // Takes `n` more tokens from `key` after its request was let in: a batch of n + 1 events counts as n + 1 requests.
  // The bucket may fall below zero; the client then waits until it has refilled to one token. Charged even past
  // max_clients (the request was let in).
  void charge(const std::string& key, double n, Clock::time_point now);

  std::size_t clients() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point at;
  };
  // The bucket of `key` refilled to `now`; null when the key is new and there is no room for it.
  Bucket* find(const std::string& key, Clock::time_point now);
  // Forgets the full buckets, at most once a second; true when there is room for a new key after it.
  bool make_room(Clock::time_point now);

  double rate_, burst_;
  std::size_t max_clients_;
  std::map<std::string, Bucket, std::less<>> buckets_;
  Clock::time_point swept_{};
};

}  // namespace antq::cli::http
