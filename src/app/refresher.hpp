#pragma once
// Keeps the served snapshot in step with the store: polls the store's content version and, when a
// publish happened (by `content import`, another instance, later the editor area), renders the new
// guide and swaps the snapshot in. A guide that fails validation or rendering is logged and the
// current snapshot stays.
#include <chrono>
#include <cstdint>
#include <mutex>

#include "site/reader.hpp"
#include "store/store.hpp"
#include "util/periodic.hpp"

namespace cg::app {

class snapshot_refresher {
 public:
  snapshot_refresher(store::store& st, site::snapshot_holder& holder) : store_(st), holder_(holder) {}
  ~snapshot_refresher() { stop(); }
  snapshot_refresher(const snapshot_refresher&) = delete;
  snapshot_refresher& operator=(const snapshot_refresher&) = delete;

  // Builds and swaps in a snapshot when the content version differs from the served one.
  // Returns true when it swapped. Thread-safe: the poller and a publish may call it at once.
  bool refresh_if_changed();

  void start(std::chrono::milliseconds interval);
  void stop();

 private:
  store::store& store_;
  site::snapshot_holder& holder_;
  std::mutex mu_;  // one refresh at a time
  std::int64_t served_version_ = -1;
  periodic_task poller_;
};

}  // namespace cg::app
