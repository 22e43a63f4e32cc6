#pragma once
// Days as readers and the owner count them: calendar days in Swedish time (Europe/Stockholm: CET,
// UTC+1, and CEST, UTC+2, from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday
// of October, the EU rule since 1996). Days are "YYYY-MM-DD" strings and day numbers (days since
// 1970-01-01) for arithmetic.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cg::calendar {

// Days since 1970-01-01 of a proleptic Gregorian date, and back.
std::int64_t day_number(int year, unsigned month, unsigned day);
struct date {
  int year;
  unsigned month, day;
};
date from_day_number(std::int64_t n);

// "YYYY-MM-DD" of a day number, and a strict parse of one (a real date; nothing else around it).
std::string format_day(std::int64_t n);
std::optional<std::int64_t> parse_day(std::string_view s);

// Seconds Swedish time is ahead of UTC at t: 3600 or 7200.
int stockholm_offset_seconds(std::chrono::system_clock::time_point t);

// The Swedish calendar day containing t, as a day number and as "YYYY-MM-DD".
std::int64_t stockholm_day_number(std::chrono::system_clock::time_point t);
std::string stockholm_day(std::chrono::system_clock::time_point t);

}  // namespace cg::calendar
