#include "admin/editing.hpp"

#include <algorithm>
#include <charconv>

namespace cg::admin {
namespace {

using content::guide;
using kind = field_spec::kind;

constexpr std::size_t kShort = 200;
constexpr std::size_t kTitle = 300;
constexpr std::size_t kLong = 20000;

std::size_t chars(const std::string& s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto nl = s.find('\n', start);
    std::string line =
        trim(std::string_view(s).substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    if (!line.empty()) out.push_back(line);
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

std::string join_lines(const std::vector<std::string>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? "\n" : "") + v[i];
  return out;
}

// Collects field errors while reading a form.
class checker {
 public:
  explicit checker(const form& f) : f_(f) {}
  std::string text(const std::string& name, const std::string& label, bool required, std::size_t max) {
    std::string v = f_.get(name);
    if (required && v.empty())
      add(name, "Fyll i " + lower(label) + ".");
    else if (chars(v) > max)
      add(name, label + " får vara högst " + std::to_string(max) + " tecken.");
    return v;
  }
  std::string slug(const std::string& name, const std::string& what) {
    std::string v = f_.get(name);
    if (v.empty())
      add(name, "Fyll i en slug för " + what + ".");
    else if (v == "ny" || v == "alla-nivaer")
      add(name, "Slugen " + v + " används redan av webbplatsen. Välj en annan.");
    else if (!content::is_valid_slug(v))
      add(name,
          "Slugen får bara innehålla små bokstäver a–z, siffror och enstaka bindestreck, till exempel "
          "kurs-for-chefer.");
    return v;
  }
  std::string url(const std::string& name, const std::string& label, bool required) {
    std::string v = f_.get(name);
    if (v.empty()) {
      if (required) add(name, "Fyll i " + lower(label) + ".");
    } else if (!content::is_valid_url(v)) {
      add(name, label +
                    " måste vara en fullständig webbadress som börjar med https:// eller http://, till exempel "
                    "https://www.mcf.se/.");
    }
    return v;
  }
  std::optional<int> integer(const std::string& name, const std::string& label, bool required, int lo, int hi,
                             const std::string& example) {
    std::string v = f_.get(name);
    if (v.empty()) {
      if (required) add(name, "Fyll i " + lower(label) + ", till exempel " + example + ".");
      return std::nullopt;
    }
    int n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || p != v.data() + v.size() || n < lo || n > hi) {
      add(name, label + " måste vara ett heltal från " + std::to_string(lo) + " till " + std::to_string(hi) +
                    ", till exempel " + example + ".");
      return std::nullopt;
    }
    return n;
  }
  void add(const std::string& name, const std::string& message) { errors.emplace_back(name, message); }
  static std::string lower(const std::string& s) {
    if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z') return static_cast<char>(s[0] - 'A' + 'a') + s.substr(1);
    return s;
  }
  field_errors errors;

 private:
  const form& f_;
};

// Runs content::validate on the changed guide; its problems become general errors ("" field).
field_errors commit_if_valid(guide& g, guide&& changed, field_errors errors) {
  if (errors.empty()) {
    for (const auto& p : content::validate(changed)) errors.emplace_back("", p);
  }
  if (errors.empty()) g = std::move(changed);
  return errors;
}

field_spec field(std::string name, std::string label, kind type, const form& v, bool required = false,
                 std::string hint = "") {
  field_spec f;
  f.name = std::move(name);
  f.label = std::move(label);
  f.type = type;
  f.value = type == kind::textarea ? v.raw(f.name) : v.get(f.name);
  f.required = required;
  f.hint = std::move(hint);
  return f;
}

field_spec select(std::string name, std::string label, const form& v, std::vector<option> opts, bool required = false,
                  std::string hint = "") {
  field_spec f = field(std::move(name), std::move(label), kind::select, v, required, std::move(hint));
  for (auto& o : opts) o.selected = o.value == f.value;
  f.options = std::move(opts);
  return f;
}

field_spec checkbox(std::string name, std::string label, const form& v, std::string hint) {
  field_spec f = field(std::move(name), std::move(label), kind::checkbox, v, false, std::move(hint));
  f.value = f.value.empty() ? "" : "1";
  return f;
}

template <typename T>
T* find_slug(std::vector<T>& v, const std::string& slug) {
  auto it = std::find_if(v.begin(), v.end(), [&](const T& x) { return x.slug == slug; });
  return it == v.end() ? nullptr : &*it;
}

}  // namespace

// ---- resources ----

form resource_form(const content::resource& r) {
  form f;
  f.set("slug", r.slug);
  f.set("title", r.title);
  f.set("publisher", r.publisher);
  f.set("category", r.category);
  f.set("level", r.level);
  f.set("order", std::to_string(r.order));
  f.set("url", r.url);
  if (r.url_is_home_page) f.set("url_is_home_page", "1");
  f.set("cost", content::to_string(r.cost));
  f.set("format", r.format);
  f.set("year", r.year ? std::to_string(*r.year) : "");
  f.set("description", r.description_md);
  f.set("editor_note", r.editor_note);
  return f;
}

std::vector<field_spec> resource_fields(const guide& g, const form& v) {
  std::vector<option> pubs, cats{{"", "Ingen (visas bara via Var ska jag börja? eller länkar)"}}, lvls{{"", "Ingen"}};
  for (const auto& p : g.publishers) pubs.push_back({p.slug, p.name + " (" + p.short_name + ")"});
  for (const auto& c : g.categories) cats.push_back({c.slug, c.name});
  for (const auto& l : g.levels) lvls.push_back({l.slug, l.name});
  std::vector<field_spec> out;
  out.push_back(field("title", "Titel", kind::text, v, true));
  out.push_back(field("slug", "Slug", kind::text, v, true,
                      "Del av adressen /resurser/… Små bokstäver a–z, siffror och bindestreck."));
  out.push_back(select("publisher", "Utgivare", v, pubs, true));
  out.push_back(select("category", "Kategori", v, cats));
  out.push_back(select("level", "Nivå", v, lvls, false, "Välj en nivå som kategorin erbjuder."));
  out.push_back(
      field("order", "Ordning på sidan", kind::number, v, true, "Lägre tal visas först, till exempel 10, 20, 30."));
  out.push_back(field("url", "Adress", kind::url, v, true, "Den fullständiga adressen till stödet, med https://."));
  field_spec home = field("url_is_home_page", "Adressen är bara utgivarens startsida", kind::checkbox, v);
  home.value = v.get("url_is_home_page").empty() ? "" : "1";
  home.hint = "Kryssa i när ingen direktlänk är känd, så syns det i översikten.";
  out.push_back(home);
  out.push_back(
      select("cost", "Kostnad", v, {{"free", "Kostnadsfri"}, {"paid", "Avgiftsbelagd"}, {"unknown", "Okänd"}}, true));
  out.push_back(field("format", "Format", kind::text, v, false, "Till exempel Webbkurs, Rapport, Vägledning."));
  out.push_back(field("year", "År", kind::number, v, false, "Utgivningsår, fyra siffror."));
  field_spec desc =
      field("description", "Beskrivning", kind::textarea, v, false, "Markdown: **fet**, *kursiv*, listor.");
  desc.large = true;
  out.push_back(desc);
  out.push_back(
      field("editor_note", "Anteckning för redaktörer", kind::textarea, v, false, "Visas aldrig för läsare."));
  return out;
}

field_errors apply_resource(guide& g, const std::string& original, const form& f) {
  checker c(f);
  content::resource r;
  if (!original.empty()) {
    const content::resource* old = g.find_resource(original);
    if (!old) return {{"", "Resursen finns inte längre i utkastet."}};
    r = *old;
  }
  r.title = c.text("title", "Titel", true, kTitle);
  r.slug = c.slug("slug", "resursen");
  r.publisher = f.get("publisher");
  if (!g.find_publisher(r.publisher)) c.add("publisher", "Välj en utgivare.");
  r.category = f.get("category");
  r.level = f.get("level");
  if (!r.category.empty() && !g.find_category(r.category)) c.add("category", "Välj en kategori i listan.");
  if (!r.level.empty() && !g.find_level(r.level)) c.add("level", "Välj en nivå i listan.");
  if (r.category.empty() != r.level.empty())
    c.add(r.level.empty() ? "level" : "category", "Välj både kategori och nivå, eller ingen av dem.");
  if (const content::category* cat = g.find_category(r.category);
      cat && !r.level.empty() && g.find_level(r.level) &&
      std::find(cat->levels.begin(), cat->levels.end(), r.level) == cat->levels.end())
    c.add("level", "Kategorin " + cat->name + " har inte den nivån. Välj en annan nivå eller ändra kategorin.");
  if (auto o = c.integer("order", "Ordningen", true, -100000, 100000, "10")) r.order = *o;
  r.url = c.url("url", "Adressen", true);
  r.url_is_home_page = !f.get("url_is_home_page").empty();
  auto cost = content::parse_cost(f.get("cost"));
  if (!cost)
    c.add("cost", "Välj en kostnad.");
  else
    r.cost = *cost;
  r.format = c.text("format", "Format", false, kShort);
  r.year = c.integer("year", "Året", false, 1900, 2100, "2024");
  r.description_md = trim(f.raw("description"));
  if (chars(r.description_md) > kLong) c.add("description", "Beskrivningen får vara högst 20000 tecken.");
  r.editor_note = c.text("editor_note", "Anteckningen", false, kLong);
  if (!r.slug.empty() && r.slug != original && g.find_resource(r.slug))
    c.add("slug", "Det finns redan en resurs med slugen " + r.slug + ". Välj en annan.");
  if (!c.errors.empty()) return c.errors;

  guide changed = g;
  if (original.empty()) {
    changed.resources.push_back(r);
  } else {
    *find_slug(changed.resources, original) = r;
    if (r.slug != original)
      for (auto& p : changed.site.start_picks)
        if (p.resource == original) p.resource = r.slug;
  }
  return commit_if_valid(g, std::move(changed), {});
}

field_errors remove_resource(guide& g, const std::string& slug) {
  if (!g.find_resource(slug)) return {{"", "Resursen finns inte i utkastet."}};
  for (const auto& p : g.site.start_picks)
    if (p.resource == slug) return {{"", "Resursen är vald under Var ska jag börja? Ta bort den därifrån först."}};
  std::erase_if(g.resources, [&](const content::resource& r) { return r.slug == slug; });
  return {};
}

// ---- publishers ----

form publisher_form(const content::publisher& p) {
  form f;
  f.set("slug", p.slug);
  f.set("short_name", p.short_name);
  f.set("name", p.name);
  f.set("former_names", join_lines(p.former_names));
  f.set("home_page", p.home_page);
  return f;
}

std::vector<field_spec> publisher_fields(const form& v) {
  return {
      field("name", "Namn", kind::text, v, true, "Det fullständiga namnet, som läsarna ser det."),
      field("short_name", "Kortnamn", kind::text, v, true, "Till exempel MCF."),
      field("slug", "Slug", kind::text, v, true, "Används bara internt. Små bokstäver a–z, siffror och bindestreck."),
      field("former_names", "Tidigare namn", kind::textarea, v, false,
            "Ett namn per rad. Det första visas som ”tidigare …” bredvid namnet."),
      field("home_page", "Startsida", kind::url, v, false, "Till exempel https://www.mcf.se/.")};
}

field_errors apply_publisher(guide& g, const std::string& original, const form& f) {
  checker c(f);
  content::publisher p;
  p.name = c.text("name", "Namn", true, kShort);
  p.short_name = c.text("short_name", "Kortnamn", true, 60);
  p.slug = c.slug("slug", "utgivaren");
  p.former_names = lines(f.raw("former_names"));
  for (const auto& n : p.former_names)
    if (chars(n) > kShort) c.add("former_names", "Varje tidigare namn får vara högst 200 tecken.");
  p.home_page = c.url("home_page", "Startsidan", false);
  if (!original.empty() && !g.find_publisher(original)) return {{"", "Utgivaren finns inte längre i utkastet."}};
  if (!p.slug.empty() && p.slug != original && g.find_publisher(p.slug))
    c.add("slug", "Det finns redan en utgivare med slugen " + p.slug + ".");
  if (!c.errors.empty()) return c.errors;
  guide changed = g;
  if (original.empty()) {
    changed.publishers.push_back(p);
  } else {
    *find_slug(changed.publishers, original) = p;
    for (auto& r : changed.resources)
      if (r.publisher == original) r.publisher = p.slug;
  }
  return commit_if_valid(g, std::move(changed), {});
}

field_errors remove_publisher(guide& g, const std::string& slug) {
  if (!g.find_publisher(slug)) return {{"", "Utgivaren finns inte i utkastet."}};
  for (const auto& r : g.resources)
    if (r.publisher == slug)
      return {{"", "Utgivaren har resurser (till exempel " + r.title + "). Flytta dem till en annan utgivare först."}};
  std::erase_if(g.publishers, [&](const content::publisher& p) { return p.slug == slug; });
  return {};
}

// ---- categories and levels ----

form category_form(const guide& g, const content::category& c) {
  // A form holds repeated values only through parsing: build the canonical body.
  auto pos = std::find_if(g.categories.begin(), g.categories.end(), [&](const auto& x) { return x.slug == c.slug; });
  std::string body = "slug=" + url_encode(c.slug) + "&name=" + url_encode(c.name) +
                     "&summary=" + url_encode(c.summary) + "&intro=" + url_encode(c.intro_md) +
                     "&position=" + std::to_string(pos - g.categories.begin() + 1);
  for (const auto& l : c.levels) body += "&levels=" + url_encode(l);
  return form::parse(body);
}

std::vector<field_spec> category_fields(const guide& g, const form& v) {
  std::vector<field_spec> out{
      field("name", "Namn", kind::text, v, true),
      field("slug", "Slug", kind::text, v, true,
            "Del av adressen /kategorier/… Små bokstäver a–z, siffror och bindestreck."),
      field("summary", "Sammanfattning", kind::text, v, false, "En mening som visas i listan över kategorier."),
      field("intro", "Inledning", kind::textarea, v, false, "Markdown."),
      field("position", "Plats i ordningen", kind::number, v, true, "1 är först.")};
  field_spec lv = field("levels", "Nivåer som kategorin erbjuder", kind::checkboxes, v, true);
  auto chosen = v.all("levels");
  for (const auto& l : g.levels)
    lv.options.push_back({l.slug, l.name, std::find(chosen.begin(), chosen.end(), l.slug) != chosen.end()});
  out.push_back(lv);
  return out;
}

field_errors apply_category(guide& g, const std::string& original, const form& f) {
  checker c(f);
  content::category cat;
  cat.name = c.text("name", "Namn", true, kShort);
  cat.slug = c.slug("slug", "kategorin");
  cat.summary = c.text("summary", "Sammanfattningen", false, 500);
  cat.intro_md = trim(f.raw("intro"));
  if (chars(cat.intro_md) > kLong) c.add("intro", "Inledningen får vara högst 20000 tecken.");
  auto pos = c.integer("position", "Platsen", true, 1, 1000, "1");
  for (const auto& l : f.all("levels"))
    if (g.find_level(l)) cat.levels.push_back(l);
  // Keep the levels in the guide's level order.
  std::vector<std::string> ordered;
  for (const auto& l : g.levels)
    if (std::find(cat.levels.begin(), cat.levels.end(), l.slug) != cat.levels.end()) ordered.push_back(l.slug);
  cat.levels = ordered;
  if (cat.levels.empty()) c.add("levels", "Välj minst en nivå.");
  if (!original.empty() && !g.find_category(original)) return {{"", "Kategorin finns inte längre i utkastet."}};
  if (!cat.slug.empty() && cat.slug != original && g.find_category(cat.slug))
    c.add("slug", "Det finns redan en kategori med slugen " + cat.slug + ".");
  if (!original.empty()) {
    for (const auto& r : g.resources)
      if (r.category == original && std::find(cat.levels.begin(), cat.levels.end(), r.level) == cat.levels.end()) {
        c.add("levels", "Resursen " + r.title + " ligger på en nivå du tog bort. Flytta den först.");
        break;
      }
  }
  if (!c.errors.empty()) return c.errors;
  guide changed = g;
  if (original.empty()) {
    changed.categories.push_back(cat);
  } else {
    std::erase_if(changed.categories, [&](const content::category& x) { return x.slug == original; });
    changed.categories.push_back(cat);
    for (auto& r : changed.resources)
      if (r.category == original) r.category = cat.slug;
  }
  // Move it to the asked position.
  auto it = std::find_if(changed.categories.begin(), changed.categories.end(),
                         [&](const content::category& x) { return x.slug == cat.slug; });
  content::category moved = *it;
  changed.categories.erase(it);
  std::size_t at = std::min<std::size_t>(static_cast<std::size_t>(pos.value_or(1) - 1), changed.categories.size());
  changed.categories.insert(changed.categories.begin() + static_cast<std::ptrdiff_t>(at), moved);
  return commit_if_valid(g, std::move(changed), {});
}

field_errors remove_category(guide& g, const std::string& slug) {
  if (!g.find_category(slug)) return {{"", "Kategorin finns inte i utkastet."}};
  for (const auto& r : g.resources)
    if (r.category == slug) return {{"", "Kategorin har resurser (till exempel " + r.title + "). Flytta dem först."}};
  std::erase_if(g.categories, [&](const content::category& c) { return c.slug == slug; });
  return {};
}

form level_form(const guide& g, const content::level& l) {
  form f;
  f.set("slug", l.slug);
  f.set("name", l.name);
  f.set("audience", l.audience_md);
  auto pos = std::find_if(g.levels.begin(), g.levels.end(), [&](const auto& x) { return x.slug == l.slug; });
  f.set("position", std::to_string(pos - g.levels.begin() + 1));
  return f;
}

std::vector<field_spec> level_fields(const form& v) {
  return {field("name", "Namn", kind::text, v, true),
          field("slug", "Slug", kind::text, v, true,
                "Del av adressen /nivaer/… Små bokstäver a–z, siffror och bindestreck."),
          field("audience", "Vem nivån är för", kind::textarea, v, false, "Markdown."),
          field("position", "Plats i ordningen", kind::number, v, true, "1 är först.")};
}

field_errors apply_level(guide& g, const std::string& original, const form& f) {
  checker c(f);
  content::level l;
  l.name = c.text("name", "Namn", true, kShort);
  l.slug = c.slug("slug", "nivån");
  l.audience_md = trim(f.raw("audience"));
  if (chars(l.audience_md) > kLong) c.add("audience", "Texten får vara högst 20000 tecken.");
  auto pos = c.integer("position", "Platsen", true, 1, 1000, "1");
  if (!original.empty() && !g.find_level(original)) return {{"", "Nivån finns inte längre i utkastet."}};
  if (!l.slug.empty() && l.slug != original && g.find_level(l.slug))
    c.add("slug", "Det finns redan en nivå med slugen " + l.slug + ".");
  if (!c.errors.empty()) return c.errors;
  guide changed = g;
  std::erase_if(changed.levels, [&](const content::level& x) { return x.slug == original; });
  std::size_t at = std::min<std::size_t>(static_cast<std::size_t>(pos.value_or(1) - 1), changed.levels.size());
  changed.levels.insert(changed.levels.begin() + static_cast<std::ptrdiff_t>(at), l);
  if (!original.empty() && original != l.slug) {
    for (auto& cat : changed.categories)
      for (auto& s : cat.levels)
        if (s == original) s = l.slug;
    for (auto& r : changed.resources)
      if (r.level == original) r.level = l.slug;
  }
  return commit_if_valid(g, std::move(changed), {});
}

field_errors remove_level(guide& g, const std::string& slug) {
  if (!g.find_level(slug)) return {{"", "Nivån finns inte i utkastet."}};
  for (const auto& c : g.categories)
    if (std::find(c.levels.begin(), c.levels.end(), slug) != c.levels.end())
      return {{"", "Kategorin " + c.name + " erbjuder nivån. Ta bort den från kategorin först."}};
  std::erase_if(g.levels, [&](const content::level& l) { return l.slug == slug; });
  return {};
}

// ---- callouts ----

form callout_form(const content::callout& c) {
  form f;
  f.set("page", c.page);
  f.set("title", c.title);
  f.set("text", c.text_md);
  return f;
}

std::vector<field_spec> callout_fields(const form& v) {
  return {field("page", "Sida", kind::text, v, true,
                "Sökvägen där rutan visas, till exempel /kategorier/rapporter/grundniva."),
          field("title", "Rubrik", kind::text, v), field("text", "Text", kind::textarea, v, true, "Markdown.")};
}

field_errors apply_callout(guide& g, const std::string& original, const form& f) {
  checker c(f);
  content::callout co;
  co.page = c.text("page", "Sida", true, kShort);
  if (!co.page.empty() && (co.page.front() != '/' || co.page.find_first_of(" \"<>") != std::string::npos))
    c.add("page", "Sidan ska vara en sökväg på webbplatsen som börjar med /, till exempel /kategorier/rapporter.");
  co.title = c.text("title", "Rubriken", false, kShort);
  co.text_md = trim(f.raw("text"));
  if (co.text_md.empty()) c.add("text", "Fyll i text.");
  if (chars(co.text_md) > kLong) c.add("text", "Texten får vara högst 20000 tecken.");
  std::size_t index = 0;
  if (!original.empty()) {
    index = static_cast<std::size_t>(std::atoi(original.c_str()));
    if (index == 0 || index > g.callouts.size()) return {{"", "Utropsrutan finns inte längre i utkastet."}};
  }
  if (!c.errors.empty()) return c.errors;
  guide changed = g;
  if (index == 0)
    changed.callouts.push_back(co);
  else
    changed.callouts[index - 1] = co;
  return commit_if_valid(g, std::move(changed), {});
}

field_errors remove_callout(guide& g, std::size_t index) {
  if (index == 0 || index > g.callouts.size()) return {{"", "Utropsrutan finns inte i utkastet."}};
  g.callouts.erase(g.callouts.begin() + static_cast<std::ptrdiff_t>(index - 1));
  return {};
}

// ---- site texts, start picks, settings ----

namespace {
const std::vector<std::pair<std::string, std::string>>& site_text_labels() {
  static const std::vector<std::pair<std::string, std::string>> k = {
      {"title", "Webbplatsens namn"},
      {"tagline", "Undertitel"},
      {"intro", "Inledning på startsidan"},
      {"why", "Därför behövs informations- och cybersäkerhet"},
      {"covers", "Vad ingår i cybersäkerhet?"},
      {"eu", "EU-direktiven NIS2 och CER"},
      {"about", "Om guiden"},
      {"start_intro", "Inledning till Var ska jag börja?"},
      {"categories_intro", "Inledning till kategorierna"},
      {"site_about", "Om webbplatsen (sidan /om-webbplatsen: vad som räknas, inga kakor)"},
      {"accessibility", "Tillgänglighetsredogörelse (sidan /tillganglighetsredogorelse)"}};
  return k;
}
constexpr std::size_t kMaxPicks = 5;
}  // namespace

form site_texts_form(const guide& g) {
  form f;
  for (const auto& [k, label] : site_text_labels()) f.set(k, g.site.text(k));
  return f;
}

std::vector<field_spec> site_texts_fields(const form& v) {
  std::vector<field_spec> out;
  for (const auto& [k, label] : site_text_labels()) {
    bool one_line = k == "title" || k == "tagline";
    field_spec f =
        field(k, label, one_line ? kind::text : kind::textarea, v, k == "title", one_line ? "" : "Markdown.");
    f.large = !one_line;
    out.push_back(f);
  }
  return out;
}

field_errors apply_site_texts(guide& g, const form& f) {
  checker c(f);
  guide changed = g;
  for (const auto& [k, label] : site_text_labels()) {
    bool one_line = k == "title" || k == "tagline";
    std::string v = one_line ? c.text(k, label, k == "title", kShort) : trim(f.raw(k));
    if (!one_line && chars(v) > kLong) c.add(k, label + " får vara högst 20000 tecken.");
    changed.site.texts[k] = v;
  }
  return commit_if_valid(g, std::move(changed), c.errors);
}

form start_picks_form(const guide& g) {
  form f;
  for (std::size_t i = 0; i < g.site.start_picks.size() && i < kMaxPicks; ++i) {
    f.set("resource_" + std::to_string(i + 1), g.site.start_picks[i].resource);
    f.set("text_" + std::to_string(i + 1), g.site.start_picks[i].text_md);
  }
  return f;
}

std::vector<field_spec> start_picks_fields(const guide& g, const form& v) {
  std::vector<option> res{{"", "(inget val)"}};
  std::vector<const content::resource*> sorted;
  for (const auto& r : g.resources) sorted.push_back(&r);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->title < b->title; });
  for (const auto* r : sorted) res.push_back({r->slug, r->title});
  std::vector<field_spec> out;
  for (std::size_t i = 1; i <= kMaxPicks; ++i) {
    std::string n = std::to_string(i);
    out.push_back(select("resource_" + n, "Val " + n + ": resurs", v, res));
    out.push_back(field("text_" + n, "Val " + n + ": varför börja här", kind::textarea, v, false, "Markdown."));
  }
  return out;
}

