#include "content/model.hpp"

#include <algorithm>
#include <set>

namespace cg::content {

const char* to_string(cost c) {
  switch (c) {
    case cost::free: return "free";
    case cost::paid: return "paid";
    case cost::unknown: return "unknown";
  }
  return "unknown";
}

std::optional<cost> parse_cost(const std::string& s) {
  if (s == "free") return cost::free;
  if (s == "paid") return cost::paid;
  if (s == "unknown") return cost::unknown;
  return std::nullopt;
}

const std::string& site::text(const std::string& key) const {
  static const std::string kEmpty;
  auto it = texts.find(key);
  return it == texts.end() ? kEmpty : it->second;
}

namespace {
template <typename T>
const T* find_by_slug(const std::vector<T>& v, const std::string& slug) {
  auto it = std::find_if(v.begin(), v.end(), [&](const T& x) { return x.slug == slug; });
  return it == v.end() ? nullptr : &*it;
}

std::string q(const std::string& s) {
  return "\u201d" + s + "\u201d";
}
}  // namespace

const level* guide::find_level(const std::string& slug) const {
  return find_by_slug(levels, slug);
}
const category* guide::find_category(const std::string& slug) const {
  return find_by_slug(categories, slug);
}
const publisher* guide::find_publisher(const std::string& slug) const {
  return find_by_slug(publishers, slug);
}
const resource* guide::find_resource(const std::string& slug) const {
  return find_by_slug(resources, slug);
}

std::vector<const resource*> guide::resources_at(const std::string& cat, const std::string& lvl) const {
  std::vector<const resource*> out;
  for (const auto& r : resources)
    if (r.category == cat && r.level == lvl) out.push_back(&r);
  std::stable_sort(out.begin(), out.end(), [](const resource* a, const resource* b) {
    return a->order != b->order ? a->order < b->order : a->title < b->title;
  });
  return out;
}

bool is_valid_slug(const std::string& s) {
  if (s.empty() || s.size() > 80 || s.front() == '-' || s.back() == '-') return false;
  char prev = 0;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok || (c == '-' && prev == '-')) return false;
    prev = c;
  }
  return true;
}

bool is_valid_url(const std::string& s) {
  std::string rest;
  if (s.rfind("https://", 0) == 0)
    rest = s.substr(8);
  else if (s.rfind("http://", 0) == 0)
    rest = s.substr(7);
  else
    return false;
  if (s.size() > 2000) return false;
  for (unsigned char c : s)
    if (c <= 0x20 || c == 0x7f || c == '"' || c == '<' || c == '>' || c == '\\') return false;
  auto end = rest.find_first_of("/?#");
  std::string host = rest.substr(0, end);
  if (host.empty() || host.find('@') != std::string::npos) return false;
  return true;
}

std::vector<std::string> validate(const guide& g) {
  std::vector<std::string> p;
  auto check_unique = [&p](const std::string& kind, const std::string& slug, std::set<std::string>& seen) {
    if (slug == "ny" || slug == "alla-nivaer")
      p.push_back(kind + " kan inte ha slugen " + q(slug) + ": den används redan av webbplatsen.");
    else if (!is_valid_slug(slug))
      p.push_back(kind + " " + q(slug) + ": ogiltig slug. Använd små bokstäver a–z, siffror och enstaka bindestreck.");
    else if (!seen.insert(slug).second)
      p.push_back(kind + " " + q(slug) + " finns mer än en gång.");
  };

  if (g.site.text("title").empty()) p.push_back("Webbplatsen saknar namn (under Texter, eller title i site.toml).");

  std::set<std::string> seen;
  for (const auto& l : g.levels) {
    check_unique("Nivån", l.slug, seen);
    if (l.name.empty()) p.push_back("Nivån " + q(l.slug) + " saknar namn.");
  }
  if (g.levels.empty()) p.push_back("Guiden har inga nivåer.");

  seen.clear();
  for (const auto& pub : g.publishers) {
    check_unique("Utgivaren", pub.slug, seen);
    if (pub.name.empty() || pub.short_name.empty())
      p.push_back("Utgivaren " + q(pub.slug) + " saknar namn eller kortnamn.");
    if (!pub.home_page.empty() && !is_valid_url(pub.home_page))
      p.push_back("Utgivaren " + q(pub.slug) + ": startsidan " + q(pub.home_page) +
                  " är ingen giltig webbadress (den ska börja med https:// eller http://).");
  }

  seen.clear();
  for (const auto& c : g.categories) {
    check_unique("Kategorin", c.slug, seen);
    if (c.name.empty()) p.push_back("Kategorin " + q(c.slug) + " saknar namn.");
    if (c.levels.empty()) p.push_back("Kategorin " + q(c.slug) + " erbjuder ingen nivå.");
    std::set<std::string> lv;
    for (const auto& l : c.levels) {
      if (!g.find_level(l)) p.push_back("Kategorin " + q(c.slug) + " anger nivån " + q(l) + " som inte finns.");
      if (!lv.insert(l).second) p.push_back("Kategorin " + q(c.slug) + " anger nivån " + q(l) + " två gånger.");
    }
  }

  seen.clear();
  for (const auto& r : g.resources) {
    check_unique("Resursen", r.slug, seen);
    const std::string who = "Resursen " + q(r.slug);
    if (r.title.empty()) p.push_back(who + " saknar titel.");
    if (!g.find_publisher(r.publisher)) p.push_back(who + " anger utgivaren " + q(r.publisher) + " som inte finns.");
    if (!is_valid_url(r.url))
      p.push_back(who + ": adressen " + q(r.url) +
                  " är ingen giltig webbadress (den ska börja med https:// eller http:// och sakna mellanslag).");
    if (r.category.empty() != r.level.empty()) {
      p.push_back(who + " ska ha både kategori och nivå, eller ingen av dem.");
    } else if (!r.category.empty()) {
      const category* c = g.find_category(r.category);
      if (!c)
        p.push_back(who + " anger kategorin " + q(r.category) + " som inte finns.");
      else if (std::find(c->levels.begin(), c->levels.end(), r.level) == c->levels.end())
        p.push_back(who + " ligger på nivån " + q(r.level) + " som kategorin " + q(r.category) + " inte erbjuder.");
    }
    if (r.year && (*r.year < 1900 || *r.year > 2100)) p.push_back(who + " har ett orimligt årtal.");
  }

  std::set<std::string> picked;
  for (const auto& sp : g.site.start_picks) {
    if (!g.find_resource(sp.resource))
      p.push_back("Startpunkten " + q(sp.resource) + " pekar på en resurs som inte finns.");
    else if (!picked.insert(sp.resource).second)
      p.push_back("Resursen " + q(sp.resource) + " är vald som startpunkt två gånger.");
  }
  for (const auto& d : g.site.owner_domains)
    if (d.empty() || d.find_first_of(" /:") != std::string::npos)
      p.push_back("Ägardomänen " + q(d) + " är ogiltig: skriv bara domännamnet, till exempel mcf.se.");
  for (const auto& c : g.callouts)
    if (c.page.empty() || c.page.front() != '/')
      p.push_back("Utropsrutan " + q(c.title) + " ska placeras på en sökväg som börjar med /.");
  return p;
}

}  // namespace cg::content
