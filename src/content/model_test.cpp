#include "content/model.hpp"

#include <gtest/gtest.h>

#include "content/pack.hpp"

namespace cg::content {
namespace {

guide small_guide() {
  guide g;
  g.site.texts["title"] = "Guide";
  g.site.owner_domains = {"mcf.se"};
  g.levels = {{"grundniva", "Grundnivå", "För nya."}, {"fordjupad-niva", "Fördjupad nivå", "För vana."}};
  g.publishers = {{"mcf", "MCF", "Myndigheten för civilt försvar", {"MSB"}, "https://www.mcf.se/"}};
  g.categories = {{"rapporter", "Rapporter", "Läsning.", "Intro.", {"grundniva"}}};
  resource r;
  r.slug = "arsrapport";
  r.title = "Årsrapport";
  r.publisher = "mcf";
  r.category = "rapporter";
  r.level = "grundniva";
  r.url = "https://www.mcf.se/rapport";
  g.resources.push_back(r);
  g.site.start_picks = {{"arsrapport", "Börja här."}};
  return g;
}

TEST(Slug, AcceptsLowercaseAsciiWithSingleHyphens) {
  EXPECT_TRUE(is_valid_slug("fordjupad-niva"));
  EXPECT_TRUE(is_valid_slug("nis2"));
  EXPECT_FALSE(is_valid_slug(""));
  EXPECT_FALSE(is_valid_slug("Rapporter"));
  EXPECT_FALSE(is_valid_slug("fördjupad"));
  EXPECT_FALSE(is_valid_slug("a--b"));
  EXPECT_FALSE(is_valid_slug("-a"));
  EXPECT_FALSE(is_valid_slug("a-"));
  EXPECT_FALSE(is_valid_slug("a/b"));
  EXPECT_FALSE(is_valid_slug(".."));
}

TEST(Url, AcceptsOnlyAbsoluteHttpAddressesWithAHost) {
  EXPECT_TRUE(is_valid_url("https://www.mcf.se/"));
  EXPECT_TRUE(is_valid_url("http://example.se/a?b=c#d"));
  EXPECT_FALSE(is_valid_url("javascript:alert(1)"));
  EXPECT_FALSE(is_valid_url("//evil.example/"));
  EXPECT_FALSE(is_valid_url("https:///path"));
  EXPECT_FALSE(is_valid_url("https://user@evil.example/"));
  EXPECT_FALSE(is_valid_url("https://a.se/with space"));
  EXPECT_FALSE(is_valid_url("https://a.se/\r\nSet-Cookie: x"));
  EXPECT_FALSE(is_valid_url("ftp://a.se/"));
}

TEST(Validate, AValidGuideHasNoProblems) {
  EXPECT_TRUE(validate(small_guide()).empty());
}

TEST(Validate, NamesEachBrokenReferenceInSwedish) {
  guide g = small_guide();
  g.resources[0].publisher = "okand";
  g.resources[0].level = "ledningsniva";
  g.site.start_picks.push_back({"saknas", ""});
  auto p = validate(g);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0], "Resursen \u201darsrapport\u201d anger utgivaren \u201dokand\u201d som inte finns.");
  EXPECT_EQ(p[1],
            "Resursen \u201darsrapport\u201d ligger på nivån \u201dledningsniva\u201d som kategorin "
            "\u201drapporter\u201d inte erbjuder.");
  EXPECT_EQ(p[2], "Startpunkten \u201dsaknas\u201d pekar på en resurs som inte finns.");
}

TEST(Validate, RejectsDuplicateSlugsAndBadAddresses) {
  guide g = small_guide();
  g.resources.push_back(g.resources[0]);
  g.resources[1].url = "javascript:alert(1)";
  auto p = validate(g);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0], "Resursen \u201darsrapport\u201d finns mer än en gång.");
  EXPECT_NE(p[1].find("ingen giltig webbadress"), std::string::npos);
}

TEST(Validate, CategoryAndLevelGoTogether) {
  guide g = small_guide();
  g.resources[0].level = "";
  auto p = validate(g);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0], "Resursen \u201darsrapport\u201d ska ha både kategori och nivå, eller ingen av dem.");
}

