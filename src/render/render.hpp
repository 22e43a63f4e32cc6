#pragma once
// Renders a published guide into a snapshot (every reader page as bytes). Pure: no I/O, no HTTP,
// no database. Templates and static assets come from the files embedded in the binary.
#include <cstdint>
#include <memory>
#include <string>

#include "content/model.hpp"
#include "render/snapshot.hpp"

namespace cg::render {

struct render_options {
  // A preview for editors: a banner on every page, internal links (except /static/ and /admin/)
  // prefixed with link_prefix, no compressed bodies, nothing cacheable.
  bool preview = false;
  std::string link_prefix;
  // When set: compressed bodies come from it where it has them, the others are made quickly and the
  // snapshot's best_compression is false (see polish()). Without: the best bodies, made now.
  const compression_cache* cache = nullptr;
  // False: no search index (benchmarks that time the pages alone).
  bool search = true;
};

// Builds every reader page of g. g must be valid (content::validate). Throws std::runtime_error
// when a template is broken (a bug in the build, not in the content).
std::shared_ptr<const snapshot> build_snapshot(const content::guide& g, std::uint64_t generation,
                                               const render_options& options = {});

// The search results page (/sok) for a request and its results, with the snapshot's layout.
std::string render_search_page(const snapshot& s, const search::request& r, const search::results& res);

// The content-hashed path of a static asset, e.g. "style.css" → "/static/style.3f2a….css".
std::string asset_path(const std::string& name);

// "www.mcf.se" for "https://www.mcf.se/sv/…"; empty when there is no host.
std::string host_of(const std::string& url);

// "Kostnadsfri", "Avgiftsbelagd", "Kostnad ej angiven".
const char* cost_label(content::cost c);

}  // namespace cg::render
