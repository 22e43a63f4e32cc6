#pragma once
// Helpers shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.cpp): the invariant check, splitting an
// input into lines and sections, strict UTF-8. Header-only: each harness is a program of its own.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace cg::fuzz {

// The bytes as text for a report: printable ASCII as it is, everything else as \xHH; cut at `max`.
inline std::string printable(std::string_view s, std::size_t max = 1500) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < max; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  if (s.size() > max) out += "…(" + std::to_string(s.size()) + " bytes)";
  return out;
}

// Prints what was violated and aborts: libFuzzer reports the abort as a crash and keeps the input.
[[noreturn]] inline void fail(const char* what, const char* file, int line, std::string_view detail) {
  std::fprintf(stderr, "\n*** fuzz invariant violated: %s\n    at %s:%d\n", what, file, line);
  if (!detail.empty()) {
    std::string d = printable(detail, 4000);
    std::fprintf(stderr, "    detail: %s\n", d.c_str());
  }
  std::fflush(stderr);
  std::abort();
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return size == 0 ? std::string_view() : std::string_view(reinterpret_cast<const char*>(data), size);
}

// Removes the first line (up to '\n', without it; a '\r' before the '\n' is dropped too) from `in`.
inline std::string_view take_line(std::string_view& in) {
  auto nl = in.find('\n');
  std::string_view line = in.substr(0, nl);
  in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// Splits at every `sep`; always at least one part.
inline std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    auto at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) break;
    s.remove_prefix(at + 1);
  }
  return out;
}

// Well-formed UTF-8 per RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF.
inline bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 2;
    } else if (c == 0xE0) {
      n = 3;
      lo = 0xA0;
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
      n = 3;
    } else if (c == 0xED) {
      n = 3;
      hi = 0x9F;
    } else if (c == 0xF0) {
      n = 4;
      lo = 0x90;
    } else if (c >= 0xF1 && c <= 0xF3) {
      n = 4;
    } else if (c == 0xF4) {
      n = 4;
      hi = 0x8F;
    } else {
      return false;
    }
    if (i + n > s.size()) return false;
    unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
    if (c1 < lo || c1 > hi) return false;
    for (std::size_t k = 2; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

// Code points of valid UTF-8 (bytes that are not continuation bytes).
inline std::size_t code_points(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// A C0 control character other than tab, line feed and carriage return, or DEL.
inline bool has_control_char(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char ch) {
    unsigned char c = static_cast<unsigned char>(ch);
    return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f;
  });
}

inline bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// A cheap hash of the input, to pick among choices deterministically.
inline std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 14695981039346656037ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace cg::fuzz

// Aborts with a report when cond is false. detail: anything convertible to std::string_view.
#define CG_FUZZ_CHECK(cond, detail)                                     \
  do {                                                                  \
    if (!(cond)) ::cg::fuzz::fail(#cond, __FILE__, __LINE__, (detail)); \
  } while (0)
