// cli/rate_limit.cpp: each client's token bucket — its burst, its refill, a batch's events counted after the fact,
// and a table of clients that stays bounded without forgetting the clients that are still in debt.
#include "cli/rate_limit.hpp"

#include <string>

#include <catch2/catch.hpp>

namespace antq::cli::http {
namespace {

using namespace std::chrono_literals;
using Clock = RateLimiter::Clock;

TEST_CASE("A client sends its burst at once, then waits for the refill", "[rate]") {
  RateLimiter limiter(5, 5);
  const auto t0 = Clock::now();
  for (int i = 0; i < 5; ++i) REQUIRE(limiter.take("a", t0) == 0);
  CHECK(limiter.take("a", t0) == Approx(0.2));  // one token comes back in 1/5 s
  CHECK(limiter.take("b", t0) == 0);            // another client has its own bucket
  CHECK(limiter.take("a", t0 + 200ms) == 0);
  CHECK(limiter.take("a", t0 + 200ms) > 0);
  // The refill stops at the burst: after a long pause, five again and not more.
  const auto t1 = t0 + 1h;
  for (int i = 0; i < 5; ++i) REQUIRE(limiter.take("a", t1) == 0);
  CHECK(limiter.take("a", t1) > 0);
}

TEST_CASE("A batch's events are charged after its request: the client waits until its debt is paid", "[rate]") {
  RateLimiter limiter(200, 400);
  const auto t0 = Clock::now();
  REQUIRE(limiter.take("clerk", t0) == 0);            // the header of a batch of 1000 events: one token
  limiter.charge("clerk", 999, t0);                   // its answer: 999 more; 400 - 1000 = -600 tokens
  CHECK(limiter.take("clerk", t0) == Approx(3.005));  // (1 - (-600)) / 200 s
  CHECK(limiter.take("clerk", t0 + 3s) > 0);
  CHECK(limiter.take("clerk", t0 + 3005ms) == 0);
  // Charging nothing, or a negative count, changes nothing.
  RateLimiter other(1, 1);
  other.charge("x", 0, t0);
  other.charge("x", -5, t0);
  CHECK(other.take("x", t0) == 0);
}

TEST_CASE("A flood of distinct keys neither grows the table nor clears the debts of the clients it holds", "[rate]") {
  RateLimiter limiter(1, 2, 100);
  const auto t0 = Clock::now();
  limiter.take("debtor", t0);
  limiter.charge("debtor", 50, t0);  // 2 - 51 = -49 tokens: 50 s to wait
  for (int i = 0; i < 99; ++i) REQUIRE(limiter.take("flood " + std::to_string(i), t0) == 0);
  REQUIRE(limiter.clients() == 100);
  // The table is full of clients seen this instant: a new key is refused for a second, the table not emptied.
  CHECK(limiter.take("new", t0) == 1);
  CHECK(limiter.clients() == 100);
  CHECK(limiter.take("debtor", t0) > 40);
  // Two seconds on, the flood's buckets have refilled (1 token + 2 s × 1/s ≥ 2): they are forgotten, the debtor is not.
  const auto t1 = t0 + 2s;
  CHECK(limiter.take("new", t1) == 0);
  CHECK(limiter.clients() == 2);
  CHECK(limiter.take("debtor", t1) > 40);
  // The table is swept at most once a second: between sweeps, a full table refuses new keys without scanning it.
  RateLimiter small(1, 1, 2);
  CHECK(small.take("a", t0) == 0);
  CHECK(small.take("b", t0) == 0);
  CHECK(small.take("c", t0) == 1);           // swept at t0: a and b are empty, kept
  CHECK(small.take("c", t0 + 900ms) == 1);   // not swept again within the second, though both have refilled
  CHECK(small.take("c", t0 + 1100ms) == 0);  // swept: a and b forgotten
  // A batch let in is charged though its bucket was forgotten and the table is full again (c and d, swept 0.2 s ago).
  CHECK(small.take("d", t0 + 1200ms) == 0);
  small.charge("a", 9, t0 + 1300ms);  // a's batch of 10 events, let in before the sweep: 1 - 9 tokens
  CHECK(small.take("a", t0 + 1300ms) == Approx(9));
}

}  // namespace
}  // namespace antq::cli::http
