#include "site/reader.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "content/links.hpp"
#include "content/pack.hpp"
#include "render/render.hpp"
#include "site/headers.hpp"

namespace cg::site {
namespace {

TEST(SecurityHeaders, HstsOnlyOverHttps) {
  auto has = [](const auto& headers, const std::string& name) {
    for (const auto& [k, v] : headers)
      if (k == name) return true;
    return false;
  };
  EXPECT_FALSE(has(security_headers(false), "Strict-Transport-Security"));
  EXPECT_TRUE(has(security_headers(true), "Strict-Transport-Security"));
  for (bool secure : {false, true}) {
    auto h = security_headers(secure);
    EXPECT_TRUE(has(h, "Content-Security-Policy"));
    EXPECT_TRUE(has(h, "X-Frame-Options"));
    for (const auto& [k, v] : h) {
      if (k == "Server") {
        EXPECT_EQ(v.find_first_of("0123456789"), std::string::npos);
      }
    }
  }
}

TEST(ChooseEncoding, PrefersBrotliThenGzip) {
  EXPECT_EQ(choose_encoding("gzip, deflate, br", true, true), encoding::br);
  EXPECT_EQ(choose_encoding("gzip", true, true), encoding::gzip);
  EXPECT_EQ(choose_encoding("", true, true), encoding::identity);
  EXPECT_EQ(choose_encoding("br", false, true), encoding::br);
  EXPECT_EQ(choose_encoding("br", true, false), encoding::identity);
  EXPECT_EQ(choose_encoding("br", false, false), encoding::identity);
}

TEST(ChooseEncoding, HonoursQValues) {
  EXPECT_EQ(choose_encoding("br;q=0, gzip", true, true), encoding::gzip);
  EXPECT_EQ(choose_encoding("gzip;q=0", true, true), encoding::identity);
  EXPECT_EQ(choose_encoding("gzip;q=1.0, br;q=0.5", true, true), encoding::gzip);
  EXPECT_EQ(choose_encoding("*", true, true), encoding::br);
  EXPECT_EQ(choose_encoding("*;q=0, identity", true, true), encoding::identity);
  EXPECT_EQ(choose_encoding("GZIP", true, false), encoding::gzip);
}

TEST(EtagMatches, ComparesListsWeaklyAndAcceptsStar) {
  EXPECT_TRUE(etag_matches("\"abc\"", "\"abc\""));
  EXPECT_TRUE(etag_matches("\"x\", \"abc\"", "\"abc\""));
  EXPECT_TRUE(etag_matches("W/\"abc\"", "\"abc\""));
  EXPECT_TRUE(etag_matches("*", "\"abc\""));
  EXPECT_FALSE(etag_matches("\"abcd\"", "\"abc\""));
  EXPECT_FALSE(etag_matches("", "\"abc\""));
}

TEST(IsBot, KnowsCrawlersButNotBrowsers) {
  EXPECT_TRUE(is_bot("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"));
  EXPECT_TRUE(is_bot("Mozilla/5.0 (compatible; bingbot/2.0)"));
  EXPECT_TRUE(is_bot("facebookexternalhit/1.1"));
  EXPECT_TRUE(is_bot("Slackbot-LinkExpanding 1.0"));
  EXPECT_FALSE(is_bot("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36"));
  EXPECT_FALSE(is_bot("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Version/17.0 Mobile Safari/604.1"));
  EXPECT_FALSE(is_bot(""));
}

http::request get(std::string_view path, std::vector<std::pair<std::string_view, std::string_view>> headers = {}) {
  http::request r;
  r.method = http::method::get;
  r.method_name = "GET";
  r.target = path;
  r.path = path.substr(0, path.find('?'));
  r.headers = std::move(headers);
  return r;
}

TEST(IsCountable, OnlyPlainGetsFromPeople) {
  EXPECT_TRUE(is_countable(get("/go/x")));
  auto head = get("/go/x");
  head.method = http::method::head;
  EXPECT_FALSE(is_countable(head));
  EXPECT_FALSE(is_countable(get("/go/x", {{"User-Agent", "Googlebot"}})));
  EXPECT_FALSE(is_countable(get("/go/x", {{"Purpose", "prefetch"}})));
  EXPECT_FALSE(is_countable(get("/go/x", {{"Sec-Purpose", "prefetch;prerender"}})));
  EXPECT_FALSE(is_countable(get("/go/x", {{"X-Moz", "prefetch"}})));
}

class ReaderSite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto g = content::load_guide(content::default_pack());
    ASSERT_TRUE(g.ok()) << g.message();
    guide_ = new content::guide(*g);
    snapshot_ = render::build_snapshot(*guide_, 1);
  }
  static void TearDownTestSuite() {
    delete guide_;
    snapshot_.reset();
  }
  void SetUp() override { holder_.swap_in(snapshot_); }
  static std::string header(const http::response& r, const std::string& name) {
    return std::string(r.header_value(name));
  }
  static content::guide* guide_;
  static std::shared_ptr<const render::snapshot> snapshot_;
  snapshot_holder holder_;
  std::vector<std::string> clicks_, hosts_, views_;
  bool database_ok_ = true;
  std::int64_t dropped_ = 0;
  bool counts_failing_ = false;
  reader_site site_{
      holder_, sinks{[this](const std::string& s, const std::string& h) {
                       clicks_.push_back(s);
                       hosts_.push_back(h);
                     },
                     nullptr, [this](const std::string& p) { views_.push_back(p); }, [this] { return database_ok_; },
                     [this] { return dropped_; }, [this] { return counts_failing_; }}};
};

