#include "http/message.hpp"

#include <gtest/gtest.h>

namespace cg::http {
namespace {

TEST(ValidHost, AcceptsNamesAddressesAndPorts) {
  for (const char* h :
       {"localhost", "guide.example", "guide.example.", "a-b_c~d.example", "127.0.0.1", "127.0.0.1:8080",
        "guide.example:443", "[::1]", "[::1]:8080", "[2001:db8::ffff:192.0.2.1]:80", "XN--KOMMUN-9XA.SE"})
    EXPECT_TRUE(valid_host(h)) << h;
}

TEST(ValidHost, RefusesWhatCouldMisleadPathsOrLogs) {
  for (const char* h : {"",
                        ":80",
                        "a/b",
                        "a\\b",
                        "..",
                        "a..b",
                        "user@a",
                        "a b",
                        "a\tb",
                        "a\x01"
                        "b",
                        "a\x7f",
                        "a%2fb",
                        "a:",
                        "a:http",
                        "a:123456",
                        "[::1",
                        "[]",
                        "[::1]x",
                        "[::1]:",
                        "[g::1]",
                        "a:80:80",
                        "\xc3\xa5.se"})
    EXPECT_FALSE(valid_host(h)) << h;
}

}  // namespace
}  // namespace cg::http
