#include "render/render.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "content/pack.hpp"
#include "render/compress.hpp"
#include "render/markdown.hpp"

namespace cg::render {
namespace {

class Rendered : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto g = content::load_guide(content::default_pack());
    ASSERT_TRUE(g.ok()) << g.message();
    guide_ = new content::guide(*g);
    snap_ = build_snapshot(*guide_, 7);
  }
  static void TearDownTestSuite() {
    delete guide_;
    snap_.reset();
  }
  static std::string page(const std::string& path) {
    const auto* p = snap_->find(path);
    return p ? p->identity.bytes : std::string();
  }
  static bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
  }
  static content::guide* guide_;
  static std::shared_ptr<const snapshot> snap_;
};
content::guide* Rendered::guide_ = nullptr;
std::shared_ptr<const snapshot> Rendered::snap_;

TEST_F(Rendered, HasEveryReaderPage) {
  EXPECT_EQ(snap_->generation, 7u);
  for (const char* p : {"/", "/kategorier", "/nivaer", "/robots.txt"}) EXPECT_NE(snap_->find(p), nullptr) << p;
  for (const auto& c : guide_->categories) {
    EXPECT_NE(snap_->find("/kategorier/" + c.slug), nullptr);
    EXPECT_NE(snap_->find("/kategorier/" + c.slug + "/alla-nivaer"), nullptr);
    for (const auto& l : c.levels) EXPECT_NE(snap_->find("/kategorier/" + c.slug + "/" + l), nullptr);
  }
  for (const auto& l : guide_->levels) EXPECT_NE(snap_->find("/nivaer/" + l.slug), nullptr);
  for (const auto& r : guide_->resources) EXPECT_NE(snap_->find("/resurser/" + r.slug), nullptr) << r.slug;
  EXPECT_EQ(snap_->not_found.status, 404);
}

TEST_F(Rendered, EveryResourceIsOnItsLevelPagesAndLinksOutOnlyThroughGo) {
  for (const auto& r : guide_->resources) {
    if (r.category.empty()) continue;
    for (std::string path : {"/kategorier/" + r.category + "/" + r.level, "/kategorier/" + r.category + "/alla-nivaer",
                             "/nivaer/" + r.level}) {
      std::string html = page(path);
      EXPECT_TRUE(contains(html, "href=\"/resurser/" + r.slug + "\"")) << r.slug << " on " << path;
      EXPECT_TRUE(contains(html, "href=\"/go/" + r.slug + "\"")) << r.slug << " on " << path;
    }
  }
  for (const auto& [path, p] : snap_->pages) {
    if (p.content_type.rfind("text/html", 0) != 0) continue;
    for (const auto& r : guide_->resources)
      EXPECT_FALSE(contains(p.identity.bytes, "href=\"" + r.url + "\"")) << path << " links " << r.url << " directly";
  }
}

TEST_F(Rendered, PagesAreSwedishWithOneH1AndASkipLink) {
  for (const auto& [path, p] : snap_->pages) {
    if (p.content_type.rfind("text/html", 0) != 0) continue;
    const std::string& html = p.identity.bytes;
    EXPECT_TRUE(contains(html, "<html lang=\"sv\">")) << path;
    EXPECT_TRUE(contains(html, "href=\"#innehall\"")) << path;
    std::size_t h1 = 0;
    for (auto pos = html.find("<h1"); pos != std::string::npos; pos = html.find("<h1", pos + 1)) ++h1;
    EXPECT_EQ(h1, 1u) << path;
  }
}

TEST_F(Rendered, ResourcePageShowsTheFactsAndTheHomePageFlag) {
  const auto* r = guide_->find_resource("cybersakerhetsradgivning");
  ASSERT_NE(r, nullptr);
  ASSERT_TRUE(r->url_is_home_page);
  std::string html = page("/resurser/cybersakerhetsradgivning");
  EXPECT_TRUE(contains(html, "Myndigheten för civilt försvar (tidigare MSB)"));
  EXPECT_TRUE(contains(html, "Till utgivarens startsida, www.mcf.se"));
  EXPECT_TRUE(contains(html, "(extern webbplats)"));
  EXPECT_TRUE(contains(html, "Adress: <span class=\"url\">https://www.mcf.se/</span>"));
}

TEST_F(Rendered, CompressedBodiesDecodeToTheSamePage) {
  const render::page& p = *snap_->find("/");
  ASSERT_TRUE(p.gzip && p.br);
  EXPECT_EQ(gzip_decompress(p.gzip->bytes), p.identity.bytes);
  EXPECT_EQ(brotli_decompress(p.br->bytes), p.identity.bytes);
  EXPECT_NE(p.identity.etag, p.gzip->etag);
  EXPECT_NE(p.identity.etag, p.br->etag);
  EXPECT_EQ(p.identity.etag.front(), '"');
}

