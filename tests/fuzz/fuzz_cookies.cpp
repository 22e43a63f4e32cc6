// Fuzzing the Cookie header as the editor area reads it (src/admin/forms.cpp cookie_value; admin.cpp
// authenticate(): the session cookie "cg_session", or "__Host-cg_session" over HTTPS, at most 200
// bytes, looked up by its SHA-256 in hex).
//
// Input: the value of a Cookie header, as it is.
//
// Invariants checked for every input, for both cookie names:
// - the value found contains no ';' (it is one cookie's value) and the header holds "NAME=VALUE" as
//   one item (at its start, or after a ';' and spaces);
// - the first cookie of that name wins: a header that starts with "NAME=x;" gives x, whatever follows;
//   appending "; NAME=z" to a header gives the value found before, or z when that was "" (no such
//   cookie, or one with an empty value);
// - a cookie name that merely ends with NAME ("xcg_session") or has NAME as a prefix never matches;
// - a session id the editor area would look up (1–200 bytes) hashes to 64 lower-case hex digits.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "admin/forms.hpp"
#include "auth/auth.hpp"
#include "fuzz_common.hpp"

namespace {

using namespace cg;
using fuzz::printable;

// Whether `header` has `name=value` as a whole item (split at ';', leading spaces dropped).
bool has_item(std::string_view header, std::string_view name, std::string_view value) {
  for (std::string_view item : fuzz::split(header, ';')) {
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    if (item.size() == name.size() + 1 + value.size() && item.substr(0, name.size()) == name &&
        item[name.size()] == '=' && item.substr(name.size() + 1) == value)
      return true;
  }
  return false;
}

void check_name(std::string_view header, std::string_view name, const std::string& where) {
  const std::string v = admin::cookie_value(header, name);
  const std::string ctx = std::string(name) + where;
  CG_FUZZ_CHECK(v.find(';') == std::string::npos, printable(v) + " for " + ctx);
  if (!v.empty()) CG_FUZZ_CHECK(has_item(header, name, v), printable(v) + " is no item of the header, for " + ctx);

  // The first cookie of the name wins.
  const std::string x(header.substr(0, header.find(';')));
  const std::string front = std::string(name) + "=" + x + ";" + std::string(header);
  CG_FUZZ_CHECK(admin::cookie_value(front, name) == x, printable(front) + " for " + ctx);
  const std::string appended = std::string(header) + "; " + std::string(name) + "=z";
  const std::string after = admin::cookie_value(appended, name);
  CG_FUZZ_CHECK(after == v || (v.empty() && after == "z"),
                printable(after) + " after appending, was " + printable(v) + " for " + ctx);

  // Look-alike names never match.
  const std::string longer = "x" + std::string(name) + "=" + x;
  CG_FUZZ_CHECK(admin::cookie_value(longer, name).empty(), printable(longer) + " for " + ctx);
  const std::string prefixed = std::string(name) + "x=" + x;
  CG_FUZZ_CHECK(admin::cookie_value(prefixed, name).empty(), printable(prefixed) + " for " + ctx);

  // What authenticate() does with a session id before asking the store.
  if (!v.empty() && v.size() <= 200) {
    const std::string h = auth::sha256_hex(v);
    CG_FUZZ_CHECK(h.size() == 64 && h.find_first_not_of("0123456789abcdef") == std::string::npos, h + " for " + ctx);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool ready = [] {
    auth::init();
    return true;
  }();
  (void)ready;
  const std::string_view header = fuzz::as_text(data, size);
  const std::string where = "\n    header: " + printable(header);
  check_name(header, "cg_session", where);
  check_name(header, "__Host-cg_session", where);
  return 0;
}
