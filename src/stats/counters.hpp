#pragma once
// In-memory counts of followed /go/ links, written to the store in batches by a background thread.
// count() is called from network threads and never waits on the database: it takes a short lock on a
// map. flush() swaps the map out and writes it; if the write fails, the counts are put back, so a
// count is never lost while the process lives. stop() writes whatever is pending.
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

class link_counter {
 public:
  // Writes a batch; returns how many clicks were dropped (unknown slugs); throws on failure.
  using writer = std::function<std::int64_t(const std::vector<store::link_click>&)>;

  link_counter(writer w, const clock_source& clock) : write_(std::move(w)), clock_(clock) {}
  link_counter(store::store& st, const clock_source& clock)
      : link_counter([&st](const std::vector<store::link_click>& c) { return st.add_link_clicks(c); }, clock) {}
  ~link_counter();
  link_counter(const link_counter&) = delete;
  link_counter& operator=(const link_counter&) = delete;

  // Thread-safe. Counts one followed link to the resource for today's UTC date.
  void count(const std::string& resource_slug);

  // Writes pending counts to the store. Returns false (keeping the counts) when the store fails.
  bool flush();

  // Starts the background writer: a flush at most `interval` after a count.
  void start(std::chrono::milliseconds interval);
  // Stops the writer and flushes what is pending. Idempotent.
  void stop();

  std::int64_t pending() const;
  std::int64_t total_counted() const;

 private:
  using key = std::pair<std::string, std::string>;  // (day, slug)
  writer write_;
  const clock_source& clock_;
  mutable std::mutex mu_;
  std::map<key, std::int64_t> pending_;
  std::int64_t total_ = 0;
  std::mutex flush_mu_;  // one flush at a time
  periodic_task writer_;
};

}  // namespace cg::stats
