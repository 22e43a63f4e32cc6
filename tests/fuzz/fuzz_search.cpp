// Fuzzing search queries (src/search/search.cpp): the Xapian index of the default guide, built once
// as search_test.cpp builds it, asked what the search page (/sok) asks it.
//
// Input: the query string of /sok, without '?': "q=…&kategori=…&niva=…&utgivare=…&kostnad=…&format=…
// &sida=…", decoded with site::query_param as src/site/reader.cpp decodes it. Unlike the reader (which
// takes "sida" of at most 6 digits), any run of digits is a page number here (saturating at SIZE_MAX):
// search::request::page is any size_t, and "past the last page: the last page".
//
// Invariants checked for every input (search/search.hpp and its tests):
// - results.query is clean_query(q) (and cut is its cut flag): valid UTF-8, at most 200 code points,
//   no control character, no space at either end, no two in a row;
// - paging: page = min(max(request page, 1), last page); at most kPageSize hits; hits exactly when
//   there are any (total > 0), as many as that page holds; first = (page - 1) * kPageSize + 1 (0 if none);
// - every hit is a resource of the guide, at most once per page, that passes every filter asked for;
//   with no words, only resources in a category; an unknown filter value finds nothing;
// - excerpts: escaped text (no '<', '>' or '"' outside <mark>…</mark>, '&' only as &amp; &lt; &gt; &quot;),
//   marks not nested and all closed, valid UTF-8;
// - facets: the five parameters in order; a value is active exactly when it is the filter asked for, and
//   then its count is the total; with no cost filter the cost counts add up to the total; and one facet
//   value picked by the input: searching with it chosen gives as many hits as its count said;
// - a suggestion only when words found fewer than 3 hits, different from the query, valid UTF-8.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "content/model.hpp"
#include "content/pack.hpp"
#include "fuzz_common.hpp"
#include "search/search.hpp"
#include "site/reader.hpp"

