#include "admin/editing.hpp"

#include <gtest/gtest.h>

#include "content/pack.hpp"

namespace cg::admin {
namespace {

content::guide default_guide() {
  auto g = content::load_guide(content::default_pack());
  EXPECT_TRUE(g.ok());
  return *g;
}

std::string message_for(const field_errors& e, const std::string& field) {
  for (const auto& [f, m] : e)
    if (f == field) return m;
  return {};
}

TEST(ApplyResource, SavesAValidEdit) {
  auto g = default_guide();
  form f = resource_form(*g.find_resource("disa"));
  f.set("title", "Disa – ny titel");
  f.set("url", "https://www.mcf.se/disa");
  EXPECT_TRUE(apply_resource(g, "disa", f).empty());
  EXPECT_EQ(g.find_resource("disa")->title, "Disa – ny titel");
  EXPECT_EQ(g.find_resource("disa")->url, "https://www.mcf.se/disa");
}

TEST(ApplyResource, RefusesUnsafeOrRelativeAddressesAndLeavesTheGuideAlone) {
  for (const char* bad : {"javascript:alert(1)", "data:text/html,x", "/relativ", "www.mcf.se", "https://"}) {
    auto g = default_guide();
    form f = resource_form(*g.find_resource("disa"));
    f.set("url", bad);
    auto e = apply_resource(g, "disa", f);
    EXPECT_EQ(message_for(e, "url"),
              "Adressen måste vara en fullständig webbadress som börjar med https:// eller http://, till exempel "
              "https://www.mcf.se/.")
        << bad;
    EXPECT_NE(g.find_resource("disa")->url, bad);
  }
}

TEST(ApplyResource, NamesEveryProblemOfANewResource) {
  auto g = default_guide();
  form f = form::parse(
      "slug=Ny+Resurs&title=&publisher=okand&category=rapporter&level=ledningsniva&order=x&cost=gratis&year=20");
  auto e = apply_resource(g, "", f);
  EXPECT_EQ(message_for(e, "title"), "Fyll i titel.");
  EXPECT_EQ(message_for(e, "slug"),
            "Slugen får bara innehålla små bokstäver a–z, siffror och enstaka bindestreck, till exempel "
            "kurs-for-chefer.");
  EXPECT_EQ(message_for(e, "publisher"), "Välj en utgivare.");
  EXPECT_EQ(message_for(e, "level"),
            "Kategorin Rapporter har inte den nivån. Välj en annan nivå eller ändra kategorin.");
  EXPECT_EQ(message_for(e, "order"), "Ordningen måste vara ett heltal från -100000 till 100000, till exempel 10.");
  EXPECT_EQ(message_for(e, "url"), "Fyll i adressen.");
  EXPECT_EQ(message_for(e, "cost"), "Välj en kostnad.");
  EXPECT_EQ(message_for(e, "year"), "Året måste vara ett heltal från 1900 till 2100, till exempel 2024.");
  EXPECT_EQ(g.resources.size(), default_guide().resources.size());
}

TEST(ApplyResource, RefusesADuplicateSlugAndRenamesStartPicksWithTheSlug) {
  auto g = default_guide();
  form f = resource_form(*g.find_resource("cybersakerhetskollen"));
  f.set("slug", "disa");
  EXPECT_EQ(message_for(apply_resource(g, "cybersakerhetskollen", f), "slug"),
            "Det finns redan en resurs med slugen disa. Välj en annan.");
  f.set("slug", "cybersakerhetskollen-2");
  EXPECT_TRUE(apply_resource(g, "cybersakerhetskollen", f).empty());
  bool picked = false;
  for (const auto& p : g.site.start_picks) picked = picked || p.resource == "cybersakerhetskollen-2";
  EXPECT_TRUE(picked);
}

TEST(ApplyPublisher, OneEditRenamesThePublisherOfEveryResource) {
  auto g = default_guide();
  form f = publisher_form(*g.find_publisher("mcf"));
  f.set("name", "Nytt myndighetsnamn");
  EXPECT_TRUE(apply_publisher(g, "mcf", f).empty());
  EXPECT_EQ(g.find_publisher("mcf")->name, "Nytt myndighetsnamn");
  EXPECT_EQ(g.find_publisher("mcf")->former_names.front(), "MSB");
}

TEST(RemovePublisher, IsRefusedWhileResourcesUseIt) {
  auto g = default_guide();
  auto e = remove_publisher(g, "mcf");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].second.rfind("Utgivaren har resurser", 0), 0u);
  EXPECT_NE(g.find_publisher("mcf"), nullptr);
}

