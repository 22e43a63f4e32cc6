#pragma once
// The owner's reach statistics: a period of Swedish calendar days, the one before it, and every figure
// of the dashboard (/admin/statistik) computed from the stored daily counts. Pure functions: the
// caller reads the counts from the store and gives today's date.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "content/model.hpp"
#include "store/store.hpp"

namespace cg::stats {

struct period {
  std::int64_t from = 0, to = 0;  // day numbers (util/calendar.hpp), inclusive
  std::int64_t days() const { return to - from + 1; }
  store::day_range range() const;
};

struct period_choice {
  std::string preset;        // "7", "30", "365" or "egen" (from..to)
  period current, previous;  // previous: as many days, right before
  std::string error;         // in Swedish, when the asked period could not be used (the default is shown)
};

inline constexpr std::int64_t kMaxPeriodDays = 3660;

// preset: "7", "30", "365", "egen" (custom: from and to as YYYY-MM-DD) or "" (30). today: day number.
period_choice choose_period(std::string_view preset, std::string_view from, std::string_view to, std::int64_t today);

struct row {
  std::string key;     // slug, path or query
  std::string label;   // what a person reads
  std::string group;   // e.g. the category of a resource
  std::string detail;  // e.g. the level of a resource
  std::int64_t count = 0, previous = 0;
  std::int64_t hits = -1;  // searches: the hits the query found (last seen); -1 otherwise
};

struct day_figures {
  std::string day;  // YYYY-MM-DD
  std::int64_t owner = 0, links = 0, views = 0;
};

struct report {
  period_choice when;
  std::int64_t owner = 0, owner_previous = 0;  // followed links to the owner's domains (the headline)
  std::int64_t links = 0, links_previous = 0;  // every followed link
  std::int64_t views = 0, views_previous = 0;  // page views
  std::int64_t searches = 0, searches_previous = 0;
  std::vector<day_figures> daily;          // every day of the current period, zeros included
  std::vector<row> by_category, by_level;  // followed links; every category and level of the guide
  std::vector<row> by_resource;            // every resource of the guide, and removed ones with counts
  std::vector<row> by_page;                // page views, most viewed first
  std::vector<row> searches_top;           // most searched first
  std::vector<row> searches_without_hits;  // searches whose last count found nothing, most searched first
};

struct counts {
  std::vector<store::link_click> clicks;  // of both periods
  std::vector<store::page_view> views;
  std::vector<store::search_count> searches;
};

// The published guide gives names, categories, levels, addresses and the owner's domains; a click
// stored without its host is taken to have gone to the resource's address of today.
report build_report(const content::guide& g, const period_choice& when, const counts& c);

}  // namespace cg::stats
