#pragma once
// The snapshot: every reader page of one published guide, rendered to bytes, with precomputed gzip and
// brotli bodies and strong ETags. Immutable once built; shared between threads as shared_ptr<const>.
// It knows nothing of HTTP beyond a status code and header values.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

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

struct snapshot {
  std::uint64_t generation = 0;
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

// Makes a page from bytes: computes the ETag and, for text above a small size, gzip and brotli bodies.
page make_page(int status, std::string content_type, std::string cache_control, std::string body, bool compress = true);

}  // namespace cg::render
