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
#include <unordered_map>

#include "util/escape.hpp"
#include "util/utf8.hpp"

namespace cg::search {
namespace {

const char* kStopwords[] = {"och",  "i",   "på", "för", "att", "en",  "ett",  "av",  "med", "om",  "till", "som",
                            "det",  "den", "är", "de",  "du",  "vi",  "jag",  "har", "kan", "hur", "vad",  "eller",
                            "från", "mot", "så", "ni",  "man", "sig", "inte", "the", "and", "of",  "in",   "to"};

std::size_t utf8_len(unsigned char c) {
  return c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
}

// Calls f with each code point of s (a string_view into s); bytes that start no code point are skipped.
template <typename F>
void for_each_code_point(std::string_view s, F&& f) {
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = utf8_len(static_cast<unsigned char>(s[i]));
    if (n == 0 || i + n > s.size()) {
      ++i;
      continue;
    }
    f(s.substr(i, n));
    i += n;
  }
}

std::string lower(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for_each_code_point(s, [&out](std::string_view cp) {
    if (cp.size() == 1 && cp[0] >= 'A' && cp[0] <= 'Z')
      out += static_cast<char>(cp[0] - 'A' + 'a');
    else if (cp == "Å")
      out += "å";
    else if (cp == "Ä")
      out += "ä";
    else if (cp == "Ö")
      out += "ö";
    else if (cp == "É")
      out += "é";
    else if (cp == "Ü")
      out += "ü";
    else if (cp == "È")
      out += "è";
    else
      out += cp;
  });
  return out;
}

// Calls f with each word (a run of letters, lower-cased) of text.
template <typename F>
void for_each_word(const std::string& text, F&& f) {
  std::string word;
  for_each_code_point(lower(text), [&](std::string_view cp) {
    if (cp.size() > 1 || (cp[0] >= 'a' && cp[0] <= 'z')) {
      word += cp;
    } else if (!word.empty()) {
      f(word);
      word.clear();
    }
  });
  if (!word.empty()) f(word);
}

// The code points of UTF-8 text (invalid bytes taken as they are).
std::u32string code_points(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
    if (i + static_cast<std::size_t>(n) > s.size()) n = 1;
    char32_t cp = n == 1 ? c : static_cast<char32_t>(c & (0x7F >> n));
    for (int k = 1; k < n; ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) & 0x3F);
    out += cp;
    i += static_cast<std::size_t>(n);
  }
  return out;
}

// Edit distance in code points, a swap of two neighbours counting as one (optimal string alignment);
// limit + 1 as soon as it must exceed limit.
unsigned edit_distance(const std::u32string& a, const std::u32string& b, unsigned limit) {
  const std::size_t n = a.size(), m = b.size();
  if ((n > m ? n - m : m - n) > limit) return limit + 1;
  thread_local std::vector<unsigned> prev2, prev, cur;
  prev2.assign(m + 1, 0);
  prev.resize(m + 1);
  cur.resize(m + 1);
  for (std::size_t j = 0; j <= m; ++j) prev[j] = static_cast<unsigned>(j);
  for (std::size_t i = 1; i <= n; ++i) {
    cur[0] = static_cast<unsigned>(i);
    unsigned row_min = cur[0];
    for (std::size_t j = 1; j <= m; ++j) {
      unsigned cost = a[i - 1] == b[j - 1] ? 0 : 1;
      unsigned d = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d = std::min(d, prev2[j - 2] + 1);
      cur[j] = d;
      row_min = std::min(row_min, d);
    }
    if (row_min > limit) return limit + 1;
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return std::min(prev[m], limit + 1);
}

// "CERT-SE" → "CERTSE", "e-post" → "epost": a hyphen between two letters or digits removed. Hyphenated
// words are searched as one word, not as a phrase of two (faster, and "epost" finds "e-post").
std::string join_hyphens(std::string_view s) {
  auto word_byte = [](char c) {
    return static_cast<unsigned char>(c) >= 0x80 || std::isalnum(static_cast<unsigned char>(c));
  };
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '-' && i > 0 && i + 1 < s.size() && word_byte(s[i - 1]) && word_byte(s[i + 1])) continue;
    out += s[i];
  }
  return out;
}

