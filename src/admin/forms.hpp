#pragma once
// Parsing what browsers send: url-encoded forms, cookies, and the same-origin check for POSTs.
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace cg::admin {

// An application/x-www-form-urlencoded body (or query string). Names may repeat (checkboxes).
class form {
 public:
  form() = default;
  static form parse(std::string_view body);
  // The first value of name, or "" (trimmed of surrounding whitespace unless raw).
  std::string get(const std::string& name) const;
  std::string raw(const std::string& name) const;
  std::vector<std::string> all(const std::string& name) const;
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  // Whether every name and value is UTF-8 (a browser sends nothing else; a stored text must be).
  bool valid_utf8() const;
  void set(const std::string& name, std::string value);

 private:
  std::multimap<std::string, std::string> values_;
};

// Percent-decoding with '+' as space; invalid escapes are kept as they are. Removes NUL bytes (raw
// and %00).
std::string url_decode(std::string_view s);
// Percent-encoding of everything but unreserved characters (for Location values we build).
std::string url_encode(std::string_view s);

// The value of cookie `name` in a Cookie header, or "".
std::string cookie_value(std::string_view cookie_header, std::string_view name);

// True when a POST may change state: Sec-Fetch-Site is same-origin, or Origin equals `origin`;
// false when either names another site, or when neither is present.
bool same_origin(std::string_view origin_header, std::string_view sec_fetch_site, std::string_view origin);

// Trims ASCII whitespace at both ends.
std::string trim(std::string_view s);

// Normalizes line endings to \n (browsers send \r\n in textareas).
std::string normalize_newlines(std::string_view s);

}  // namespace cg::admin