content::guide* ReaderSite::guide_ = nullptr;
std::shared_ptr<const render::snapshot> ReaderSite::snapshot_;

TEST_F(ReaderSite, GoRedirectsToTheRegisteredAddressAndCounts) {
  auto r = site_.handle(get("/go/disa"));
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(header(r, "Location"), guide_->find_resource("disa")->url);
  EXPECT_EQ(header(r, "Cache-Control"), "no-store");
  EXPECT_EQ(clicks_, std::vector<std::string>{"disa"});
}

TEST_F(ReaderSite, GoNeverRedirectsAnywhereElse) {
  for (const char* path : {"/go/", "/go/okand", "/go/%2F%2Fevil.example", "/go/..%2F", "/go//evil.example", "/go/disa/",
                           "/go/DISA", "/go/disa%00", "/go/https://evil.example"}) {
    auto r = site_.handle(get(path));
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(header(r, "Location"), "") << path;
  }
  EXPECT_TRUE(clicks_.empty());
}

TEST_F(ReaderSite, QueryStringCannotChangeTheDestination) {
  auto r = site_.handle(get("/go/disa?url=https://evil.example"));
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(header(r, "Location"), guide_->find_resource("disa")->url);
}

TEST_F(ReaderSite, HeadAndBotsAreRedirectedButNotCounted) {
  auto head = get("/go/disa");
  head.method = http::method::head;
  EXPECT_EQ(site_.handle(head).status, 302);
  EXPECT_EQ(site_.handle(get("/go/disa", {{"User-Agent", "Googlebot/2.1"}})).status, 302);
  EXPECT_TRUE(clicks_.empty());
}

TEST_F(ReaderSite, CountsTheHostOfAFollowedLink) {
  ASSERT_EQ(site_.handle(get("/go/disa")).status, 302);
  ASSERT_EQ(hosts_.size(), 1u);
  EXPECT_EQ(hosts_[0], content::url_host(guide_->find_resource("disa")->url));
}

TEST_F(ReaderSite, CountsViewsOfReaderPagesAnswered200Or304Only) {
  auto first = site_.handle(get("/kategorier"));
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(site_.handle(get("/kategorier", {{"If-None-Match", header(first, "ETag")}})).status, 304);
  auto head = get("/kategorier");
  head.method = http::method::head;
  site_.handle(head);
  site_.handle(get("/kategorier", {{"User-Agent", "Mozilla/5.0 (compatible; bingbot/2.0)"}}));
  site_.handle(get("/kategorier", {{"Sec-Purpose", "prefetch"}}));
  site_.handle(get("/finns-inte"));
  site_.handle(get("/kategorier/"));  // 301 to /kategorier
  site_.handle(get(snapshot_->css_path));
  site_.handle(get("/sok", {}));
  EXPECT_EQ(views_, (std::vector<std::string>{"/kategorier", "/kategorier", "/sok"}));
}

