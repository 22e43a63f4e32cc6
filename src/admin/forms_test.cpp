#include "admin/forms.hpp"

#include <gtest/gtest.h>

namespace cg::admin {
namespace {

TEST(Form, DecodesValuesAndRepeatedNames) {
  form f = form::parse("title=%C3%85rsrapport+2024&levels=grundniva&levels=ledningsniva&empty=&flag&x=a%2Bb%26c");
  EXPECT_EQ(f.get("title"), "Årsrapport 2024");
  EXPECT_EQ(f.all("levels"), (std::vector<std::string>{"grundniva", "ledningsniva"}));
  EXPECT_EQ(f.get("empty"), "");
  EXPECT_TRUE(f.has("flag"));
  EXPECT_EQ(f.get("x"), "a+b&c");
  EXPECT_EQ(f.get("missing"), "");
}

TEST(Form, NormalizesNewlinesAndDropsNul) {
  form f = form::parse("text=rad1%0D%0Arad2%0Drad3&nul=a%00b");
  EXPECT_EQ(f.get("text"), "rad1\nrad2\nrad3");
  EXPECT_EQ(f.get("nul"), "ab");
}

TEST(Form, DropsRawNulToo) {
  EXPECT_EQ(url_decode(std::string_view("a\0b%00c", 8)), "abc");
}

TEST(Form, TellsWhetherEveryNameAndValueIsUtf8) {
  EXPECT_TRUE(form::parse("title=S%C3%A4kerhet&x=%E2%9C%93").valid_utf8());
  EXPECT_FALSE(form::parse("title=Disa%FF").valid_utf8());    // found by fuzz_forms: a draft that
  EXPECT_FALSE(form::parse("ok=1&%C3=a").valid_utf8());       // could not be read back
  EXPECT_FALSE(form::parse("title=%ED%A0%80").valid_utf8());  // a surrogate
  EXPECT_FALSE(form::parse("title=%C0%AF").valid_utf8());     // overlong
}

TEST(Form, KeepsBrokenEscapes) {
  EXPECT_EQ(url_decode("100%"), "100%");
  EXPECT_EQ(url_decode("%zz"), "%zz");
  EXPECT_EQ(url_decode("%4"), "%4");
}

TEST(Cookie, FindsTheNamedValue) {
  EXPECT_EQ(cookie_value("a=1; cg_session=abc; b=2", "cg_session"), "abc");
  EXPECT_EQ(cookie_value("xcg_session=abc", "cg_session"), "");
  EXPECT_EQ(cookie_value("", "cg_session"), "");
}

TEST(SameOrigin, NeedsAPositiveSignAndNoCrossSiteOne) {
  const char* o = "http://127.0.0.1:8080";
  EXPECT_TRUE(same_origin(o, "", o));
  EXPECT_TRUE(same_origin("", "same-origin", o));
  EXPECT_TRUE(same_origin(o, "same-origin", o));
  EXPECT_FALSE(same_origin("", "", o));
  EXPECT_FALSE(same_origin("https://evil.example", "", o));
  EXPECT_FALSE(same_origin("", "cross-site", o));
  EXPECT_FALSE(same_origin(o, "same-site", o));
  EXPECT_FALSE(same_origin("null", "", o));
}

}  // namespace
}  // namespace cg::admin
