#pragma once
// A synthetic catalogue for the benchmarks: n resources made from the default guide's words (titles of
// 5, descriptions of 60 random words), spread over its categories and levels like the real ones.
#include <random>
#include <string>
#include <vector>

#include "content/model.hpp"

namespace cg::bench {

inline content::guide synthetic(const content::guide& base, std::size_t n) {
  content::guide g = base;
  std::vector<std::string> words;
  for (const auto& r : base.resources) {
    std::string text = r.title + " " + r.description_md;
    std::string w;
    for (char c : text) {
      if (c == ' ' || c == '\n' || c == '.' || c == ',') {
        if (w.size() > 3) words.push_back(w);
        w.clear();
      } else {
        w += c;
      }
    }
  }
  std::mt19937 rng(42);
  auto pick = [&](std::size_t k) {
    std::string s;
    for (std::size_t i = 0; i < k; ++i) s += (i ? " " : "") + words[rng() % words.size()];
    return s;
  };
  g.resources.clear();
  for (std::size_t i = 0; i < n; ++i) {
    content::resource r = base.resources[i % base.resources.size()];
    r.slug = "syntetisk-" + std::to_string(i);
    r.title = pick(5);
    r.description_md = pick(60);
    g.resources.push_back(r);
  }
  g.site.start_picks.clear();
  return g;
}

}  // namespace cg::bench
