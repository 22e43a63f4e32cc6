#include "admin/statistics.hpp"

#include <algorithm>
#include <cstdio>

#include "util/calendar.hpp"
#include "util/escape.hpp"

namespace cg::admin {
namespace {

namespace mu = kainjow::mustache;

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// "+12 (+20 %)", "−3 (−10 %)", "±0"; no percentage when the previous period had none.
std::string change(std::int64_t now, std::int64_t before) {
  std::int64_t d = now - before;
  if (d == 0) return "±0";
  std::string sign = d > 0 ? "+" : "−";
  std::string out = sign + format_count(d > 0 ? d : -d);
  if (before > 0) {
    long long pct =
        static_cast<long long>((static_cast<double>(d > 0 ? d : -d) * 100.0 / static_cast<double>(before)) + 0.5);
    out += " (" + sign + std::to_string(pct) + " %)";
  }
  return out;
}

mu::data figure(const std::string& label, std::int64_t now, std::int64_t before) {
  mu::data d;
  d.set("label", label);
  d.set("value", format_count(now));
  d.set("previous", format_count(before));
  d.set("change", change(now, before));
  return d;
}

std::string day_label(const std::string& iso) {
  // "2026-11-30" → "30/11"
  return std::to_string(std::stoi(iso.substr(8, 2))) + "/" + std::to_string(std::stoi(iso.substr(5, 2)));
}

// A line chart of followed links per day: all of them (solid) and those to the owner's domains
// (dashed, with markers), readable without colour.
std::string trend_svg(const stats::report& r) {
  const double w = 720, h = 260, left = 48, right = 16, top = 16, bottom = 40;
  std::int64_t max = 1;
  for (const auto& d : r.daily) max = std::max({max, d.links, d.owner});
  const std::size_t n = r.daily.size();
  auto x = [&](std::size_t i) {
    return n <= 1 ? left + (w - left - right) / 2
                  : left + (w - left - right) * static_cast<double>(i) / static_cast<double>(n - 1);
  };
  auto y = [&](std::int64_t v) {
    return top + (h - top - bottom) * (1.0 - static_cast<double>(v) / static_cast<double>(max));
  };
  std::string links, owner;
  for (std::size_t i = 0; i < n; ++i) {
    links += num(x(i)) + "," + num(y(r.daily[i].links)) + " ";
    owner += num(x(i)) + "," + num(y(r.daily[i].owner)) + " ";
  }
  std::string s =
      "<svg class=\"chart\" viewBox=\"0 0 720 260\" role=\"img\" aria-labelledby=\"trend-title trend-desc\" "
      "xmlns=\"http://www.w3.org/2000/svg\">";
  s += "<title id=\"trend-title\">Följda länkar per dag</title>";
  s += "<desc id=\"trend-desc\">Från " + r.daily.front().day + " till " + r.daily.back().day + ": " +
       format_count(r.links) + " följda länkar, varav " + format_count(r.owner) +
       " till ägarens webbplats. Siffrorna för varje dag finns i tabellen under diagrammet.</desc>";
  // Axes and grid: 0, half and the maximum.
  for (std::int64_t v : {std::int64_t{0}, max / 2, max}) {
    if (v == max / 2 && (max / 2 == 0 || max / 2 == max)) continue;
    s += "<line x1=\"" + num(left) + "\" x2=\"" + num(w - right) + "\" y1=\"" + num(y(v)) + "\" y2=\"" + num(y(v)) +
         "\" class=\"grid\"/>";
    s += "<text x=\"" + num(left - 6) + "\" y=\"" + num(y(v) + 4) + "\" text-anchor=\"end\">" + format_count(v) +
         "</text>";
  }
  s += "<text x=\"" + num(left) + "\" y=\"" + num(h - 12) + "\">" + day_label(r.daily.front().day) + "</text>";
  if (n > 1)
    s += "<text x=\"" + num(w - right) + "\" y=\"" + num(h - 12) + "\" text-anchor=\"end\">" +
         day_label(r.daily.back().day) + "</text>";
  s += "<polyline class=\"series-links\" points=\"" + links + "\"/>";
  s += "<polyline class=\"series-owner\" points=\"" + owner + "\"/>";
  if (n <= 62)
    for (std::size_t i = 0; i < n; ++i)
      s += "<rect class=\"marker-owner\" x=\"" + num(x(i) - 3) + "\" y=\"" + num(y(r.daily[i].owner) - 3) +
           "\" width=\"6\" height=\"6\"/>";
  s += "</svg>";
  return s;
}

// Horizontal bars, one per row, with the label and the figure written out.
std::string bars_svg(const std::vector<stats::row>& rows, const std::string& id, const std::string& title) {
  const double label_w = 230, bar_w = 400, row_h = 28;
  std::int64_t max = 1;
  for (const auto& x : rows) max = std::max(max, x.count);
  double h = row_h * static_cast<double>(rows.size()) + 8;
  std::string s = "<svg class=\"chart\" viewBox=\"0 0 720 " + num(h) + "\" role=\"img\" aria-labelledby=\"" + id +
                  "-title\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"" + id + "-title\">" + html_escape(title) +
                  "</title>";
  double y = 4;
  for (const auto& x : rows) {
    double len = bar_w * static_cast<double>(x.count) / static_cast<double>(max);
    s += "<text x=\"" + num(label_w - 8) + "\" y=\"" + num(y + 18) + "\" text-anchor=\"end\">" + html_escape(x.label) +
         "</text>";
    s += "<rect class=\"bar\" x=\"" + num(label_w) + "\" y=\"" + num(y + 4) + "\" width=\"" + num(len) +
         "\" height=\"18\"/>";
    s += "<text x=\"" + num(label_w + len + 6) + "\" y=\"" + num(y + 18) + "\">" + format_count(x.count) + "</text>";
    y += row_h;
  }
  s += "</svg>";
  return s;
}

mu::data rows_data(const std::vector<stats::row>& rows, std::size_t limit = 0) {
  mu::data list{mu::data::type::list};
  std::size_t n = 0;
  for (const auto& x : rows) {
    if (limit && n++ == limit) break;
    mu::data d;
    d.set("key", x.key);
    d.set("label", x.label);
    d.set("group", x.group);
    d.set("detail", x.detail);
    d.set("count", format_count(x.count));
    d.set("previous", format_count(x.previous));
    d.set("change", change(x.count, x.previous));
    d.set("hits", x.hits < 0 ? std::string() : format_count(x.hits));
    list.push_back(d);
  }
  return list;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string csv_line(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += csv_field(fields[i]);
  }
  return out + "\r\n";
}

}  // namespace

std::string format_count(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += "\u00a0";
    out += digits[i];
  }
  return (n < 0 ? "−" : "") + out;
}

