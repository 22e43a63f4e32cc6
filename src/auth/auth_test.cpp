#include "auth/auth.hpp"

#include <gtest/gtest.h>

namespace cg::auth {
namespace {

using namespace std::chrono_literals;

TEST(Password, RulesCountCharactersNotBytes) {
  init();
  EXPECT_EQ(password_problem("kort"), "Lösenordet måste ha minst 12 tecken.");
  EXPECT_EQ(password_problem("åäöåäöåäöåä"), "Lösenordet måste ha minst 12 tecken.");  // 11 chars, 22 bytes
  EXPECT_EQ(password_problem("åäöåäöåäöåäö"), std::nullopt);
  EXPECT_EQ(password_problem(std::string(256, 'x')), std::nullopt);
  EXPECT_EQ(password_problem(std::string(257, 'x')), "Lösenordet får ha högst 256 tecken.");
  EXPECT_EQ(password_problem("abcdefghijk\xff"), "Lösenordet innehåller tecken som inte är giltig UTF-8.");
  EXPECT_EQ(password_problem("abcdefghijk\n"), "Lösenordet får inte innehålla styrtecken.");
}

TEST(Password, HashesAreSaltedArgon2idAndNeverTruncate) {
  init();
  std::string pw(200, 'a');
  std::string h1 = hash_password(pw), h2 = hash_password(pw);
  EXPECT_EQ(h1.rfind("$argon2id$", 0), 0u);
  EXPECT_NE(h1, h2);
  EXPECT_TRUE(verify_password(h1, pw));
  EXPECT_FALSE(verify_password(h1, std::string(199, 'a')));
  EXPECT_FALSE(verify_password(h1, std::string(200, 'a') + "b"));
  EXPECT_FALSE(verify_password("", pw));
}

TEST(Tokens, AreRandomHexAndHashed) {
  init();
  std::string a = random_token(), b = random_token();
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, b);
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(constant_time_equals("abc", "abc"));
  EXPECT_FALSE(constant_time_equals("abc", "abd"));
  EXPECT_FALSE(constant_time_equals("abc", "ab"));
}

TEST(ClientKey, GroupsIpv6ByItsSlash64) {
  EXPECT_EQ(client_key("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(client_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
  EXPECT_EQ(client_key("2001:db8:1:2:1::1"), "2001:db8:1:2::/64");
}

TEST(Usernames, AreShortLowercaseAscii) {
  EXPECT_TRUE(is_valid_username("anna.berg"));
  EXPECT_FALSE(is_valid_username("a"));
  EXPECT_FALSE(is_valid_username("Anna"));
  EXPECT_FALSE(is_valid_username("anna berg"));
}

TEST(LoginThrottle, GrowingDelayPerClientAfterThreeFailures) {
  login_throttle t;
  auto now = login_throttle::clock::time_point{} + 1000h;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(t.admit("anna", "1.2.3.4", now), 0);
    t.failed("1.2.3.4", now);
  }
  EXPECT_EQ(t.admit("anna", "1.2.3.4", now), 1);
  EXPECT_EQ(t.admit("anna", "5.6.7.8", now), 0);  // another client is not delayed
  now += 1s;
  EXPECT_EQ(t.admit("anna", "1.2.3.4", now), 0);
  t.failed("1.2.3.4", now);
  EXPECT_EQ(t.admit("anna", "1.2.3.4", now), 2);
  t.succeeded("1.2.3.4");
  EXPECT_EQ(t.admit("anna", "1.2.3.4", now), 0);
}

TEST(LoginThrottle, AtMostAHundredChecksPerAccountPerHour) {
  login_throttle t;
  auto now = login_throttle::clock::time_point{} + 1000h;
  for (int i = 0; i < 100; ++i) ASSERT_EQ(t.admit("anna", "c" + std::to_string(i), now + std::chrono::seconds(i)), 0);
  EXPECT_GT(t.admit("anna", "another", now + 200s), 0);
  EXPECT_EQ(t.admit("bo", "another", now + 200s), 0);  // other accounts keep working
  EXPECT_EQ(t.admit("anna", "another", now + 1h + 1s), 0);
}

}  // namespace
}  // namespace cg::auth
