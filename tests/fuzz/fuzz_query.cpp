// Fuzzing the query-string and percent-decoding helpers on their own: site::query_param (every
// parameter of the reader's /sok), admin::url_decode / url_encode and admin::form::parse of a query
// (the editor area reads its query strings with it), and the statistics period of /admin/statistik
// (stats::choose_period from period, fran, till; calendar::parse_day / format_day; admin::period_query).
//
// Input: a query string without '?' ("q=s%C3%A4k&kategori=rapporter", "period=egen&fran=…&till=…").
//
// Invariants checked for every input:
// - query_param: the last occurrence of a name wins: appending "&NAME=" + url_encode(s) gives s back
//   exactly, for any bytes s (NUL included); prepending it gives the input's own value when the input
//   has the name, else s;
// - query_param and url_decode decode alike ('+' as space, %XX, broken escapes kept), but for the NUL
//   bytes url_decode removes; and form::parse(query) agrees with query_param for every name that is
//   written without escapes (its values being url_decode'd with newlines normalized);
// - url_decode(url_encode(s)) is s without NUL; url_encode writes only unreserved characters, '/' and
//   %XX with upper-case hex; url_decode never grows the text;
// - parse_day is strict and round-trips: a parsed day formats back to the same ten characters, and
//   parse_day(format_day(n)) == n; choose_period gives a period of 1–3660 days ending no later than
//   today for the presets, the days asked for when "egen" is accepted, a previous period of the same
//   length right before, a known preset; and the period_query it makes asks for the same period again.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "admin/forms.hpp"
#include "admin/statistics.hpp"
#include "fuzz_common.hpp"
#include "site/reader.hpp"
#include "stats/report.hpp"
#include "util/calendar.hpp"

