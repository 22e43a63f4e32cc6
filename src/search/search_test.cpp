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
  // A space before the 200th character counts (fuzz_search found 201 once).
  EXPECT_EQ(clean_query(std::string(199, 'a') + " bc", &cut), std::string(199, 'a'));
  EXPECT_TRUE(cut);
  EXPECT_EQ(clean_query(std::string(198, 'a') + " b", &cut), std::string(198, 'a') + " b");
  EXPECT_FALSE(cut);
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

TEST_F(Search, EveryFacetCountIsTheTotalOfTheSearchWithThatValue) {
  // The counts come from one pass over the matches; each must equal the search narrowed by that value.
  for (const char* text : {"", "säkerhet", "utbildning", "rapport", "incident"}) {
    for (const char* level : {"", "grundniva"}) {
      request r = q(text);
      r.level = level;
      auto res = index_->search(r);
      for (const auto& fc : res.facets) {
        for (const auto& v : fc.values) {
          request narrowed = r;
          if (fc.param == "kategori") narrowed.category = v.value;
          if (fc.param == "niva") narrowed.level = v.value;
          if (fc.param == "utgivare") narrowed.publisher = v.value;
          if (fc.param == "kostnad") narrowed.cost = v.value;
          if (fc.param == "format") narrowed.format = v.value;
          EXPECT_EQ(v.count, index_->search(narrowed).total)
              << "q=" << text << " niva=" << level << " " << fc.param << "=" << v.value;
        }
      }
    }
  }
}

TEST_F(Search, ACapitalLetterDoesNotTurnStemmingOff) {
  EXPECT_EQ(top(q("Utbildningar"), 20), top(q("utbildningar"), 20));
  EXPECT_TRUE(contains(top(q("Utbildningar"), 20), "disa"));
}

TEST_F(Search, HyphenatedWordsAreFoundWithAndWithoutTheHyphen) {
  auto with = index_->search(q("it-incidenter"));
  EXPECT_GT(with.total, 0u);
  EXPECT_EQ(top(q("itincidenter"), 10), top(q("it-incidenter"), 10));
}

TEST_F(Search, ExcerptMarksCompoundsAndPrefixes) {
  auto r = index_->search(q("säkerhetsarbete"));
  ASSERT_FALSE(r.hits.empty());
  for (const auto& h : r.hits) {
    // The whole word is marked: "informationssäkerhetsarbete", "säkerhetsarbetet" …
    auto at = h.excerpt_html.find("säkerhetsarbet");
    ASSERT_NE(at, std::string::npos) << h.slug << ": " << h.excerpt_html;
    EXPECT_NE(h.excerpt_html.rfind("<mark>", at), std::string::npos) << h.slug << ": " << h.excerpt_html;
    EXPECT_LT(h.excerpt_html.find("</mark>", at), h.excerpt_html.find(' ', at)) << h.slug << ": " << h.excerpt_html;
  }
  auto p = index_->search(q("lösenor"));  // typed so far
  ASSERT_FALSE(p.hits.empty());
  EXPECT_NE(p.hits[0].excerpt_html.find("<mark>lösenord"), std::string::npos) << p.hits[0].excerpt_html;
}

TEST_F(Search, UnknownFilterValueMatchesNothing) {
  request r = q("säkerhet");
  r.publisher = "finns-inte";
  auto res = index_->search(r);
  EXPECT_EQ(res.total, 0u);
  EXPECT_TRUE(res.hits.empty());
}

// A guide of 130 resources (the default ones, copied): more than two pages of hits.
TEST(SearchPages, PagesThroughAllHitsAndClampsPastTheLast) {
  auto g = content::load_guide(content::default_pack());
  ASSERT_TRUE(g.ok());
  content::guide big = *g;
  big.resources.clear();
  big.site.start_picks.clear();
  for (std::size_t i = 0; i < 130; ++i) {
    content::resource r = g->resources[i % g->resources.size()];
    if (r.category.empty()) r.category = g->categories.front().slug;
    if (r.level.empty()) r.level = g->levels.front().slug;
    r.slug = "kopia-" + std::to_string(i);
    r.order = static_cast<int>(i);
    big.resources.push_back(r);
  }
  index idx(big);
  for (const char* text : {"", "säkerhet"}) {
    request r = q(text);
    auto p1 = idx.search(r);
    ASSERT_GT(p1.total, kPageSize) << text;
    std::size_t pages = (p1.total - 1) / kPageSize + 1;
    std::vector<std::string> seen;
    for (std::size_t page = 1; page <= pages; ++page) {
      r.page = page;
      auto res = idx.search(r);
      EXPECT_EQ(res.page, page);
      EXPECT_EQ(res.total, p1.total);
      EXPECT_EQ(res.first, (page - 1) * kPageSize + 1);
      EXPECT_EQ(res.hits.size(), page < pages ? kPageSize : p1.total - (pages - 1) * kPageSize);
      for (const auto& h : res.hits) seen.push_back(h.slug);
    }
    std::vector<std::string> unique = seen;
    std::sort(unique.begin(), unique.end());
    unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
    EXPECT_EQ(seen.size(), p1.total) << text;
    EXPECT_EQ(unique.size(), seen.size()) << text << ": a hit on two pages";
    r.page = 999;
    auto past = idx.search(r);
    EXPECT_EQ(past.page, pages);
    EXPECT_FALSE(past.hits.empty());
    r.page = 0;
    EXPECT_EQ(idx.search(r).page, 1u);
  }
}

}  // namespace
}  // namespace cg::search
