// Fuzzing the reader site's routing (src/site/reader.cpp): every public request, answered from a
// snapshot of the default guide (the content pack embedded in the binary), as the unit tests build it.
//
// Input: a request head in text, the way the server hands it to the reader after Beast has parsed it:
//   line 1:  METHOD SP TARGET      (no space: the whole line is the target, method GET)
//   then:    Name: value           (one header per line; a line without ':' is skipped)
// Lines end with LF or CRLF. The target is split at the first '?' into path and query, as
// src/http/server.cpp does. Any bytes may appear in the target and in header values.
//
// Invariants checked for every input:
// - the status is one of 200, 301, 302, 304, 404, 405; 405 exactly for methods other than GET/HEAD;
// - header lines (fixed and added) are well-formed, without CR, LF or NUL inside (no header injection);
// - a body or fixed header lines kept in the snapshot come with `keep`; every body byte is readable;
// - 302 only for /go/{slug} with a registered slug; Location is the snapshot's address for it (never
//   from the request), an absolute http(s) address with the registered address's host; the click is
//   counted exactly when is_countable(), with that slug and host;
// - 301 only to an existing page: Location is the path without its trailing slashes, starts with one '/';
// - 304 only for a page, with an If-None-Match that matches the ETag sent, and no body;
// - a 200 page is the body of the encoding named by Content-Encoding, which is the one choose_encoding()
//   picks for the request's Accept-Encoding, with the page's Content-Type and that body's ETag;
// - 404 is the snapshot's not-found page;
// - views are counted exactly for counted 200/304 HTML pages and /sok; searches with normalize_query(q);
// - /sok: the page is valid UTF-8 without control characters, has no markup that would run
//   (html_check.hpp, as tests/blackbox/admin.mjs unsafeMarkup()), its search box shows clean_query(q),
//   and every /sok link on it but the "Menade du" suggestion keeps the request's q exactly.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "content/links.hpp"
#include "content/model.hpp"
#include "content/pack.hpp"
#include "fuzz_common.hpp"
#include "html_check.hpp"
#include "http/message.hpp"
#include "render/render.hpp"
#include "render/snapshot.hpp"
#include "search/search.hpp"
#include "site/reader.hpp"

namespace {

using namespace cg;
using fuzz::printable;

struct observed {
  int clicks = 0;
  std::string click_slug, click_host;
  int searches = 0;
  std::string search_query;
  std::vector<std::string> views;
};

// Built once per process: the default guide, its snapshot (compressed bodies made quickly through an
// empty cache, as a build with a cache does) and the reader site, with sinks that record what they are told.
struct world {
  content::guide guide;
  render::compression_cache cache;
  std::shared_ptr<const render::snapshot> snap;
  site::snapshot_holder holder;
  observed seen;
  std::unique_ptr<site::reader_site> reader;

  world() {
    auto g = content::load_guide(content::default_pack());
    if (!g.ok()) {
      std::fprintf(stderr, "fuzz_reader: the default guide does not load: %s\n", g.message().c_str());
      std::abort();
    }
    guide = *g;
    render::render_options options;
    options.cache = &cache;
    snap = render::build_snapshot(guide, 1, options);
    holder.swap_in(snap);
    site::sinks s;
    s.click = [this](const std::string& slug, const std::string& host) {
      ++seen.clicks;
      seen.click_slug = slug;
      seen.click_host = host;
    };
    s.search = [this](const std::string& query, std::size_t) {
      ++seen.searches;
      seen.search_query = query;
    };
    s.view = [this](const std::string& path) { seen.views.push_back(path); };
    s.database_available = [] { return true; };
    s.counts_dropped = [] { return std::int64_t{0}; };
    reader = std::make_unique<site::reader_site>(holder, std::move(s));
    self_test();
  }