std::string period_query(const stats::period_choice& p) {
  if (p.preset == "egen")
    return "period=egen&fran=" + calendar::format_day(p.current.from) + "&till=" + calendar::format_day(p.current.to);
  return "period=" + p.preset;
}

mu::data statistics_data(const stats::report& r, const std::vector<std::string>& owner_domains, std::string_view sort) {
  mu::data b;
  const auto& w = r.when;
  const std::string pq = period_query(w);
  b.set("period_query", pq);
  for (const char* p : {"7", "30", "365", "egen"}) b.set(std::string("is_") + p, w.preset == p);
  b.set("fran", calendar::format_day(w.current.from));
  b.set("till", calendar::format_day(w.current.to));
  b.set("from", calendar::format_day(w.current.from));
  b.set("to", calendar::format_day(w.current.to));
  b.set("days", std::to_string(w.current.days()));
  b.set("prev_from", calendar::format_day(w.previous.from));
  b.set("prev_to", calendar::format_day(w.previous.to));
  if (!w.error.empty()) b.set("error", w.error);
  std::string domains;
  for (const auto& d : owner_domains) domains += (domains.empty() ? "" : ", ") + d;
  b.set("domains", domains.empty() ? std::string("(inga angivna)") : domains);
  b.set("owner", format_count(r.owner));
  b.set("owner_previous", format_count(r.owner_previous));
  b.set("owner_change", change(r.owner, r.owner_previous));
  mu::data figures{mu::data::type::list};
  figures.push_back(figure("Följda länkar till alla stöd", r.links, r.links_previous));
  figures.push_back(figure("Sidvisningar", r.views, r.views_previous));
  figures.push_back(figure("Sökningar", r.searches, r.searches_previous));
  b.set("figures", figures);

  b.set("trend_svg", trend_svg(r));
  mu::data daily{mu::data::type::list};
  for (const auto& d : r.daily) {
    mu::data x;
    x.set("day", d.day);
    x.set("owner", format_count(d.owner));
    x.set("links", format_count(d.links));
    x.set("views", format_count(d.views));
    daily.push_back(x);
  }
  b.set("daily", daily);

  b.set("category_svg", bars_svg(r.by_category, "chart-kategorier", "Följda länkar per kategori"));
  b.set("categories", rows_data(r.by_category));
  b.set("level_svg", bars_svg(r.by_level, "chart-nivaer", "Följda länkar per nivå"));
  b.set("levels", rows_data(r.by_level));

  std::vector<stats::row> top;
  for (const auto& x : r.by_resource)
    if (x.count > 0 && top.size() < 10) top.push_back(x);
  b.set("top_resources", rows_data(top));
  b.set("has_top_resources", !top.empty());

  // The full resource table, sorted by the chosen column.
  std::string by =
      sort == "titel" || sort == "kategori" || sort == "niva" || sort == "forandring" ? std::string(sort) : "antal";
  std::vector<stats::row> all = r.by_resource;
  std::stable_sort(all.begin(), all.end(), [&by](const stats::row& a, const stats::row& c) {
    if (by == "titel") return a.label < c.label;
    if (by == "kategori") return a.group != c.group ? a.group < c.group : a.label < c.label;
    if (by == "niva") return a.detail != c.detail ? a.detail < c.detail : a.label < c.label;
    if (by == "forandring") return a.count - a.previous > c.count - c.previous;
    return a.count > c.count;
  });
  b.set("resources", rows_data(all));
  mu::data columns{mu::data::type::list};
  for (const auto& [key, label, dir] :
       {std::tuple<const char*, const char*, const char*>{"titel", "Resurs", "ascending"},
        {"kategori", "Kategori", "ascending"},
        {"niva", "Nivå", "ascending"},
        {"antal", "Följda länkar", "descending"},
        {"forandring", "Förändring", "descending"}}) {
    mu::data c;
    c.set("label", label);
    c.set("href", "/admin/statistik?" + pq + "&sortera=" + key + "#resurser");
    if (by == key) c.set("sort", std::string(dir));
    c.set("hint", std::string(dir) == "ascending" ? "sortera i bokstavsordning" : "sortera störst först");
    columns.push_back(c);
  }
  b.set("resource_columns", columns);

  b.set("pages", rows_data(r.by_page, 100));
  b.set("has_pages", !r.by_page.empty());
  b.set("searches", rows_data(r.searches_top, 50));
  b.set("has_searches", !r.searches_top.empty());
  b.set("misses", rows_data(r.searches_without_hits, 50));
  b.set("has_misses", !r.searches_without_hits.empty());
  return b;
}

