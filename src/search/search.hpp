#pragma once
// Full-text search of one published guide with Xapian (Swedish stemmer), built with the snapshot and
// swapped with it: a search never touches the database. See docs/search.md for how Swedish is handled.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "content/model.hpp"

namespace cg::search {

inline constexpr std::size_t kMaxQueryChars = 200;
inline constexpr std::size_t kPageSize = 50;  // hits on one page of results; `total` counts them all

struct request {
  std::string q;                                         // as typed (normalize_query is applied inside)
  std::string category, level, publisher, cost, format;  // filters; empty: none
  std::size_t page = 1;                                  // 1-based; past the last page: the last page
};

struct hit {
  std::string slug;
  std::string excerpt_html;  // escaped text with the matched words in <mark>
};

struct facet_value {
  std::string value, label;
  std::size_t count = 0;  // hits if this value were chosen (with the other filters kept)
  bool active = false;
};

struct facet {
  std::string param, label;  // URL parameter ("kategori") and heading ("Kategori")
  std::vector<facet_value> values;
};

struct results {
  std::string query;      // the query as searched (cleaned and cut)
  bool cut = false;       // the query was longer than kMaxQueryChars
  std::size_t total = 0;  // every hit
  std::size_t page = 1;   // the page shown (1-based)
  std::size_t first = 0;  // the 1-based number of hits[0] among all hits; 0 when there are none
  std::vector<hit> hits;  // the page's hits, at most kPageSize
  std::vector<facet> facets;
  std::string suggestion;  // "Menade du …?"; empty when none
};

// Valid UTF-8 (invalid bytes dropped), control characters as spaces, whitespace collapsed, trimmed.
// cut: set when the result was cut to kMaxQueryChars characters.
std::string clean_query(std::string_view q, bool* cut = nullptr);
// clean_query, lower-cased (ASCII and å ä ö é ü): the form in which searches are counted.
std::string normalize_query(std::string_view q);
// å ä ö → a a o (and é è ü, upper case too): what readers type on a keyboard without them.
std::string fold(std::string_view s);

class index {
 public:
  explicit index(const content::guide& g);
  ~index();
  index(const index&) = delete;
  index& operator=(const index&) = delete;
  // Thread-safe (Xapian objects are not: calls are serialized).
  results search(const request& r) const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace cg::search