  // The HTML checks must hold for the pages of the default guide as built; if not, the checker (or
  // the guide) is wrong, and every finding below would be noise.
  void self_test() const {
    auto check = [](const std::string& what, std::string_view html) {
      std::string p = fuzz::html_problem(html, fuzz::html_rules::page);
      if (!p.empty() || !fuzz::valid_utf8(html) || fuzz::has_control_char(html)) {
        std::fprintf(stderr,
                     "fuzz_reader self-test: the page %s of the default guide fails the checks of this harness "
                     "(fix the checker in tests/fuzz/html_check.hpp, or the page): %s%s%s\n",
                     what.c_str(), p.c_str(), fuzz::valid_utf8(html) ? "" : " [not valid UTF-8]",
                     fuzz::has_control_char(html) ? " [control character]" : "");
        std::abort();
      }
    };
    for (const auto& [path, p] : snap->pages)
      if (p.content_type.rfind("text/html", 0) == 0) check(path, p.identity.bytes);
    check("(not found)", snap->not_found.identity.bytes);
  }
};

world& the_world() {
  static world w;
  return w;
}

volatile unsigned char g_sink;

void check_header_text(std::string_view s, bool name) {
  CG_FUZZ_CHECK(s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos, s);
  if (name) CG_FUZZ_CHECK(!s.empty() && s.find(':') == std::string_view::npos, s);
}

void check_headers(const http::response& r) {
  std::string_view rest = r.fixed_headers;
  while (!rest.empty()) {
    auto eol = rest.find("\r\n");
    CG_FUZZ_CHECK(eol != std::string_view::npos, r.fixed_headers);
    std::string_view line = rest.substr(0, eol);
    auto colon = line.find(": ");
    CG_FUZZ_CHECK(colon != std::string_view::npos && colon > 0, r.fixed_headers);
    check_header_text(line.substr(0, colon), true);
    check_header_text(line.substr(colon + 2), false);
    rest.remove_prefix(eol + 2);
  }
  for (const auto& [k, v] : r.headers) {
    check_header_text(k, true);
    check_header_text(v, false);
  }
}

bool is_variant_of(const http::response& r, const render::page& p) {
  return r.shared == &p.identity.bytes || (p.gzip && r.shared == &p.gzip->bytes) || (p.br && r.shared == &p.br->bytes);
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

void check_search_page(const http::request& req, const http::response& r, const std::string& q) {
  const std::string_view body = r.body();
  CG_FUZZ_CHECK(r.header_value("Content-Type") == "text/html; charset=utf-8", r.header_value("Content-Type"));
  CG_FUZZ_CHECK(r.header_value("Cache-Control") == "no-store", r.header_value("Cache-Control"));
  CG_FUZZ_CHECK(fuzz::valid_utf8(body), "/sok page not valid UTF-8 for " + printable(req.target));
  CG_FUZZ_CHECK(!fuzz::has_control_char(body), "/sok page has a control character for " + printable(req.target));
  const std::string problem = fuzz::html_problem(body, fuzz::html_rules::page);
  CG_FUZZ_CHECK(problem.empty(), problem + "\n    target: " + printable(req.target));

  // The search box shows the query as searched (templates/search.mustache: id="sok-fraga" … value="…").
  if (auto box = body.find("id=\"sok-fraga\""); box != std::string_view::npos) {
    auto v = body.find("value=\"", box);
    auto tag_end = body.find('>', box);
    if (v != std::string_view::npos && v < tag_end) {
      v += 7;
      auto end = body.find('"', v);
      CG_FUZZ_CHECK(end != std::string_view::npos, body.substr(box, 200));
      const std::string shown = fuzz::html_detail::decode_refs(body.substr(v, end - v));
      CG_FUZZ_CHECK(shown == search::clean_query(q), "box shows " + printable(shown) + " for q " + printable(q));
    }
  }

  // Every link back to /sok (facets, removing a filter, pages) keeps q; the suggestion replaces it.
  std::size_t sug_begin = body.find("<p class=\"suggestion\">"), sug_end = std::string_view::npos;
  if (sug_begin != std::string_view::npos) sug_end = body.find("</p>", sug_begin);
  for (std::size_t at = body.find("href=\""); at != std::string_view::npos; at = body.find("href=\"", at + 6)) {
    auto end = body.find('"', at + 6);
    CG_FUZZ_CHECK(end != std::string_view::npos, body.substr(at, 200));
    const std::string href = fuzz::html_detail::decode_refs(body.substr(at + 6, end - at - 6));
    if (href.rfind("/sok", 0) != 0 || (href.size() > 4 && href[4] != '?')) continue;
    const std::string_view qs = href.size() > 4 ? std::string_view(href).substr(5) : std::string_view();
    if (sug_begin != std::string_view::npos && at > sug_begin && at < sug_end) continue;
    const std::string linked = site::query_param(qs, "q");
    CG_FUZZ_CHECK(linked == q,
                  "link " + printable(href) + " has q " + printable(linked) + ", request q " + printable(q));
    const std::string page = site::query_param(qs, "sida");
    CG_FUZZ_CHECK(page.empty() || (fuzz::all_digits(page) && page[0] != '0' && page != "1"), href);
  }
}

}  // namespace

// The default guide is loaded (and, here, rendered and indexed) before fuzzing starts, outside the
// time limit of a single input.
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  (void)the_world();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  world& w = the_world();
  std::string_view in = fuzz::as_text(data, size);

