// Fuzzing the parsers of request header values we own (beyond the Cookie header, see fuzz_cookies):
// http::valid_host (Host), site::choose_encoding (Accept-Encoding, q-values), site::etag_matches
// (If-None-Match), site::is_bot / is_countable (User-Agent, Purpose, Sec-Purpose…),
// admin::same_origin (Origin, Sec-Fetch-Site against the expected origin), auth::client_key (the
// client address, from X-Forwarded-For behind a proxy), http::request::header and http::iequals.
//
// Input: header lines "Name: value" (LF or CRLF); a line without ':' is a value with an empty name.
// Every check runs on every value; same_origin takes the Origin, Sec-Fetch-Site and Host lines.
//
// Invariants checked (the contracts in http/message.hpp, site/reader.hpp, admin/forms.hpp, auth/auth.hpp):
// - valid_host: an accepted host has only letters, digits, - . _ ~ (or an [IPv6] literal of hex
//   digits, ':' and '.'), no "..", no userinfo, '/', '\', '%', space or control character; a port is
//   1–5 digits after one ':';
// - choose_encoding: only an encoding the page has and the header names (or "*"); identity for an
//   empty header; a choice of br or gzip stays when the other encoding is not available;
// - etag_matches: never for an empty header; always when the ETag is appended to the list; a match
//   is "*" or contains the ETag;
// - is_bot: true once "Googlebot" is appended; is_countable: never for HEAD, never for a bot;
// - same_origin: exactly the documented rule (Sec-Fetch-Site same-origin, or Origin equal to the
//   expected origin; false when either names another site or neither is present);
// - request::header: the first header of that name, whatever the case; iequals: an equivalence
//   that ignores ASCII case only;
// - client_key: an address without ':' as it is; else its first four groups and "::/64".
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "admin/forms.hpp"
#include "auth/auth.hpp"
#include "fuzz_common.hpp"
#include "http/message.hpp"
#include "site/reader.hpp"

