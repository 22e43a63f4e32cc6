#pragma once
// Logging to stdout, one line per event, as JSON so that machines can read it.
// Never log a password, a cookie, a reader's IP address or user agent.
// Thread-safe: each line is written with one fwrite under a mutex.
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace cg::log {

enum class level { debug = 0, info = 1, warn = 2, error = 3 };

void set_level(level l);
bool enabled(level l);
void set_access_log(bool on);
bool access_log_enabled();

using field = std::pair<std::string_view, std::string>;

// Writes {"ts":"…","level":"info","msg":"…", fields…}.
void write(level l, std::string_view msg, std::initializer_list<field> fields = {});
inline void info(std::string_view m, std::initializer_list<field> f = {}) {
  if (enabled(level::info)) write(level::info, m, f);
}
inline void warn(std::string_view m, std::initializer_list<field> f = {}) {
  if (enabled(level::warn)) write(level::warn, m, f);
}
inline void error(std::string_view m, std::initializer_list<field> f = {}) {
  if (enabled(level::error)) write(level::error, m, f);
}
// One line per answered request: {"ts":…,"type":"access","method":…,"path":…,"status":…,"bytes":…,"us":…}
void access(std::string_view method, std::string_view path, int status, std::size_t bytes, long micros);

std::string json_escape(std::string_view s);

}  // namespace cg::log
