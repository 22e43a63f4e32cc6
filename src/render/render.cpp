#include "render/render.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <future>
#include <kainjow/mustache.hpp>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <tuple>

#include "content/links.hpp"
#include "http/message.hpp"
#include "render/markdown.hpp"
#include "render/templates.hpp"
#include "util/embedded.hpp"
#include "util/hash.hpp"

namespace cg::render {
namespace {

namespace mu = kainjow::mustache;
using content::category;
using content::guide;
using content::level;
using content::resource;

constexpr const char* kHtml = "text/html; charset=utf-8";
constexpr const char* kPageCache = "public, max-age=300";
constexpr const char* kAssetCache = "public, max-age=31536000, immutable";
constexpr std::size_t kRelated = 8;  // others of the same level listed on a resource page

struct asset {
  std::string path;
  render::page page;
};

std::string asset_content_type(const std::string& ext) {
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "js") return "text/javascript; charset=utf-8";
  if (ext == "svg") return "image/svg+xml; charset=utf-8";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "woff2") return "font/woff2";
  return "application/octet-stream";
}

// static/NAME.EXT → /static/NAME.HASH.EXT, made (and compressed with the best effort) once per
// process: the files are embedded in the binary.
const std::map<std::string, asset>& assets() {
  static const std::map<std::string, asset> kAssets = [] {
    std::map<std::string, asset> out;
    for (const auto& f : embedded::files()) {
      if (f.path.rfind("static/", 0) != 0) continue;
      std::string name(f.path.substr(7));
      auto dot = name.rfind('.');
      std::string stem = dot == std::string::npos ? name : name.substr(0, dot);
      std::string ext = dot == std::string::npos ? "" : name.substr(dot + 1);
      std::string hash = hex64(fnv1a64(f.data)).substr(0, 12);
      asset a;
      a.path = "/static/" + stem + "." + hash + (ext.empty() ? "" : "." + ext);
      a.page = make_page(200, asset_content_type(ext), kAssetCache, std::string(f.data));
      out[name] = std::move(a);
    }
    return out;
  }();
  return kAssets;
}

class builder {
 public:
  builder(const guide& g, std::uint64_t generation, const render_options& options) : g_(g), options_(options) {
    snap_ = std::make_shared<snapshot>();
    snap_->generation = generation;
    index_cells();
    for (const auto& [name, a] : assets()) snap_->pages[a.path] = a.page;
    snap_->css_path = asset_path("style.css");
    const bool tags = g.site.text("campaign_tags") == "on";
    const content::campaign campaign{g.site.text("utm_source"), g.site.text("utm_medium"), g.site.text("utm_campaign")};
    for (const auto& r : g.resources) {
      snap_->destinations[r.slug] = r.url;
      std::string host = content::url_host(r.url);
      bool tagged = tags && content::is_owner_host(host, g.site.owner_domains);
      auto& out = snap_->outbound[r.slug];
      out.location = tagged ? content::with_campaign_tags(r.url, campaign) : r.url;
      out.host = std::move(host);
      http::append_header_line(out.head, "Location", out.location);
      http::append_header_line(out.head, "Cache-Control", "no-store");
    }
    snap_->guide = std::make_shared<const content::guide>(g);
    // The search index is built on a thread of its own while the pages are rendered and compressed.
    if (!options.preview && options.search)
      search_ = std::async(std::launch::async, [&g] { return std::make_shared<const search::index>(g); });
  }

  // A builder for pages rendered per request (the search page): no assets, no index.
  builder(const guide& g, const render_options& options, const std::string& css) : g_(g), options_(options) {
    snap_ = std::make_shared<snapshot>();
    snap_->css_path = css;
  }

