#pragma once
// UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates, nothing above U+10FFFF.
#include <cstddef>
#include <string_view>

namespace cg {

// The length of the valid UTF-8 sequence that starts at s[i] (1 for ASCII), or 0 when there is none;
// *cp (if given) receives its code point.
inline std::size_t utf8_sequence(std::string_view s, std::size_t i, unsigned* cp = nullptr) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    if (cp) *cp = c;
    return 1;
  }
  std::size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
  if (len == 0 || c > 0xf4 || i + len > s.size()) return 0;
  unsigned v = len == 4 ? c & 0x07u : len == 3 ? c & 0x0fu : c & 0x1fu;
  for (std::size_t k = 1; k < len; ++k) {
    auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xc0) != 0x80) return 0;
    v = (v << 6) | (cc & 0x3fu);
  }
  unsigned least = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
  if (v < least || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
  if (cp) *cp = v;
  return len;
}

inline bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = utf8_sequence(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

}  // namespace cg
