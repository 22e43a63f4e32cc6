// The store conformance suite: every backend must pass it. Backends are the test parameter.
#include "store/store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <functional>
#include <random>

#include "content/pack.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace cg::store {
namespace {

namespace fs = std::filesystem;

struct backend {
  std::string name;
  // Opens a fresh, empty store; the second call with the same dir reopens it.
  std::function<std::unique_ptr<store>(const fs::path& dir)> open;
};

void PrintTo(const backend& b, std::ostream* os) {
  *os << b.name;
}

class StoreConformance : public ::testing::TestWithParam<backend> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cg-store-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    st_ = GetParam().open(dir_);
    auto g = content::load_guide(content::default_pack());
    ASSERT_TRUE(g.ok()) << g.message();
    guide_ = *g;
  }
  void TearDown() override {
    st_.reset();
    fs::remove_all(dir_);
  }
  fs::path dir_;
  std::unique_ptr<store> st_;
  content::guide guide_;
};

TEST_P(StoreConformance, AFreshStoreHasNoContent) {
  EXPECT_FALSE(st_->has_content());
  EXPECT_EQ(st_->content_version(), 0);
}

TEST_P(StoreConformance, EveryPublishRaisesTheContentVersion) {
  st_->publish(guide_);
  std::int64_t v1 = st_->content_version();
  EXPECT_GT(v1, 0);
  st_->publish(guide_);
  EXPECT_GT(st_->content_version(), v1);
}

TEST_P(StoreConformance, PublishedGuideReadsBackUnchanged) {
  st_->publish(guide_);
  EXPECT_TRUE(st_->has_content());
  content::guide back = st_->load_published();
  // The content pack serialization is canonical: equal files mean an equal guide.
  EXPECT_EQ(content::write_pack(back), content::write_pack(guide_));
}

TEST_P(StoreConformance, ContentSurvivesReopening) {
  st_->publish(guide_);
  st_.reset();
  st_ = GetParam().open(dir_);
  EXPECT_EQ(content::write_pack(st_->load_published()), content::write_pack(guide_));
}

TEST_P(StoreConformance, RepublishingUpdatesAndRemovesBySlugKeepingCounts) {
  st_->publish(guide_);
  ASSERT_EQ(st_->add_link_clicks({{"disa", "2026-11-30", 3}}), 0);
  content::guide next = guide_;
  next.publishers[0].name = "Nytt namn";
  std::erase_if(next.resources, [](const content::resource& r) { return r.slug == "disa"; });
  next.site.start_picks.erase(next.site.start_picks.begin());
  st_->publish(next);
  content::guide back = st_->load_published();
  EXPECT_EQ(back.find_resource("disa"), nullptr);
  EXPECT_EQ(back.publishers[0].name, "Nytt namn");
  EXPECT_EQ(back.site.start_picks.size(), guide_.site.start_picks.size() - 1);
  // A removed resource keeps its history; a restored one keeps counting on it.
  st_->publish(guide_);
  ASSERT_EQ(st_->add_link_clicks({{"disa", "2026-11-30", 2}}), 0);
  auto clicks = st_->link_clicks();
  ASSERT_EQ(clicks.size(), 1u);
  EXPECT_EQ(clicks[0].count, 5);
}

TEST_P(StoreConformance, LinkClicksSumPerResourceAndDay) {
  st_->publish(guide_);
  EXPECT_EQ(st_->add_link_clicks({{"disa", "2026-11-29", 1}, {"ants", "2026-11-30", 4}, {"disa", "2026-11-30", 2}}), 0);
  EXPECT_EQ(st_->add_link_clicks({{"disa", "2026-11-30", 5}, {"finns-inte", "2026-11-30", 7}}), 7);
  auto c = st_->link_clicks();
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].resource_slug, "disa");
  EXPECT_EQ(c[0].day, "2026-11-29");
  EXPECT_EQ(c[0].count, 1);
  EXPECT_EQ(c[1].resource_slug, "ants");
  EXPECT_EQ(c[1].count, 4);
  EXPECT_EQ(c[2].resource_slug, "disa");
  EXPECT_EQ(c[2].day, "2026-11-30");
  EXPECT_EQ(c[2].count, 7);
}

TEST_P(StoreConformance, HostileTextIsStoredVerbatim) {
  guide_.resources[0].title = "Robert'); DROP TABLE resources;-- \"å\" \\ %";
  st_->publish(guide_);
  EXPECT_EQ(st_->load_published().find_resource(guide_.resources[0].slug)->title, guide_.resources[0].title);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformance,
                         ::testing::Values(backend{
                             "sqlite",
                             [](const fs::path& dir) { return open_sqlite((dir / "cyberguide.db").string()); }}),
                         [](const ::testing::TestParamInfo<backend>& p) { return p.param.name; });

TEST(SqliteStore, UsesWalAndRefusesANewerSchema) {
  fs::path dir = fs::temp_directory_path() / ("cg-sqlite-" + std::to_string(std::random_device{}()));
  fs::create_directories(dir);
  std::string path = (dir / "db.sqlite").string();
  { auto st = open_sqlite(path); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)), "wal");
  sqlite3_finalize(s);
  // Pretend a newer program migrated it further: this one must refuse rather than guess.
  ASSERT_EQ(sqlite3_exec(db, "INSERT INTO schema_migrations VALUES (999, 'later')", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  try {
    open_sqlite(path);
    ADD_FAILURE() << "a newer schema was accepted";
  } catch (const store_error& e) {
    EXPECT_NE(std::string(e.what()).find("schemaversion 999"), std::string::npos) << e.what();
  }
  EXPECT_THROW(open("postgresql://localhost/x"), store_error);
  EXPECT_THROW(open_sqlite((dir / "missing-dir" / "x.db").string()), store_error);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cg::store
