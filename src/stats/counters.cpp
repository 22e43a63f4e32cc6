#include "stats/counters.hpp"

#include <vector>

#include "util/log.hpp"

namespace cg::stats {

link_counter::~link_counter() {
  stop();
}

void link_counter::count(const std::string& resource_slug) {
  std::string day = utc_day(clock_.now());
  std::lock_guard lock(mu_);
  ++pending_[{std::move(day), resource_slug}];
  ++total_;
}

bool link_counter::flush() {
  std::lock_guard flush_lock(flush_mu_);
  std::map<key, std::int64_t> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(pending_);
  }
  if (batch.empty()) return true;
  std::vector<store::link_click> rows;
  rows.reserve(batch.size());
  for (const auto& [k, n] : batch) rows.push_back({k.second, k.first, n});
  try {
    std::int64_t dropped = write_(rows);
    if (dropped > 0) log::warn("clicks on unknown resources dropped", {{"count", std::to_string(dropped)}});
    return true;
  } catch (const std::exception& e) {
    std::lock_guard lock(mu_);
    for (const auto& [k, n] : batch) pending_[k] += n;
    log::error("writing link counts failed; kept in memory", {{"error", e.what()}});
    return false;
  }
}

void link_counter::start(std::chrono::milliseconds interval) {
  writer_.start(interval, [this] { flush(); });
}

void link_counter::stop() {
  writer_.stop();
  flush();
}

std::int64_t link_counter::pending() const {
  std::lock_guard lock(mu_);
  std::int64_t n = 0;
  for (const auto& kv : pending_) n += kv.second;
  return n;
}

std::int64_t link_counter::total_counted() const {
  std::lock_guard lock(mu_);
  return total_;
}

}  // namespace cg::stats
