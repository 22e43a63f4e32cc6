#include "search/search.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "content/pack.hpp"

namespace cg::search {
namespace {

request q(std::string text) {
  request r;
  r.q = std::move(text);
  return r;
}

class Search : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto g = content::load_guide(content::default_pack());
    ASSERT_TRUE(g.ok());
    index_ = new index(*g);
  }
  static void TearDownTestSuite() { delete index_; }
  static std::vector<std::string> top(const request& r, std::size_t n) {
    std::vector<std::string> out;
    for (const auto& h : index_->search(r).hits) {
      if (out.size() == n) break;
      out.push_back(h.slug);
    }
    return out;
  }
  static bool contains(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  }
  static index* index_;
};
index* Search::index_ = nullptr;

TEST(CleanQuery, KeepsValidTextAndCutsAt200Characters) {
  bool cut = false;
  EXPECT_EQ(clean_query("  lösen\x01ord \xff\xfe  ", &cut), "lösen ord");
  EXPECT_FALSE(cut);
  std::string longq(300, 'a');
  EXPECT_EQ(clean_query(longq, &cut).size(), 200u);
  EXPECT_TRUE(cut);
  std::string longsv;
  for (int i = 0; i < 150; ++i) longsv += "ö";
  EXPECT_EQ(clean_query(longsv + longsv, &cut), longsv + std::string(longsv, 0, 100));
  EXPECT_EQ(normalize_query("  Säkerhet   I STYRSYSTEM "), "säkerhet i styrsystem");
  EXPECT_EQ(clean_query("a"
                        "\xed\xa0\x80"
                        "b"
                        "\xc0\xaf"
                        "c"
                        "\xf4\x90\x80\x80"
                        "d"),
            "abcd");  // surrogate, overlong, > U+10FFFF
  EXPECT_EQ(fold("Åtgärder för ökad säkerhet"), "Atgarder for okad sakerhet");
}

TEST_F(Search, StemsSwedish) {
  EXPECT_TRUE(contains(top(q("utbildningar"), 20), "disa"));
}

TEST_F(Search, FindsWordsTypedWithoutDiacritics) {
  EXPECT_TRUE(contains(top(q("sakerhet i styrsystem"), 3), "sakerhet-i-industriella-styrsystem-grundlaggande"));
}

TEST_F(Search, FindsPartsOfCompounds) {
  EXPECT_FALSE(index_->search(q("säkerhetsarbete")).hits.empty());
}

TEST_F(Search, SuggestsASpellingWhenNothingIsFound) {
  auto r = index_->search(q("incidenthantring"));
  EXPECT_EQ(r.suggestion, "incidenthantering");
}

TEST_F(Search, QuerySyntaxNeverThrows) {
  for (const char* text : {"AND OR NOT \"unclosed (", "title:x", "*", "-", "\"", "((((", "a NEAR b", "+-+"})
    EXPECT_NO_THROW(index_->search(q(text))) << text;
}

TEST_F(Search, EmptyQueryListsCategorizedResourcesAndFiltersCount) {
  request all;
  auto r = index_->search(all);
  EXPECT_EQ(r.hits.size(), 46u);
  request free_basic;
  free_basic.cost = "free";
  free_basic.level = "grundniva";
  auto f = index_->search(free_basic);
  for (const auto& fc : r.facets) {
    if (fc.param != "kostnad") continue;
    for (const auto& v : fc.values)
      if (v.value == "free") {
        request only_free;
        only_free.cost = "free";
        EXPECT_EQ(v.count, index_->search(only_free).hits.size());
      }
  }
  EXPECT_LT(f.hits.size(), r.hits.size());
  EXPECT_FALSE(f.hits.empty());
}

TEST_F(Search, TitleMatchesComeFirst) {
  auto t = top(q("CERT-SE"), 1);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0], "cert-se");
}

TEST_F(Search, ExcerptsAreEscapedAndMarked) {
  auto r = index_->search(q("lösenord"));
  ASSERT_FALSE(r.hits.empty());
  EXPECT_NE(r.hits[0].excerpt_html.find("<mark>"), std::string::npos);
}

}  // namespace
}  // namespace cg::search
