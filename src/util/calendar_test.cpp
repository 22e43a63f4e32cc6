#include "util/calendar.hpp"

#include <gtest/gtest.h>

namespace cg::calendar {
namespace {

using namespace std::chrono;

system_clock::time_point utc(int y, unsigned m, unsigned d, int h, int min = 0, int s = 0) {
  return sys_days{year{y} / month{m} / day{d}} + hours{h} + minutes{min} + seconds{s};
}

TEST(Calendar, DayNumbersRoundTrip) {
  EXPECT_EQ(day_number(1970, 1, 1), 0);
  EXPECT_EQ(day_number(2026, 11, 30), 20787);
  EXPECT_EQ(format_day(20787), "2026-11-30");
  for (std::int64_t n = 18000; n < 22000; n += 37) EXPECT_EQ(parse_day(format_day(n)), n);
  EXPECT_EQ(parse_day("2024-02-29"), day_number(2024, 2, 29));
  for (const char* bad : {"2025-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "2026-01-01x", "", "abcd-ef-gh",
                          "2026/01/01", "1899-12-31", "2026-04-31"})
    EXPECT_FALSE(parse_day(bad).has_value()) << bad;
}

TEST(Calendar, StockholmDayInWinterIsUtcPlusOne) {
  EXPECT_EQ(stockholm_day(utc(2026, 1, 15, 22, 59, 59)), "2026-01-15");
  EXPECT_EQ(stockholm_day(utc(2026, 1, 15, 23, 0, 0)), "2026-01-16");
  EXPECT_EQ(stockholm_offset_seconds(utc(2026, 12, 31, 12)), 3600);
}

TEST(Calendar, StockholmDayInSummerIsUtcPlusTwo) {
  EXPECT_EQ(stockholm_day(utc(2026, 7, 1, 21, 59, 59)), "2026-07-01");
  EXPECT_EQ(stockholm_day(utc(2026, 7, 1, 22, 0, 0)), "2026-07-02");
}

TEST(Calendar, DaylightSavingChangesAtOneUtcOnTheLastSundays) {
  // 2026: summer time from Sunday 29 March 01:00 UTC to Sunday 25 October 01:00 UTC.
  EXPECT_EQ(stockholm_offset_seconds(utc(2026, 3, 29, 0, 59, 59)), 3600);
  EXPECT_EQ(stockholm_offset_seconds(utc(2026, 3, 29, 1, 0, 0)), 7200);
  EXPECT_EQ(stockholm_offset_seconds(utc(2026, 10, 25, 0, 59, 59)), 7200);
  EXPECT_EQ(stockholm_offset_seconds(utc(2026, 10, 25, 1, 0, 0)), 3600);
  // 2027: 28 March and 31 October.
  EXPECT_EQ(stockholm_offset_seconds(utc(2027, 3, 28, 1, 0, 0)), 7200);
  EXPECT_EQ(stockholm_offset_seconds(utc(2027, 10, 31, 0, 30)), 7200);
  EXPECT_EQ(stockholm_offset_seconds(utc(2027, 10, 31, 1, 30)), 3600);
  // The day of the spring change has 23 hours: 28 March 23:00 UTC is already 29 March, and
  // 29 March 21:59:59 UTC is still 29 March (23:59:59 summer time).
  EXPECT_EQ(stockholm_day(utc(2026, 3, 28, 23, 0, 0)), "2026-03-29");
  EXPECT_EQ(stockholm_day(utc(2026, 3, 29, 21, 59, 59)), "2026-03-29");
  EXPECT_EQ(stockholm_day(utc(2026, 3, 29, 22, 0, 0)), "2026-03-30");
  // The autumn day has 25 hours: from 24 Oct 22:00 UTC to 25 Oct 23:00 UTC.
  EXPECT_EQ(stockholm_day(utc(2026, 10, 24, 21, 59, 59)), "2026-10-24");
  EXPECT_EQ(stockholm_day(utc(2026, 10, 24, 22, 0, 0)), "2026-10-25");
  EXPECT_EQ(stockholm_day(utc(2026, 10, 25, 22, 59, 59)), "2026-10-25");
  EXPECT_EQ(stockholm_day(utc(2026, 10, 25, 23, 0, 0)), "2026-10-26");
}

}  // namespace
}  // namespace cg::calendar
