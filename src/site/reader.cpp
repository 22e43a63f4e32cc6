#include "site/reader.hpp"

#include <algorithm>
#include <cstdlib>

#include "content/model.hpp"
#include "render/render.hpp"
#include "search/search.hpp"

namespace cg::site {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool icontains(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i)
    if (http::iequals(hay.substr(i, needle.size()), needle)) return true;
  return false;
}

// conditional: honour If-None-Match (never for error pages, whose status must reach the client).
http::response page_response(const http::request& req, const render::page& p,
                             std::shared_ptr<const render::snapshot> keep, bool conditional = true) {
  encoding e = choose_encoding(req.header("Accept-Encoding"), p.gzip.has_value(), p.br.has_value());
  const render::body_variant& v = e == encoding::br ? *p.br : e == encoding::gzip ? *p.gzip : p.identity;
  http::response r;
  if (conditional && etag_matches(req.header("If-None-Match"), v.etag)) {
    r.status = 304;
    r.fixed_headers = v.head_304;
  } else {
    r.status = p.status;
    r.fixed_headers = v.head;
    r.shared = &v.bytes;
  }
  r.keep = std::move(keep);
  return r;
}

}  // namespace

std::string query_param(std::string_view query, std::string_view name) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string found;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    std::string_view v = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    found.clear();
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i] == '+') {
        found += ' ';
      } else if (v[i] == '%' && i + 2 < v.size() && hex(v[i + 1]) >= 0 && hex(v[i + 2]) >= 0) {
        found += static_cast<char>(hex(v[i + 1]) * 16 + hex(v[i + 2]));
        i += 2;
      } else {
        found += v[i];
      }
    }
  }
  return found;  // the last occurrence wins
}

encoding choose_encoding(std::string_view accept, bool have_gzip, bool have_br) {
  double q_gzip = -1, q_br = -1, q_star = -1;
  while (!accept.empty()) {
    auto comma = accept.find(',');
    std::string_view item = trim(accept.substr(0, comma));
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    auto semi = item.find(';');
    std::string_view coding = trim(item.substr(0, semi));
    double q = 1.0;
    if (semi != std::string_view::npos) {
      std::string_view params = item.substr(semi + 1);
      auto qp = params.find("q=");
      if (qp != std::string_view::npos) {
        std::string num(trim(params.substr(qp + 2)));
        char* end = nullptr;
        q = std::strtod(num.c_str(), &end);
        if (end == num.c_str() || q < 0 || q > 1) q = 0;
      }
    }
    if (http::iequals(coding, "gzip") || http::iequals(coding, "x-gzip"))
      q_gzip = std::max(q_gzip, q);
    else if (http::iequals(coding, "br"))
      q_br = std::max(q_br, q);
    else if (coding == "*")
      q_star = std::max(q_star, q);
  }
  if (q_gzip < 0) q_gzip = q_star;
  if (q_br < 0) q_br = q_star;
  if (have_br && q_br > 0 && (!have_gzip || q_br >= q_gzip)) return encoding::br;
  if (have_gzip && q_gzip > 0) return encoding::gzip;
  if (have_br && q_br > 0) return encoding::br;
  return encoding::identity;
}

bool etag_matches(std::string_view inm, std::string_view etag) {
  if (inm.empty()) return false;
  if (trim(inm) == "*") return true;
  while (!inm.empty()) {
    auto comma = inm.find(',');
    std::string_view t = trim(inm.substr(0, comma));
    inm = comma == std::string_view::npos ? std::string_view() : inm.substr(comma + 1);
    if (t.size() > 2 && t.substr(0, 2) == "W/") t.remove_prefix(2);
    if (t == etag) return true;
  }
  return false;
}

std::optional<std::string> resolve_destination(const render::snapshot& s, std::string_view slug) {
  std::string key(slug);
  if (!content::is_valid_slug(key)) return std::nullopt;
  auto it = s.destinations.find(key);
  if (it == s.destinations.end()) return std::nullopt;
  return it->second;
}

bool is_bot(std::string_view ua) {
  if (ua.empty()) return false;
  static constexpr std::string_view kBots[] = {"bot",
                                               "crawler",
                                               "spider",
                                               "slurp",
                                               "facebookexternalhit",
                                               "preview",
                                               "embedly",
                                               "pingdom",
                                               "uptimerobot",
                                               "monitor",
                                               "validator",
                                               "linkcheck",
                                               "link checker",
                                               "wget",
                                               "python-requests",
                                               "feedfetcher",
                                               "mediapartners",
                                               "lighthouse",
                                               "headlesschrome-prerender"};
  for (auto b : kBots)
    if (icontains(ua, b)) return true;
  return false;
}

