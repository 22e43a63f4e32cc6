#include "app/refresher.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "content/pack.hpp"
#include "render/compress.hpp"
#include "render/render.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace cg::app {
namespace {

namespace fs = std::filesystem;

// A SQLite store in a fresh folder with the default guide published once; removed at the end.
class RefresherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cg-refresh-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    st_ = store::open_sqlite((dir_ / "db.sqlite").string());
    auto g = content::load_guide(content::default_pack());
    ASSERT_TRUE(g.ok());
    guide_ = *g;
    st_->publish(guide_, "test", "", "2026-11-30T00:00:00Z");
  }
  void TearDown() override {
    st_.reset();
    fs::remove_all(dir_);
  }
  fs::path dir_;
  std::unique_ptr<store::store> st_;
  content::guide guide_;
};

TEST_F(RefresherTest, SwapsInANewSnapshotOnlyAfterAPublish) {
  auto* st = st_.get();
  const auto* g = &guide_;
  fs::path dir = dir_;
  {
    site::snapshot_holder holder;
    snapshot_refresher r(*st, holder, /*polish=*/false);
    EXPECT_TRUE(r.refresh_if_changed());
    auto first = holder.current();
    ASSERT_NE(first, nullptr);
    EXPECT_FALSE(r.refresh_if_changed());
    EXPECT_EQ(holder.current(), first);

    // Another process publishes a changed address: the next poll serves it.
    content::guide next = *g;
    next.resources[0].url = "https://www.mcf.se/ny-adress";
    auto other = store::open_sqlite((dir / "db.sqlite").string());
    other->publish(next, "test", "", "2026-11-30T00:01:00Z");
    EXPECT_TRUE(r.refresh_if_changed());
    EXPECT_NE(holder.current(), first);
    EXPECT_EQ(holder.current()->destinations.at(next.resources[0].slug), "https://www.mcf.se/ny-adress");
    EXPECT_EQ(first->destinations.at(next.resources[0].slug), g->resources[0].url);  // old one untouched
  }
}

TEST_F(RefresherTest, PublishesQuicklyCompressedPagesThenTheBestOnesWithTheSameEtags) {
  auto* st = st_.get();
  const auto* g = &guide_;
  {
    site::snapshot_holder holder;
    snapshot_refresher r(*st, holder);
    ASSERT_TRUE(r.refresh_if_changed());
    auto quick = holder.current();
    EXPECT_FALSE(quick->best_compression);
    r.wait_polished();
    auto polished = holder.current();
    ASSERT_NE(polished, quick);
    EXPECT_TRUE(polished->best_compression);
    EXPECT_EQ(polished->generation, quick->generation);

    auto best = render::build_snapshot(*g, quick->generation);  // no cache: the best bodies at once
    std::size_t quick_br = 0, polished_br = 0;
    ASSERT_EQ(polished->pages.size(), quick->pages.size());
    for (const auto& [path, q] : quick->pages) {
      const render::page& p = polished->pages.at(path);
      const render::page& b = best->pages.at(path);
      EXPECT_EQ(p.identity.bytes, q.identity.bytes) << path;
      EXPECT_EQ(p.identity.etag, q.identity.etag) << path;
      ASSERT_EQ(p.br.has_value(), b.br.has_value()) << path;
      if (p.br) {
        ASSERT_TRUE(q.br) << path;
        EXPECT_EQ(p.br->etag, q.br->etag) << path;
        EXPECT_EQ(p.br->bytes, b.br->bytes) << path;
        EXPECT_EQ(render::brotli_decompress(q.br->bytes), q.identity.bytes) << path;
        quick_br += q.br->bytes.size();
        polished_br += p.br->bytes.size();
      }
      if (p.gzip) {
        ASSERT_TRUE(q.gzip) << path;
        EXPECT_EQ(p.gzip->etag, q.gzip->etag) << path;
        EXPECT_EQ(p.gzip->bytes, b.gzip->bytes) << path;
        EXPECT_EQ(render::gzip_decompress(q.gzip->bytes), q.identity.bytes) << path;
      }
    }
    EXPECT_LT(polished_br, quick_br);

    // A publish changing one resource: the pages seen before come from the cache at once, only the
    // changed ones are made quickly, and the polish after it ends with the best bodies again.
    content::guide next = *g;
    next.resources[0].title += " (ny upplaga)";
    st->publish(next, "test", "", "2026-11-30T00:01:00Z");
    ASSERT_TRUE(r.refresh_if_changed());
    auto changed = holder.current();
    EXPECT_FALSE(changed->best_compression);
    std::size_t same = 0;
    for (const auto& [path, c] : changed->pages)
      if (c.br && polished->pages.count(path) && polished->pages.at(path).identity.bytes == c.identity.bytes) {
        EXPECT_EQ(c.br->bytes, polished->pages.at(path).br->bytes) << path;
        ++same;
      }
    EXPECT_GT(same, 10u);
    r.wait_polished();
    EXPECT_TRUE(holder.current()->best_compression);
  }
}

}  // namespace
}  // namespace cg::app
