#include "stats/report.hpp"

#include <algorithm>
#include <map>

#include "content/links.hpp"
#include "util/calendar.hpp"

namespace cg::stats {

store::day_range period::range() const {
  return {calendar::format_day(from), calendar::format_day(to)};
}

period_choice choose_period(std::string_view preset, std::string_view from, std::string_view to, std::int64_t today) {
  period_choice out;
  auto last = [&](std::int64_t n) { out.current = {today - n + 1, today}; };
  if (preset == "7" || preset == "30" || preset == "365") {
    out.preset = std::string(preset);
    last(preset == "7" ? 7 : preset == "30" ? 30 : 365);
  } else if (preset == "egen") {
    auto f = calendar::parse_day(from);
    auto t = calendar::parse_day(to);
    if (!f || !t)
      out.error = "Skriv datumen som ÅÅÅÅ-MM-DD, till exempel 2026-01-31.";
    else if (*f > *t)
      out.error = "Startdatumet måste vara samma dag som eller före slutdatumet.";
    else if (*t - *f + 1 > kMaxPeriodDays)
      out.error = "En period kan vara högst 3660 dagar.";
    if (out.error.empty()) {
      out.preset = "egen";
      out.current = {*f, *t};
    }
  } else if (!preset.empty()) {
    out.error = "Välj en av perioderna i listan.";
  }
  if (out.preset.empty()) {
    out.preset = "30";
    last(30);
  }
  out.previous = {out.current.from - out.current.days(), out.current.from - 1};
  return out;
}

namespace {

bool in(const period& p, std::int64_t day) {
  return day >= p.from && day <= p.to;
}

void sort_rows(std::vector<row>& rows) {
  std::stable_sort(rows.begin(), rows.end(), [](const row& a, const row& b) {
    if (a.count != b.count) return a.count > b.count;
    return a.label < b.label;
  });
}

}  // namespace

report build_report(const content::guide& g, const period_choice& when, const counts& c) {
  report out;
  out.when = when;
  const period& cur = when.current;
  const period& prev = when.previous;
  for (std::int64_t d = cur.from; d <= cur.to; ++d) out.daily.push_back({calendar::format_day(d), 0, 0, 0});

  // Followed links: by resource, category, level and the owner's domains.
  std::map<std::string, row> resources;
  for (const auto& r : g.resources) {
    row x;
    x.key = r.slug;
    x.label = r.title;
    const auto* cat = g.find_category(r.category);
    const auto* lvl = g.find_level(r.level);
    x.group = cat ? cat->name : "Utan kategori";
    x.detail = lvl ? lvl->name : "";
    resources[r.slug] = x;
  }
  std::map<std::string, row> categories, levels;
  for (const auto& cat : g.categories) categories[cat.slug] = {cat.slug, cat.name, "", "", 0, 0, -1};
  for (const auto& lvl : g.levels) levels[lvl.slug] = {lvl.slug, lvl.name, "", "", 0, 0, -1};
  for (const auto& k : c.clicks) {
    auto day = calendar::parse_day(k.day);
    if (!day || (!in(cur, *day) && !in(prev, *day))) continue;
    const bool now = in(cur, *day);
    const content::resource* r = g.find_resource(k.resource_slug);
    std::string host = !k.host.empty() ? k.host : r ? content::url_host(r->url) : std::string();
    const bool owner = content::is_owner_host(host, g.site.owner_domains);
    (now ? out.links : out.links_previous) += k.count;
    if (owner) (now ? out.owner : out.owner_previous) += k.count;
    if (now) {
      auto& d = out.daily[static_cast<std::size_t>(*day - cur.from)];
      d.links += k.count;
      if (owner) d.owner += k.count;
    }
    auto [it, added] = resources.try_emplace(k.resource_slug);
    if (added) {
      it->second.key = k.resource_slug;
      it->second.label = k.resource_slug + " (borttagen)";
      it->second.group = "Borttagen resurs";
    }
    (now ? it->second.count : it->second.previous) += k.count;
    if (r) {
      if (auto ci = categories.find(r->category); ci != categories.end())
        (now ? ci->second.count : ci->second.previous) += k.count;
      if (auto li = levels.find(r->level); li != levels.end())
        (now ? li->second.count : li->second.previous) += k.count;
    }
  }
  for (const auto& cat : g.categories) out.by_category.push_back(categories[cat.slug]);
  for (const auto& lvl : g.levels) out.by_level.push_back(levels[lvl.slug]);
  for (auto& [slug, x] : resources) out.by_resource.push_back(x);
  sort_rows(out.by_resource);

  // Page views.
  std::map<std::string, row> pages;
  for (const auto& v : c.views) {
    auto day = calendar::parse_day(v.day);
    if (!day || (!in(cur, *day) && !in(prev, *day))) continue;
    const bool now = in(cur, *day);
    (now ? out.views : out.views_previous) += v.count;
    if (now) out.daily[static_cast<std::size_t>(*day - cur.from)].views += v.count;
    row& x = pages[v.path];
    x.key = x.label = v.path;
    (now ? x.count : x.previous) += v.count;
  }
  for (auto& [path, x] : pages)
    if (x.count > 0) out.by_page.push_back(x);
  sort_rows(out.by_page);

  // Searches: counts summed; hits as found on the last day the query was searched.
  std::map<std::string, row> queries;
  std::map<std::string, std::string> last_day;
  for (const auto& s : c.searches) {
    auto day = calendar::parse_day(s.day);
    if (!day || (!in(cur, *day) && !in(prev, *day))) continue;
    const bool now = in(cur, *day);
    (now ? out.searches : out.searches_previous) += s.count;
    if (!now) continue;
    row& x = queries[s.query];
    x.key = x.label = s.query;
    x.count += s.count;
    if (s.day >= last_day[s.query]) {
      last_day[s.query] = s.day;
      x.hits = s.hits;
    }
  }
  for (auto& [q, x] : queries) {
    out.searches_top.push_back(x);
    if (x.hits == 0) out.searches_without_hits.push_back(x);
  }
  sort_rows(out.searches_top);
  sort_rows(out.searches_without_hits);
  return out;
}

}  // namespace cg::stats
