#include "content/pack.hpp"

#include <toml++/toml.h>

#include <fstream>
#include <sstream>

#include "util/embedded.hpp"

namespace cg::content {
namespace {

struct parse_error {
  std::string message;
};

std::string where(const std::string& file, const toml::source_region& src) {
  return "Filen " + file + (src.begin.line ? ", rad " + std::to_string(src.begin.line) : std::string()) + ": ";
}

class reader {
 public:
  reader(const std::string& file, const toml::table& t) : file_(file), t_(t) {}

  std::string str(std::string_view key, bool required = true) const {
    const toml::node* n = t_.get(key);
    if (!n) {
      if (required) fail("fältet " + std::string(key) + " saknas.");
      return {};
    }
    auto v = n->value<std::string>();
    if (!v) fail("fältet " + std::string(key) + " ska vara en text inom citattecken.", n->source());
    return *v;
  }
  bool boolean(std::string_view key) const {
    const toml::node* n = t_.get(key);
    if (!n) return false;
    auto v = n->value<bool>();
    if (!v) fail("fältet " + std::string(key) + " ska vara true eller false.", n->source());
    return *v;
  }
  std::optional<std::int64_t> integer(std::string_view key) const {
    const toml::node* n = t_.get(key);
    if (!n) return std::nullopt;
    auto v = n->value<std::int64_t>();
    if (!v || n->is_floating_point()) fail("fältet " + std::string(key) + " ska vara ett heltal.", n->source());
    return v;
  }
  std::vector<std::string> strings(std::string_view key) const {
    std::vector<std::string> out;
    const toml::node* n = t_.get(key);
    if (!n) return out;
    const toml::array* a = n->as_array();
    if (!a) fail("fältet " + std::string(key) + " ska vara en lista av texter, t.ex. [\"a\", \"b\"].", n->source());
    for (const auto& e : *a) {
      auto v = e.value<std::string>();
      if (!v) fail("fältet " + std::string(key) + " får bara innehålla texter.", e.source());
      out.push_back(*v);
    }
    return out;
  }
  const toml::array* tables(std::string_view key) const {
    const toml::node* n = t_.get(key);
    if (!n) return nullptr;
    const toml::array* a = n->as_array();
    if (!a || !a->is_array_of_tables())
      fail("[[" + std::string(key) + "]] ska vara en lista av tabeller.", n->source());
    return a;
  }
  [[noreturn]] void fail(const std::string& what, const toml::source_region& src = {}) const {
    throw parse_error{where(file_, src.begin.line ? src : t_.source()) + what};
  }

