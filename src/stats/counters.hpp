#pragma once
// In-memory counts per Swedish calendar day and key (followed links, page views, searches), written
// to the store in batches by a background thread. count() is called from network threads and never
// waits on the database: it takes a short lock on a map. flush() swaps the map out and writes it; if
// the write fails (the database is away), the counts are put back and written by a later flush. Memory
// is bounded: while max_keys different day+key pairs wait, a count of yet another pair is dropped and
// counted in dropped() (repeat counts of waiting pairs are always kept). stop() writes what is pending.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "store/store.hpp"
#include "util/clock.hpp"
#include "util/periodic.hpp"

namespace cg::stats {

struct daily_count {
  std::string day;  // "YYYY-MM-DD", Swedish time
  std::string key;
  std::int64_t count = 0;
};

class daily_counter {
 public:
  // Writes a batch; returns how many counts were dropped (unknown keys); throws on failure.
  using writer = std::function<std::int64_t(const std::vector<daily_count>&)>;

  daily_counter(writer w, const clock_source& clock, std::size_t max_keys = 100'000)
      : write_(std::move(w)), clock_(clock), max_keys_(max_keys) {}
  ~daily_counter();
  daily_counter(const daily_counter&) = delete;
  daily_counter& operator=(const daily_counter&) = delete;

  // Thread-safe. Counts one for the key on today's date in Swedish time.
  void count(const std::string& key);

  // Writes pending counts to the store. Returns false (keeping the counts) when the store fails.
  bool flush();

  // Starts the background writer: a flush at most `interval` after a count.
  void start(std::chrono::milliseconds interval);
  // Stops the writer and flushes what is pending. Idempotent.
  void stop();

  std::int64_t pending() const;
  std::int64_t total_counted() const;
  // Counts dropped because max_keys pairs were waiting to be written (since the start).
  std::int64_t dropped() const;
  // Whether the last write failed (the counts wait in memory until one succeeds).
  bool failing() const { return failing_now_; }

 private:
  // day → key → count; keys are looked up without a copy (a count of a known key allocates nothing).
  using batch_map = std::map<std::string, std::map<std::string, std::int64_t, std::less<>>>;
  writer write_;
  const clock_source& clock_;
  mutable std::mutex mu_;
  batch_map pending_;
  std::int64_t day_number_ = -1;  // the day of the last count, and its "YYYY-MM-DD"
  std::string day_;
  std::int64_t total_ = 0;
  std::size_t max_keys_;
  std::size_t pending_keys_ = 0;  // day+key pairs in pending_
  std::int64_t dropped_ = 0;
  std::mutex flush_mu_;                   // one flush at a time
  bool failing_ = false;                  // the last write failed (logged once until one succeeds); under flush_mu_
  std::atomic<bool> failing_now_{false};  // the same, for other threads
  periodic_task writer_;
};

}  // namespace cg::stats
