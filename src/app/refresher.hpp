#pragma once
// Keeps the served snapshot in step with the store: polls the store's content version and, when a
// publish happened (by `content import`, another instance, later the editor area), renders the new
// guide and swaps the snapshot in. A guide that fails validation or rendering is logged and the
// current snapshot stays.
//
// A publish waits only for quickly compressed bodies (pages it has seen before come from the
// compression cache). Then a background thread at the lowest CPU priority makes the best bodies of
// the rest and swaps in the same guide again, rebuilt from the cache (same pages, same ETags, smaller
// brotli and gzip bodies). A newer publish or stop() cancels it.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "render/snapshot.hpp"
#include "site/reader.hpp"
#include "store/store.hpp"
#include "util/periodic.hpp"

namespace cg::app {

class snapshot_refresher {
 public:
  // polish: recompress in the background as described above (off: every build makes the best bodies
  // at once, as tests that compare snapshots want).
  snapshot_refresher(store::store& st, site::snapshot_holder& holder, bool polish = true);
  ~snapshot_refresher() { stop(); }
  snapshot_refresher(const snapshot_refresher&) = delete;
  snapshot_refresher& operator=(const snapshot_refresher&) = delete;

  // Builds and swaps in a snapshot when the content version differs from the served one.
  // Returns true when it swapped. Thread-safe: the poller and a publish may call it at once.
  bool refresh_if_changed();

  // Polls every interval and, when the store hears publishes, refreshes as soon as one is heard.
  void start(std::chrono::milliseconds interval);
  void stop();

  // False from the first poll that could not reach the database until one that could (/healthz).
  bool database_available() const { return database_available_; }

  // Waits until the background recompression (if any) has ended; for tests and benchmarks.
  void wait_polished();

 private:
  store::store& store_;
  site::snapshot_holder& holder_;
  std::mutex mu_;  // one refresh at a time
  std::int64_t served_version_ = -1;
  std::atomic<bool> database_available_{true};
  periodic_task poller_;
  std::shared_ptr<render::compression_cache> cache_;  // null: no background recompression
  std::thread polisher_;
  std::atomic<bool> cancel_polish_{false};
  std::thread listener_;  // refreshes as soon as the store hears of a publish (PostgreSQL NOTIFY)
  std::atomic<bool> stop_listening_{false};
  void start_polish(std::shared_ptr<const render::snapshot> s, std::int64_t version);  // with mu_ held
  void end_polish();                                                                   // with mu_ held
};

}  // namespace cg::app