namespace {

using namespace cg;
using fuzz::printable;

// Whether some pair of the query has exactly this name (as written, before decoding).
bool has_name(std::string_view query, std::string_view name) {
  for (std::string_view pair : fuzz::split(query, '&'))
    if (pair.substr(0, pair.find('=')) == name) return true;
  return false;
}

std::string without_nul(std::string s) {
  std::erase(s, '\0');
  return s;
}

void check_query_param(std::string_view query, const std::string& name, const std::string& where) {
  const std::string v = site::query_param(query, name);
  const std::string ctx = " (" + printable(name) + ")" + where;
  const std::string s(query);  // any bytes
  const std::string encoded = admin::url_encode(s);
  CG_FUZZ_CHECK(site::query_param(std::string(query) + "&" + name + "=" + encoded, name) == s, ctx);
  const std::string before = site::query_param(name + "=" + encoded + "&" + std::string(query), name);
  CG_FUZZ_CHECK(before == (has_name(query, name) ? v : s), printable(before) + ctx);
}

void check_period(const admin::form& q, std::int64_t today, const std::string& where) {
  const std::string preset = q.get("period"), from = q.get("fran"), to = q.get("till");
  const stats::period_choice p = stats::choose_period(preset, from, to, today);
  const std::string ctx = " (today " + calendar::format_day(today) + ")" + where;
  CG_FUZZ_CHECK(p.preset == "7" || p.preset == "30" || p.preset == "365" || p.preset == "egen", p.preset + ctx);
  CG_FUZZ_CHECK(p.current.from <= p.current.to, ctx);
  CG_FUZZ_CHECK(p.current.days() >= 1 && p.current.days() <= stats::kMaxPeriodDays, ctx);
  CG_FUZZ_CHECK(p.previous.days() == p.current.days() && p.previous.to == p.current.from - 1, ctx);
  if (p.preset != "egen") {
    CG_FUZZ_CHECK(p.current.to == today, ctx);
  } else {
    CG_FUZZ_CHECK(
        p.error.empty() && calendar::parse_day(from) == p.current.from && calendar::parse_day(to) == p.current.to, ctx);
  }
  if (!p.error.empty()) CG_FUZZ_CHECK(p.preset == "30", "an error, but the period " + p.preset + " was used" + ctx);

  // The link the dashboard makes asks for the same period.
  const std::string again_query = admin::period_query(p);
  const admin::form again = admin::form::parse(again_query);
  const stats::period_choice p2 =
      stats::choose_period(again.get("period"), again.get("fran"), again.get("till"), today);
  CG_FUZZ_CHECK(
      p2.error.empty() && p2.preset == p.preset && p2.current.from == p.current.from && p2.current.to == p.current.to,
      again_query + ctx);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view query = fuzz::as_text(data, size);
  const std::string where = "\n    query: " + printable(query);

  // query_param for the reader's parameters and for the first name the input writes.
  std::vector<std::string> names = {"q", "kategori", "niva", "utgivare", "kostnad", "format", "sida"};
  {
    std::string_view first = query.substr(0, query.find('&'));
    names.emplace_back(first.substr(0, first.find('=')));
  }
  for (const auto& name : names) check_query_param(query, name, where);

  // query_param and url_decode decode a value alike.
  {
    std::string value(query);
    std::erase(value, '&');
    const std::string by_param = site::query_param("q=" + value, "q");
    CG_FUZZ_CHECK(without_nul(by_param) == admin::url_decode(value), printable(by_param) + where);
  }

  // form::parse of the query agrees with query_param where names are written plainly.
  {
    bool plain = true;
    for (std::string_view pair : fuzz::split(query, '&')) {
      std::string_view n = pair.substr(0, pair.find('='));
      if (n.find_first_of(std::string_view("%+\0", 3)) != std::string_view::npos) plain = false;  // decoded by form
    }
    if (plain) {
      const admin::form f = admin::form::parse(query);
      for (const auto& name : names) {
        if (name.empty() || !has_name(query, name)) continue;
        const std::vector<std::string> all = f.all(name);
        CG_FUZZ_CHECK(!all.empty(), printable(name) + where);
        const std::string expected = admin::normalize_newlines(without_nul(site::query_param(query, name)));
        CG_FUZZ_CHECK(all.back() == expected,
                      printable(name) + ": " + printable(all.back()) + " vs " + printable(expected) + where);
      }
    }
  }

  // url_encode / url_decode.
  {
    const std::string encoded = admin::url_encode(query);
    for (std::size_t i = 0; i < encoded.size(); ++i) {
      const char c = encoded[i];
      const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                              c == '_' || c == '.' || c == '~' || c == '/';
      if (unreserved) continue;
      auto upper_hex = [](char h) { return (h >= '0' && h <= '9') || (h >= 'A' && h <= 'F'); };
      CG_FUZZ_CHECK(c == '%' && i + 2 < encoded.size() && upper_hex(encoded[i + 1]) && upper_hex(encoded[i + 2]),
                    printable(encoded) + where);
      i += 2;
    }
    CG_FUZZ_CHECK(admin::url_decode(encoded) == without_nul(std::string(query)), printable(encoded) + where);
    const std::string decoded = admin::url_decode(query);
    CG_FUZZ_CHECK(decoded.size() <= query.size(), where);
  }

  // Days and the statistics period.
  const admin::form q = admin::form::parse(query);
  for (const std::string& day : {q.get("fran"), q.get("till")}) {
    if (auto n = calendar::parse_day(day)) CG_FUZZ_CHECK(calendar::format_day(*n) == day, printable(day) + where);
  }
  if (query.size() >= 2) {
    // A day number from the input's first bytes, 1900-01-01 … about 2079.
    const std::int64_t n =
        static_cast<std::int64_t>((static_cast<unsigned char>(query[0]) << 8) | static_cast<unsigned char>(query[1])) -
        25567;
    CG_FUZZ_CHECK(calendar::parse_day(calendar::format_day(n)) == n, calendar::format_day(n) + where);
  }
  check_period(q, calendar::day_number(2026, 3, 30), where);
  check_period(q, calendar::day_number(2024, 2, 29), where);
  return 0;
}
