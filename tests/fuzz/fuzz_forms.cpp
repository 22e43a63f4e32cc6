// Fuzzing form bodies (src/admin/forms.cpp: application/x-www-form-urlencoded) and what the editor
// area does with them (src/admin/editing.cpp: applying a submitted form to the draft guide; the login
// form's fields; the CSRF comparison).
//
// Input: an optional first line naming what the body is posted to, then the body:
//   "resource disa\n" + "slug=disa&title=…&csrf=…"
// Actions (what admin.cpp calls for the POST): resource, publisher, category, level, callout (ORIGINAL:
// the slug edited, empty for a new one; for callouts the 1-based position), site-texts, start-picks,
// settings, addresses, remove-resource, remove-publisher, remove-category, remove-level,
// remove-callout. A first line that names no action is part of the body; nothing is applied then.
//
// Invariants checked for every input:
// - form::parse: one value per non-empty pair, names and values decoded as url_decode does (no NUL;
//   values with \r\n and \r made \n); raw() is the first of all(), get() is it trimmed; writing the
//   form back with url_encode and parsing it again gives the same values; set() replaces them all;
// - url_decode(url_encode(s)) is s without NUL bytes; trim and normalize_newlines are idempotent;
// - constant_time_equals(a, b) == (a == b) for the posted csrf value;
// - login fields: a username is_valid_username accepts has 2–64 of a-z 0-9 . _ -; a password that
//   password_problem accepts has 12–256 code points, no control character, and is UTF-8 by structure
//   (lead and continuation bytes);
// - editing (when an action is named), on a copy of the default guide: refused (errors) ⇒ the guide is
//   unchanged; accepted ⇒ it still validates, and the draft document it is stored as
//   (store::to_document) reads back (store::from_document) into the same document: "a guide
//   round-trips exactly" (store/document.hpp), else the draft could not be loaded again.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "admin/editing.hpp"
#include "admin/forms.hpp"
#include "auth/auth.hpp"
#include "content/model.hpp"
#include "content/pack.hpp"
#include "fuzz_common.hpp"
#include "store/document.hpp"

