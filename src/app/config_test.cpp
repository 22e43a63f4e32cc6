#include "app/config.hpp"

#include <gtest/gtest.h>

namespace cg::app {
namespace {

env_lookup env_of(std::map<std::string, std::string> m) {
  return [m](const std::string& k) -> std::optional<std::string> {
    auto it = m.find(k);
    if (it == m.end()) return std::nullopt;
    return it->second;
  };
}

TEST(Config, DefaultsServeLocallyFromDataDir) {
  auto c = resolve({}, env_of({}), "");
  ASSERT_TRUE(c.ok()) << c.message();
  EXPECT_EQ(c->listen, "127.0.0.1");
  EXPECT_EQ(c->port, 8080);
  EXPECT_EQ(c->data, "./data");
  EXPECT_EQ(c->database, "sqlite:./data/cyberguide.db");
  EXPECT_EQ(c->flush_interval_ms, 1000u);
  EXPECT_FALSE(c->secure());
}

TEST(Config, FlagsBeatEnvironmentWhichBeatsTheFile) {
  std::string file = "port = 9000\ndata = \"/srv/file\"\nlisten = \"0.0.0.0\"\naccess_log = false\n";
  auto c = resolve({{"port", "7000"}}, env_of({{"CYBERGUIDE_PORT", "8000"}, {"CYBERGUIDE_DATA", "/srv/env"}}), file);
  ASSERT_TRUE(c.ok()) << c.message();
  EXPECT_EQ(c->port, 7000);
  EXPECT_EQ(c->data, "/srv/env");
  EXPECT_EQ(c->listen, "0.0.0.0");
  EXPECT_FALSE(c->access_log);
  EXPECT_EQ(c->database, "sqlite:/srv/env/cyberguide.db");
}

TEST(Config, ConnectionCapsHaveDefaultsAndAreChecked) {
  auto c = resolve({}, env_of({}), "");
  ASSERT_TRUE(c.ok()) << c.message();
  EXPECT_EQ(c->max_connections, 0u);  // from the open-file limit
  EXPECT_EQ(c->max_connections_per_ip, 256u);
  c = resolve({{"max_connections_per_ip", "0"}}, env_of({{"CYBERGUIDE_MAX_CONNECTIONS", "500"}}), "");
  ASSERT_TRUE(c.ok()) << c.message();
  EXPECT_EQ(c->max_connections, 500u);
  EXPECT_EQ(c->max_connections_per_ip, 0u);
  EXPECT_EQ(resolve({{"max_connections", "many"}}, env_of({}), "").message(),
            "max_connections: 'many' must be from 0 to 1000000");
  EXPECT_EQ(resolve({{"max_connections_per_ip", "-1"}}, env_of({}), "").message(),
            "max_connections_per_ip: '-1' must be from 0 to 1000000");
}

TEST(Config, BadValuesAreNamed) {
  EXPECT_EQ(resolve({{"port", "80x"}}, env_of({}), "").message(), "port: '80x' is not a TCP port (0–65535)");
  EXPECT_EQ(resolve({}, env_of({{"CYBERGUIDE_PORT", "70000"}}), "").message(),
            "port: '70000' is not a TCP port (0–65535)");
  EXPECT_EQ(resolve({}, env_of({}), "colour = \"blue\"\n", "site.toml").message(),
            "site.toml: unknown setting 'colour'");
  EXPECT_EQ(resolve({}, env_of({}), "port = [1]\n", "site.toml").message(),
            "site.toml: setting 'port' must be a string, integer or boolean");
  EXPECT_EQ(resolve({}, env_of({}), "port = \n", "site.toml").message().rfind("site.toml:1: invalid TOML", 0), 0u);
  EXPECT_FALSE(resolve({{"public_url", "guide.example.se"}}, env_of({}), "").ok());
}

TEST(Config, HttpsPublicUrlMeansSecure) {
  auto c = resolve({{"public_url", "https://guide.example.se"}}, env_of({}), "");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->secure());
}

}  // namespace
}  // namespace cg::app