  // Renders the search page with the full layout (used per request, not stored in the snapshot).
  std::string search_page(const search::request& r, const search::results& res) const {
    mu::data b;
    b.set("query", res.query);
    if (res.cut) b.set("cut", true);
    std::size_t n = res.total;
    b.set("hit_count", n == 0   ? std::string("Inga träffar")
                       : n == 1 ? std::string("1 träff")
                                : std::to_string(n) + " träffar");
    if (!res.suggestion.empty()) {
      b.set("suggestion", res.suggestion);
      search::request sr = r;
      sr.page = 1;
      sr.q = res.suggestion;
      b.set("suggestion_href", search_href(sr));
    }
    mu::data hits{mu::data::type::list};
    for (const auto& h : res.hits) {
      const resource* x = g_.find_resource(h.slug);
      if (!x) continue;
      mu::data d = resource_data(*x, true);
      d.set("excerpt_html", h.excerpt_html);
      hits.push_back(d);
    }
    b.set("hits", hits);
    if (res.total > res.hits.size() && !res.hits.empty()) {
      // More than one page: where this one is, and links to the pages beside it.
      std::size_t pages = (res.total - 1) / search::kPageSize + 1;
      b.set("paged", true);
      b.set("range", "Visar träff " + std::to_string(res.first) + "–" +
                         std::to_string(res.first + res.hits.size() - 1) + " av " + std::to_string(res.total) +
                         " (sida " + std::to_string(res.page) + " av " + std::to_string(pages) + ")");
      search::request other = r;
      if (res.page > 1) {
        other.page = res.page - 1;
        b.set("prev_href", search_href(other));
      }
      if (res.page < pages) {
        other.page = res.page + 1;
        b.set("next_href", search_href(other));
      }
    }
    mu::data facets{mu::data::type::list}, active{mu::data::type::list};
    for (const auto& f : res.facets) {
      mu::data fd;
      fd.set("label", f.label);
      fd.set("id", "facet-" + f.param);
      mu::data values{mu::data::type::list};
      for (const auto& v : f.values) {
        mu::data vd;
        vd.set("label", v.label);
        vd.set("count", std::to_string(v.count));
        search::request with = r;
        with.page = 1;
        set_param(with, f.param, v.value);
        if (v.count > 0 && !v.active) vd.set("href", search_href(with));
        if (v.active) {
          vd.set("active", true);
          search::request without = r;
          without.page = 1;
          set_param(without, f.param, "");
          mu::data a;
          a.set("param", f.param);
          a.set("value", v.value);
          a.set("label", f.label + ": " + v.label);
          a.set("href", search_href(without));
          active.push_back(a);
        }
        if (v.count > 0 || v.active) values.push_back(vd);
      }
      fd.set("values", values);
      facets.push_back(fd);
    }
    b.set("facets", facets);
    b.set("active", active);
    b.set("has_active",
          !r.category.empty() || !r.level.empty() || !r.publisher.empty() || !r.cost.empty() || !r.format.empty());
    std::string title = res.query.empty() ? "Sök" : "Sök: " + res.query;
    return page_html("search", title, b, {crumb("Sök")}, "", "");
  }

  static void set_param(search::request& r, const std::string& param, const std::string& v) {
    if (param == "kategori")
      r.category = v;
    else if (param == "niva")
      r.level = v;
    else if (param == "utgivare")
      r.publisher = v;
    else if (param == "kostnad")
      r.cost = v;
    else if (param == "format")
      r.format = v;
  }