TEST_F(ReaderSite, CampaignTagsOnlyOnOwnerDomainLinksAndOnlyWhenOn) {
  content::guide g = *guide_;
  g.site.owner_domains = {"mcf.se"};
  g.site.texts["utm_source"] = "cyberguide";
  g.site.texts["utm_medium"] = "referral";
  g.site.texts["utm_campaign"] = "guide";
  content::resource* owner = nullptr;
  content::resource* other = nullptr;
  for (auto& r : g.resources) {
    if (!owner && content::is_owner_host(content::url_host(r.url), g.site.owner_domains)) owner = &r;
    if (!other && !content::is_owner_host(content::url_host(r.url), g.site.owner_domains)) other = &r;
  }
  ASSERT_TRUE(owner && other);
  owner->url = "https://www.mcf.se/sida?utm_source=egen";
  std::string owner_slug = owner->slug, other_slug = other->slug, other_url = other->url;
  g.site.texts["campaign_tags"] = "";
  holder_.swap_in(render::build_snapshot(g, 2));
  EXPECT_EQ(header(site_.handle(get("/go/" + owner_slug)), "Location"), "https://www.mcf.se/sida?utm_source=egen");
  g.site.texts["campaign_tags"] = "on";
  holder_.swap_in(render::build_snapshot(g, 3));
  EXPECT_EQ(header(site_.handle(get("/go/" + owner_slug)), "Location"),
            "https://www.mcf.se/sida?utm_source=egen&utm_medium=referral&utm_campaign=guide");
  EXPECT_EQ(header(site_.handle(get("/go/" + other_slug)), "Location"), other_url);
}

TEST_F(ReaderSite, ConditionalGetAnswers304WithoutBody) {
  auto first = site_.handle(get("/", {{"Accept-Encoding", "br"}}));
  ASSERT_EQ(first.status, 200);
  std::string etag = header(first, "ETag");
  ASSERT_FALSE(etag.empty());
  std::string inm = etag;
  auto again = site_.handle(get("/", {{"Accept-Encoding", "br"}, {"If-None-Match", inm}}));
  EXPECT_EQ(again.status, 304);
  EXPECT_EQ(again.body(), "");
  EXPECT_EQ(header(again, "ETag"), etag);
  // The gzip representation has its own ETag, so the br one does not validate it.
  auto gz = site_.handle(get("/", {{"Accept-Encoding", "gzip"}, {"If-None-Match", inm}}));
  EXPECT_EQ(gz.status, 200);
  EXPECT_NE(header(gz, "ETag"), etag);
}

TEST_F(ReaderSite, UnknownPathsGetTheSwedish404) {
  auto r = site_.handle(get("/finns-inte"));
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(std::string(r.body()).find("Sidan finns inte"), std::string::npos);
  EXPECT_EQ(header(r, "Content-Type"), "text/html; charset=utf-8");
}

TEST_F(ReaderSite, TrailingSlashRedirectsToTheCanonicalPath) {
  auto r = site_.handle(get("/kategorier/rapporter/"));
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(header(r, "Location"), "/kategorier/rapporter");
  EXPECT_EQ(site_.handle(get("//evil.example/")).status, 404);
}

TEST_F(ReaderSite, OtherMethodsAre405WithAllow) {
  auto r = get("/");
  r.method = http::method::post;
  r.method_name = "POST";
  auto resp = site_.handle(r);
  EXPECT_EQ(resp.status, 405);
  EXPECT_EQ(header(resp, "Allow"), "GET, HEAD");
}

TEST_F(ReaderSite, HealthzSaysOk) {
  auto r = site_.handle(get("/healthz"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body(), "ok\n");
}

TEST_F(ReaderSite, HealthzTellsWhenTheDatabaseIsAwayAndCountsWereDropped) {
  database_ok_ = false;
  auto r = site_.handle(get("/healthz"));
  EXPECT_EQ(r.status, 200);  // pages are still served: a load balancer keeps sending readers
  EXPECT_EQ(r.body(), "ok\ndatabase unavailable\n");
  dropped_ = 7;
  EXPECT_EQ(site_.handle(get("/healthz")).body(), "ok\ndatabase unavailable\ncounts dropped 7\n");
  database_ok_ = true;
  dropped_ = 0;
  EXPECT_EQ(site_.handle(get("/healthz")).body(), "ok\n");
}

TEST_F(ReaderSite, HealthzTellsWhenCountsCannotBeWritten) {
  counts_failing_ = true;  // the database reads but refuses writes (disk full, read-only)
  EXPECT_EQ(site_.handle(get("/healthz")).body(), "ok\ncounts not written\n");
  counts_failing_ = false;
  EXPECT_EQ(site_.handle(get("/healthz")).body(), "ok\n");
}

}  // namespace
}  // namespace cg::site