field_errors apply_start_picks(guide& g, const form& f) {
  checker c(f);
  guide changed = g;
  changed.site.start_picks.clear();
  for (std::size_t i = 1; i <= kMaxPicks; ++i) {
    std::string n = std::to_string(i);
    std::string slug = f.get("resource_" + n);
    std::string text = trim(f.raw("text_" + n));
    if (slug.empty()) {
      if (!text.empty()) c.add("resource_" + n, "Välj en resurs för val " + n + ", eller töm texten.");
      continue;
    }
    if (!g.find_resource(slug)) {
      c.add("resource_" + n, "Välj en resurs i listan för val " + n + ".");
      continue;
    }
    for (const auto& p : changed.site.start_picks)
      if (p.resource == slug) c.add("resource_" + n, "Resursen är redan vald. Välj en annan för val " + n + ".");
    if (chars(text) > kLong) c.add("text_" + n, "Texten får vara högst 20000 tecken.");
    changed.site.start_picks.push_back({slug, text});
  }
  return commit_if_valid(g, std::move(changed), c.errors);
}

form settings_form(const guide& g) {
  form f;
  f.set("owner_domains", join_lines(g.site.owner_domains));
  if (g.site.text("campaign_tags") == "on") f.set("campaign_tags", "1");
  for (const char* k : {"utm_source", "utm_medium", "utm_campaign"}) f.set(k, g.site.text(k));
  return f;
}

