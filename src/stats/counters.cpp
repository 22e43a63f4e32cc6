#include "stats/counters.hpp"

#include <vector>

#include "util/calendar.hpp"
#include "util/log.hpp"

namespace cg::stats {

daily_counter::~daily_counter() {
  stop();
}

void daily_counter::count(const std::string& key) {
  std::string day = calendar::stockholm_day(clock_.now());
  std::lock_guard lock(mu_);
  ++pending_[{std::move(day), key}];
  ++total_;
}

bool daily_counter::flush() {
  std::lock_guard flush_lock(flush_mu_);
  std::map<day_key, std::int64_t> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(pending_);
  }
  if (batch.empty()) return true;
  std::vector<daily_count> rows;
  rows.reserve(batch.size());
  for (const auto& [k, n] : batch) rows.push_back({k.first, k.second, n});
  try {
    std::int64_t dropped = write_(rows);
    if (dropped > 0) log::warn("counts for unknown keys dropped", {{"count", std::to_string(dropped)}});
    return true;
  } catch (const std::exception& e) {
    std::lock_guard lock(mu_);
    for (const auto& [k, n] : batch) pending_[k] += n;
    log::error("writing counts failed; kept in memory", {{"error", e.what()}});
    return false;
  }
}

void daily_counter::start(std::chrono::milliseconds interval) {
  writer_.start(interval, [this] { flush(); });
}

void daily_counter::stop() {
  writer_.stop();
  flush();
}

std::int64_t daily_counter::pending() const {
  std::lock_guard lock(mu_);
  std::int64_t n = 0;
  for (const auto& kv : pending_) n += kv.second;
  return n;
}

std::int64_t daily_counter::total_counted() const {
  std::lock_guard lock(mu_);
  return total_;
}

}  // namespace cg::stats
