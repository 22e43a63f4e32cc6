#include "content/links.hpp"

#include <gtest/gtest.h>

namespace cg::content {
namespace {

TEST(Links, HostOfAnAddress) {
  EXPECT_EQ(url_host("https://www.MCF.se/sv/amnesomraden/"), "www.mcf.se");
  EXPECT_EQ(url_host("https://user:pw@mcf.se:8443/x?y#z"), "mcf.se");
  EXPECT_EQ(url_host("http://msb.se."), "msb.se");
  EXPECT_EQ(url_host("https://[2001:db8::1]:443/"), "[2001:db8::1]");
  EXPECT_EQ(url_host("mailto:cert@cert.se"), "");
}

TEST(Links, OwnerDomainsIncludeSubdomainsOnly) {
  std::vector<std::string> d = {"mcf.se", "msb.se"};
  EXPECT_TRUE(is_owner_host("mcf.se", d));
  EXPECT_TRUE(is_owner_host("www.msb.se", d));
  EXPECT_TRUE(is_owner_host("rib.msb.se", d));
  EXPECT_FALSE(is_owner_host("notmcf.se", d));
  EXPECT_FALSE(is_owner_host("mcf.se.example.com", d));
  EXPECT_FALSE(is_owner_host("www.cert.se", d));
  EXPECT_FALSE(is_owner_host("", d));
}

TEST(Links, CampaignTagsAreAddedKeepingTheAddresssOwnParameters) {
  campaign c{"cyberguide", "referral", "guide"};
  EXPECT_EQ(with_campaign_tags("https://www.mcf.se/a", c),
            "https://www.mcf.se/a?utm_source=cyberguide&utm_medium=referral&utm_campaign=guide");
  EXPECT_EQ(with_campaign_tags("https://www.mcf.se/a?x=1#del-2", c),
            "https://www.mcf.se/a?x=1&utm_source=cyberguide&utm_medium=referral&utm_campaign=guide#del-2");
  EXPECT_EQ(with_campaign_tags("https://www.mcf.se/a?utm_source=nyhetsbrev&x=1", c),
            "https://www.mcf.se/a?utm_source=nyhetsbrev&x=1&utm_medium=referral&utm_campaign=guide");
  EXPECT_EQ(with_campaign_tags("https://www.mcf.se/a?", c),
            "https://www.mcf.se/a?utm_source=cyberguide&utm_medium=referral&utm_campaign=guide");
  EXPECT_EQ(with_campaign_tags("https://www.mcf.se/a?xutm_source=1", c),
            "https://www.mcf.se/a?xutm_source=1&utm_source=cyberguide&utm_medium=referral&utm_campaign=guide");
  EXPECT_EQ(with_campaign_tags("https://www.mcf.se/a", campaign{"s", "", ""}), "https://www.mcf.se/a?utm_source=s");
  EXPECT_EQ(with_campaign_tags("https://www.mcf.se/a", campaign{}), "https://www.mcf.se/a");
}

}  // namespace
}  // namespace cg::content
