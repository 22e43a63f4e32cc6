#pragma once
// Configuration: command-line flags first, then CYBERGUIDE_* environment variables, then a TOML file
// given with --config, then built-in defaults. Pure: the environment and the file are passed in.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace cg::app {

struct setting {
  const char* key;   // TOML key and flag name with '_' for '-': "flush_interval_ms" ↔ --flush-interval-ms
  const char* env;   // environment variable
  const char* def;   // default value as text
  const char* help;  // one line for --help
};

// Every setting of the program, in --help order.
const std::vector<setting>& settings();

struct config {
  std::string listen;  // address to listen on
  unsigned short port = 8080;
  std::string data;      // data directory
  std::string database;  // store URL; default sqlite:<data>/cyberguide.db
  std::string content;   // content pack folder for the first start; empty: the built-in guide
  unsigned threads = 0;
  unsigned flush_interval_ms = 1000;
  unsigned poll_interval_ms = 1000;
  unsigned read_timeout_ms = 10000;       // a begun request must arrive whole within this
  unsigned idle_timeout_ms = 30000;       // keep-alive wait for the next request
  unsigned max_connections = 0;           // 0: from the open-file limit
  unsigned max_connections_per_ip = 256;  // 0: no limit
  std::string public_url;                 // https://… turns on HSTS and secure cookies
  bool trust_forwarded_for = false;
  unsigned session_idle_minutes = 30;
  unsigned session_max_hours = 12;
  bool access_log = true;
  std::string log_level;  // debug | info | warn | error
  bool secure() const { return public_url.rfind("https://", 0) == 0; }
};

using env_lookup = std::function<std::optional<std::string>(const std::string&)>;

// flags: values given on the command line, by setting key. toml_text: contents of the --config file
// (empty when none). Errors name the setting and what is wrong.
result<config> resolve(const std::map<std::string, std::string>& flags, const env_lookup& env,
                       const std::string& toml_text, const std::string& toml_name = "config");

}  // namespace cg::app