 private:
  const std::string& file_;
  const toml::table& t_;
};

toml::table parse_file(const std::string& name, const std::string& text) {
  try {
    return toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    throw parse_error{where(name, e.source()) + "ogiltig TOML (" + std::string(e.description()) + ")."};
  }
}

template <typename F>
void each_table(const reader& r, const std::string& file, std::string_view key, F&& f) {
  if (const toml::array* a = r.tables(key))
    for (const auto& e : *a) f(reader(file, *e.as_table()));
}

resource parse_resource(const std::string& file, const toml::table& t) {
  reader r(file, t);
  resource x;
  x.slug = r.str("slug");
  std::string expected = file.substr(file.find('/') + 1);
  expected = expected.substr(0, expected.size() - 5);
  if (x.slug != expected) r.fail("slug \u201d" + x.slug + "\u201d ska vara samma som filnamnet (" + expected + ").");
  x.title = r.str("title");
  x.publisher = r.str("publisher");
  x.category = r.str("category", false);
  x.level = r.str("level", false);
  x.order = static_cast<int>(r.integer("order").value_or(0));
  x.url = r.str("url");
  x.url_is_home_page = r.boolean("url_is_home_page");
  std::string c = r.str("cost", false);
  if (c.empty()) c = "unknown";
  auto pc = parse_cost(c);
  if (!pc) r.fail("cost ska vara free, paid eller unknown, inte \u201d" + c + "\u201d.");
  x.cost = *pc;
  x.format = r.str("format", false);
  if (auto y = r.integer("year")) x.year = static_cast<int>(*y);
  x.description_md = r.str("description", false);
  x.editor_note = r.str("editor_note", false);
  return x;
}

}  // namespace

result<guide> parse_pack(const pack_files& files) {
  try {
    guide g;
    auto need = [&](const std::string& name) -> const std::string& {
      auto it = files.find(name);
      if (it == files.end()) throw parse_error{"Filen " + name + " saknas i innehållspaketet."};
      return it->second;
    };

    {
      const std::string name = "site.toml";
      toml::table t = parse_file(name, need(name));
      reader r(name, t);
      for (const char* key : kSiteTextKeys) g.site.texts[key] = r.str(key, std::string_view(key) == "title");
      for (const char* key : kSiteSettingKeys) g.site.texts[key] = r.str(key, false);
      g.site.owner_domains = r.strings("owner_domains");
      each_table(r, name, "start_pick", [&](const reader& p) {
        g.site.start_picks.push_back({p.str("resource"), p.str("text", false)});
      });
    }
    {
      const std::string name = "levels.toml";
      toml::table t = parse_file(name, need(name));
      each_table(reader(name, t), name, "level", [&](const reader& p) {
        g.levels.push_back({p.str("slug"), p.str("name"), p.str("audience", false)});
      });
    }
    {
      const std::string name = "publishers.toml";
      toml::table t = parse_file(name, need(name));
      each_table(reader(name, t), name, "publisher", [&](const reader& p) {
        g.publishers.push_back(
            {p.str("slug"), p.str("short_name"), p.str("name"), p.strings("former_names"), p.str("home_page", false)});
      });
    }
    {
      const std::string name = "categories.toml";
      toml::table t = parse_file(name, need(name));
      each_table(reader(name, t), name, "category", [&](const reader& p) {
        g.categories.push_back(
            {p.str("slug"), p.str("name"), p.str("summary", false), p.str("intro", false), p.strings("levels")});
      });
    }
    if (files.count("callouts.toml")) {
      const std::string name = "callouts.toml";
      toml::table t = parse_file(name, files.at(name));
      each_table(reader(name, t), name, "callout", [&](const reader& p) {
        g.callouts.push_back({p.str("page"), p.str("title", false), p.str("text")});
      });
    }
    for (const auto& [name, text] : files) {
      if (name.rfind("resources/", 0) != 0 || name.size() <= 15 || name.substr(name.size() - 5) != ".toml") continue;
      toml::table t = parse_file(name, text);
      g.resources.push_back(parse_resource(name, t));
    }
    return g;
  } catch (const parse_error& e) {
    return error{e.message};
  }
}

namespace {
// TOML basic string with escapes; multi-line texts as """ blocks so files stay diffable.
std::string toml_str(const std::string& s) {
  bool multiline = s.find('\n') != std::string::npos;
  std::string out = multiline ? "\"\"\"\n" : "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += multiline ? "\n" : "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += multiline ? "\"\"\"" : "\"";
  return out;
}

std::string toml_list(const std::vector<std::string>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + toml_str(v[i]);
  return out + "]";
}

void kv(std::ostringstream& o, const char* k, const std::string& v) {
  o << k << " = " << toml_str(v) << "\n";
}
}  // namespace

pack_files write_pack(const guide& g) {
  pack_files out;
  {
    std::ostringstream o;
    for (const char* key : kSiteTextKeys) kv(o, key, g.site.text(key));
    for (const char* key : kSiteSettingKeys) kv(o, key, g.site.text(key));
    o << "owner_domains = " << toml_list(g.site.owner_domains) << "\n";
    for (const auto& sp : g.site.start_picks) {
      o << "\n[[start_pick]]\n";
      kv(o, "resource", sp.resource);
      kv(o, "text", sp.text_md);
    }
    out["site.toml"] = o.str();
  }
  {
    std::ostringstream o;
    for (const auto& l : g.levels) {
      o << (o.tellp() > 0 ? "\n" : "") << "[[level]]\n";
      kv(o, "slug", l.slug);
      kv(o, "name", l.name);
      kv(o, "audience", l.audience_md);
    }
    out["levels.toml"] = o.str();
  }
  {
    std::ostringstream o;
    for (const auto& p : g.publishers) {
      o << (o.tellp() > 0 ? "\n" : "") << "[[publisher]]\n";
      kv(o, "slug", p.slug);
      kv(o, "short_name", p.short_name);
      kv(o, "name", p.name);
      o << "former_names = " << toml_list(p.former_names) << "\n";
      kv(o, "home_page", p.home_page);
    }
    out["publishers.toml"] = o.str();
  }
  {
    std::ostringstream o;
    for (const auto& c : g.categories) {
      o << (o.tellp() > 0 ? "\n" : "") << "[[category]]\n";
      kv(o, "slug", c.slug);
      kv(o, "name", c.name);
      kv(o, "summary", c.summary);
      kv(o, "intro", c.intro_md);
      o << "levels = " << toml_list(c.levels) << "\n";
    }
    out["categories.toml"] = o.str();
  }
  {
    std::ostringstream o;
    for (const auto& c : g.callouts) {
      o << (o.tellp() > 0 ? "\n" : "") << "[[callout]]\n";
      kv(o, "page", c.page);
      kv(o, "title", c.title);
      kv(o, "text", c.text_md);
    }
    out["callouts.toml"] = o.str();
  }
  for (const auto& r : g.resources) {
    std::ostringstream o;
    kv(o, "slug", r.slug);
    kv(o, "title", r.title);
    kv(o, "publisher", r.publisher);
    kv(o, "category", r.category);
    kv(o, "level", r.level);
    o << "order = " << r.order << "\n";
    kv(o, "url", r.url);
    o << "url_is_home_page = " << (r.url_is_home_page ? "true" : "false") << "\n";
    kv(o, "cost", to_string(r.cost));
    kv(o, "format", r.format);
    if (r.year) o << "year = " << *r.year << "\n";
    kv(o, "description", r.description_md);
    if (!r.editor_note.empty()) kv(o, "editor_note", r.editor_note);
    out["resources/" + r.slug + ".toml"] = o.str();
  }
  return out;
}

result<pack_files> read_pack_dir(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return error{"Mappen " + dir.string() + " finns inte eller är ingen mapp."};
  pack_files out;
  auto read = [&](const fs::path& p, const std::string& rel) -> bool {
    std::ifstream in(p, std::ios::binary);
    if (!in) return false;
    std::ostringstream s;
    s << in.rdbuf();
    out[rel] = s.str();
    return true;
  };
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_regular_file() && e.path().extension() == ".toml")
      if (!read(e.path(), e.path().filename().string())) return error{"Kan inte läsa " + e.path().string() + "."};
  }
  if (fs::is_directory(dir / "resources", ec)) {
    for (const auto& e : fs::directory_iterator(dir / "resources", ec))
      if (e.is_regular_file() && e.path().extension() == ".toml")
        if (!read(e.path(), "resources/" + e.path().filename().string()))
          return error{"Kan inte läsa " + e.path().string() + "."};
  }
  if (ec) return error{"Kan inte läsa mappen " + dir.string() + ": " + ec.message()};
  return out;
}