namespace {

using namespace cg;
using fuzz::printable;

struct world {
  content::guide guide;
  std::string document;  // store::to_document(guide)
  world() {
    auth::init();
    auto g = content::load_guide(content::default_pack());
    if (!g.ok()) {
      std::fprintf(stderr, "fuzz_forms: the default guide does not load: %s\n", g.message().c_str());
      std::abort();
    }
    guide = *g;
    document = store::to_document(guide);
  }
};

const world& the_world() {
  static const world w;
  return w;
}

bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Lead bytes followed by as many continuation bytes as they announce (what password_problem checks).
bool utf8_by_structure(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

void check_form(std::string_view body, const std::string& where) {
  const admin::form f = admin::form::parse(body);

  // The names, in order of first appearance, and how many values the body has.
  std::vector<std::string> names;
  std::set<std::string> known;
  std::size_t pairs = 0;
  for (std::string_view pair : fuzz::split(body, '&')) {
    if (pair.empty()) continue;
    ++pairs;
    std::string name = admin::url_decode(pair.substr(0, pair.find('=')));
    if (known.insert(name).second) names.push_back(std::move(name));
  }

  std::size_t values = 0;
  std::string rewritten;
  for (const auto& name : names) {
    CG_FUZZ_CHECK(name.find('\0') == std::string::npos, printable(name) + where);
    CG_FUZZ_CHECK(f.has(name), printable(name) + where);
    const std::vector<std::string> all = f.all(name);
    CG_FUZZ_CHECK(!all.empty(), printable(name) + where);
    values += all.size();
    CG_FUZZ_CHECK(f.raw(name) == all.front(), printable(name) + where);
    CG_FUZZ_CHECK(f.get(name) == admin::trim(all.front()), printable(name) + where);
    for (const auto& v : all) {
      CG_FUZZ_CHECK(v.find('\0') == std::string::npos, printable(v) + where);
      CG_FUZZ_CHECK(v.find('\r') == std::string::npos, printable(v) + where);
      if (!rewritten.empty()) rewritten += '&';
      rewritten += admin::url_encode(name) + "=" + admin::url_encode(v);
    }
    const std::string got = f.get(name);
    CG_FUZZ_CHECK(got.empty() || (!is_ws(got.front()) && !is_ws(got.back())), printable(got) + where);
  }
  CG_FUZZ_CHECK(values == pairs, std::to_string(values) + " values for " + std::to_string(pairs) + " pairs" + where);

  // Written back and parsed again: the same values.
  const admin::form again = admin::form::parse(rewritten);
  for (const auto& name : names)
    CG_FUZZ_CHECK(again.all(name) == f.all(name), printable(name) + " after " + printable(rewritten) + where);

  // set() replaces every value of a name.
  if (!names.empty()) {
    admin::form copy = f;
    copy.set(names.front(), "x");
    CG_FUZZ_CHECK(copy.all(names.front()) == std::vector<std::string>{"x"}, where);
  }

  // The helpers on the raw body.
  std::string no_nul(body);
  std::erase(no_nul, '\0');
  CG_FUZZ_CHECK(admin::url_decode(admin::url_encode(body)) == no_nul, where);
  const std::string decoded = admin::url_decode(body);
  CG_FUZZ_CHECK(decoded.size() <= body.size() && decoded.find('\0') == std::string::npos, where);
  const std::string t = admin::trim(body);
  CG_FUZZ_CHECK(admin::trim(t) == t, where);
  const std::string nl = admin::normalize_newlines(body);
  CG_FUZZ_CHECK(nl.find('\r') == std::string::npos && admin::normalize_newlines(nl) == nl, where);

  // The CSRF comparison.
  const std::string csrf = f.raw("csrf");
  static const std::string kToken(64, 'a');
  CG_FUZZ_CHECK(auth::constant_time_equals(csrf, kToken) == (csrf == kToken), printable(csrf) + where);
  CG_FUZZ_CHECK(auth::constant_time_equals(csrf, csrf), printable(csrf) + where);
  if (!csrf.empty()) {
    std::string other = csrf;
    other.back() = static_cast<char>(other.back() ^ 1);
    CG_FUZZ_CHECK(!auth::constant_time_equals(csrf, other), printable(csrf) + where);
  }

  // The login form.
  const std::string username = f.get("username");
  if (auth::is_valid_username(username)) {
    CG_FUZZ_CHECK(username.size() >= 2 && username.size() <= 64 &&
                      username.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789._-") == std::string::npos,
                  printable(username) + where);
  }
  const std::string password = f.raw("password");
  if (!auth::password_problem(password)) {
    const std::size_t n = fuzz::code_points(password);
    CG_FUZZ_CHECK(utf8_by_structure(password), printable(password) + where);
    CG_FUZZ_CHECK(n >= auth::kMinPasswordChars && n <= auth::kMaxPasswordChars, printable(password) + where);
    for (char ch : password) {
      const unsigned char c = static_cast<unsigned char>(ch);
      CG_FUZZ_CHECK(c >= 0x20 && c != 0x7f, printable(password) + where);
    }
  }
}

enum class action {
  none,
  resource,
  publisher,
  category,
  level,
  callout,
  site_texts,
  start_picks,
  settings,
  addresses,
  remove_resource,
  remove_publisher,
  remove_category,
  remove_level,
  remove_callout
};

action action_named(std::string_view s) {
  static const std::map<std::string_view, action> kActions = {
      {"resource", action::resource},
      {"publisher", action::publisher},
      {"category", action::category},
      {"level", action::level},
      {"callout", action::callout},
      {"site-texts", action::site_texts},
      {"start-picks", action::start_picks},
      {"settings", action::settings},
      {"addresses", action::addresses},
      {"remove-resource", action::remove_resource},
      {"remove-publisher", action::remove_publisher},
      {"remove-category", action::remove_category},
      {"remove-level", action::remove_level},
      {"remove-callout", action::remove_callout},
  };
  auto it = kActions.find(s);
  return it == kActions.end() ? action::none : it->second;
}

void check_edit(action a, const std::string& original, std::string_view body, const std::string& where) {
  const world& w = the_world();
  const admin::form f = admin::form::parse(body);
  // The editor area refuses a form that is not UTF-8 (400) before any of these run: such a value once
  // reached the draft, which then could not be read back (found by this harness).
  if (!f.valid_utf8()) return;
  content::guide g = w.guide;
  admin::field_errors errors;
  switch (a) {
    case action::resource:
      (void)admin::resource_fields(g, f);
      errors = admin::apply_resource(g, original, f);
      break;
    case action::publisher:
      (void)admin::publisher_fields(f);
      errors = admin::apply_publisher(g, original, f);
      break;
    case action::category:
      (void)admin::category_fields(g, f);
      errors = admin::apply_category(g, original, f);
      break;
    case action::level:
      (void)admin::level_fields(f);
      errors = admin::apply_level(g, original, f);
      break;
    case action::callout:
      (void)admin::callout_fields(f);
      errors = admin::apply_callout(g, original, f);
      break;
    case action::site_texts:
      (void)admin::site_texts_fields(f);
      errors = admin::apply_site_texts(g, f);
      break;
    case action::start_picks:
      (void)admin::start_picks_fields(g, f);
      errors = admin::apply_start_picks(g, f);
      break;
    case action::settings:
      (void)admin::settings_fields(f);
      errors = admin::apply_settings(g, f);
      break;
    case action::addresses: {
      auto [e, changed] = admin::replace_address_prefix(g, f);
      errors = std::move(e);
      CG_FUZZ_CHECK(changed >= 0, std::to_string(changed) + where);
      if (!errors.empty()) CG_FUZZ_CHECK(changed == 0, std::to_string(changed) + where);
      break;
    }
    case action::remove_resource: errors = admin::remove_resource(g, original); break;
    case action::remove_publisher: errors = admin::remove_publisher(g, original); break;
    case action::remove_category: errors = admin::remove_category(g, original); break;
    case action::remove_level: errors = admin::remove_level(g, original); break;
    case action::remove_callout: {
      std::size_t index = 0;
      if (fuzz::all_digits(original) && original.size() <= 6) index = static_cast<std::size_t>(std::stoul(original));
      errors = admin::remove_callout(g, index);
      break;
    }
    case action::none: return;
  }

  const std::string doc = store::to_document(g);
  if (!errors.empty()) {
    for (const auto& [field, message] : errors) CG_FUZZ_CHECK(!message.empty(), field + where);
    CG_FUZZ_CHECK(doc == w.document, "refused (" + errors.front().second + ") but the guide changed" + where);
    return;
  }
  const auto problems = content::validate(g);
  CG_FUZZ_CHECK(problems.empty(), "accepted, but the guide no longer validates: " + problems.front() + where);
  const result<content::guide> back = store::from_document(doc);
  CG_FUZZ_CHECK(back.ok(), "accepted, but the stored draft does not read back: " +
                               (back.ok() ? std::string() : back.message()) + where);
  CG_FUZZ_CHECK(store::to_document(back.value()) == doc, "the stored draft reads back different" + where);
}

}  // namespace

// The default guide is loaded before fuzzing starts, outside the
// time limit of a single input.
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  (void)the_world();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)the_world();
  const std::string_view in = fuzz::as_text(data, size);
  const std::string where = "\n    input: " + printable(in);

  // "ACTION [ORIGINAL]\nBODY", or only a body.
  action a = action::none;
  std::string original;
  std::string_view body = in;
  if (auto nl = in.find('\n'); nl != std::string_view::npos) {
    std::string_view first = in.substr(0, nl);
    if (!first.empty() && first.back() == '\r') first.remove_suffix(1);
    auto sp = first.find(' ');
    a = action_named(first.substr(0, sp));
    if (a != action::none) {
      original = sp == std::string_view::npos ? std::string() : std::string(first.substr(sp + 1));
      body = in.substr(nl + 1);
    }
  }

  check_form(body, where);
  check_edit(a, original, body, where);
  return 0;
}
