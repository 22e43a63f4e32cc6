// Query latency of the search index: p50 and p95 over the default guide and over a synthetic
// catalogue of 10 000 resources. A benchmark, not a test: run with `make bench`.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "content/pack.hpp"
#include "search/search.hpp"
#include "synthetic.hpp"

namespace {

using namespace cg;

void measure(const char* name, const search::index& idx) {
  const std::vector<std::string> queries = {"utbildning",
                                            "sakerhet i styrsystem",
                                            "incidenthantering",
                                            "lösenord",
                                            "upphandling",
                                            "ledningsgrupp övning",
                                            "säkerhetsarbete",
                                            "CERT-SE",
                                            "incidenthantring",
                                            "rapport",
                                            "",
                                            "informationssäkerhet"};
  std::vector<double> us;
  std::vector<std::vector<double>> per_query(queries.size());
  std::vector<std::size_t> totals(queries.size());
  for (int round = 0; round < 20; ++round) {
    for (std::size_t qi = 0; qi < queries.size(); ++qi) {
      const std::string& q = queries[qi];
      search::request r;
      r.q = q;
      if (round % 3 == 1) r.level = "grundniva";
      auto t0 = std::chrono::steady_clock::now();
      auto res = idx.search(r);
      auto t1 = std::chrono::steady_clock::now();
      if (res.query.size() > 1000) std::puts("");  // keep the result alive
      us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      per_query[qi].push_back(us.back());
      if (round == 0) totals[qi] = res.total;
    }
  }
  if (std::getenv("BENCH_PER_QUERY")) {
    for (std::size_t qi = 0; qi < queries.size(); ++qi) {
      auto& v = per_query[qi];
      std::sort(v.begin(), v.end());
      std::printf("  %-24s hits=%-6zu p50=%.3f ms  max=%.3f ms\n", ("\"" + queries[qi] + "\"").c_str(), totals[qi],
                  v[v.size() / 2] / 1000, v.back() / 1000);
    }
  }
  std::sort(us.begin(), us.end());
  auto pct = [&](double p) { return us[static_cast<std::size_t>(p * static_cast<double>(us.size() - 1))]; };
  std::printf("%-28s queries=%zu  p50=%.3f ms  p95=%.3f ms  max=%.3f ms\n", name, us.size(), pct(0.50) / 1000,
              pct(0.95) / 1000, us.back() / 1000);
}

}  // namespace

int main() {
  auto g = content::load_guide(content::default_pack());
  if (!g) {
    std::fprintf(stderr, "%s\n", g.message().c_str());
    return 1;
  }
  auto t0 = std::chrono::steady_clock::now();
  search::index small(*g);
  auto t1 = std::chrono::steady_clock::now();
  std::printf("default guide: %zu resources, index built in %.1f ms\n", g->resources.size(),
              std::chrono::duration<double, std::milli>(t1 - t0).count());
  measure("default guide", small);
  content::guide big = bench::synthetic(*g, 10000);
  t0 = std::chrono::steady_clock::now();
  search::index large(big);
  t1 = std::chrono::steady_clock::now();
  std::printf("synthetic: %zu resources, index built in %.1f ms\n", big.resources.size(),
              std::chrono::duration<double, std::milli>(t1 - t0).count());
  measure("synthetic 10 000", large);
  return 0;
}
