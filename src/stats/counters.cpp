#include "stats/counters.hpp"

#include <vector>

#include "util/calendar.hpp"
#include "util/log.hpp"

namespace cg::stats {

daily_counter::~daily_counter() {
  stop();
}

void daily_counter::count(const std::string& key) {
  const std::int64_t day = calendar::stockholm_day_number(clock_.now());
  std::lock_guard lock(mu_);
  if (day != day_number_) {
    day_number_ = day;
    day_ = calendar::format_day(day);
  }
  auto& keys = pending_[day_];
  if (auto it = keys.find(key); it != keys.end()) {
    ++it->second;
  } else if (pending_keys_ >= max_keys_) {
    if (dropped_++ == 0)
      log::warn("too many different counts waiting to be written; further new ones are dropped",
                {{"waiting", std::to_string(pending_keys_)}});
    return;
  } else {
    keys.emplace(key, 1);
    ++pending_keys_;
  }
  ++total_;
}

bool daily_counter::flush() {
  std::lock_guard flush_lock(flush_mu_);
  batch_map batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(pending_);
    pending_keys_ = 0;
  }
  if (batch.empty()) return true;
  std::vector<daily_count> rows;
  for (const auto& [day, keys] : batch)
    for (const auto& [key, n] : keys) rows.push_back({day, key, n});
  try {
    std::int64_t dropped = write_(rows);
    if (dropped > 0) log::warn("counts for unknown keys dropped", {{"count", std::to_string(dropped)}});
    if (failing_) log::info("counts written again", {{"rows", std::to_string(rows.size())}});
    failing_ = false;
    failing_now_ = false;
    return true;
  } catch (const std::exception& e) {
    std::lock_guard lock(mu_);
    // Put back, merged with what was counted meanwhile; the cap applies to new pairs only.
    for (const auto& [day, keys] : batch)
      for (const auto& [key, n] : keys) {
        auto [it, added] = pending_[day].try_emplace(key, 0);
        it->second += n;
        if (added) ++pending_keys_;
      }
    if (!failing_)
      log::error("writing counts failed; kept in memory until the database is back", {{"error", e.what()}});
    failing_ = true;
    failing_now_ = true;
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
  for (const auto& [day, keys] : pending_)
    for (const auto& [key, count] : keys) n += count;
  return n;
}

std::int64_t daily_counter::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

std::int64_t daily_counter::total_counted() const {
  std::lock_guard lock(mu_);
  return total_;
}

}  // namespace cg::stats
