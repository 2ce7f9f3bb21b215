// Private to ledger/: run a loop body on several threads.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace antq::ledger {

// Calls fn(i) for every i in [0, n), on `jobs` threads (0: all cores), in chunks claimed from a shared counter.
// fn must be safe to call concurrently for different i. Returns when every call has returned.
template <class Fn>
void parallel_for(std::size_t n, unsigned jobs, Fn&& fn) {
  if (jobs == 0) jobs = std::max(1u, std::thread::hardware_concurrency());
  jobs = static_cast<unsigned>(std::min<std::size_t>(jobs, (n + 7) / 8));
  if (jobs <= 1) {
    for (std::size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<std::size_t> next{0};
  constexpr std::size_t kChunk = 16;
  auto worker = [&] {
    for (std::size_t begin; (begin = next.fetch_add(kChunk)) < n;)
      for (std::size_t i = begin; i < std::min(n, begin + kChunk); ++i) fn(i);
  };
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < jobs; ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
}

}  // namespace antq::ledger