TEST_F(Rendered, PagesMadeOnSeveralThreadsAreTheSameEveryBuild) {
  auto again = build_snapshot(*guide_, 8);
  ASSERT_EQ(again->pages.size(), snap_->pages.size());
  for (const auto& [path, p] : snap_->pages) {
    const render::page* q = again->find(path);
    ASSERT_NE(q, nullptr) << path;
    EXPECT_EQ(q->identity.bytes, p.identity.bytes) << path;
    EXPECT_EQ(q->identity.etag, p.identity.etag) << path;
    EXPECT_EQ(q->gzip.has_value(), p.gzip.has_value()) << path;
    EXPECT_EQ(q->br ? q->br->etag : "", p.br ? p.br->etag : "") << path;
    EXPECT_EQ(q->br ? q->br->bytes : "", p.br ? p.br->bytes : "") << path;
  }
}

TEST_F(Rendered, AssetsAreContentHashedAndImmutable) {
  ASSERT_EQ(snap_->css_path.rfind("/static/style.", 0), 0u);
  const render::page* css = snap_->find(snap_->css_path);
  ASSERT_NE(css, nullptr);
  EXPECT_EQ(css->content_type, "text/css; charset=utf-8");
  EXPECT_EQ(css->cache_control, "public, max-age=31536000, immutable");
  EXPECT_TRUE(contains(page("/"), "href=\"" + snap_->css_path + "\""));
}

TEST_F(Rendered, TextIsEscaped) {
  content::guide g = *guide_;
  g.resources[0].title = "<script>alert(1)</script> & \"x\"";
  auto s = build_snapshot(g, 1);
  std::string html = s->find("/resurser/" + g.resources[0].slug)->identity.bytes;
  EXPECT_FALSE(contains(html, "<script>alert(1)</script>"));
  EXPECT_TRUE(contains(html, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"));
}

TEST(Markdown, DropsRawHtmlAndUnsafeLinks) {
  std::string html = markdown_to_html("Hej <script>x()</script> [a](javascript:alert(1)) [b](https://mcf.se/)");
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("javascript:"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"https://mcf.se/\">b</a>"), std::string::npos);
}

TEST(Markdown, PlainTextCollapsesWhitespace) {
  EXPECT_EQ(markdown_to_text("**Fet** text\n\noch *mer*."), "Fet text och mer.");
}

TEST(HostOf, TakesTheHostOnly) {
  EXPECT_EQ(host_of("https://www.mcf.se/sv/a?b#c"), "www.mcf.se");
  EXPECT_EQ(host_of("http://example.se:8080/x"), "example.se");
  EXPECT_EQ(host_of("nonsense"), "");
}

}  // namespace
}  // namespace cg::render

namespace cg::render {
namespace {

// A resource page lists at most 8 others of its category and level (those after it, from the start
// again after the last) and links to the whole list when there are more: a page's size must not grow
// with the catalogue.
TEST(RelatedResources, AtMostEightFollowingOnesAndALinkToTheWholeLevel) {
  auto g = content::load_guide(content::default_pack());
  ASSERT_TRUE(g.ok());
  content::guide big = *g;
  const content::resource base = *std::find_if(big.resources.begin(), big.resources.end(),
                                               [](const content::resource& r) { return !r.category.empty(); });
  big.resources.erase(
      std::remove_if(big.resources.begin(), big.resources.end(),
                     [&](const content::resource& r) { return r.category == base.category && r.level == base.level; }),
      big.resources.end());
  for (int i = 0; i < 12; ++i) {
    content::resource r = base;
    r.slug = "extra-" + std::to_string(i);
    r.title = "Extra " + std::string(1, static_cast<char>('A' + i));
    r.order = i;
    big.resources.push_back(r);
  }
  auto snap = build_snapshot(big, 1);
  auto html = [&](const std::string& slug) { return snap->find("/resurser/" + slug)->identity.bytes; };
  auto listed = [&](const std::string& page) {
    std::vector<int> out;
    for (int i = 0; i < 12; ++i)
      if (page.find("href=\"/resurser/extra-" + std::to_string(i) + "\"") != std::string::npos) out.push_back(i);
    return out;
  };
  const std::string all_link =
      "href=\"/kategorier/" + base.category + "/" + base.level + "\">Alla 12 stöd på den här nivån</a>";
  EXPECT_EQ(listed(html("extra-0")), (std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(listed(html("extra-10")), (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 11}));
  EXPECT_NE(html("extra-0").find(all_link), std::string::npos);

  // Nine in the level: each lists the eight others, and no link to "all".
  big.resources.erase(std::remove_if(big.resources.begin(), big.resources.end(),
                                     [](const content::resource& r) {
                                       return r.slug == "extra-9" || r.slug == "extra-10" || r.slug == "extra-11";
                                     }),
                      big.resources.end());
  ASSERT_EQ(std::count_if(big.resources.begin(), big.resources.end(),
                          [](const content::resource& r) { return r.slug.rfind("extra-", 0) == 0; }),
            9);
  auto nine = build_snapshot(big, 2);
  const std::string p = nine->find("/resurser/extra-4")->identity.bytes;
  EXPECT_EQ(listed(p), (std::vector<int>{0, 1, 2, 3, 5, 6, 7, 8}));
  EXPECT_EQ(p.find("stöd på den här nivån</a>"), std::string::npos);
}

}  // namespace
}  // namespace cg::render