namespace {

using namespace cg;
using fuzz::printable;

std::string ascii_case(std::string_view s, bool upper) {
  std::string out(s);
  for (char& c : out) {
    if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool icontains(std::string_view hay, std::string_view needle) {
  return ascii_case(hay, false).find(ascii_case(needle, false)) != std::string::npos;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool port_ok(std::string_view p) {
  return fuzz::all_digits(p) && p.size() <= 5;
}

void check_host(std::string_view h, const std::string& where) {
  if (!http::valid_host(h)) return;
  const std::string ctx = "host " + printable(h) + " accepted" + where;
  CG_FUZZ_CHECK(!h.empty(), ctx);
  for (char ch : h) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
                    ch == '.' || ch == '_' || ch == '~' || ch == ':' || ch == '[' || ch == ']';
    CG_FUZZ_CHECK(ok, ctx);
  }
  if (h.front() == '[') {
    const auto close = h.find(']');
    CG_FUZZ_CHECK(close != std::string_view::npos, ctx);
    const std::string_view inside = h.substr(1, close - 1);
    CG_FUZZ_CHECK(inside.find_first_not_of("0123456789abcdefABCDEF:.") == std::string_view::npos, ctx);
    const std::string_view rest = h.substr(close + 1);
    CG_FUZZ_CHECK(rest.empty() || (rest.front() == ':' && port_ok(rest.substr(1))), ctx);
  } else {
    CG_FUZZ_CHECK(h.find_first_of("[]") == std::string_view::npos, ctx);
    const auto colon = h.find(':');
    const std::string_view name = h.substr(0, colon);
    CG_FUZZ_CHECK(!name.empty() && name.find("..") == std::string_view::npos, ctx);
    if (colon != std::string_view::npos) CG_FUZZ_CHECK(port_ok(h.substr(colon + 1)), ctx);
  }
}

void check_encoding(std::string_view accept, const std::string& where) {
  using site::encoding;
  const std::string ctx = "Accept-Encoding " + printable(accept) + where;
  for (bool gz : {false, true}) {
    for (bool br : {false, true}) {
      const encoding e = site::choose_encoding(accept, gz, br);
      if (e == encoding::gzip)
        CG_FUZZ_CHECK(gz && (icontains(accept, "gzip") || accept.find('*') != std::string_view::npos), ctx);
      if (e == encoding::br)
        CG_FUZZ_CHECK(br && (icontains(accept, "br") || accept.find('*') != std::string_view::npos), ctx);
      if (trim_ows(accept).empty()) CG_FUZZ_CHECK(e == encoding::identity, ctx);
    }
  }
  if (site::choose_encoding(accept, true, true) == encoding::br)
    CG_FUZZ_CHECK(site::choose_encoding(accept, false, true) == encoding::br, ctx);
  if (site::choose_encoding(accept, true, true) == encoding::gzip)
    CG_FUZZ_CHECK(site::choose_encoding(accept, true, false) == encoding::gzip, ctx);
}

void check_etag(std::string_view inm, const std::string& where) {
  const std::string ctx = "If-None-Match " + printable(inm) + where;
  for (std::string_view etag : {std::string_view("\"3f2a9c0d1e-br\""), std::string_view("\"x\"")}) {
    const bool m = site::etag_matches(inm, etag);
    if (inm.empty()) CG_FUZZ_CHECK(!m, ctx);
    if (m) CG_FUZZ_CHECK(trim_ows(inm) == "*" || inm.find(etag) != std::string_view::npos, ctx);
    CG_FUZZ_CHECK(site::etag_matches(std::string(inm) + ", " + std::string(etag), etag), ctx);
  }
}

void check_client_key(std::string_view address, const std::string& where) {
  const std::string key = auth::client_key(address);
  const std::string ctx = "client " + printable(address) + " → " + printable(key) + where;
  if (address.find(':') == std::string_view::npos) {
    CG_FUZZ_CHECK(key == address, ctx);
    return;
  }
  CG_FUZZ_CHECK(key.size() >= 5 && key.compare(key.size() - 5, 5, "::/64") == 0, ctx);
  const std::string_view head = std::string_view(key).substr(0, key.size() - 5);
  CG_FUZZ_CHECK(address.substr(0, head.size()) == head, ctx);
  std::size_t colons = 0;
  for (char c : head) colons += c == ':';
  CG_FUZZ_CHECK(colons <= 3, ctx);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in = fuzz::as_text(data, size);
  const std::string where = "\n    input: " + printable(in);

  std::vector<std::pair<std::string_view, std::string_view>> headers;
  while (!in.empty()) {
    std::string_view line = fuzz::take_line(in);
    auto colon = line.find(':');
    if (colon == std::string_view::npos)
      headers.emplace_back(std::string_view(), line);
    else
      headers.emplace_back(line.substr(0, colon), trim_ows(line.substr(colon + 1)));
  }

  http::request req;
  req.method = http::method::get;
  req.method_name = "GET";
  req.target = req.path = "/go/disa";
  req.headers = headers;

  for (const auto& [name, value] : headers) {
    check_host(value, where);
    check_encoding(value, where);
    check_etag(value, where);
    check_client_key(value, where);
    CG_FUZZ_CHECK(site::is_bot(std::string(value) + " Googlebot/2.1"), printable(value) + where);

    // The first header of that name, whatever the case; iequals ignores ASCII case only.
    std::string_view first;
    for (const auto& [k, v] : headers)
      if (http::iequals(k, name)) {
        first = v;
        break;
      }
    CG_FUZZ_CHECK(req.header(name) == first, printable(name) + where);
    CG_FUZZ_CHECK(req.header(ascii_case(name, true)) == first && req.header(ascii_case(name, false)) == first,
                  printable(name) + where);
    CG_FUZZ_CHECK(http::iequals(name, value) == http::iequals(value, name), where);
    CG_FUZZ_CHECK(http::iequals(ascii_case(value, true), ascii_case(value, false)), where);
    CG_FUZZ_CHECK(http::iequals(name, value) == (ascii_case(name, false) == ascii_case(value, false)), where);
  }

  // Counting followed links.
  CG_FUZZ_CHECK(!site::is_bot(""), where);
  if (site::is_bot(req.header("User-Agent"))) CG_FUZZ_CHECK(!site::is_countable(req), where);
  {
    http::request head = req;
    head.method = http::method::head;
    head.method_name = "HEAD";
    CG_FUZZ_CHECK(!site::is_countable(head), where);
  }

  // The same-origin check of the editor area's POSTs, against the origin it expects.
  const std::string_view host = req.header("Host");
  const std::string origin = http::valid_host(host) ? "http://" + std::string(host) : "https://guide.example.se";
  auto documented = [&origin](std::string_view oh, std::string_view sfs) {
    if (!sfs.empty() && sfs != "same-origin") return false;  // another site named
    if (!oh.empty() && oh != origin) return false;           // another origin named
    return sfs == "same-origin" || oh == origin;             // a positive sign (none present: false)
  };
  std::vector<std::pair<std::string_view, std::string_view>> cases = {
      {req.header("Origin"), req.header("Sec-Fetch-Site")},
      {req.header("Origin"), ""},
      {"", req.header("Sec-Fetch-Site")}};
  for (const auto& [name, value] : headers) cases.emplace_back(value, value);
  for (const auto& [oh, sfs] : cases)
    CG_FUZZ_CHECK(admin::same_origin(oh, sfs, origin) == documented(oh, sfs),
                  "Origin " + printable(oh) + ", Sec-Fetch-Site " + printable(sfs) + ", expected " + origin + where);
  return 0;
}