result<bool> write_pack_dir(const pack_files& files, const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir / "resources", ec);
  if (ec) return error{"Kan inte skapa mappen " + dir.string() + ": " + ec.message()};
  for (const auto& e : fs::directory_iterator(dir / "resources", ec)) {
    std::string rel = "resources/" + e.path().filename().string();
    if (e.path().extension() == ".toml" && !files.count(rel)) fs::remove(e.path(), ec);
  }
  for (const auto& [rel, text] : files) {
    fs::path p = dir / rel;
    fs::path tmp = p;
    tmp += ".tmp";
    {
      std::ofstream o(tmp, std::ios::binary | std::ios::trunc);
      o << text;
      if (!o) return error{"Kan inte skriva " + p.string() + "."};
    }
    fs::rename(tmp, p, ec);
    if (ec) return error{"Kan inte skriva " + p.string() + ": " + ec.message()};
  }
  return true;
}

pack_files default_pack() {
  pack_files out;
  for (const auto& f : embedded::files())
    if (f.path.rfind("content/", 0) == 0) out[std::string(f.path.substr(8))] = std::string(f.data);
  return out;
}

result<guide> load_guide(const pack_files& files) {
  auto g = parse_pack(files);
  if (!g) return g;
  auto problems = validate(*g);
  if (!problems.empty()) {
    std::string msg = "Innehållet har " + std::to_string(problems.size()) + " fel:";
    for (const auto& p : problems) msg += "\n  - " + p;
    return error{msg};
  }
  return g;
}

result<guide> load_guide(const std::filesystem::path& dir) {
  auto files = read_pack_dir(dir);
  if (!files) return error{files.message()};
  return load_guide(*files);
}

}  // namespace cg::content
