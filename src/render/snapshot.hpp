#pragma once
// The snapshot: every reader page of one published guide, rendered to bytes, with precomputed gzip and
// brotli bodies and strong ETags. Immutable once built; shared between threads as shared_ptr<const>.
// It knows nothing of HTTP beyond a status code and header values.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "content/model.hpp"
#include "search/search.hpp"

namespace cg::render {

struct body_variant {
  std::string bytes;
  std::string etag;  // quoted strong ETag, e.g. "\"3f2a…-br\""
  // Header lines made once, sent as they are ("Name: value\r\n" each): for the 200 (or the page's own
  // status): Content-Type, Content-Encoding, ETag, Cache-Control, Vary; for a 304: ETag, Cache-Control, Vary.
  std::string head, head_304;
};

// Heterogeneous lookup: find a path given as string_view without making a std::string.
struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
template <class V>
using string_map = std::unordered_map<std::string, V, string_hash, std::equal_to<>>;

struct page {
  int status = 200;
  std::string content_type;   // with charset for text types
  std::string cache_control;  // e.g. "public, max-age=300"
  body_variant identity;
  std::optional<body_variant> gzip;  // absent when compression does not pay
  std::optional<body_variant> br;
};

// Compressed bodies made with the best effort, found by the page's identity ETag and content type.
// A build with a cache compresses only what it does not find, quickly (effort::fast); polish()
// fills the cache with the best bodies in the background, and the next build of the same guide finds
// them all. Thread-safe. Holds the bodies of the latest build only (retain()).
class compression_cache {
 public:
  struct entry {
    std::optional<std::string> gzip, br;  // absent when compression does not pay
  };
  std::shared_ptr<const entry> find(const std::string& key) const;
  void put(const std::string& key, entry e);
  // Drops every entry whose key is not in keys.
  void retain(const std::vector<std::string>& keys);
  std::size_t size() const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const entry>> map_;
};

struct snapshot {
  std::uint64_t generation = 0;
  // False when some compressed bodies were made quickly rather than with the best effort.
  bool best_compression = true;
  string_map<page> pages;                                     // by path, e.g. "/kategorier/rapporter"
  page not_found;                                             // the 404 page
  std::unordered_map<std::string, std::string> destinations;  // resource slug → registered address
  // What /go/{slug} answers, worked out once per snapshot: the Location (with campaign tags when they
  // are on and the address is on an owner domain) and the destination host the click is counted for.
  struct outbound_link {
    std::string location, host;
    std::string head;  // "Location: …\r\nCache-Control: no-store\r\n"
  };
  string_map<outbound_link> outbound;
  std::string css_path;                         // "/static/style.<hash>.css"
  std::shared_ptr<const content::guide> guide;  // what the pages were rendered from
  std::shared_ptr<const search::index> search;  // the search index of this guide

  const page* find(std::string_view path) const {
    auto it = pages.find(path);
    return it == pages.end() ? nullptr : &it->second;
  }
};

// Makes a page from bytes: computes the ETag and, for text above a small size, gzip and brotli bodies:
// the best ones without a cache; with one, those it holds, else quickly made ones (`*fast_made` set).
// ETags do not depend on the effort: both decode to the same bytes.
page make_page(int status, std::string content_type, std::string cache_control, std::string body, bool compress = true,
               const compression_cache* cache = nullptr, bool* fast_made = nullptr);

// The cache key of a page (its identity ETag and content type).
std::string cache_key(const page& p);

// Makes the best compressed bodies of every page of s missing from cache, one page at a time, and
// stops early when cancelled() says so. Returns true when it went through every page.
bool polish(const snapshot& s, compression_cache& cache, const std::function<bool()>& cancelled);

}  // namespace cg::render
