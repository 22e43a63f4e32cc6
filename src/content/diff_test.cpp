#include "content/diff.hpp"

#include <gtest/gtest.h>

#include "content/pack.hpp"

namespace cg::content {
namespace {

TEST(Diff, SameGuideHasNoChanges) {
  auto g = load_guide(default_pack());
  ASSERT_TRUE(g.ok());
  EXPECT_TRUE(diff(*g, *g).empty());
}

TEST(Diff, NamesEachChangedFieldWithBeforeAndAfter) {
  auto g = load_guide(default_pack());
  ASSERT_TRUE(g.ok());
  guide b = *g;
  for (auto& p : b.publishers)
    if (p.slug == "mcf") p.name = "Nytt namn";
  for (auto& r : b.resources)
    if (r.slug == "disa") r.url = "https://www.mcf.se/disa";
  auto d = diff(*g, b);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].entity, "Utgivare");
  EXPECT_EQ(d[0].key, "mcf");
  EXPECT_EQ(d[0].field, "Namn");
  EXPECT_EQ(d[0].before, "Myndigheten för civilt försvar");
  EXPECT_EQ(d[0].after, "Nytt namn");
  EXPECT_EQ(d[1].entity, "Resurs");
  EXPECT_EQ(d[1].key, "disa");
  EXPECT_EQ(d[1].field, "Adress");
  EXPECT_EQ(d[1].after, "https://www.mcf.se/disa");
}

TEST(Diff, AddedAndRemovedEntitiesShowEveryNonEmptyField) {
  auto g = load_guide(default_pack());
  ASSERT_TRUE(g.ok());
  guide b = *g;
  std::erase_if(b.resources, [](const resource& r) { return r.slug == "ants"; });
  auto d = diff(*g, b);
  ASSERT_FALSE(d.empty());
  for (const auto& c : d) {
    EXPECT_EQ(c.key, "ants");
    EXPECT_EQ(c.after, "");
    EXPECT_NE(c.before, "");
  }
}

}  // namespace
}  // namespace cg::content