std::optional<std::string> statistics_csv(const stats::report& r, std::string_view name) {
  std::string out = "\xEF\xBB\xBF";
  auto n = [](std::int64_t v) { return std::to_string(v); };
  if (name == "dagar") {
    out += csv_line({"Datum", "Besök till ägarens webbplats", "Följda länkar", "Sidvisningar"});
    for (const auto& d : r.daily) out += csv_line({d.day, n(d.owner), n(d.links), n(d.views)});
  } else if (name == "kategorier" || name == "nivaer") {
    out += csv_line({name == "kategorier" ? "Kategori" : "Nivå", "Följda länkar", "Föregående period"});
    for (const auto& x : name == "kategorier" ? r.by_category : r.by_level)
      out += csv_line({x.label, n(x.count), n(x.previous)});
  } else if (name == "resurser") {
    out += csv_line({"Resurs", "Adressnamn", "Kategori", "Nivå", "Följda länkar", "Föregående period"});
    for (const auto& x : r.by_resource) out += csv_line({x.label, x.key, x.group, x.detail, n(x.count), n(x.previous)});
  } else if (name == "sidor") {
    out += csv_line({"Sida", "Sidvisningar", "Föregående period"});
    for (const auto& x : r.by_page) out += csv_line({x.key, n(x.count), n(x.previous)});
  } else if (name == "sokningar") {
    out += csv_line({"Sökning", "Antal sökningar", "Träffar"});
    for (const auto& x : r.searches_top) out += csv_line({x.key, n(x.count), n(x.hits)});
  } else if (name == "sokningar-utan-traffar") {
    out += csv_line({"Sökning", "Antal sökningar"});
    for (const auto& x : r.searches_without_hits) out += csv_line({x.key, n(x.count)});
  } else {
    return std::nullopt;
  }
  return out;
}

}  // namespace cg::admin
