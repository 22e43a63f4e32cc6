#include "util/calendar.hpp"

#include <cstdio>

namespace cg::calendar {

std::int64_t day_number(int year, unsigned month, unsigned day) {
  using namespace std::chrono;
  return sys_days{year_month_day{std::chrono::year{year}, std::chrono::month{month}, std::chrono::day{day}}}
      .time_since_epoch()
      .count();
}

date from_day_number(std::int64_t n) {
  using namespace std::chrono;
  year_month_day ymd{sys_days{days{n}}};
  return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day())};
}

std::string format_day(std::int64_t n) {
  date d = from_day_number(n);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", d.year, d.month, d.day);
  return buf;
}

std::optional<std::int64_t> parse_day(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  int v[3] = {0, 0, 0};
  const std::size_t start[3] = {0, 5, 8}, len[3] = {4, 2, 2};
  for (int i = 0; i < 3; ++i)
    for (std::size_t k = 0; k < len[i]; ++k) {
      char c = s[start[i] + k];
      if (c < '0' || c > '9') return std::nullopt;
      v[i] = v[i] * 10 + (c - '0');
    }
  if (v[0] < 1900 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31) return std::nullopt;
  std::int64_t n = day_number(v[0], static_cast<unsigned>(v[1]), static_cast<unsigned>(v[2]));
  date back = from_day_number(n);
  if (back.month != static_cast<unsigned>(v[1]) || back.day != static_cast<unsigned>(v[2]))
    return std::nullopt;  // 30 Feb
  return n;
}

namespace {

// Day number of the last Sunday of a month.
std::int64_t last_sunday(int year, unsigned month) {
  using namespace std::chrono;
  return sys_days{year_month_weekday_last{std::chrono::year{year}, std::chrono::month{month}, weekday_last{Sunday}}}
      .time_since_epoch()
      .count();
}

}  // namespace

int stockholm_offset_seconds(std::chrono::system_clock::time_point t) {
  const std::int64_t secs = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  const std::int64_t utc_day = (secs >= 0 ? secs : secs - 86399) / 86400;
  const int year = from_day_number(utc_day).year;
  const std::int64_t summer_starts = last_sunday(year, 3) * 86400 + 3600;  // 01:00 UTC
  const std::int64_t summer_ends = last_sunday(year, 10) * 86400 + 3600;
  return secs >= summer_starts && secs < summer_ends ? 7200 : 3600;
}

std::int64_t stockholm_day_number(std::chrono::system_clock::time_point t) {
  const std::int64_t secs =
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count() + stockholm_offset_seconds(t);
  return (secs >= 0 ? secs : secs - 86399) / 86400;
}

std::string stockholm_day(std::chrono::system_clock::time_point t) {
  return format_day(stockholm_day_number(t));
}

}  // namespace cg::calendar
