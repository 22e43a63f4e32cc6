#include "search/search.hpp"

#include <xapian.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>

namespace cg::search {
namespace {

// Value slots of a document.
enum slot : Xapian::valueno { kSort = 0, kCategory = 1, kLevel = 2, kPublisher = 3, kCost = 4, kFormat = 5 };

const char* kStopwords[] = {"och",  "i",   "på", "för", "att", "en",  "ett",  "av",  "med", "om",  "till", "som",
                            "det",  "den", "är", "de",  "du",  "vi",  "jag",  "har", "kan", "hur", "vad",  "eller",
                            "från", "mot", "så", "ni",  "man", "sig", "inte", "the", "and", "of",  "in",   "to"};

std::size_t utf8_len(unsigned char c) {
  return c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
}

// Code points of a valid UTF-8 string.
std::vector<std::string> code_points(std::string_view s) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = utf8_len(static_cast<unsigned char>(s[i]));
    if (n == 0 || i + n > s.size()) {
      ++i;
      continue;
    }
    out.emplace_back(s.substr(i, n));
    i += n;
  }
  return out;
}

std::string lower(std::string_view s) {
  static const std::map<std::string, std::string> kUpper = {{"Å", "å"}, {"Ä", "ä"}, {"Ö", "ö"},
                                                            {"É", "é"}, {"Ü", "ü"}, {"È", "è"}};
  std::string out;
  for (const auto& cp : code_points(s)) {
    if (cp.size() == 1 && cp[0] >= 'A' && cp[0] <= 'Z')
      out += static_cast<char>(cp[0] - 'A' + 'a');
    else if (auto it = kUpper.find(cp); it != kUpper.end())
      out += it->second;
    else
      out += cp;
  }
  return out;
}

// Words of at least 10 letters, each as all its prefixes and suffixes of 6 letters or more.
std::string compound_parts(const std::string& text) {
  std::string out, word;
  auto flush = [&] {
    auto cps = code_points(word);
    if (cps.size() >= 10) {
      for (std::size_t n = 6; n < cps.size(); ++n) {
        std::string prefix, suffix;
        for (std::size_t i = 0; i < n; ++i) prefix += cps[i];
        for (std::size_t i = cps.size() - n; i < cps.size(); ++i) suffix += cps[i];
        out += prefix + " " + suffix + " ";
      }
    }
    word.clear();
  };
  for (const auto& cp : code_points(lower(text))) {
    bool letter = cp.size() > 1 || (cp[0] >= 'a' && cp[0] <= 'z');
    if (letter)
      word += cp;
    else
      flush();
  }
  flush();
  return out;
}

}  // namespace

std::string clean_query(std::string_view q, bool* cut) {
  std::string out;
  std::size_t chars = 0;
  bool space = false;
  if (cut) *cut = false;
  for (std::size_t i = 0; i < q.size();) {
    unsigned char c = static_cast<unsigned char>(q[i]);
    std::size_t n = utf8_len(c);
    bool valid = n != 0 && i + n <= q.size();
    for (std::size_t k = 1; valid && k < n; ++k) valid = (static_cast<unsigned char>(q[i + k]) & 0xC0) == 0x80;
    if (valid && n > 1) {
      // No overlong forms, no UTF-16 surrogates, nothing above U+10FFFF (RFC 3629).
      unsigned char c1 = static_cast<unsigned char>(q[i + 1]);
      if ((n == 2 && c < 0xC2) || (n == 3 && c == 0xE0 && c1 < 0xA0) || (n == 3 && c == 0xED && c1 >= 0xA0) ||
          (n == 4 && c == 0xF0 && c1 < 0x90) || (n == 4 && (c > 0xF4 || (c == 0xF4 && c1 >= 0x90))))
        valid = false;
    }
    if (!valid) {
      ++i;
      continue;
    }
    if (n == 1 && (c < 0x20 || c == 0x7f || c == ' ')) {
      space = !out.empty();
      ++i;
      continue;
    }
    if (chars >= kMaxQueryChars) {
      if (cut) *cut = true;
      break;
    }
    if (space) {
      out += ' ';
      ++chars;
      space = false;
    }
    out.append(q.substr(i, n));
    ++chars;
    i += n;
  }
  return out;
}

std::string normalize_query(std::string_view q) {
  return lower(clean_query(q));
}

std::string fold(std::string_view s) {
  static const std::map<std::string, std::string> kFold = {{"å", "a"}, {"ä", "a"}, {"ö", "o"}, {"Å", "A"},
                                                           {"Ä", "A"}, {"Ö", "O"}, {"é", "e"}, {"è", "e"},
                                                           {"É", "E"}, {"ü", "u"}, {"Ü", "U"}};
  std::string out;
  for (const auto& cp : code_points(s)) {
    auto it = kFold.find(cp);
    out += it == kFold.end() ? cp : it->second;
  }
  return out;
}