TEST(ApplyCategory, MovesToTheAskedPositionAndKeepsLevelOrder) {
  auto g = default_guide();
  form f = category_form(g, *g.find_category("kontaktvagar"));
  f = form::parse("slug=kontaktvagar&name=Kontaktv%C3%A4gar&position=1&levels=fordjupad-niva&levels=grundniva");
  EXPECT_TRUE(apply_category(g, "kontaktvagar", f).empty());
  EXPECT_EQ(g.categories.front().slug, "kontaktvagar");
  EXPECT_EQ(g.categories.front().levels, (std::vector<std::string>{"grundniva", "fordjupad-niva"}));
}

TEST(ApplyCategory, CannotDropALevelThatHasResources) {
  auto g = default_guide();
  form f = form::parse("slug=rapporter&name=Rapporter&position=1&levels=grundniva");
  auto e = apply_category(g, "rapporter", f);
  EXPECT_NE(message_for(e, "levels").find("ligger på en nivå du tog bort"), std::string::npos);
}

TEST(ApplyStartPicks, KeepsOrderAndRefusesDuplicates) {
  auto g = default_guide();
  form f = form::parse("resource_1=cybersakerhetskollen&text_1=A&resource_2=disa&text_2=B&resource_3=");
  EXPECT_TRUE(apply_start_picks(g, f).empty());
  ASSERT_EQ(g.site.start_picks.size(), 2u);
  EXPECT_EQ(g.site.start_picks[0].resource, "cybersakerhetskollen");
  EXPECT_EQ(g.site.start_picks[1].text_md, "B");
  form dup = form::parse("resource_1=disa&resource_2=disa");
  EXPECT_EQ(message_for(apply_start_picks(g, dup), "resource_2"), "Resursen är redan vald. Välj en annan för val 2.");
}

TEST(ReplaceAddressPrefix, RewritesResourcesAndHomePages) {
  auto g = default_guide();
  int before = 0;
  for (const auto& r : g.resources) before += r.url.rfind("https://www.msb.se/", 0) == 0;
  ASSERT_GT(before, 0);
  auto [errors, n] = replace_address_prefix(g, form::parse("from=https://www.msb.se/&to=https://www.mcf.se/"));
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(n, before);
  for (const auto& r : g.resources) EXPECT_EQ(r.url.rfind("https://www.msb.se/", 0), std::string::npos);
  auto [again, none] = replace_address_prefix(g, form::parse("from=https://www.msb.se/&to=https://www.mcf.se/"));
  EXPECT_EQ(none, 0);
  EXPECT_EQ(message_for(again, "from"), "Ingen adress börjar med https://www.msb.se/.");
  auto [bad, zero] = replace_address_prefix(g, form::parse("from=https://www.mcf.se/&to=javascript:alert(1)"));
  EXPECT_FALSE(message_for(bad, "to").empty());
}

TEST(ApplySettings, TakesOneDomainPerLine) {
  auto g = default_guide();
  EXPECT_TRUE(apply_settings(g, form::parse("owner_domains=MCF.se%0D%0Amsb.se%0A%0A")).empty());
  EXPECT_EQ(g.site.owner_domains, (std::vector<std::string>{"mcf.se", "msb.se"}));
  EXPECT_FALSE(apply_settings(g, form::parse("owner_domains=https://mcf.se/")).empty());
}

TEST(ApplySettings, CampaignTagsNeedSafeValuesWhenOn) {
  auto g = default_guide();
  EXPECT_TRUE(apply_settings(g, form::parse("owner_domains=mcf.se&campaign_tags=1&utm_source=cyberguide&utm_medium="
                                            "referral&utm_campaign=guide-2026"))
                  .empty());
  EXPECT_EQ(g.site.text("campaign_tags"), "on");
  EXPECT_EQ(g.site.text("utm_campaign"), "guide-2026");
  auto before = g;
  auto errors = apply_settings(g, form::parse("owner_domains=mcf.se&campaign_tags=1&utm_source=&utm_medium=a%26b"
                                              "&utm_campaign=x"));
  EXPECT_FALSE(message_for(errors, "utm_source").empty());
  EXPECT_FALSE(message_for(errors, "utm_medium").empty());
  EXPECT_EQ(g.site.text("utm_campaign"), before.site.text("utm_campaign"));  // refused: nothing changed
  EXPECT_TRUE(apply_settings(g, form::parse("owner_domains=mcf.se&utm_source=&utm_medium=&utm_campaign=")).empty());
  EXPECT_EQ(g.site.text("campaign_tags"), "");  // off: the values may be empty
}

TEST(Fields, ShowWhatWasTypedAndTheErrors) {
  auto g = default_guide();
  form typed = form::parse("title=%3Cscript%3E&url=javascript:x");
  auto fields = resource_fields(g, typed);
  attach_errors(fields, {{"url", "Fel adress."}});
  for (const auto& f : fields) {
    if (f.name == "title") {
      EXPECT_EQ(f.value, "<script>");
    }
    if (f.name == "url") {
      EXPECT_EQ(f.value, "javascript:x");
      EXPECT_EQ(f.error, "Fel adress.");
    }
  }
}

}  // namespace
}  // namespace cg::admin
