#include "content/diff.hpp"

#include <map>
#include <tuple>

namespace cg::content {
namespace {

using entry_key = std::tuple<int, std::string, std::string, int, std::string>;  // group, entity, key, n, field
using flat = std::map<entry_key, std::string>;

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

void put(flat& f, int group, const std::string& entity, const std::string& key, int n, const std::string& field,
         const std::string& value) {
  f[{group, entity, key, n, field}] = value;
}

flat flatten(const guide& g) {
  flat f;
  static const std::map<std::string, std::string> kText = {{"title", "Titel"},
                                                           {"tagline", "Undertitel"},
                                                           {"intro", "Inledning"},
                                                           {"why", "Därför behövs det"},
                                                           {"covers", "Vad cybersäkerhet omfattar"},
                                                           {"eu", "NIS2 och CER"},
                                                           {"about", "Om guiden"},
                                                           {"start_intro", "Inledning till Var ska jag börja?"},
                                                           {"categories_intro", "Inledning till kategorierna"},
                                                           {"site_about", "Om webbplatsen"},
                                                           {"accessibility", "Tillgänglighetsredogörelse"},
                                                           {"campaign_tags", "Kampanjtaggar på"},
                                                           {"utm_source", "utm_source"},
                                                           {"utm_medium", "utm_medium"},
                                                           {"utm_campaign", "utm_campaign"}};
  int n = 0;
  for (const char* k : kSiteTextKeys) put(f, 0, "Webbplatsens texter", "", n++, kText.at(k), g.site.text(k));
  for (const char* k : kSiteSettingKeys) put(f, 0, "Webbplatsens texter", "", n++, kText.at(k), g.site.text(k));
  put(f, 0, "Webbplatsens texter", "", n++, "Ägarens domäner", join(g.site.owner_domains, ", "));
  for (std::size_t i = 0; i < g.site.start_picks.size(); ++i) {
    const auto& p = g.site.start_picks[i];
    put(f, 1, "Var ska jag börja?", "val " + std::to_string(i + 1), 0, "Resurs", p.resource);
    put(f, 1, "Var ska jag börja?", "val " + std::to_string(i + 1), 1, "Text", p.text_md);
  }
  for (std::size_t i = 0; i < g.levels.size(); ++i) {
    const auto& l = g.levels[i];
    put(f, 2, "Nivå", l.slug, 0, "Namn", l.name);
    put(f, 2, "Nivå", l.slug, 1, "Vem den är för", l.audience_md);
    put(f, 2, "Nivå", l.slug, 2, "Plats i ordningen", std::to_string(i + 1));
  }
  for (std::size_t i = 0; i < g.categories.size(); ++i) {
    const auto& c = g.categories[i];
    put(f, 3, "Kategori", c.slug, 0, "Namn", c.name);
    put(f, 3, "Kategori", c.slug, 1, "Sammanfattning", c.summary);
    put(f, 3, "Kategori", c.slug, 2, "Inledning", c.intro_md);
    put(f, 3, "Kategori", c.slug, 3, "Nivåer", join(c.levels, ", "));
    put(f, 3, "Kategori", c.slug, 4, "Plats i ordningen", std::to_string(i + 1));
  }
  for (const auto& p : g.publishers) {
    put(f, 4, "Utgivare", p.slug, 0, "Kortnamn", p.short_name);
    put(f, 4, "Utgivare", p.slug, 1, "Namn", p.name);
    put(f, 4, "Utgivare", p.slug, 2, "Tidigare namn", join(p.former_names, ", "));
    put(f, 4, "Utgivare", p.slug, 3, "Startsida", p.home_page);
  }
  for (const auto& r : g.resources) {
    put(f, 5, "Resurs", r.slug, 0, "Titel", r.title);
    put(f, 5, "Resurs", r.slug, 1, "Utgivare", r.publisher);
    put(f, 5, "Resurs", r.slug, 2, "Kategori", r.category);
    put(f, 5, "Resurs", r.slug, 3, "Nivå", r.level);
    put(f, 5, "Resurs", r.slug, 4, "Ordning", std::to_string(r.order));
    put(f, 5, "Resurs", r.slug, 5, "Adress", r.url);
    put(f, 5, "Resurs", r.slug, 6, "Bara utgivarens startsida", r.url_is_home_page ? "ja" : "nej");
    put(f, 5, "Resurs", r.slug, 7, "Kostnad", to_string(r.cost));
    put(f, 5, "Resurs", r.slug, 8, "Format", r.format);
    put(f, 5, "Resurs", r.slug, 9, "År", r.year ? std::to_string(*r.year) : "");
    put(f, 5, "Resurs", r.slug, 10, "Beskrivning", r.description_md);
    put(f, 5, "Resurs", r.slug, 11, "Anteckning för redaktörer", r.editor_note);
  }
  for (std::size_t i = 0; i < g.callouts.size(); ++i) {
    const auto& c = g.callouts[i];
    std::string key = "nr " + std::to_string(i + 1);
    put(f, 6, "Utropsruta", key, 0, "Sida", c.page);
    put(f, 6, "Utropsruta", key, 1, "Rubrik", c.title);
    put(f, 6, "Utropsruta", key, 2, "Text", c.text_md);
  }
  return f;
}

}  // namespace

std::vector<field_change> diff(const guide& a, const guide& b) {
  flat fa = flatten(a), fb = flatten(b);
  std::vector<field_change> out;
  auto emit = [&out](const entry_key& k, const std::string& before, const std::string& after) {
    if (before == after) return;
    out.push_back({std::get<1>(k), std::get<2>(k), std::get<4>(k), before, after});
  };
  auto ia = fa.begin();
  auto ib = fb.begin();
  while (ia != fa.end() || ib != fb.end()) {
    if (ib == fb.end() || (ia != fa.end() && ia->first < ib->first)) {
      emit(ia->first, ia->second, "");
      ++ia;
    } else if (ia == fa.end() || ib->first < ia->first) {
      emit(ib->first, "", ib->second);
      ++ib;
    } else {
      emit(ia->first, ia->second, ib->second);
      ++ia;
      ++ib;
    }
  }
  return out;
}

}  // namespace cg::content
