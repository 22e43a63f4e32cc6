#pragma once
// The clock is passed in so that tests can use a fake one (daily counts, session expiry).
#include <chrono>
#include <string>

namespace cg {

class clock_source {
 public:
  virtual ~clock_source() = default;
  virtual std::chrono::system_clock::time_point now() const = 0;
};

class system_clock_source final : public clock_source {
 public:
  std::chrono::system_clock::time_point now() const override { return std::chrono::system_clock::now(); }
};

// "YYYY-MM-DD" of the UTC day containing t.
std::string utc_day(std::chrono::system_clock::time_point t);

// "YYYY-MM-DDTHH:MM:SSZ" (UTC, seconds).
std::string iso_utc(std::chrono::system_clock::time_point t);

}  // namespace cg
