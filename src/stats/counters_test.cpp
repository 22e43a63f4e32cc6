#include "stats/counters.hpp"

#include <gtest/gtest.h>

#include <map>
#include <thread>

namespace cg::stats {
namespace {

using namespace std::chrono_literals;

class fake_clock final : public clock_source {
 public:
  // 23:59 in Stockholm (UTC+1 in November).
  std::chrono::system_clock::time_point t = std::chrono::sys_days{std::chrono::year{2026} / 11 / 30} + 22h + 59min;
  std::chrono::system_clock::time_point now() const override { return t; }
};

// A writer that records what it is given and can be told to fail (a full disk, a lost database).
struct recording_store {
  bool fail = false;
  std::vector<daily_count> rows;
  daily_counter::writer writer() {
    return [this](const std::vector<daily_count>& c) -> std::int64_t {
      if (fail) throw store::store_error("disk full");
      rows.insert(rows.end(), c.begin(), c.end());
      return 0;
    };
  }
};

TEST(DailyCounter, CountsPerKeyAndSwedishDay) {
  recording_store st;
  fake_clock clock;
  daily_counter c(st.writer(), clock);
  c.count("disa");
  c.count("disa");
  clock.t += 2min;  // past midnight in Stockholm
  c.count("disa");
  c.count("ants");
  EXPECT_EQ(c.pending(), 4);
  ASSERT_TRUE(c.flush());
  EXPECT_EQ(c.pending(), 0);
  ASSERT_EQ(st.rows.size(), 3u);
  EXPECT_EQ(st.rows[0].day, "2026-11-30");
  EXPECT_EQ(st.rows[0].key, "disa");
  EXPECT_EQ(st.rows[0].count, 2);
  EXPECT_EQ(st.rows[1].day, "2026-12-01");
  EXPECT_EQ(st.rows[1].key, "ants");
  EXPECT_EQ(st.rows[2].key, "disa");
  EXPECT_EQ(st.rows[2].count, 1);
}

TEST(DailyCounter, DaysFollowSwedishTimeAcrossTheDaylightSavingChanges) {
  recording_store st;
  fake_clock clock;
  daily_counter c(st.writer(), clock);
  using std::chrono::sys_days;
  using std::chrono::year;
  clock.t = sys_days{year{2026} / 3 / 28} + 22h + 59min;  // 23:59 CET on 28 March
  c.count("a");
  clock.t += 2min;  // 00:01 CET on 29 March, the day summer time starts
  c.count("a");
  clock.t = sys_days{year{2026} / 3 / 29} + 21h + 59min;  // 23:59 CEST on 29 March
  c.count("a");
  clock.t = sys_days{year{2026} / 10 / 25} + 22h + 30min;  // 23:30 CET on 25 October, after the change back
  c.count("a");
  clock.t = sys_days{year{2026} / 10 / 25} + 23h;  // 00:00 CET on 26 October
  c.count("a");
  ASSERT_TRUE(c.flush());
  ASSERT_EQ(st.rows.size(), 4u);
  EXPECT_EQ(st.rows[0].day, "2026-03-28");
  EXPECT_EQ(st.rows[1].day, "2026-03-29");
  EXPECT_EQ(st.rows[1].count, 2);
  EXPECT_EQ(st.rows[2].day, "2026-10-25");
  EXPECT_EQ(st.rows[3].day, "2026-10-26");
}

TEST(DailyCounter, KeepsCountsWhenTheStoreFails) {
  recording_store st;
  fake_clock clock;
  daily_counter c(st.writer(), clock);
  c.count("disa");
  st.fail = true;
  EXPECT_FALSE(c.flush());
  c.count("disa");
  EXPECT_EQ(c.pending(), 2);
  st.fail = false;
  EXPECT_TRUE(c.flush());
  ASSERT_EQ(st.rows.size(), 1u);
  EXPECT_EQ(st.rows[0].count, 2);
}

// While the database is away, memory is bounded: at most max_keys different day+key pairs wait; counts
// of further pairs are dropped and counted, repeat counts of waiting pairs are kept; once written,
// new pairs are taken again.
TEST(DailyCounter, BoundsWaitingPairsWhileTheStoreFailsAndCountsWhatItDrops) {
  recording_store st;
  fake_clock clock;
  daily_counter c(st.writer(), clock, 3);
  st.fail = true;
  for (const char* k : {"a", "b", "c", "d", "e", "a", "a"}) c.count(k);
  EXPECT_FALSE(c.flush());
  c.count("f");  // still 3 pairs waiting after the failed write put them back
  c.count("b");
  EXPECT_EQ(c.pending(), 6);  // a×3, b×2, c
  EXPECT_EQ(c.dropped(), 3);  // d, e, f
  st.fail = false;
  EXPECT_TRUE(c.flush());
  c.count("g");
  EXPECT_TRUE(c.flush());
  std::map<std::string, std::int64_t> written;
  for (const auto& r : st.rows) written[r.key] += r.count;
  EXPECT_EQ(written, (std::map<std::string, std::int64_t>{{"a", 3}, {"b", 2}, {"c", 1}, {"g", 1}}));
  EXPECT_EQ(c.dropped(), 3);
}

TEST(DailyCounter, ConcurrentCountsAreAllWrittenByTheBackgroundWriterAndStop) {
  recording_store st;
  fake_clock clock;
  daily_counter c(st.writer(), clock);
  c.start(10ms);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&c] {
      for (int i = 0; i < 2500; ++i) c.count("disa");
    });
  for (auto& t : threads) t.join();
  c.stop();
  std::int64_t total = 0;
  for (const auto& r : st.rows) total += r.count;
  EXPECT_EQ(total, 10000);
  EXPECT_EQ(c.total_counted(), 10000);
}

}  // namespace
}  // namespace cg::stats