struct index::impl {
  mutable std::mutex mu;
  // Xapian's in-memory backend keeps no spelling data: the index lives in a private temporary
  // folder (glass backend) for the life of the snapshot, removed with it.
  std::filesystem::path dir = make_temp_dir();
  Xapian::WritableDatabase db{dir.string(), Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_BACKEND_GLASS};

  static std::filesystem::path make_temp_dir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cyberguide-search-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("cannot create a folder for the search index in " + tmpl);
    return tmpl;
  }
  ~impl() {
    db.close();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  Xapian::Stem stem{"swedish"};
  Xapian::SimpleStopper stopper;
  const content::guide guide;
  std::vector<std::string> slugs;                        // docid - 1 → slug
  std::vector<std::array<std::string, 5>> facet_values;  // docid - 1 → category, level, publisher, cost, format
  std::map<std::string, std::string> texts;              // slug → plain text for excerpts

  explicit impl(const content::guide& g) : guide(g) {
    for (const char* w : kStopwords) stopper.add(w);
    Xapian::TermGenerator tg;
    tg.set_stemmer(stem);
    tg.set_stopper(&stopper);
    tg.set_database(db);
    tg.set_flags(Xapian::TermGenerator::FLAG_SPELLING);
    Xapian::TermGenerator parts;
    parts.set_stemmer(stem);
    std::map<std::string, int> cat_pos, lvl_pos;
    for (std::size_t i = 0; i < g.categories.size(); ++i) cat_pos[g.categories[i].slug] = static_cast<int>(i);
    for (std::size_t i = 0; i < g.levels.size(); ++i) lvl_pos[g.levels[i].slug] = static_cast<int>(i);
    for (const auto& r : g.resources) {
      Xapian::Document doc;
      tg.set_document(doc);
      parts.set_document(doc);
      const auto* pub = g.find_publisher(r.publisher);
      const auto* cat = g.find_category(r.category);
      const auto* lvl = g.find_level(r.level);
      std::string pub_names;
      if (pub) {
        pub_names = pub->name + " " + pub->short_name;
        for (const auto& f : pub->former_names) pub_names += " " + f;
      }
      std::string place = (cat ? cat->name : "") + " " + (lvl ? lvl->name : "");
      // Weights: title before publisher before the rest.
      struct part {
        const std::string& text;
        Xapian::termcount wdf;
      };
      for (const part& p :
           {part{r.title, 6}, part{pub_names, 3}, part{place, 2}, part{r.format, 2}, part{r.description_md, 1}}) {
        tg.index_text(p.text, p.wdf);
        tg.increase_termpos();
        tg.index_text(fold(p.text), p.wdf, "XA");
        tg.increase_termpos();
        parts.index_text(compound_parts(p.text), 1);
        parts.index_text(fold(compound_parts(p.text)), 1, "XA");
      }
      doc.add_boolean_term("XC" + r.category);
      doc.add_boolean_term("XL" + r.level);
      doc.add_boolean_term("XP" + r.publisher);
      doc.add_boolean_term("XK" + std::string(content::to_string(r.cost)));
      doc.add_boolean_term("XF" + r.format);
      if (!r.category.empty()) doc.add_boolean_term("XH");
      char sort[64];
      std::snprintf(sort, sizeof sort, "%04d%04d%08d", cat ? cat_pos[r.category] : 9999, lvl ? lvl_pos[r.level] : 9999,
                    r.order + 50000000);
      doc.add_value(kSort, sort + r.title);
      doc.add_value(kCategory, r.category);
      doc.add_value(kLevel, r.level);
      doc.add_value(kPublisher, r.publisher);
      doc.add_value(kCost, content::to_string(r.cost));
      doc.add_value(kFormat, r.format);
      db.add_document(doc);
      slugs.push_back(r.slug);
      facet_values.push_back({r.category, r.level, r.publisher, content::to_string(r.cost), r.format});
      texts[r.slug] = r.title + ". " + r.description_md;
    }
    db.commit();
  }

  Xapian::Query parse(const std::string& q, const std::string& prefix, std::string* corrected) const {
    // corrected: unused by callers today; kept so a caller can ask Xapian for its correction.
    Xapian::QueryParser qp;
    qp.set_stemmer(stem);
    qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    qp.set_stopper(&stopper);
    qp.set_database(db);
    qp.set_default_op(Xapian::Query::OP_AND);
    qp.add_prefix("", prefix);
    unsigned flags = Xapian::QueryParser::FLAG_DEFAULT | Xapian::QueryParser::FLAG_PARTIAL;
    if (corrected) flags |= Xapian::QueryParser::FLAG_SPELLING_CORRECTION;
    Xapian::Query query;
    try {
      query = qp.parse_query(q, flags);
    } catch (const Xapian::QueryParserError&) {
      // Readers do not write query syntax: take the words only.
      std::string words;
      for (char c : q)
        words += (static_cast<unsigned char>(c) >= 0x80 || std::isalnum(static_cast<unsigned char>(c))) ? c : ' ';
      query = qp.parse_query(words, flags & ~static_cast<unsigned>(Xapian::QueryParser::FLAG_BOOLEAN));
    }
    if (corrected) *corrected = qp.get_corrected_query_string();
    return query;
  }

  // "Menade du …?": each word the index does not know replaced by its closest indexed spelling.
  std::string suggest(const std::string& q) const {
    std::string out, word;
    bool changed = false;
    auto flush = [&] {
      if (word.empty()) return;
      std::string w = lower(word);
      std::string better = db.get_termfreq(w) == 0 ? db.get_spelling_suggestion(w, 2) : std::string();
      if (!better.empty() && better != w) {
        changed = true;
        out += better;
      } else {
        out += word;
      }
      word.clear();
    };
    for (const auto& cp : code_points(q)) {
      bool letter = cp.size() > 1 || std::isalnum(static_cast<unsigned char>(cp[0]));
      if (letter) {
        word += cp;
      } else {
        flush();
        out += cp;
      }
    }
    flush();
    return changed ? out : std::string();
  }

  results run(const request& r) const {
    results out;
    out.query = clean_query(r.q, &out.cut);
    Xapian::Query text;
    if (out.query.empty()) {
      text = Xapian::Query("XH");
    } else {
      Xapian::Query exact = parse(out.query, "", nullptr);
      Xapian::Query folded = parse(fold(out.query), "XA", nullptr);
      text = Xapian::Query(Xapian::Query::OP_OR, exact, folded);
    }
    // One pass over the text's matches gives the hits (all filters) and every facet's counts (all
    // filters but its own), from facet values kept in memory.
    const std::array<const std::string*, 5> active = {&r.category, &r.level, &r.publisher, &r.cost, &r.format};
    Xapian::Enquire enquire(db);
    enquire.set_query(text);
    if (out.query.empty()) enquire.set_sort_by_value(kSort, false);
    Xapian::MSet mset = enquire.get_mset(0, db.get_doccount() + 1);
    std::array<std::map<std::string, std::size_t>, 5> counts;
    for (auto it = mset.begin(); it != mset.end(); ++it) {
      const auto& values = facet_values[*it - 1];
      unsigned failing = 0, failed_at = 0;
      for (unsigned f = 0; f < 5; ++f)
        if (!active[f]->empty() && values[f] != *active[f]) ++failing, failed_at = f;
      if (failing == 0) {
        for (unsigned f = 0; f < 5; ++f) ++counts[f][values[f]];
        ++out.total;
        if (out.hits.size() < kMaxHits) {
          const std::string& slug = slugs[*it - 1];
          hit h;
          h.slug = slug;
          h.excerpt_html = mset.snippet(texts.at(slug), 240, stem,
                                        Xapian::MSet::SNIPPET_BACKGROUND_MODEL | Xapian::MSet::SNIPPET_EXHAUSTIVE,
                                        "<mark>", "</mark>", "…");
          out.hits.push_back(std::move(h));
        }
      } else if (failing == 1) {
        ++counts[failed_at][values[failed_at]];
      }
    }
    if (!out.query.empty() && out.total < 3) out.suggestion = suggest(out.query);

    struct spec {
      const char* param;
      const char* label;
      slot s;
    };
    const spec specs[5] = {{"kategori", "Kategori", kCategory},
                           {"niva", "Nivå", kLevel},
                           {"utgivare", "Utgivare", kPublisher},
                           {"kostnad", "Kostnad", kCost},
                           {"format", "Format", kFormat}};
    for (unsigned f = 0; f < 5; ++f) {
      facet fc;
      fc.param = specs[f].param;
      fc.label = specs[f].label;
      for (const auto& [value, label] : facet_labels(specs[f].s)) {
        facet_value v;
        v.value = value;
        v.label = label;
        auto c = counts[f].find(value);
        v.count = c == counts[f].end() ? 0 : c->second;
        v.active = *active[f] == value;
        fc.values.push_back(v);
      }
      out.facets.push_back(std::move(fc));
    }
    return out;
  }

  std::vector<std::pair<std::string, std::string>> facet_labels(slot s) const {
    std::vector<std::pair<std::string, std::string>> out;
    switch (s) {
      case kCategory:
        for (const auto& c : guide.categories) out.emplace_back(c.slug, c.name);
        break;
      case kLevel:
        for (const auto& l : guide.levels) out.emplace_back(l.slug, l.name);
        break;
      case kPublisher:
        for (const auto& p : guide.publishers) out.emplace_back(p.slug, p.name);
        std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
        break;
      case kCost: out = {{"free", "Kostnadsfri"}, {"paid", "Avgiftsbelagd"}, {"unknown", "Kostnad ej angiven"}}; break;
      case kFormat: {
        std::set<std::string> formats;
        for (const auto& r : guide.resources)
          if (!r.format.empty()) formats.insert(r.format);
        for (const auto& f : formats) out.emplace_back(f, f);
        break;
      }
      default: break;
    }
    return out;
  }
};

index::index(const content::guide& g) : impl_(std::make_unique<impl>(g)) {}
index::~index() = default;

results index::search(const request& r) const {
  std::lock_guard lock(impl_->mu);
  return impl_->run(r);
}

}  // namespace cg::search
