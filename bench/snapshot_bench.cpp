// Render cost: the time to build a snapshot (every page rendered, gzip and brotli bodies, the search
// index) of the default guide and of synthetic catalogues, and the memory it holds. A benchmark, not a
// test: run with `make bench`; `snapshot_bench --large` adds 10 000 and 100 000 resources (today: far too
// slow to finish; see the closing note of issue 6).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
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

void measure(const char* name, const content::guide& g, int rounds) {
  std::vector<double> times;
  long rss_before = rss_kb(), rss_held = 0;
  std::size_t pages = 0, bytes = 0;
  for (int i = 0; i < rounds; ++i) {
    auto t0 = clock_type::now();
    auto snap = render::build_snapshot(g, static_cast<std::uint64_t>(i + 1));
    times.push_back(ms_since(t0));
    pages = snap->pages.size();
    bytes = 0;
    for (const auto& [path, p] : snap->pages)
      bytes += p.identity.bytes.size() + (p.gzip ? p.gzip->bytes.size() : 0) + (p.br ? p.br->bytes.size() : 0);
    rss_held = rss_kb();
  }
  std::sort(times.begin(), times.end());
  auto t0 = clock_type::now();
  { search::index idx(g); }
  double index_ms = ms_since(t0);
  std::printf(
      "%-22s resources=%-7zu pages=%-7zu bodies=%6.1f MB  snapshot median %9.1f ms (of %d)  of which search index "
      "~%8.1f ms  RSS held +%.1f MB\n",
      name, g.resources.size(), pages, static_cast<double>(bytes) / 1e6, times[times.size() / 2], rounds, index_ms,
      static_cast<double>(rss_held - rss_before) / 1024.0);
}

}  // namespace

int main(int argc, char** argv) {
  bool large = argc > 1 && std::strcmp(argv[1], "--large") == 0;
  auto g = content::load_guide(content::default_pack());
  if (!g) {
    std::fprintf(stderr, "%s\n", g.message().c_str());
    return 1;
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // a line at a time, also into a pipe
  std::printf("RSS at start: %.1f MB\n", static_cast<double>(rss_kb()) / 1024.0);
  measure("default guide", *g, 5);
  measure("synthetic 1 000", bench::synthetic(*g, 1000), 1);
  if (large) {
    measure("synthetic 10 000", bench::synthetic(*g, 10000), 1);
    measure("synthetic 100 000", bench::synthetic(*g, 100000), 1);
  }
  return 0;
}