std::vector<field_spec> settings_fields(const form& v) {
  return {field("owner_domains", "Ägarens domäner", kind::textarea, v, false,
                "En domän per rad, till exempel mcf.se. Underdomäner räknas med."),
          checkbox("campaign_tags", "Lägg till kampanjtaggar på länkar till ägarens domäner", v,
                   "Ägarens egen webbanalys kan då se att besöken kom från guiden. Taggarna läggs till när länken "
                   "följs och sparas aldrig i innehållet; en adress som redan har en parameter med samma namn behåller "
                   "sin egen."),
          field("utm_source", "utm_source", kind::text, v, false, "Till exempel cyberguide."),
          field("utm_medium", "utm_medium", kind::text, v, false, "Till exempel referral."),
          field("utm_campaign", "utm_campaign", kind::text, v, false, "Till exempel guide-cybersaker-kommun.")};
}

field_errors apply_settings(guide& g, const form& f) {
  checker c(f);
  guide changed = g;
  changed.site.owner_domains.clear();
  for (auto d : lines(f.raw("owner_domains"))) {
    std::transform(d.begin(), d.end(), d.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    bool ok = d.size() <= 253 && d.find('.') != std::string::npos && std::all_of(d.begin(), d.end(), [](char ch) {
                return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '-';
              });
    if (!ok) {
      c.add("owner_domains", "”" + d + "” är inget domännamn. Skriv bara domänen, till exempel mcf.se.");
      continue;
    }
    changed.site.owner_domains.push_back(d);
  }
  bool on = !f.get("campaign_tags").empty();
  changed.site.texts["campaign_tags"] = on ? "on" : "";
  for (const char* k : {"utm_source", "utm_medium", "utm_campaign"}) {
    std::string v = trim(f.raw(k));
    bool ok = v.size() <= 100 && std::all_of(v.begin(), v.end(), [](char ch) {
                return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
                       ch == '_' || ch == '.';
              });
    if (!ok)
      c.add(k,
            std::string(k) +
                " får bara innehålla bokstäverna a–z, siffror, punkt, bindestreck och understreck (högst 100 tecken).");
    else if (on && v.empty())
      c.add(k, "Fyll i " + std::string(k) + " eller stäng av kampanjtaggarna.");
    changed.site.texts[k] = v;
  }
  return commit_if_valid(g, std::move(changed), c.errors);
}

std::pair<field_errors, int> replace_address_prefix(guide& g, const form& f) {
  checker c(f);
  std::string from = c.url("from", "Den gamla adressens början", true);
  std::string to = c.url("to", "Den nya adressens början", true);
  if (!c.errors.empty()) return {c.errors, 0};
  guide changed = g;
  int n = 0;
  auto fix = [&](std::string& url) {
    if (url.rfind(from, 0) == 0) {
      url = to + url.substr(from.size());
      ++n;
    }
  };
  for (auto& r : changed.resources) fix(r.url);
  for (auto& p : changed.publishers) fix(p.home_page);
  if (n == 0) return {{{"from", "Ingen adress börjar med " + from + "."}}, 0};
  auto errors = commit_if_valid(g, std::move(changed), {});
  return {errors, errors.empty() ? n : 0};
}

void attach_errors(std::vector<field_spec>& fields, const field_errors& errors) {
  for (auto& f : fields)
    for (const auto& [name, message] : errors)
      if (name == f.name && f.error.empty()) f.error = message;
}

}  // namespace cg::admin
