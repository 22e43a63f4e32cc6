#include "app/config.hpp"

#include <toml++/toml.h>

#include <cctype>
#include <charconv>

namespace cg::app {

const std::vector<setting>& settings() {
  static const std::vector<setting> kSettings = {
      {"listen", "CYBERGUIDE_LISTEN", "127.0.0.1", "address to listen on"},
      {"port", "CYBERGUIDE_PORT", "8080", "TCP port (0: any free port, logged at start)"},
      {"data", "CYBERGUIDE_DATA", "./data", "data directory (SQLite database, backups)"},
      {"database", "CYBERGUIDE_DATABASE", "", "database URL; default sqlite:<data>/cyberguide.db"},
      {"content", "CYBERGUIDE_CONTENT", "",
       "content pack folder loaded into an empty database; default: the built-in guide"},
      {"threads", "CYBERGUIDE_THREADS", "0", "network threads (0: one per core)"},
      {"flush_interval_ms", "CYBERGUIDE_FLUSH_INTERVAL_MS", "1000",
       "how often pending link counts are written to the database (ms)"},
      {"read_timeout_ms", "CYBERGUIDE_READ_TIMEOUT_MS", "10000",
       "time a client has to send a whole request once it has begun (ms); then 408"},
      {"idle_timeout_ms", "CYBERGUIDE_IDLE_TIMEOUT_MS", "30000",
       "how long a kept-alive connection may wait for its next request (ms)"},
      {"max_connections", "CYBERGUIDE_MAX_CONNECTIONS", "0",
       "open connections at most; more are answered 503 and closed (0: from the open-file limit, at most 10000)"},
      {"max_connections_per_ip", "CYBERGUIDE_MAX_CONNECTIONS_PER_IP", "256",
       "open connections from one client address at most; more are answered 503 (0: no limit; behind a proxy set "
       "it to 0 and limit in the proxy)"},
      {"poll_interval_ms", "CYBERGUIDE_POLL_INTERVAL_MS", "1000",
       "how often the database is checked for a newly published guide (ms)"},
      {"public_url", "CYBERGUIDE_PUBLIC_URL", "",
       "the site's public address, e.g. https://guide.example.se (https turns on HSTS)"},
      {"trust_forwarded_for", "CYBERGUIDE_TRUST_FORWARDED_FOR", "false",
       "behind a reverse proxy: take the client address (for login throttling) from X-Forwarded-For"},
      {"session_idle_minutes", "CYBERGUIDE_SESSION_IDLE_MINUTES", "30",
       "an editor's session ends after this many minutes without a request"},
      {"session_max_hours", "CYBERGUIDE_SESSION_MAX_HOURS", "12",
       "an editor's session ends this many hours after login"},
      {"access_log", "CYBERGUIDE_ACCESS_LOG", "true", "write one log line per request (true/false)"},
      {"log_level", "CYBERGUIDE_LOG_LEVEL", "info", "debug, info, warn or error"},
  };
  return kSettings;
}

namespace {

std::optional<unsigned long> to_number(const std::string& s) {
  unsigned long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::optional<bool> to_bool(const std::string& s) {
  if (s == "true" || s == "1" || s == "on" || s == "yes") return true;
  if (s == "false" || s == "0" || s == "off" || s == "no") return false;
  return std::nullopt;
}

}  // namespace

result<config> resolve(const std::map<std::string, std::string>& flags, const env_lookup& env,
                       const std::string& toml_text, const std::string& toml_name) {
  toml::table file;
  if (!toml_text.empty()) {
    try {
      file = toml::parse(toml_text, toml_name);
    } catch (const toml::parse_error& e) {
      return error{toml_name + ":" + std::to_string(e.source().begin.line) +
                   ": invalid TOML: " + std::string(e.description())};
    }
    for (const auto& [k, v] : file) {
      bool known = false;
      for (const auto& s : settings()) known = known || k.str() == s.key;
      if (!known) return error{toml_name + ": unknown setting '" + std::string(k.str()) + "'"};
    }
  }

  std::map<std::string, std::string> v;
  for (const auto& s : settings()) {
    std::string value = s.def;
    std::string from = "default";
    if (auto it = flags.find(s.key); it != flags.end()) {
      value = it->second;
    } else if (auto e = env(s.env)) {
      value = *e;
    } else if (const toml::node* n = file.get(s.key)) {
      if (auto str = n->value<std::string>())
        value = *str;
      else if (auto i = n->value<std::int64_t>(); i && n->is_integer())
        value = std::to_string(*i);
      else if (auto b = n->value<bool>())
        value = *b ? "true" : "false";
      else
        return error{toml_name + ": setting '" + s.key + "' must be a string, integer or boolean"};
    }
    v[s.key] = value;
  }

  config c;
  c.listen = v["listen"];
  auto port = to_number(v["port"]);
  if (!port || *port > 65535) return error{"port: '" + v["port"] + "' is not a TCP port (0–65535)"};
  c.port = static_cast<unsigned short>(*port);
  c.data = v["data"];
  if (c.data.empty()) return error{"data: the data directory must not be empty"};
  c.database = v["database"].empty() ? "sqlite:" + c.data + "/cyberguide.db" : v["database"];
  c.content = v["content"];
  auto threads = to_number(v["threads"]);
  if (!threads || *threads > 256) return error{"threads: '" + v["threads"] + "' is not a number from 0 to 256"};
  c.threads = static_cast<unsigned>(*threads);
  auto flush = to_number(v["flush_interval_ms"]);
  if (!flush || *flush < 10 || *flush > 60000)
    return error{"flush_interval_ms: '" + v["flush_interval_ms"] + "' must be from 10 to 60000"};
  c.flush_interval_ms = static_cast<unsigned>(*flush);
  auto read_timeout = to_number(v["read_timeout_ms"]);
  if (!read_timeout || *read_timeout < 50 || *read_timeout > 600000)
    return error{"read_timeout_ms: '" + v["read_timeout_ms"] + "' must be from 50 to 600000"};
  c.read_timeout_ms = static_cast<unsigned>(*read_timeout);
  auto idle_timeout = to_number(v["idle_timeout_ms"]);
  if (!idle_timeout || *idle_timeout < 50 || *idle_timeout > 3600000)
    return error{"idle_timeout_ms: '" + v["idle_timeout_ms"] + "' must be from 50 to 3600000"};
  c.idle_timeout_ms = static_cast<unsigned>(*idle_timeout);
  auto max_conns = to_number(v["max_connections"]);
  if (!max_conns || *max_conns > 1000000)
    return error{"max_connections: '" + v["max_connections"] + "' must be from 0 to 1000000"};
  c.max_connections = static_cast<unsigned>(*max_conns);
  auto max_per_ip = to_number(v["max_connections_per_ip"]);
  if (!max_per_ip || *max_per_ip > 1000000)
    return error{"max_connections_per_ip: '" + v["max_connections_per_ip"] + "' must be from 0 to 1000000"};
  c.max_connections_per_ip = static_cast<unsigned>(*max_per_ip);
  auto poll = to_number(v["poll_interval_ms"]);
  if (!poll || *poll < 10 || *poll > 600000)
    return error{"poll_interval_ms: '" + v["poll_interval_ms"] + "' must be from 10 to 600000"};
  c.poll_interval_ms = static_cast<unsigned>(*poll);
  c.public_url = v["public_url"];
  // Scheme and host are case-insensitive; keep them lower-case so that origins compare exactly.
  for (std::size_t i = 0, end = c.public_url.find(
                              '/', c.public_url.find("://") == std::string::npos ? 0 : c.public_url.find("://") + 3);
       i < c.public_url.size() && i < end; ++i)
    c.public_url[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(c.public_url[i])));
  if (!c.public_url.empty() && c.public_url.rfind("https://", 0) != 0 && c.public_url.rfind("http://", 0) != 0)
    return error{"public_url: '" + c.public_url + "' must start with https:// or http://"};
  auto idle = to_number(v["session_idle_minutes"]);
  if (!idle || *idle < 1 || *idle > 1440)
    return error{"session_idle_minutes: '" + v["session_idle_minutes"] + "' must be from 1 to 1440"};
  c.session_idle_minutes = static_cast<unsigned>(*idle);
  auto maxh = to_number(v["session_max_hours"]);
  if (!maxh || *maxh < 1 || *maxh > 720)
    return error{"session_max_hours: '" + v["session_max_hours"] + "' must be from 1 to 720"};
  c.session_max_hours = static_cast<unsigned>(*maxh);
  auto tff = to_bool(v["trust_forwarded_for"]);
  if (!tff) return error{"trust_forwarded_for: '" + v["trust_forwarded_for"] + "' must be true or false"};
  c.trust_forwarded_for = *tff;
  auto al = to_bool(v["access_log"]);
  if (!al) return error{"access_log: '" + v["access_log"] + "' must be true or false"};
  c.access_log = *al;
  c.log_level = v["log_level"];
  if (c.log_level != "debug" && c.log_level != "info" && c.log_level != "warn" && c.log_level != "error")
    return error{"log_level: '" + c.log_level + "' must be debug, info, warn or error"};
  return c;
}

}  // namespace cg::app