TEST(Pack, WriteThenParseGivesTheSameGuide) {
  guide g = small_guide();
  g.resources[0].description_md = "Första raden.\n\nAndra stycket med \"citat\" och \\ snedstreck.";
  g.resources[0].year = 2024;
  g.resources[0].cost = cost::free;
  g.resources[0].editor_note = "Kolla adressen.";
  g.callouts = {{"/", "Viktigt", "Text."}};
  auto files = write_pack(g);
  auto back = parse_pack(files);
  ASSERT_TRUE(back.ok()) << back.message();
  EXPECT_EQ(write_pack(*back), files);
  EXPECT_EQ(back->resources[0].description_md, g.resources[0].description_md);
  EXPECT_EQ(back->resources[0].year, 2024);
  EXPECT_EQ(back->resources[0].cost, cost::free);
  EXPECT_EQ(back->publishers[0].former_names, std::vector<std::string>{"MSB"});
}

TEST(Pack, ParseErrorsNameTheFileAndLine) {
  auto files = write_pack(small_guide());
  files["resources/arsrapport.toml"] = "slug = \"arsrapport\"\ntitle = \"x\"\nurl = \n";
  auto r = parse_pack(files);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message().rfind("Filen resources/arsrapport.toml, rad 3: ogiltig TOML", 0), 0u) << r.message();
}

TEST(Pack, SlugMustMatchTheFileName) {
  auto files = write_pack(small_guide());
  files["resources/annat.toml"] = files["resources/arsrapport.toml"];
  auto r = parse_pack(files);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.message().find("ska vara samma som filnamnet (annat)"), std::string::npos) << r.message();
}

TEST(Pack, UnknownCostIsRefused) {
  auto files = write_pack(small_guide());
  auto& f = files["resources/arsrapport.toml"];
  f.replace(f.find("cost = \"unknown\""), 16, "cost = \"gratis\"");
  auto r = parse_pack(files);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.message().find("cost ska vara free, paid eller unknown"), std::string::npos) << r.message();
}

TEST(Pack, MissingFileIsNamed) {
  auto files = write_pack(small_guide());
  files.erase("levels.toml");
  auto r = parse_pack(files);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "Filen levels.toml saknas i innehållspaketet.");
}

// The default guide compiled into the binary: the seed's structure, real addresses.
TEST(DefaultPack, IsValidAndHoldsEverySeedResource) {
  auto g = load_guide(default_pack());
  ASSERT_TRUE(g.ok()) << g.message();
  EXPECT_EQ(g->resources.size(), 51u);
  EXPECT_EQ(g->categories.size(), 6u);
  EXPECT_EQ(g->levels.size(), 3u);
  EXPECT_EQ(g->site.start_picks.size(), 3u);
  std::map<std::pair<std::string, std::string>, int> per_page;
  for (const auto& r : g->resources) ++per_page[{r.category, r.level}];
  EXPECT_EQ((per_page[{"rapporter", "grundniva"}]), 5);
  EXPECT_EQ((per_page[{"rapporter", "fordjupad-niva"}]), 6);
  EXPECT_EQ((per_page[{"utbildningar", "grundniva"}]), 4);
  EXPECT_EQ((per_page[{"utbildningar", "fordjupad-niva"}]), 8);
  EXPECT_EQ((per_page[{"utbildningar", "ledningsniva"}]), 1);
  EXPECT_EQ((per_page[{"vagledningar", "grundniva"}]), 1);
  EXPECT_EQ((per_page[{"vagledningar", "fordjupad-niva"}]), 7);
  EXPECT_EQ((per_page[{"vagledningar", "ledningsniva"}]), 1);
  EXPECT_EQ((per_page[{"matverktyg", "grundniva"}]), 1);
  EXPECT_EQ((per_page[{"matverktyg", "fordjupad-niva"}]), 1);
  EXPECT_EQ((per_page[{"matverktyg", "ledningsniva"}]), 1);
  EXPECT_EQ((per_page[{"verksamhetsstod", "grundniva"}]), 1);
  EXPECT_EQ((per_page[{"verksamhetsstod", "fordjupad-niva"}]), 3);
  EXPECT_EQ((per_page[{"verksamhetsstod", "ledningsniva"}]), 1);
  EXPECT_EQ((per_page[{"kontaktvagar", "grundniva"}]), 1);
  EXPECT_EQ((per_page[{"kontaktvagar", "fordjupad-niva"}]), 4);
  EXPECT_EQ((per_page[{"", ""}]), 5);
  const publisher* mcf = g->find_publisher("mcf");
  ASSERT_NE(mcf, nullptr);
  EXPECT_EQ(mcf->name, "Myndigheten för civilt försvar");
  EXPECT_EQ(mcf->former_names.front(), "MSB");
}

}  // namespace
}  // namespace cg::content