  // The request.
  std::string_view first = fuzz::take_line(in);
  std::string_view method_name = "GET", target = first;
  if (auto sp = first.find(' '); sp != std::string_view::npos) {
    method_name = first.substr(0, sp);
    target = first.substr(sp + 1);
  }
  http::request req;
  req.method = method_name == "GET"    ? http::method::get
               : method_name == "HEAD" ? http::method::head
               : method_name == "POST" ? http::method::post
                                       : http::method::other;
  req.method_name = method_name;
  req.target = target;
  auto qmark = target.find('?');
  req.path = target.substr(0, qmark);
  req.query = qmark == std::string_view::npos ? std::string_view() : target.substr(qmark + 1);
  while (!in.empty()) {
    std::string_view line = fuzz::take_line(in);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    req.headers.emplace_back(line.substr(0, colon), trim_ows(line.substr(colon + 1)));
  }

  w.seen = observed{};
  const http::response r = w.reader->handle(req);
  const render::snapshot& snap = *w.snap;
  const std::string_view path = req.path;
  const bool get_or_head = req.method == http::method::get || req.method == http::method::head;
  const bool countable = site::is_countable(req);
  const std::string where = " for " + printable(req.method_name) + " " + printable(req.target);

  // Always.
  const int s = r.status;
  CG_FUZZ_CHECK(s == 200 || s == 301 || s == 302 || s == 304 || s == 404 || s == 405, std::to_string(s) + where);
  CG_FUZZ_CHECK((s == 405) == !get_or_head, std::to_string(s) + where);
  CG_FUZZ_CHECK(!r.deferred, "the reader defers nothing" + where);
  check_headers(r);
  if (r.shared) CG_FUZZ_CHECK(r.keep != nullptr, "a shared body without keep" + where);
  if (!r.fixed_headers.empty()) CG_FUZZ_CHECK(r.keep != nullptr, "fixed headers without keep" + where);
  {
    const std::string_view body = r.body();
    unsigned char sum = 0;
    for (char c : body) sum = static_cast<unsigned char>(sum + static_cast<unsigned char>(c));
    g_sink = sum;
  }
  CG_FUZZ_CHECK(s == 302 || w.seen.clicks == 0, "a click counted without a redirect" + where);

  // Views: counted GETs of HTML pages (200 or 304) and of /sok.
  const render::page* page = snap.find(path);
  const bool html_page = page && page->content_type.rfind("text/html", 0) == 0;
  const bool search_page = path == "/sok" && snap.search;
  const bool viewed = countable && (search_page ? s == 200 : html_page && (s == 200 || s == 304));
  CG_FUZZ_CHECK(w.seen.views.size() == (viewed ? 1u : 0u), std::to_string(w.seen.views.size()) + " views" + where);
  if (viewed) CG_FUZZ_CHECK(w.seen.views[0] == path, w.seen.views[0] + where);

