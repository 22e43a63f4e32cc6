#include "app/refresher.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "content/pack.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace cg::app {
namespace {

namespace fs = std::filesystem;

TEST(SnapshotRefresher, SwapsInANewSnapshotOnlyAfterAPublish) {
  fs::path dir = fs::temp_directory_path() / ("cg-refresh-" + std::to_string(std::random_device{}()));
  fs::create_directories(dir);
  {
    auto st = store::open_sqlite((dir / "db.sqlite").string());
    auto g = content::load_guide(content::default_pack());
    ASSERT_TRUE(g.ok());
    st->publish(*g, "test", "", "2026-11-30T00:00:00Z");
    site::snapshot_holder holder;
    snapshot_refresher r(*st, holder);
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
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cg::app
