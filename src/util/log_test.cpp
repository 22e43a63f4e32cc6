#include "util/log.hpp"

#include <gtest/gtest.h>

namespace cg::log {
namespace {

TEST(JsonEscape, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(json_escape("a\"b\\c"), "a\\\"b\\\\c");
  EXPECT_EQ(json_escape("x\r\n{\"level\":\"error\"}"), "x\\r\\n{\\\"level\\\":\\\"error\\\"}");
  EXPECT_EQ(json_escape(std::string_view("\x1b[31m\t\x00\x7f", 8)), "\\u001b[31m\\t\\u0000\\u007f");
}

TEST(JsonEscape, EscapesC1ControlsAndKeepsOtherUtf8) {
  EXPECT_EQ(json_escape("\xc2\x9b"
                        "31m\xc2\x85"),
            "\\u009b31m\\u0085");
  EXPECT_EQ(json_escape("Myndigheten för civilt försvar – ✓ 😀"), "Myndigheten för civilt försvar – ✓ 😀");
}

TEST(JsonEscape, ReplacesBytesThatAreNotUtf8) {
  EXPECT_EQ(json_escape("\xff\xfe"), "\\ufffd\\ufffd");
  EXPECT_EQ(json_escape("\xc3\x28"), "\\ufffd(");                              // lead byte without continuation
  EXPECT_EQ(json_escape("\xc0\xaf"), "\\ufffd\\ufffd");                        // overlong '/'
  EXPECT_EQ(json_escape("\xed\xa0\x80"), "\\ufffd\\ufffd\\ufffd");             // a surrogate
  EXPECT_EQ(json_escape("\xf4\x90\x80\x80"), "\\ufffd\\ufffd\\ufffd\\ufffd");  // above U+10FFFF
  EXPECT_EQ(json_escape("ok\xe2\x82"), "ok\\ufffd\\ufffd");                    // cut short at the end
}

}  // namespace
}  // namespace cg::log