  switch (s) {
    case 405: {
      CG_FUZZ_CHECK(r.header_value("Allow") == "GET, HEAD", r.header_value("Allow"));
      CG_FUZZ_CHECK(!r.body().empty(), where);
      break;
    }
    case 302: {
      CG_FUZZ_CHECK(path.substr(0, 4) == "/go/", where);
      const std::string_view slug = path.substr(4);
      auto out = snap.outbound.find(slug);
      CG_FUZZ_CHECK(out != snap.outbound.end(), "302 for an unregistered slug" + where);
      const std::string_view location = r.header_value("Location");
      CG_FUZZ_CHECK(location == out->second.location, printable(location) + where);
      auto dest = site::resolve_destination(snap, slug);
      CG_FUZZ_CHECK(dest.has_value(), "no registered address" + where);
      CG_FUZZ_CHECK(content::url_host(location) == content::url_host(*dest), printable(location) + " vs " + *dest);
      CG_FUZZ_CHECK(content::is_valid_url(std::string(location)), printable(location) + where);
      CG_FUZZ_CHECK(r.header_value("Cache-Control") == "no-store", where);
      CG_FUZZ_CHECK(r.body().empty(), where);
      CG_FUZZ_CHECK(w.seen.clicks == (countable ? 1 : 0), std::to_string(w.seen.clicks) + " clicks" + where);
      if (countable) {
        CG_FUZZ_CHECK(w.seen.click_slug == slug, w.seen.click_slug + where);
        CG_FUZZ_CHECK(w.seen.click_host == out->second.host, w.seen.click_host + where);
      }
      break;
    }
    case 301: {
      const std::string_view location = r.header_value("Location");
      CG_FUZZ_CHECK(location.size() >= 1 && location[0] == '/', printable(location) + where);
      CG_FUZZ_CHECK(location.size() == 1 || (location[1] != '/' && location[1] != '\\'),
                    "open redirect: " + printable(location) + where);
      CG_FUZZ_CHECK(snap.find(location) != nullptr, "301 to no page: " + printable(location) + where);
      CG_FUZZ_CHECK(path.size() > location.size() && path.substr(0, location.size()) == location &&
                        path.substr(location.size()).find_first_not_of('/') == std::string_view::npos,
                    printable(location) + where);
      break;
    }
    case 304: {
      CG_FUZZ_CHECK(page != nullptr, "304 for no page" + where);
      const std::string_view inm = req.header("If-None-Match");
      const std::string_view etag = r.header_value("ETag");
      CG_FUZZ_CHECK(!inm.empty() && !etag.empty() && site::etag_matches(inm, etag), printable(etag) + where);
      CG_FUZZ_CHECK(r.body().empty(), where);
      break;
    }
    case 404: {
      CG_FUZZ_CHECK(is_variant_of(r, snap.not_found), "404 that is not the not-found page" + where);
      CG_FUZZ_CHECK(!r.body().empty(), where);
      CG_FUZZ_CHECK(r.header_value("Content-Type") == "text/html; charset=utf-8", where);
      break;
    }
    case 200: {
      if (path == "/healthz") {
        CG_FUZZ_CHECK(r.body().substr(0, 3) == "ok\n", printable(r.body()));
      } else if (search_page) {
        const std::string q = site::query_param(req.query, "q");
        check_search_page(req, r, q);
        const std::string normalized = search::normalize_query(q);
        CG_FUZZ_CHECK(w.seen.searches == (countable && !normalized.empty() ? 1 : 0),
                      std::to_string(w.seen.searches) + " searches" + where);
        if (w.seen.searches) CG_FUZZ_CHECK(w.seen.search_query == normalized, w.seen.search_query + where);
      } else {
        CG_FUZZ_CHECK(page != nullptr, "200 for no page" + where);
        CG_FUZZ_CHECK(is_variant_of(r, *page), "a body that is not the page's" + where);
        const std::string_view ce = r.header_value("Content-Encoding");
        const site::encoding want =
            site::choose_encoding(req.header("Accept-Encoding"), page->gzip.has_value(), page->br.has_value());
        const render::body_variant* v = &page->identity;
        if (want == site::encoding::br) v = &*page->br;
        if (want == site::encoding::gzip) v = &*page->gzip;
        CG_FUZZ_CHECK(r.shared == &v->bytes, "the body is not the chosen encoding" + where);
        CG_FUZZ_CHECK(ce == (want == site::encoding::br     ? "br"
                             : want == site::encoding::gzip ? "gzip"
                                                            : ""),
                      "Content-Encoding " + printable(ce) + where);
        CG_FUZZ_CHECK(r.header_value("Content-Type") == page->content_type, where);
        CG_FUZZ_CHECK(r.header_value("ETag") == v->etag, where);
      }
      break;
    }
    default: break;
  }
  return 0;
}
