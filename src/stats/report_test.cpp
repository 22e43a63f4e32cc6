#include "stats/report.hpp"

#include <gtest/gtest.h>

#include "content/links.hpp"
#include "content/pack.hpp"
#include "util/calendar.hpp"

namespace cg::stats {
namespace {

std::int64_t day(const char* s) {
  return *calendar::parse_day(s);
}

TEST(Period, PresetsEndTodayAndCompareWithTheDaysRightBefore) {
  auto p = choose_period("7", "", "", day("2026-11-30"));
  EXPECT_EQ(p.preset, "7");
  EXPECT_EQ(p.current.from, day("2026-11-24"));
  EXPECT_EQ(p.current.to, day("2026-11-30"));
  EXPECT_EQ(p.previous.from, day("2026-11-17"));
  EXPECT_EQ(p.previous.to, day("2026-11-23"));
  EXPECT_TRUE(p.error.empty());
  auto y = choose_period("365", "", "", day("2026-03-01"));
  EXPECT_EQ(y.current.from, day("2025-03-02"));
  EXPECT_EQ(y.previous.from, day("2024-03-02"));  // 2024 had 29 February: 365 days back
  EXPECT_EQ(y.previous.to, day("2025-03-01"));
  auto d = choose_period("", "", "", day("2026-11-30"));
  EXPECT_EQ(d.preset, "30");
  EXPECT_EQ(d.current.days(), 30);
}

TEST(Period, ACustomRangeIsCheckedAndItsComparisonIsAsLong) {
  auto p = choose_period("egen", "2026-03-01", "2026-03-31", day("2026-11-30"));
  EXPECT_EQ(p.preset, "egen");
  EXPECT_EQ(p.current.days(), 31);
  EXPECT_EQ(p.previous.from, day("2026-01-29"));
  EXPECT_EQ(p.previous.to, day("2026-02-28"));
  auto one = choose_period("egen", "2026-03-29", "2026-03-29", day("2026-11-30"));
  EXPECT_EQ(one.current.days(), 1);
  EXPECT_EQ(one.previous.from, day("2026-03-28"));
  for (auto [from, to] : {std::pair{"2026-03-31", "2026-03-01"}, std::pair{"2026-02-30", "2026-03-01"},
                          std::pair{"", ""}, std::pair{"2000-01-01", "2026-01-01"}}) {
    auto bad = choose_period("egen", from, to, day("2026-11-30"));
    EXPECT_FALSE(bad.error.empty()) << from << " " << to;
    EXPECT_EQ(bad.preset, "30");  // the default is shown instead
  }
  EXPECT_FALSE(choose_period("<script>", "", "", day("2026-11-30")).error.empty());
}

class Report : public ::testing::Test {
 protected:
  void SetUp() override {
    auto g = content::load_guide(content::default_pack());
    ASSERT_TRUE(g.ok());
    g_ = *g;
    g_.site.owner_domains = {"mcf.se"};
  }
  content::guide g_;
};

TEST_F(Report, SplitsFollowedLinksByPeriodOwnerCategoryLevelAndResource) {
  const auto* disa = g_.find_resource("disa");
  ASSERT_NE(disa, nullptr);
  auto when = choose_period("7", "", "", day("2026-11-30"));
  counts c;
  c.clicks = {{"disa", "2026-11-30", 3, "www.mcf.se"}, {"disa", "2026-11-24", 2, "www.cert.se"},
              {"disa", "2026-11-23", 5, "www.mcf.se"},  // the previous period
              {"disa", "2026-11-16", 7, "www.mcf.se"},  // before both: not counted
              {"ants", "2026-11-29", 4, "mcf.se"},     {"borttagen", "2026-11-29", 1, "x.se"}};
  report r = build_report(g_, when, c);
  EXPECT_EQ(r.owner, 7);
  EXPECT_EQ(r.owner_previous, 5);
  EXPECT_EQ(r.links, 10);
  EXPECT_EQ(r.links_previous, 5);
  ASSERT_EQ(r.daily.size(), 7u);
  EXPECT_EQ(r.daily.front().day, "2026-11-24");
  EXPECT_EQ(r.daily.front().links, 2);
  EXPECT_EQ(r.daily.front().owner, 0);
  EXPECT_EQ(r.daily.back().owner, 3);
  EXPECT_EQ(r.daily[5].links, 5);
  std::int64_t by_cat = 0, by_lvl = 0;
  for (const auto& x : r.by_category) by_cat += x.count;
  for (const auto& x : r.by_level) by_lvl += x.count;
  EXPECT_EQ(by_cat, 9);  // the removed resource has no category
  EXPECT_EQ(by_lvl, 9);
  EXPECT_EQ(r.by_category.size(), g_.categories.size());
  EXPECT_EQ(r.by_resource.size(), g_.resources.size() + 1);
  EXPECT_EQ(r.by_resource[0].key, "disa");
  EXPECT_EQ(r.by_resource[0].count, 5);
  EXPECT_EQ(r.by_resource[0].previous, 5);
  EXPECT_EQ(r.by_resource[0].label, disa->title);
}

TEST_F(Report, AClickWithoutAHostCountsByTheResourcesAddress) {
  g_.site.owner_domains = {content::url_host(g_.find_resource("disa")->url)};
  auto when = choose_period("7", "", "", day("2026-11-30"));
  counts c;
  c.clicks = {{"disa", "2026-11-30", 2, ""}};
  EXPECT_EQ(build_report(g_, when, c).owner, 2);
}

TEST_F(Report, AnEmptyPeriodHasZerosForEveryDayAndEveryCategory) {
  auto when = choose_period("egen", "2026-03-28", "2026-03-30", day("2026-11-30"));
  report r = build_report(g_, when, {});
  ASSERT_EQ(r.daily.size(), 3u);
  EXPECT_EQ(r.daily[1].day, "2026-03-29");  // the 23-hour day of the spring change is one day
  for (const auto& d : r.daily) EXPECT_EQ(d.links + d.owner + d.views, 0);
  EXPECT_EQ(r.owner, 0);
  EXPECT_EQ(r.by_category.size(), g_.categories.size());
  EXPECT_TRUE(r.by_page.empty());
  EXPECT_TRUE(r.searches_top.empty());
}

TEST_F(Report, PageViewsAndSearchesWithTheirLastHitCount) {
  auto when = choose_period("30", "", "", day("2026-11-30"));
  counts c;
  c.views = {
      {"/", "2026-11-30", 5}, {"/kategorier", "2026-11-29", 7}, {"/", "2026-10-15", 9}, {"/", "2026-10-01", 100}};
  c.searches = {{"2026-11-28", "lösenord", 2, 3},
                {"2026-11-29", "xyz", 0, 4},
                {"2026-11-29", "upphandling", 0, 1},
                {"2026-11-30", "upphandling", 2, 1}};
  report r = build_report(g_, when, c);
  EXPECT_EQ(r.views, 12);
  EXPECT_EQ(r.views_previous, 9);
  ASSERT_EQ(r.by_page.size(), 2u);
  EXPECT_EQ(r.by_page[0].key, "/kategorier");
  EXPECT_EQ(r.searches, 9);
  ASSERT_EQ(r.searches_top.size(), 3u);
  EXPECT_EQ(r.searches_top[0].key, "xyz");
  EXPECT_EQ(r.searches_top[1].key, "lösenord");
  ASSERT_EQ(r.searches_without_hits.size(), 1u);  // upphandling found hits on its last day
  EXPECT_EQ(r.searches_without_hits[0].key, "xyz");
}

}  // namespace
}  // namespace cg::stats