// Only the hyphenated words of a text, joined ("" when there are none).
std::string hyphenated_words(const std::string& text) {
  std::string out;
  std::size_t i = 0;
  while ((i = text.find('-', i)) != std::string::npos) {
    std::size_t b = i, e = i;
    auto word_byte = [&text](std::size_t k) {
      return static_cast<unsigned char>(text[k]) >= 0x80 || std::isalnum(static_cast<unsigned char>(text[k]));
    };
    while (b > 0 && (word_byte(b - 1) || (text[b - 1] == '-' && b > 1 && word_byte(b - 2)))) --b;
    while (e + 1 < text.size() && (word_byte(e + 1) || (text[e + 1] == '-' && e + 2 < text.size() && word_byte(e + 2))))
      ++e;
    if (b < i && e > i) out += join_hyphens(std::string_view(text).substr(b, e + 1 - b)) + " ";
    i = e + 1;
  }
  return out;
}

// A word of at least 10 letters as all its prefixes and suffixes of 6 letters or more; "" for shorter.
std::string word_parts(const std::string& word) {
  std::vector<std::size_t> starts;  // byte offset of each code point
  for_each_code_point(
      word, [&](std::string_view cp) { starts.push_back(static_cast<std::size_t>(cp.data() - word.data())); });
  std::string out;
  std::size_t n = starts.size();
  if (n < 10) return out;
  for (std::size_t k = 6; k < n; ++k) {
    out.append(word, 0, starts[k]);
    out += ' ';
    out.append(word, starts[n - k]);
    out += ' ';
  }
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
    std::size_t n = utf8_sequence(q, i);  // 0: not UTF-8 here (dropped)
    if (n == 0) {
      ++i;
      continue;
    }
    if (n == 1 && (c < 0x20 || c == 0x7f || c == ' ')) {
      space = !out.empty();
      ++i;
      continue;
    }
    // The space before this character counts too (found by fuzz_search: 199 + space + 1 made 201).
    if (chars + (space ? 1 : 0) >= kMaxQueryChars) {
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
  static const std::unordered_map<std::string_view, char> kFold = {{"å", 'a'}, {"ä", 'a'}, {"ö", 'o'}, {"Å", 'A'},
                                                                   {"Ä", 'A'}, {"Ö", 'O'}, {"é", 'e'}, {"è", 'e'},
                                                                   {"É", 'E'}, {"ü", 'u'}, {"Ü", 'U'}};
  std::string out;
  out.reserve(s.size());
  for_each_code_point(s, [&out](std::string_view cp) {
    if (cp.size() == 1) {
      out += cp[0];
      return;
    }
    auto it = kFold.find(cp);
    if (it == kFold.end())
      out += cp;
    else
      out += it->second;
  });
  return out;
}

namespace {

// Escaped text, cut at a word boundary to about `max` bytes: the excerpt of a hit when nothing was searched.
std::string plain_excerpt(const std::string& text, std::size_t max) {
  std::string_view t = text;
  bool cut = false;
  if (t.size() > max) {
    std::size_t end = t.rfind(' ', max);
    if (end == std::string_view::npos || end < max / 2) {
      end = max;
      while (end > 0 && (static_cast<unsigned char>(t[end]) & 0xC0) == 0x80) --end;  // not inside a code point
    }
    t = t.substr(0, end);
    cut = true;
  }
  std::string out = html_escape(t);
  if (cut) out += "…";
  return out;
}

constexpr std::size_t kFacets = 5;
constexpr Xapian::docid kCommitEvery = 256;
constexpr std::uint16_t kNoSuchValue = 0xFFFF;  // a filter value no resource has: matches nothing

}  // namespace

struct index::impl {
  mutable std::mutex mu;
  // The index lives in a private temporary folder (glass backend) for the life of the snapshot,
  // removed with it. Nothing in it must survive a crash: never synced to disk.
  std::filesystem::path dir = make_temp_dir();
  Xapian::WritableDatabase db{dir.string(),
                              Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_BACKEND_GLASS | Xapian::DB_NO_SYNC};

  // Every distinct word of the guide with how often it occurs, shortest first: for "Menade du …?".
  // (Xapian's spelling table did this too, at a third of the index's build time.)
  struct spelling_word {
    std::u32string cps;
    std::string utf8;
    Xapian::termcount count = 0;
  };
  std::vector<spelling_word> spellings;

  // The known word closest to w: edit distance at most 2, then the most frequent, then the first in
  // alphabetical order; empty when none is that close.
  std::string closest_word(const std::string& w) const {
    const std::u32string target = code_points(w);
    constexpr unsigned kMax = 2;
    auto by_length = [](const spelling_word& s, std::size_t len) { return s.cps.size() < len; };
    auto it = std::lower_bound(spellings.begin(), spellings.end(), target.size() > kMax ? target.size() - kMax : 0,
                               by_length);
    const spelling_word* best = nullptr;
    unsigned best_d = kMax + 1;
    for (; it != spellings.end() && it->cps.size() <= target.size() + kMax; ++it) {
      unsigned d = edit_distance(target, it->cps, kMax);
      if (d > kMax) continue;
      if (!best || d < best_d ||
          (d == best_d && (it->count > best->count || (it->count == best->count && it->utf8 < best->utf8)))) {
        best = &*it;
        best_d = d;
      }
    }
    return best ? best->utf8 : std::string();
  }

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

  // A word of an excerpt's text: where it is, and ids (in `vocabulary`) of its lower-case folded form and
  // of the stems of its lower-case and folded forms.
  struct token {
    std::uint32_t offset = 0, length = 0;
    std::uint32_t word = 0, stem = 0, folded_stem = 0;
  };
  std::unordered_map<std::string, std::uint32_t> vocabulary;
  std::vector<std::string> words_by_id;
  std::uint32_t word_id(const std::string& w) {
    auto [it, added] = vocabulary.try_emplace(w, static_cast<std::uint32_t>(words_by_id.size()));
    if (added) words_by_id.push_back(w);
    return it->second;
  }
  std::unordered_map<std::string, std::array<std::uint32_t, 3>> token_cache;  // lower-case word → ids

  std::vector<token> tokenize(const std::string& text) {
    std::vector<token> out;
    std::size_t start = 0;
    std::string word;
    auto flush = [&](std::size_t end) {
      if (word.empty()) return;
      auto it = token_cache.find(word);
      if (it == token_cache.end()) {
        std::string f = fold(word);
        it = token_cache.emplace(word, std::array<std::uint32_t, 3>{word_id(f), word_id(stem(word)), word_id(stem(f))})
                 .first;
      }
      out.push_back({static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(end - start), it->second[0],
                     it->second[1], it->second[2]});
      word.clear();
    };
    for_each_code_point(text, [&](std::string_view cp) {
      std::size_t at = static_cast<std::size_t>(cp.data() - text.data());
      bool letter = cp.size() > 1 || std::isalnum(static_cast<unsigned char>(cp[0]));
      if (!letter) {
        flush(at);
        return;
      }
      if (word.empty()) start = at;
      word += lower(cp);
    });
    flush(text.size());
    return out;
  }

  struct entry {
    std::string slug;
    std::string text;                            // plain text for excerpts
    std::vector<token> tokens;                   // its words, for marking matches
    std::array<std::uint16_t, kFacets> facet{};  // category, level, publisher, cost, format (value ids)
  };
  std::vector<entry> docs;            // docid - 1 → document
  std::vector<Xapian::docid> browse;  // resources in a category, in the guide's order (empty query)
  std::array<std::vector<std::pair<std::string, std::string>>, kFacets> facet_labels;  // id → value, label
  std::array<std::unordered_map<std::string, std::uint16_t>, kFacets> facet_ids;       // value → id

  std::uint16_t facet_id(std::size_t f, const std::string& value) {
    auto [it, added] = facet_ids[f].try_emplace(value, static_cast<std::uint16_t>(facet_labels[f].size()));
    if (added) facet_labels[f].emplace_back(value, value);
    return it->second;
  }

  explicit impl(const content::guide& g) : guide(g) {
    for (const char* w : kStopwords) stopper.add(w);
    // Facet values in the order the filters list them; values found only on resources come after.
    for (const auto& c : g.categories) facet_labels[0].emplace_back(c.slug, c.name);
    for (const auto& l : g.levels) facet_labels[1].emplace_back(l.slug, l.name);
    for (const auto& p : g.publishers) facet_labels[2].emplace_back(p.slug, p.name);
    std::sort(facet_labels[2].begin(), facet_labels[2].end(),
              [](const auto& a, const auto& b) { return a.second < b.second; });
    facet_labels[3] = {{"free", "Kostnadsfri"}, {"paid", "Avgiftsbelagd"}, {"unknown", "Kostnad ej angiven"}};
    std::set<std::string> formats;
    for (const auto& r : g.resources)
      if (!r.format.empty()) formats.insert(r.format);
    for (const auto& f : formats) facet_labels[4].emplace_back(f, f);
    for (std::size_t f = 0; f < kFacets; ++f)
      for (std::size_t i = 0; i < facet_labels[f].size(); ++i)
        facet_ids[f].emplace(facet_labels[f][i].first, static_cast<std::uint16_t>(i));

    Xapian::TermGenerator tg;
    tg.set_stemmer(stem);
    tg.set_stopper(&stopper);
    // Parts of compounds are indexed stemmed only: a search for a part matches its stem, and the prefix
    // match of the last word typed does not expand into every part.
    Xapian::TermGenerator parts;
    parts.set_stemmer(stem);
    parts.set_stemming_strategy(Xapian::TermGenerator::STEM_ALL_Z);
    std::unordered_map<std::string, std::pair<std::string, std::string>> part_cache;  // word → parts, folded
    std::unordered_map<std::string, Xapian::termcount> spelling;                      // word → occurrences
    std::map<std::string, int> cat_pos, lvl_pos;
    for (std::size_t i = 0; i < g.categories.size(); ++i) cat_pos[g.categories[i].slug] = static_cast<int>(i);
    for (std::size_t i = 0; i < g.levels.size(); ++i) lvl_pos[g.levels[i].slug] = static_cast<int>(i);
    std::vector<std::pair<std::string, Xapian::docid>> order;
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
        if (std::string joined = hyphenated_words(p.text); !joined.empty()) {
          tg.index_text(joined, p.wdf);
          tg.index_text(fold(joined), p.wdf, "XA");
          tg.increase_termpos();
        }
        std::string compound, compound_folded;
        for_each_word(p.text, [&](const std::string& w) {
          ++spelling[w];
          if (w.size() < 10) return;  // fewer than 10 bytes: fewer than 10 letters
          auto it = part_cache.find(w);
          if (it == part_cache.end()) {
            std::string ps = word_parts(w);
            it = part_cache.emplace(w, std::make_pair(ps, fold(ps))).first;
          }
          compound += it->second.first;
          compound_folded += it->second.second;
        });
        if (!compound.empty()) {
          // Without positions: a part is matched as a word, never inside a phrase (half the index's
          // build time went to the positions of parts).
          parts.index_text_without_positions(compound, 1);
          parts.index_text_without_positions(compound_folded, 1, "XA");
        }
      }
      doc.add_boolean_term("XC" + r.category);
      doc.add_boolean_term("XL" + r.level);
      doc.add_boolean_term("XP" + r.publisher);
      doc.add_boolean_term("XK" + std::string(content::to_string(r.cost)));
      doc.add_boolean_term("XF" + r.format);
      Xapian::docid id = db.add_document(doc);
      // Xapian keeps the postings added since the last commit in ordered maps by document id: a
      // commit now and then keeps them small (adding 10 000 documents in one go spent half its time
      // walking those maps).
      if (id % kCommitEvery == 0) db.commit();
      if (cat) {
        char sort[64];
        std::snprintf(sort, sizeof sort, "%04d%04d%08d", cat_pos[r.category], lvl ? lvl_pos[r.level] : 9999,
                      r.order + 50000000);
        order.emplace_back(sort + r.title, id);
      }
      std::string text = r.title + ". " + r.description_md;
      std::vector<token> tokens = tokenize(text);
      docs.push_back({r.slug,
                      std::move(text),
                      std::move(tokens),
                      {facet_id(0, r.category), facet_id(1, r.level), facet_id(2, r.publisher),
                       facet_id(3, std::string(content::to_string(r.cost))), facet_id(4, r.format)}});
    }
    std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& o : order) browse.push_back(o.second);
    // Spelling data: each distinct word once, with how often it occurs.
    spellings.reserve(spelling.size());
    for (const auto& [word, n] : spelling) spellings.push_back({code_points(word), word, n});
    std::sort(spellings.begin(), spellings.end(), [](const spelling_word& a, const spelling_word& b) {
      return a.cps.size() != b.cps.size() ? a.cps.size() < b.cps.size() : a.utf8 < b.utf8;
    });
    db.commit();
  }

  // partial: the last word may be unfinished (match it as a prefix too).
  Xapian::Query parse(const std::string& q, const std::string& prefix, bool partial) const {
    Xapian::QueryParser qp;
    qp.set_stemmer(stem);
    qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    qp.set_stopper(&stopper);
    qp.set_database(db);
    qp.set_default_op(Xapian::Query::OP_AND);
    qp.add_prefix("", prefix);
    // The last word as typed matches at most the 40 most frequent words it begins.
    qp.set_max_expansion(40, Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT, Xapian::QueryParser::FLAG_PARTIAL);
    unsigned flags = Xapian::QueryParser::FLAG_DEFAULT;
    if (partial) flags |= Xapian::QueryParser::FLAG_PARTIAL;
    try {
      return qp.parse_query(q, flags);
    } catch (const Xapian::QueryParserError&) {
      // Readers do not write query syntax: take the words only.
      std::string words;
      for (char c : q)
        words += (static_cast<unsigned char>(c) >= 0x80 || std::isalnum(static_cast<unsigned char>(c))) ? c : ' ';
      return qp.parse_query(words, flags & ~static_cast<unsigned>(Xapian::QueryParser::FLAG_BOOLEAN));
    }
  }

  // "Menade du …?": each word the index does not know replaced by its closest indexed spelling.
  std::string suggest(const std::string& q) const {
    std::string out, word;
    bool changed = false;
    auto flush = [&] {
      if (word.empty()) return;
      std::string w = lower(word);
      std::string better = db.get_termfreq(w) == 0 ? closest_word(w) : std::string();
      if (!better.empty() && better != w) {
        changed = true;
        out += better;
      } else {
        out += word;
      }
      word.clear();
    };
    for_each_code_point(q, [&](std::string_view cp) {
      if (cp.size() > 1 || std::isalnum(static_cast<unsigned char>(cp[0]))) {
        word += cp;
      } else {
        flush();
        out += cp;
      }
    });
    flush();
    return changed ? out : std::string();
  }

  // What marks a word of an excerpt as matched: the stems of the query's words (as typed and folded);
  // and, by the folded word, a compound that contains a query word of 6 letters or more, or a word that
  // begins with the last query word (matched as a prefix while it is typed).
  struct marker {
    const impl& ix;
    std::vector<std::uint32_t> stems;
    std::vector<std::string> parts;  // folded query words of 6 letters or more
    std::string last;                // the last query word, folded
    mutable std::unordered_map<std::uint32_t, bool> by_word;

    marker(const impl& i, const std::string& query) : ix(i) {
      std::vector<std::string> words;
      for_each_word(query, [&](const std::string& w) { words.push_back(w); });
      for (const auto& w : words) {
        if (ix.stopper(w)) continue;
        std::string f = fold(w);
        for (const std::string& st : {ix.stem(w), ix.stem(f)})
          if (auto it = ix.vocabulary.find(st); it != ix.vocabulary.end()) stems.push_back(it->second);
        if (f.size() >= 6) parts.push_back(f);
      }
      if (!words.empty()) last = fold(words.back());
    }
    bool matches(const token& t) const {
      for (std::uint32_t s : stems)
        if (t.stem == s || t.folded_stem == s) return true;
      auto [it, added] = by_word.try_emplace(t.word, false);
      if (added) {
        const std::string& w = ix.words_by_id[t.word];
        bool m = !last.empty() && w.size() > last.size() && w.compare(0, last.size(), last) == 0;
        for (const auto& p : parts) m = m || (w.size() > p.size() && w.find(p) != std::string::npos);
        it->second = m;
      }
      return it->second;
    }
  };

  // About `max` bytes of the text around its first matched word, escaped, the matched words in <mark>.
  static std::string excerpt(const entry& e, const marker& m, std::size_t max) {
    std::size_t first = e.tokens.size();
    for (std::size_t i = 0; i < e.tokens.size() && first == e.tokens.size(); ++i)
      if (m.matches(e.tokens[i])) first = i;
    // Start at the text's beginning when the first match fits; else a few words before the match.
    std::size_t begin = 0;
    if (first < e.tokens.size() && e.tokens[first].offset + e.tokens[first].length > max * 2 / 3)
      begin = e.tokens[first >= 4 ? first - 4 : 0].offset;
    std::size_t end = std::min(e.text.size(), begin + max);
    // End after a whole word.
    std::size_t last_word = begin;
    for (const auto& t : e.tokens)
      if (t.offset >= begin && t.offset + t.length <= end) last_word = t.offset + t.length;
    if (end < e.text.size()) end = std::max(last_word, begin);
    std::string out;
    if (begin > 0) out += "…";
    std::size_t at = begin;
    auto escape = [&out, &e](std::size_t from, std::size_t to) {
      append_html_escaped(out, std::string_view(e.text).substr(from, to - from));
    };
    for (const auto& t : e.tokens) {
      if (t.offset < begin) continue;
      if (t.offset + t.length > end) break;
      if (!m.matches(t)) continue;
      escape(at, t.offset);
      out += "<mark>";
      escape(t.offset, t.offset + t.length);
      out += "</mark>";
      at = t.offset + t.length;
    }
    escape(at, end);
    if (end < e.text.size()) out += "…";
    return out;
  }

  // Counts one pass over the matches of the words: the hits (every filter holds) and, for each facet, the
  // hits each of its values would give with the other filters kept.
  struct tally {
    std::array<std::uint16_t, kFacets> want{};  // kNoFilter or a value id
    std::array<std::vector<std::size_t>, kFacets> counts;
    std::size_t accepted = 0;
    static constexpr std::uint16_t kNoFilter = 0xFFFE;

    bool passes(const entry& d) const {
      for (unsigned f = 0; f < kFacets; ++f)
        if (want[f] != kNoFilter && d.facet[f] != want[f]) return false;
      return true;
    }
    bool add(const entry& d) {
      unsigned failing = 0, failed_at = 0;
      for (unsigned f = 0; f < kFacets; ++f)
        if (want[f] != kNoFilter && d.facet[f] != want[f]) ++failing, failed_at = f;
      if (failing == 0) {
        for (unsigned f = 0; f < kFacets; ++f) ++counts[f][d.facet[f]];
        ++accepted;
        return true;
      }
      if (failing == 1) ++counts[failed_at][d.facet[failed_at]];
      return false;
    }
  };

  // Xapian asks it about every document that matches the words (check_at_least is the whole database).
  struct decider final : Xapian::MatchDecider {
    const impl& ix;
    tally& t;
    decider(const impl& i, tally& ta) : ix(i), t(ta) {}
    bool operator()(const Xapian::Document& d) const override { return t.add(ix.docs[d.get_docid() - 1]); }
  };

  results run(const request& r) const {
    results out;
    out.query = clean_query(r.q, &out.cut);
    tally t;
    const std::array<const std::string*, kFacets> active = {&r.category, &r.level, &r.publisher, &r.cost, &r.format};
    for (std::size_t f = 0; f < kFacets; ++f) {
      t.counts[f].assign(facet_labels[f].size(), 0);
      if (active[f]->empty()) {
        t.want[f] = tally::kNoFilter;
      } else {
        auto it = facet_ids[f].find(*active[f]);
        t.want[f] = it == facet_ids[f].end() ? kNoSuchValue : it->second;
      }
    }
    const Xapian::doccount all = db.get_doccount();
    std::size_t page = std::max<std::size_t>(r.page, 1);
    if (out.query.empty()) {
      // No words: every resource in a category, in the guide's order, counted in memory.
      for (Xapian::docid id : browse) t.add(docs[id - 1]);
      std::size_t pages = t.accepted == 0 ? 1 : (t.accepted - 1) / kPageSize + 1;
      page = std::min(page, pages);
      std::size_t first = (page - 1) * kPageSize, seen = 0;
      for (Xapian::docid id : browse) {
        const entry& d = docs[id - 1];
        if (!t.passes(d) || seen++ < first) continue;
        out.hits.push_back({d.slug, plain_excerpt(d.text, 240)});
        if (out.hits.size() == kPageSize) break;
      }
    } else {
      // Lower case: a capital (a phone's first letter) must not turn stemming off for a word.
      std::string words = join_hyphens(lower(out.query));
      Xapian::Enquire enquire(db);
      // The last word is matched as a prefix only when the index does not know it as a word: a finished
      // word needs no expansion (its inflections match by stem, compounds it begins by their parts).
      std::string last;
      for_each_word(words, [&last](const std::string& w) { last = w; });
      bool partial = !last.empty() && db.get_termfreq(last) == 0 && db.get_termfreq("XA" + fold(last)) == 0;
      enquire.set_query(
          Xapian::Query(Xapian::Query::OP_OR, parse(words, "", partial), parse(fold(words), "XA", partial)));
      // One ranked pass over every match: the decider counts each and keeps those that pass the filters.
      decider d(*this, t);
      Xapian::MSet mset =
          enquire.get_mset(static_cast<Xapian::doccount>((page - 1) * kPageSize), kPageSize, all, nullptr, &d);
      std::size_t pages = t.accepted == 0 ? 1 : (t.accepted - 1) / kPageSize + 1;
      if (page > pages) {
        // Past the last page: the last one, its hits asked for again (the counts are already complete).
        page = pages;
        tally again = t;
        decider d2(*this, again);
        mset = enquire.get_mset(static_cast<Xapian::doccount>((page - 1) * kPageSize), kPageSize, all, nullptr, &d2);
      }
      marker m(*this, lower(out.query));
      for (auto it = mset.begin(); it != mset.end(); ++it) {
        const entry& dc = docs[*it - 1];
        out.hits.push_back({dc.slug, excerpt(dc, m, 240)});
      }
    }
    out.total = t.accepted;
    out.page = page;
    out.first = out.hits.empty() ? 0 : (page - 1) * kPageSize + 1;
    if (!out.query.empty() && out.total < 3) out.suggestion = suggest(out.query);

    static const char* const kParams[kFacets] = {"kategori", "niva", "utgivare", "kostnad", "format"};
    static const char* const kLabels[kFacets] = {"Kategori", "Nivå", "Utgivare", "Kostnad", "Format"};
    for (std::size_t f = 0; f < kFacets; ++f) {
      facet fc;
      fc.param = kParams[f];
      fc.label = kLabels[f];
      for (std::size_t id = 0; id < facet_labels[f].size(); ++id) {
        const auto& [value, label] = facet_labels[f][id];
        if (value.empty()) continue;
        facet_value v;
        v.value = value;
        v.label = label;
        v.count = t.counts[f][id];
        v.active = *active[f] == value;
        fc.values.push_back(std::move(v));
      }
      out.facets.push_back(std::move(fc));
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