namespace {

using namespace cg;
using fuzz::printable;

struct world {
  content::guide guide;
  std::unique_ptr<search::index> index;
  world() {
    auto g = content::load_guide(content::default_pack());
    if (!g.ok()) {
      std::fprintf(stderr, "fuzz_search: the default guide does not load: %s\n", g.message().c_str());
      std::abort();
    }
    guide = *g;
    index = std::make_unique<search::index>(guide);
  }
};

world& the_world() {
  static world w;
  return w;
}

std::size_t parse_page(const std::string& s) {
  if (!fuzz::all_digits(s)) return 1;
  std::size_t n = 0;
  for (char c : s) {
    const std::size_t d = static_cast<std::size_t>(c - '0');
    if (n > (std::numeric_limits<std::size_t>::max() - d) / 10) return std::numeric_limits<std::size_t>::max();
    n = n * 10 + d;
  }
  return n;
}

const std::string& filter_of(const search::request& r, const std::string& param) {
  static const std::string kNone;
  if (param == "kategori") return r.category;
  if (param == "niva") return r.level;
  if (param == "utgivare") return r.publisher;
  if (param == "kostnad") return r.cost;
  if (param == "format") return r.format;
  return kNone;
}

void set_filter(search::request& r, const std::string& param, const std::string& v) {
  if (param == "kategori") r.category = v;
  if (param == "niva") r.level = v;
  if (param == "utgivare") r.publisher = v;
  if (param == "kostnad") r.cost = v;
  if (param == "format") r.format = v;
}

void check_excerpt(const std::string& e, const std::string& where) {
  CG_FUZZ_CHECK(fuzz::valid_utf8(e), e + where);
  bool open = false;
  for (std::size_t i = 0; i < e.size();) {
    if (e.compare(i, 6, "<mark>") == 0) {
      CG_FUZZ_CHECK(!open, "nested <mark>: " + e + where);
      open = true;
      i += 6;
    } else if (e.compare(i, 7, "</mark>") == 0) {
      CG_FUZZ_CHECK(open, "</mark> without <mark>: " + e + where);
      open = false;
      i += 7;
    } else if (e[i] == '&') {
      const bool entity = e.compare(i, 5, "&amp;") == 0 || e.compare(i, 4, "&lt;") == 0 ||
                          e.compare(i, 4, "&gt;") == 0 || e.compare(i, 6, "&quot;") == 0;
      CG_FUZZ_CHECK(entity, "an unescaped '&': " + e + where);
      ++i;
    } else {
      CG_FUZZ_CHECK(e[i] != '<' && e[i] != '>' && e[i] != '"', "unescaped markup: " + e + where);
      ++i;
    }
  }
  CG_FUZZ_CHECK(!open, "an unclosed <mark>: " + e + where);
}

void check_results(const world& w, const search::request& req, const search::results& res, const std::string& where) {
  using search::kPageSize;
  // The query as searched.
  bool cut = false;
  CG_FUZZ_CHECK(res.query == search::clean_query(req.q, &cut), printable(res.query) + where);
  CG_FUZZ_CHECK(res.cut == cut, where);
  CG_FUZZ_CHECK(fuzz::valid_utf8(res.query), printable(res.query) + where);
  CG_FUZZ_CHECK(fuzz::code_points(res.query) <= search::kMaxQueryChars, printable(res.query) + where);
  CG_FUZZ_CHECK(!fuzz::has_control_char(res.query) && res.query.find_first_of("\t\r\n") == std::string::npos,
                printable(res.query) + where);
  CG_FUZZ_CHECK(res.query.find("  ") == std::string::npos, printable(res.query) + where);
  CG_FUZZ_CHECK(res.query.empty() || (res.query.front() != ' ' && res.query.back() != ' '),
                printable(res.query) + where);

  // Paging.
  const std::size_t pages = res.total == 0 ? 1 : (res.total - 1) / kPageSize + 1;
  const std::size_t want_page = std::min(std::max<std::size_t>(req.page, 1), pages);
  CG_FUZZ_CHECK(res.page == want_page, std::to_string(res.page) + " != " + std::to_string(want_page) + where);
  CG_FUZZ_CHECK(res.hits.size() <= kPageSize, where);
  if (res.total == 0) {
    CG_FUZZ_CHECK(res.hits.empty() && res.first == 0, where);
  } else {
    const std::size_t before = (res.page - 1) * kPageSize;
    CG_FUZZ_CHECK(res.hits.size() == std::min(kPageSize, res.total - before),
                  std::to_string(res.hits.size()) + " hits of " + std::to_string(res.total) + where);
    CG_FUZZ_CHECK(res.first == before + 1, std::to_string(res.first) + where);
  }

  // Hits.
  std::set<std::string> seen;
  for (const auto& h : res.hits) {
    const content::resource* r = w.guide.find_resource(h.slug);
    CG_FUZZ_CHECK(r != nullptr, "hit " + printable(h.slug) + " is no resource" + where);
    CG_FUZZ_CHECK(seen.insert(h.slug).second, "hit " + h.slug + " twice" + where);
    if (!req.category.empty()) CG_FUZZ_CHECK(r->category == req.category, h.slug + where);
    if (!req.level.empty()) CG_FUZZ_CHECK(r->level == req.level, h.slug + where);
    if (!req.publisher.empty()) CG_FUZZ_CHECK(r->publisher == req.publisher, h.slug + where);
    if (!req.cost.empty()) CG_FUZZ_CHECK(content::to_string(r->cost) == req.cost, h.slug + where);
    if (!req.format.empty()) CG_FUZZ_CHECK(r->format == req.format, h.slug + where);
    if (res.query.empty()) CG_FUZZ_CHECK(!r->category.empty(), "an uncategorized resource listed: " + h.slug + where);
    check_excerpt(h.excerpt_html, " (hit " + h.slug + ")" + where);
  }

  // Facets.
  static const char* const kParams[] = {"kategori", "niva", "utgivare", "kostnad", "format"};
  CG_FUZZ_CHECK(res.facets.size() == 5, where);
  for (std::size_t f = 0; f < res.facets.size(); ++f) {
    const search::facet& fc = res.facets[f];
    CG_FUZZ_CHECK(fc.param == kParams[f], fc.param + where);
    const std::string& wanted = filter_of(req, fc.param);
    std::size_t active = 0, sum = 0;
    for (const auto& v : fc.values) {
      CG_FUZZ_CHECK(!v.value.empty(), fc.param + where);
      CG_FUZZ_CHECK(v.active == (!wanted.empty() && v.value == wanted), fc.param + "=" + v.value + where);
      if (v.active) {
        ++active;
        CG_FUZZ_CHECK(v.count == res.total, fc.param + "=" + v.value + " counts " + std::to_string(v.count) +
                                                ", total " + std::to_string(res.total) + where);
      }
      sum += v.count;
    }
    CG_FUZZ_CHECK(active <= 1, fc.param + where);
    if (!wanted.empty() && active == 0) CG_FUZZ_CHECK(res.total == 0, "unknown " + fc.param + " found hits" + where);
    if (wanted.empty()) {
      CG_FUZZ_CHECK(sum <= res.total, fc.param + " counts add up to more than the total" + where);
      if (fc.param == "kostnad") CG_FUZZ_CHECK(sum == res.total, "cost counts do not add up to the total" + where);
    }
  }

  // The suggestion.
  if (!res.suggestion.empty()) {
    CG_FUZZ_CHECK(!res.query.empty() && res.total < 3, printable(res.suggestion) + where);
    CG_FUZZ_CHECK(res.suggestion != res.query, printable(res.suggestion) + where);
    CG_FUZZ_CHECK(fuzz::valid_utf8(res.suggestion), printable(res.suggestion) + where);
  }
}

}  // namespace

// The default guide is loaded (and indexed) before fuzzing starts, outside the
// time limit of a single input.
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  (void)the_world();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const world& w = the_world();
  const std::string_view query = fuzz::as_text(data, size);

  search::request req;
  req.q = site::query_param(query, "q");
  req.category = site::query_param(query, "kategori");
  req.level = site::query_param(query, "niva");
  req.publisher = site::query_param(query, "utgivare");
  req.cost = site::query_param(query, "kostnad");
  req.format = site::query_param(query, "format");
  req.page = parse_page(site::query_param(query, "sida"));
  const std::string where = " for " + printable(query);

  const search::results res = w.index->search(req);
  check_results(w, req, res, where);

  // One facet value, picked by the input: its count is the total of the search with it chosen.
  std::vector<std::pair<std::string, const search::facet_value*>> choices;
  for (const auto& fc : res.facets)
    for (const auto& v : fc.values)
      if (!v.active) choices.emplace_back(fc.param, &v);
  if (!choices.empty()) {
    const auto& [param, value] = choices[fuzz::fnv1a(query) % choices.size()];
    search::request narrowed = req;
    narrowed.page = 1;
    set_filter(narrowed, param, value->value);
    const search::results again = w.index->search(narrowed);
    CG_FUZZ_CHECK(again.total == value->count, param + "=" + value->value + " counted " + std::to_string(value->count) +
                                                   ", found " + std::to_string(again.total) + where);
    check_results(w, narrowed, again, " (narrowed by " + param + "=" + value->value + ")" + where);
  }
  return 0;
}