  static std::string encode(const std::string& s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
          c == '.')
        out += static_cast<char>(c);
      else if (c == ' ')
        out += '+';
      else {
        out += '%';
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
    }
    return out;
  }

  static std::string search_href(const search::request& r) {
    std::string q;
    auto add = [&q](const char* k, const std::string& v) {
      if (v.empty()) return;
      q += q.empty() ? '?' : '&';
      q += k;
      q += '=';
      q += encode(v);
    };
    add("q", r.q);
    add("kategori", r.category);
    add("niva", r.level);
    add("utgivare", r.publisher);
    add("kostnad", r.cost);
    add("format", r.format);
    if (r.page > 1) add("sida", std::to_string(r.page));
    return "/sok" + q;
  }

  std::shared_ptr<const snapshot> build() {
    add("/", "start", g_.site.text("title"), start_page(), {}, markdown_to_text(g_.site.text("tagline")));
    add("/kategorier", "categories", "Kategorier", categories_page(), {crumb("Kategorier")}, "");
    add("/nivaer", "levels", "Nivåer", levels_page(), {crumb("Nivåer")}, "");
    // Pages a Swedish public site must have, written by the editors.
    for (const auto& [path, key, heading] :
         {std::tuple<const char*, const char*, const char*>{"/om-webbplatsen", "site_about", "Om webbplatsen"},
          {"/tillganglighetsredogorelse", "accessibility", "Tillgänglighetsredogörelse"}}) {
      mu::data b;
      b.set("heading", heading);
      b.set("body_html", markdown_to_html(g_.site.text(key)));
      add(path, "text_page", heading, b, {crumb(heading)}, "");
    }
    for (const auto& c : g_.categories) {
      std::string base = "/kategorier/" + c.slug;
      add(base, "category", c.name, category_page(c), {crumb("Kategorier", "/kategorier"), crumb(c.name)}, c.summary,
          c.slug);
      for (const auto& ls : c.levels) {
        const level* l = g_.find_level(ls);
        add(base + "/" + l->slug, "category_level", c.name + ": " + lower_first(l->name), category_level_page(c, *l),
            {crumb("Kategorier", "/kategorier"), crumb(c.name, base), crumb(l->name)}, c.summary, c.slug);
      }
      add(base + "/alla-nivaer", "category_all", c.name + ": alla nivåer", category_all_page(c),
          {crumb("Kategorier", "/kategorier"), crumb(c.name, base), crumb("Alla nivåer")}, c.summary, c.slug);
    }
    for (const auto& l : g_.levels)
      add("/nivaer/" + l.slug, "level", l.name + " i alla kategorier", level_page(l),
          {crumb("Nivåer", "/nivaer"), crumb(l.name)}, markdown_to_text(l.audience_md));
    for (const auto& r : g_.resources) {
      std::vector<mu::data> crumbs;
      std::string cat_slug;
      if (const category* c = g_.find_category(r.category)) {
        const level* l = g_.find_level(r.level);
        crumbs.push_back(crumb("Kategorier", "/kategorier"));
        crumbs.push_back(crumb(c->name, "/kategorier/" + c->slug));
        crumbs.push_back(crumb(l->name, "/kategorier/" + c->slug + "/" + l->slug));
        cat_slug = c->slug;
      }
      crumbs.push_back(crumb(r.title));
      add("/resurser/" + r.slug, "resource", r.title, resource_page(r), crumbs, markdown_to_text(r.description_md),
          cat_slug);
    }
    {
      mu::data body;
      body.set("categories", category_list());
      std::string html = finish(page_html("not_found", "Sidan finns inte", body, {}, "", ""));
      bool fast = false;
      snap_->not_found = make_page(404, kHtml, options_.preview ? "no-store" : "no-cache", std::move(html),
                                   !options_.preview, options_.cache, &fast);
      if (fast) snap_->best_compression = false;
    }
    snap_->pages["/robots.txt"] =
        make_page(200, "text/plain; charset=utf-8", kPageCache, "User-agent: *\nDisallow: /go/\n");
    make_pages();
    if (search_.valid()) snap_->search = search_.get();
    return snap_;
  }

 private:
  static std::string asset_path(const std::string& name) { return cg::render::asset_path(name); }

  static std::string lower_first(const std::string& s) {
    // Level names start with an ASCII capital ("Grundnivå"): lower it in running text.
    if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z') return static_cast<char>(s[0] - 'A' + 'a') + s.substr(1);
    return s;
  }

  static mu::data crumb(const std::string& name, const std::string& href = "") {
    mu::data d;
    d.set("name", name);
    d.set("href", href);
    d.set("has_href", !href.empty());
    return d;
  }

  std::string publisher_label(const content::publisher& p) const {
    std::string s = p.name;
    if (!p.former_names.empty()) s += " (tidigare " + p.former_names.front() + ")";
    return s;
  }

  mu::data resource_data(const resource& r, bool with_place) const {
    mu::data d;
    d.set("slug", r.slug);
    d.set("title", r.title);
    d.set("href", "/resurser/" + r.slug);
    d.set("go_href", "/go/" + r.slug);
    d.set("url", r.url);
    d.set("host", host_of(r.url));
    d.set("home_page_only", r.url_is_home_page);
    if (const auto* p = g_.find_publisher(r.publisher)) {
      d.set("publisher", publisher_label(*p));
      d.set("publisher_short", p->short_name);
    }
    d.set("cost", cost_label(r.cost));
    d.set("is_free", r.cost == content::cost::free);
    d.set("format", r.format);
    d.set("has_format", !r.format.empty());
    d.set("year", r.year ? std::to_string(*r.year) : std::string());
    d.set("has_year", r.year.has_value());
    d.set("description_html", markdown_to_html(r.description_md));
    if (with_place) {
      const category* c = g_.find_category(r.category);
      const level* l = g_.find_level(r.level);
      d.set("has_place", c && l);
      if (c && l) {
        d.set("category_name", c->name);
        d.set("category_href", "/kategorier/" + c->slug);
        d.set("level_name", l->name);
        d.set("level_href", "/kategorier/" + c->slug + "/" + l->slug);
      }
    }
    return d;
  }

  // heading: the level of each resource's title heading on that page (2 or 3).
  mu::data resource_list(const std::vector<const resource*>& rs, bool with_place, int heading = 3) const {
    mu::data list{mu::data::type::list};
    for (const resource* r : rs) {
      mu::data d = resource_data(*r, with_place);
      d.set("heading", std::to_string(heading));
      list.push_back(d);
    }
    return list;
  }

  mu::data callouts_for(const std::string& path) const {
    mu::data list{mu::data::type::list};
    for (const auto& c : g_.callouts) {
      if (c.page != path) continue;
      mu::data d;
      d.set("title", c.title);
      d.set("has_title", !c.title.empty());
      d.set("text_html", markdown_to_html(c.text_md));
      list.push_back(d);
    }
    return list;
  }

  mu::data level_links(const category& c) const {
    mu::data list{mu::data::type::list};
    for (const auto& ls : c.levels) {
      const level* l = g_.find_level(ls);
      mu::data d;
      d.set("name", l->name);
      d.set("href", "/kategorier/" + c.slug + "/" + l->slug);
      d.set("audience_html", markdown_to_html(l->audience_md));
      auto n = cell(c.slug, l->slug).size();
      d.set("count", count_label(n));
      list.push_back(d);
    }
    return list;
  }

  static std::string count_label(std::size_t n) { return n == 1 ? "1 resurs" : std::to_string(n) + " resurser"; }

  mu::data category_list() const {
    mu::data list{mu::data::type::list};
    for (const auto& c : g_.categories) {
      mu::data d;
      d.set("name", c.name);
      d.set("href", "/kategorier/" + c.slug);
      d.set("summary", c.summary);
      d.set("levels", level_links(c));
      list.push_back(d);
    }
    return list;
  }

  mu::data level_list() const {
    mu::data list{mu::data::type::list};
    for (const auto& l : g_.levels) {
      mu::data d;
      d.set("name", l.name);
      d.set("href", "/nivaer/" + l.slug);
      d.set("audience_html", markdown_to_html(l.audience_md));
      list.push_back(d);
    }
    return list;
  }

  mu::data start_page() const {
    mu::data b;
    for (const char* key : content::kSiteTextKeys)
      b.set(std::string(key) + "_html", markdown_to_html(g_.site.text(key)));
    b.set("title", g_.site.text("title"));
    if (!g_.site.text("tagline").empty()) b.set("tagline", g_.site.text("tagline"));
    mu::data picks{mu::data::type::list};
    for (const auto& sp : g_.site.start_picks) {
      const resource* r = g_.find_resource(sp.resource);
      mu::data d = resource_data(*r, false);
      d.set("pick_html", markdown_to_html(sp.text_md));
      picks.push_back(d);
    }
    b.set("picks", picks);
    b.set("categories", category_list());
    b.set("levels", level_list());
    b.set("callouts", callouts_for("/"));
    return b;
  }

  mu::data categories_page() const {
    mu::data b;
    b.set("intro_html", markdown_to_html(g_.site.text("categories_intro")));
    b.set("categories", category_list());
    b.set("callouts", callouts_for("/kategorier"));
    return b;
  }

  mu::data levels_page() const {
    mu::data b;
    b.set("levels", level_list());
    b.set("callouts", callouts_for("/nivaer"));
    return b;
  }

  mu::data category_page(const category& c) const {
    mu::data b;
    b.set("name", c.name);
    b.set("intro_html", markdown_to_html(c.intro_md));
    b.set("levels", level_links(c));
    b.set("all_href", "/kategorier/" + c.slug + "/alla-nivaer");
    b.set("callouts", callouts_for("/kategorier/" + c.slug));
    return b;
  }

  mu::data sibling_levels(const category& c, const level& current) const {
    mu::data list{mu::data::type::list};
    for (const auto& ls : c.levels) {
      if (ls == current.slug) continue;
      const level* l = g_.find_level(ls);
      mu::data d;
      d.set("name", l->name);
      d.set("href", "/kategorier/" + c.slug + "/" + l->slug);
      list.push_back(d);
    }
    return list;
  }

  mu::data category_level_page(const category& c, const level& l) const {
    mu::data b;
    b.set("category_name", c.name);
    b.set("category_href", "/kategorier/" + c.slug);
    b.set("level_name", l.name);
    b.set("level_name_lower", lower_first(l.name));
    b.set("audience_html", markdown_to_html(l.audience_md));
    auto rs = cell(c.slug, l.slug);
    b.set("resources", resource_list(rs, false, 2));
    b.set("count", count_label(rs.size()));
    b.set("empty", rs.empty());
    b.set("siblings", sibling_levels(c, l));
    b.set("all_href", "/kategorier/" + c.slug + "/alla-nivaer");
    b.set("level_href", "/nivaer/" + l.slug);
    b.set("callouts", callouts_for("/kategorier/" + c.slug + "/" + l.slug));
    return b;
  }

  mu::data category_all_page(const category& c) const {
    mu::data b;
    b.set("name", c.name);
    b.set("href", "/kategorier/" + c.slug);
    b.set("intro_html", markdown_to_html(c.intro_md));
    mu::data sections{mu::data::type::list};
    for (const auto& ls : c.levels) {
      const level* l = g_.find_level(ls);
      auto rs = cell(c.slug, l->slug);
      mu::data s;
      s.set("name", l->name);
      s.set("id", l->slug);
      s.set("href", "/kategorier/" + c.slug + "/" + l->slug);
      s.set("audience_html", markdown_to_html(l->audience_md));
      s.set("resources", resource_list(rs, false));
      s.set("count", count_label(rs.size()));
      s.set("empty", rs.empty());
      sections.push_back(s);
    }
    b.set("sections", sections);
    b.set("callouts", callouts_for("/kategorier/" + c.slug + "/alla-nivaer"));
    return b;
  }

  mu::data level_page(const level& l) const {
    mu::data b;
    b.set("name", l.name);
    b.set("audience_html", markdown_to_html(l.audience_md));
    mu::data sections{mu::data::type::list};
    std::size_t total = 0;
    for (const auto& c : g_.categories) {
      auto rs = cell(c.slug, l.slug);
      if (rs.empty()) continue;
      total += rs.size();
      mu::data s;
      s.set("name", c.name);
      s.set("id", c.slug);
      s.set("href", "/kategorier/" + c.slug + "/" + l.slug);
      s.set("resources", resource_list(rs, false));
      s.set("count", count_label(rs.size()));
      sections.push_back(s);
    }
    b.set("sections", sections);
    b.set("count", count_label(total));
    b.set("empty", total == 0);
    b.set("callouts", callouts_for("/nivaer/" + l.slug));
    return b;
  }

  mu::data resource_page(const resource& r) const {
    mu::data b = resource_data(r, true);
    if (const auto* p = g_.find_publisher(r.publisher)) {
      b.set("publisher_home", p->home_page);
      b.set("has_publisher_home", !p->home_page.empty());
    }
    b.set("callouts", callouts_for("/resurser/" + r.slug));
    // Up to kRelated others of the same category and level: those that follow this one in the list
    // (from the start again after the last), and a link to the whole list when there are more.
    std::vector<const resource*> same;
    if (!r.category.empty()) {
      const auto& all = cell(r.category, r.level);
      auto self = std::find(all.begin(), all.end(), &r);
      std::size_t at = self == all.end() ? 0 : static_cast<std::size_t>(self - all.begin());
      for (std::size_t i = 1; i < all.size() && same.size() < kRelated; ++i) same.push_back(all[(at + i) % all.size()]);
      if (all.size() > kRelated + 1) {
        b.set("more_related_href", "/kategorier/" + r.category + "/" + r.level);
        b.set("more_related_label", "Alla " + std::to_string(all.size()) + " stöd på den här nivån");
        b.set("has_more_related", true);
      }
    }
    b.set("related", resource_list(same, false));
    b.set("has_related", !same.empty());
    return b;
  }

  mu::data nav(const std::string& current_category) const {
    mu::data list{mu::data::type::list};
    for (const auto& c : g_.categories) {
      mu::data d;
      d.set("name", c.name);
      d.set("href", "/kategorier/" + c.slug);
      d.set("current", c.slug == current_category);
      list.push_back(d);
    }
    return list;
  }

  std::string page_html(const std::string& tmpl, const std::string& title, mu::data body,
                        const std::vector<mu::data>& crumbs, const std::string& description,
                        const std::string& current_category) const {
    std::string body_html = templates().render(tmpl, body);
    mu::data d;
    d.set("site_title", g_.site.text("title"));
    d.set("page_title", title);
    d.set("is_start", tmpl == "start");
    if (!description.empty()) d.set("description", description.size() > 300 ? cut(description, 300) : description);
    d.set("css", snap_->css_path);
    d.set("favicon", asset_path("favicon.svg"));
    d.set("nav", nav(current_category));
    mu::data cl{mu::data::type::list};
    if (!crumbs.empty()) cl.push_back(crumb("Start", "/"));
    for (const auto& c : crumbs) cl.push_back(c);
    d.set("crumbs", cl);
    d.set("has_crumbs", !crumbs.empty());
    d.set("body", body_html);
    d.set("preview", options_.preview);
    return templates().render("layout", d);
  }

  // In a preview, internal links stay inside the preview.
  std::string finish(std::string html) const {
    if (!options_.preview) return html;
    std::string out;
    out.reserve(html.size() + 4096);
    const std::string needle = "href=\"/";
    std::size_t pos = 0;
    for (std::size_t hit; (hit = html.find(needle, pos)) != std::string::npos; pos = hit + needle.size()) {
      out.append(html, pos, hit - pos);
      out += "href=\"";
      std::string_view rest(html.data() + hit + needle.size() - 1, html.size() - hit - needle.size() + 1);
      if (rest.rfind("/static/", 0) != 0 && rest.rfind("/admin/", 0) != 0) out += options_.link_prefix;
      out += "/";
    }
    out.append(html, pos, std::string::npos);
    return out;
  }

  static std::string cut(const std::string& s, std::size_t n) {
    // Cut at a space before n bytes, never inside a UTF-8 sequence.
    std::size_t end = s.rfind(' ', n);
    if (end == std::string::npos || end == 0) {
      end = n;
      while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
    }
    return s.substr(0, end) + "\u2026";
  }

  void add(const std::string& path, const std::string& tmpl, const std::string& title, mu::data body,
           const std::vector<mu::data>& crumbs, const std::string& description,
           const std::string& current_category = "") {
    rendered_.push_back({path, tmpl, title, std::move(body), crumbs, description, current_category});
  }

  // Renders every page added (templates) and makes it (ETags, gzip and brotli bodies), on all cores.
  void make_pages() {
    std::vector<page> pages(rendered_.size());
    std::atomic<std::size_t> next{0};
    std::exception_ptr failure;
    std::mutex failure_mu;
    std::atomic<bool> any_fast{false};
    auto work = [&] {
      try {
        bool fast = false;
        for (std::size_t i = next++; i < rendered_.size(); i = next++) {
          queued& q = rendered_[i];
          std::string html =
              finish(page_html(q.tmpl, q.title, std::move(q.body), q.crumbs, q.description, q.current_category));
          pages[i] = make_page(200, kHtml, options_.preview ? "no-store" : kPageCache, std::move(html),
                               !options_.preview, options_.cache, &fast);
        }
        if (fast) any_fast = true;
      } catch (...) {
        std::lock_guard lock(failure_mu);
        failure = std::current_exception();
        next = rendered_.size();
      }
    };
    std::size_t n = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 8);
    n = std::min(n, std::max<std::size_t>(rendered_.size() / 8, 1));  // a few pages: no threads
    std::vector<std::thread> threads;
    for (std::size_t t = 1; t < n; ++t) threads.emplace_back(work);
    work();
    for (auto& t : threads) t.join();
    if (failure) std::rethrow_exception(failure);
    if (any_fast) snap_->best_compression = false;
    for (std::size_t i = 0; i < rendered_.size(); ++i) snap_->pages[rendered_[i].path] = std::move(pages[i]);
    rendered_.clear();
  }

  // A page's template and data, rendered by make_pages().
  struct queued {
    std::string path, tmpl, title;
    mu::data body;
    std::vector<mu::data> crumbs;
    std::string description, current_category;
  };
  std::vector<queued> rendered_;  // pages added and not yet made
  std::future<std::shared_ptr<const search::index>> search_;

  const guide& g_;
  // The resources of each category and level, in guide order: worked out once, not per page (a
  // resource page asks for its own cell; scanning the catalogue for each would be quadratic).
  std::unordered_map<std::string, std::vector<const resource*>> cells_;
  const std::vector<const resource*>& cell(const std::string& category, const std::string& level) const {
    static const std::vector<const resource*> kNone;
    auto it = cells_.find(category + '\x1f' + level);
    return it == cells_.end() ? kNone : it->second;
  }
  void index_cells() {
    for (const auto& r : g_.resources)
      if (!r.category.empty()) cells_[r.category + '\x1f' + r.level].push_back(&r);
    for (auto& [key, rs] : cells_)
      std::stable_sort(rs.begin(), rs.end(), [](const resource* a, const resource* b) {
        return a->order != b->order ? a->order < b->order : a->title < b->title;
      });
  }
  const render_options& options_;
  std::shared_ptr<snapshot> snap_;
};

}  // namespace

std::string asset_path(const std::string& name) {
  auto it = assets().find(name);
  return it == assets().end() ? std::string() : it->second.path;
}

std::string host_of(const std::string& url) {
  auto p = url.find("://");
  if (p == std::string::npos) return {};
  std::string rest = url.substr(p + 3);
  auto end = rest.find_first_of("/?#");
  std::string host = rest.substr(0, end);
  auto colon = host.rfind(':');
  if (colon != std::string::npos && host.find(']') == std::string::npos) host.resize(colon);
  return host;
}

const char* cost_label(content::cost c) {
  switch (c) {
    case content::cost::free: return "Kostnadsfri";
    case content::cost::paid: return "Avgiftsbelagd";
    case content::cost::unknown: return "Kostnad ej angiven";
  }
  return "Kostnad ej angiven";
}

std::string render_search_page(const snapshot& s, const search::request& r, const search::results& res) {
  static const render_options kNone;
  builder b(*s.guide, kNone, s.css_path);
  return b.search_page(r, res);
}

std::shared_ptr<const snapshot> build_snapshot(const content::guide& g, std::uint64_t generation,
                                               const render_options& options) {
  return builder(g, generation, options).build();
}

}  // namespace cg::render
