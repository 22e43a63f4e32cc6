#include "util/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "util/utf8.hpp"

namespace cg::log {
namespace {
std::atomic<int> g_level{static_cast<int>(level::info)};
std::atomic<bool> g_access{true};
std::mutex g_mutex;

std::string now_iso() {
  using namespace std::chrono;
  auto now = system_clock::now();
  std::time_t t = system_clock::to_time_t(now);
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

const char* name(level l) {
  switch (l) {
    case level::debug: return "debug";
    case level::info: return "info";
    case level::warn: return "warn";
    case level::error: return "error";
  }
  return "info";
}

void emit(const std::string& line) {
  std::lock_guard lock(g_mutex);
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}
}  // namespace

void set_level(level l) {
  g_level = static_cast<int>(l);
}
bool enabled(level l) {
  return static_cast<int>(l) >= g_level.load(std::memory_order_relaxed);
}
void set_access_log(bool on) {
  g_access = on;
}
bool access_log_enabled() {
  return g_access.load(std::memory_order_relaxed);
}

std::string json_escape(std::string_view s) {
  // Control characters (C0, DEL and C1, whose U+009B starts terminal sequences) as \u escapes, and
  // bytes that are not UTF-8 as an escaped U+FFFD: a line is always valid JSON and shows nothing raw to a terminal.
  std::string out;
  out.reserve(s.size() + 2);
  auto escape = [&out](unsigned cp) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "\\u%04x", cp);
    out += buf;
  };
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (c < 0x20 || c == 0x7f)
            escape(c);
          else
            out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    unsigned cp = 0;
    std::size_t len = utf8_sequence(s, i, &cp);
    if (len == 0) {
      out += "\\ufffd";  // U+FFFD, as an escape: the line stays ASCII-safe and says what happened
      ++i;
      continue;
    }
    if (cp >= 0x80 && cp <= 0x9f)
      escape(cp);
    else
      out.append(s.substr(i, len));
    i += len;
  }
  return out;
}

void write(level l, std::string_view msg, std::initializer_list<field> fields) {
  std::string line = "{\"ts\":\"" + now_iso() + "\",\"level\":\"" + name(l) + "\",\"msg\":\"" + json_escape(msg) + "\"";
  for (const auto& [k, v] : fields) {
    line += ",\"";
    line += json_escape(k);
    line += "\":\"";
    line += json_escape(v);
    line += "\"";
  }
  line += "}\n";
  emit(line);
}

void access(std::string_view method, std::string_view path, int status, std::size_t bytes, long micros) {
  if (!access_log_enabled()) return;
  std::string line = "{\"ts\":\"" + now_iso() + "\",\"type\":\"access\",\"method\":\"" + json_escape(method) +
                     "\",\"path\":\"" + json_escape(path) + "\",\"status\":" + std::to_string(status) +
                     ",\"bytes\":" + std::to_string(bytes) + ",\"us\":" + std::to_string(micros) + "}\n";
  emit(line);
}

}  // namespace cg::log
