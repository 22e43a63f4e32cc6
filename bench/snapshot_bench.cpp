// Render cost: the time a publish waits for (validate, every page rendered, quickly compressed gzip
// and brotli bodies, the search index) for the default guide and synthetic catalogues, the memory the
// snapshot holds, and the background work after it (the best bodies, a rebuild from the cache). A
// benchmark, not a test: run with `make bench`; `snapshot_bench --large` adds 10 000 and 100 000
// resources (without the background pass, which takes minutes on one core at that size);
// `snapshot_bench --hugo-content N DIR` writes the synthetic catalogue of N as Hugo content instead.
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "content/pack.hpp"
#include "render/render.hpp"
#include "search/search.hpp"
#include "synthetic.hpp"

namespace {

using namespace cg;
using clock_type = std::chrono::steady_clock;

long rss_kb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// What a publish of g costs, as the server does it: validate, then build with an empty compression
// cache (bodies compressed quickly), swap in; then, in the background, the best bodies (polish) and the
// rebuild that finds them all in the cache.
void measure(const char* name, const content::guide& g, int rounds, bool with_polish) {
  std::vector<double> publish, validate;
  long rss_before = rss_kb(), rss_held = 0;
  std::size_t pages = 0, bytes = 0;
  std::shared_ptr<const render::snapshot> snap;
  std::unique_ptr<render::compression_cache> cache;
  for (int i = 0; i < rounds; ++i) {
    snap.reset();
    cache = std::make_unique<render::compression_cache>();
    auto t0 = clock_type::now();
    auto problems = content::validate(g);
    validate.push_back(ms_since(t0));
    if (!problems.empty()) {
      std::fprintf(stderr, "%s: %s\n", name, problems.front().c_str());
      std::exit(1);
    }
    render::render_options options;
    options.cache = cache.get();
    snap = render::build_snapshot(g, static_cast<std::uint64_t>(i + 1), options);
    publish.push_back(ms_since(t0));
    malloc_trim(0);  // as the server does after a build: what the build freed goes back to the system
    rss_held = rss_kb();
  }
  pages = snap->pages.size();
  auto body_bytes = [](const render::snapshot& s) {
    std::size_t n = 0;
    for (const auto& [path, p] : s.pages)
      n += p.identity.bytes.size() + (p.gzip ? p.gzip->bytes.size() : 0) + (p.br ? p.br->bytes.size() : 0);
    return n;
  };
  bytes = body_bytes(*snap);
  auto t0 = clock_type::now();
  auto idx = std::make_unique<search::index>(g);
  double index_ms = ms_since(t0);
  t0 = clock_type::now();
  idx.reset();
  double index_drop_ms = ms_since(t0);
  // The pages alone (rendered and quickly compressed on all cores, no search index), for comparison
  // with a static site generator.
  double pages_ms = 0;
  {
    render::compression_cache empty;
    render::render_options options;
    options.cache = &empty;
    options.search = false;
    auto t = clock_type::now();
    auto pages_only = render::build_snapshot(g, 1, options);
    pages_ms = ms_since(t);
  }
  std::printf("%-20s pages alone (no search index) %.1f ms\n", name, pages_ms);
  std::printf(
      "%-20s resources=%-7zu pages=%-7zu bodies=%7.1f MB  publish median %9.1f ms (of %d; validate %.1f ms, search "
      "index alone %.1f ms, dropped in %.1f ms)  RSS held +%.1f MB\n",
      name, g.resources.size(), pages, static_cast<double>(bytes) / 1e6, median(publish), rounds, median(validate),
      index_ms, index_drop_ms, static_cast<double>(rss_held - rss_before) / 1024.0);
  if (!with_polish) return;
  t0 = clock_type::now();
  render::polish(*snap, *cache, [] { return false; });
  double polish_ms = ms_since(t0);
  t0 = clock_type::now();
  render::render_options options;
  options.cache = cache.get();
  auto better = render::build_snapshot(g, 99, options);
  double rebuild_ms = ms_since(t0);
  std::printf(
      "%-20s background: best bodies %9.1f ms on one core, rebuild from the cache %.1f ms (best: %s); bodies "
      "%.1f MB → %.1f MB\n",
      name, polish_ms, rebuild_ms, better->best_compression ? "yes" : "no", static_cast<double>(bytes) / 1e6,
      static_cast<double>(body_bytes(*better)) / 1e6);
}

// Writes g's resources as Hugo content files (front matter + the description) into dir/content, for
// bench/hugo-bench.sh: the same catalogue for Hugo to build with bench/hugo's layout.
void write_hugo_content(const content::guide& g, const std::filesystem::path& dir) {
  auto quoted = [](const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out + "\"";
  };
  std::filesystem::create_directories(dir / "content" / "resurser");
  for (const auto& r : g.resources) {
    std::ofstream f(dir / "content" / "resurser" / (r.slug + ".md"));
    f << "---\ntitle: " << quoted(r.title) << "\nslug: " << r.slug << "\nweight: " << r.order + 1
      << "\nutgivare: " << quoted(r.publisher) << "\nadress: " << quoted(r.url) << "\n";
    if (!r.category.empty())
      f << "kategorier: [" << quoted(r.category) << "]\nnivaer: [" << quoted(r.level) << "]\nceller: ["
        << quoted(r.category + "-" + r.level) << "]\n";
    f << "---\n" << r.description_md << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool large = argc > 1 && std::strcmp(argv[1], "--large") == 0;
  auto g = content::load_guide(content::default_pack());
  if (!g) {
    std::fprintf(stderr, "%s\n", g.message().c_str());
    return 1;
  }
  if (argc == 4 && std::strcmp(argv[1], "--hugo-content") == 0) {  // --hugo-content N DIR
    write_hugo_content(bench::synthetic(*g, std::stoul(argv[2])), argv[3]);
    return 0;
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // a line at a time, also into a pipe
  std::printf("RSS at start: %.1f MB\n", static_cast<double>(rss_kb()) / 1024.0);
  measure("default guide", *g, 5, true);
  measure("synthetic 1 000", bench::synthetic(*g, 1000), 3, true);
  if (large) {
    measure("synthetic 10 000", bench::synthetic(*g, 10000), 1, false);
    measure("synthetic 100 000", bench::synthetic(*g, 100000), 1, false);
  }
  return 0;
}