bool is_countable(const http::request& req) {
  if (req.method != http::method::get) return false;
  if (is_bot(req.header("User-Agent"))) return false;
  for (auto name : {"Purpose", "Sec-Purpose", "X-Purpose", "X-Moz"}) {
    std::string_view v = req.header(name);
    if (icontains(v, "prefetch") || icontains(v, "preview") || icontains(v, "prerender")) return false;
  }
  return true;
}

http::response reader_site::handle(const http::request& req) const {
  if (req.method != http::method::get && req.method != http::method::head) {
    http::response r;
    r.status = 405;
    r.header("Allow", "GET, HEAD");
    r.header("Content-Type", "text/plain; charset=utf-8");
    r.header("Cache-Control", "no-store");
    r.owned = "Metoden stöds inte här. Använd GET eller HEAD.\n";
    return r;
  }
  std::shared_ptr<const render::snapshot> snap = holder_.current();
  const std::string_view path = req.path;

  if (path == "/healthz") {
    // 200 whenever pages are served (a load balancer keeps sending readers); the second line tells
    // monitoring that the database, and with it the editor area and the writing of counts, is away.
    http::response r;
    r.header("Content-Type", "text/plain; charset=utf-8");
    r.header("Cache-Control", "no-store");
    bool db = !sinks_.database_available || sinks_.database_available();
    r.owned = db ? "ok\n" : "ok\ndatabase unavailable\n";
    if (db && sinks_.counts_failing && sinks_.counts_failing()) r.owned += "counts not written\n";
    if (std::int64_t dropped = sinks_.counts_dropped ? sinks_.counts_dropped() : 0; dropped > 0)
      r.owned += "counts dropped " + std::to_string(dropped) + "\n";
    return r;
  }

  if (path.substr(0, 4) == "/go/") {
    // Only a registered slug; the address comes from the snapshot, never from the request.
    // A slug found among the registered ones is valid by construction.
    auto out = snap->outbound.find(path.substr(4));
    if (out == snap->outbound.end()) return page_response(req, snap->not_found, snap, false);
    if (is_countable(req) && sinks_.click) sinks_.click(out->first, out->second.host);
    http::response r;
    r.status = 302;
    r.fixed_headers = out->second.head;
    r.keep = std::move(snap);
    return r;
  }

  if (path == "/sok" && snap->search) {
    search::request sr;
    sr.q = query_param(req.query, "q");
    sr.category = query_param(req.query, "kategori");
    sr.level = query_param(req.query, "niva");
    sr.publisher = query_param(req.query, "utgivare");
    sr.cost = query_param(req.query, "kostnad");
    sr.format = query_param(req.query, "format");
    // "sida": a page number; anything else is the first page.
    std::string page = query_param(req.query, "sida");
    if (!page.empty() && page.size() <= 6 && page.find_first_not_of("0123456789") == std::string::npos)
      sr.page = static_cast<std::size_t>(std::stoul(page));
    search::results res = snap->search->search(sr);
    if (is_countable(req)) {
      if (sinks_.search && !res.query.empty()) sinks_.search(search::normalize_query(res.query), res.total);
      if (sinks_.view) sinks_.view("/sok");
    }
    http::response r;
    r.header("Content-Type", "text/html; charset=utf-8");
    r.header("Cache-Control", "no-store");
    r.owned = render::render_search_page(*snap, sr, res);
    return r;
  }

  if (auto it = snap->pages.find(path); it != snap->pages.end()) {
    const render::page& p = it->second;
    if (sinks_.view && is_countable(req) && p.content_type.rfind("text/html", 0) == 0) sinks_.view(it->first);
    return page_response(req, p, snap);
  }
  std::string key(path);

  // "/kategorier/rapporter/" → "/kategorier/rapporter"
  if (key.size() > 1 && key.back() == '/') {
    std::string trimmed = key.substr(0, key.find_last_not_of('/') + 1);
    if (!trimmed.empty() && snap->find(trimmed)) {
      http::response r;
      r.status = 301;
      r.header("Location", trimmed);
      r.header("Cache-Control", "public, max-age=300");
      return r;
    }
  }
  return page_response(req, snap->not_found, snap, false);
}

}  // namespace cg::site
