// Fuzzing the content-pack parser (src/content/pack.cpp: TOML files with Markdown texts), the format
// editors and operators hand to `cyberguide` (import, and the documents drafts are stored as).
//
// Input: files of a pack, as sections separated by NUL bytes; each section is "PATH\nCONTENT"
// ("resources/disa.toml\nslug = …"). A section "-PATH" (no content) removes that file. The sections
// are laid over a small base pack built once from the embedded default pack: its levels.toml,
// publishers.toml and categories.toml, and a short site.toml (no start picks, no callouts, no
// resources), so that one resource file alone makes a guide that can be valid.
//
// Invariants checked for every input (content/pack.hpp):
// - parse_pack never crashes or throws: a bad pack is an error value, whose message names the file
//   ("Filen …", as every message of parse_pack does);
// - round trip: for a parsed guide g, parse_pack(write_pack(g)) succeeds and writes the same files
//   again ("parse_pack(write_pack(g)) == g");
// - validate() runs on any parsed guide; for every valid resource address (is_valid_url), url_host()
//   is lower case, and with_campaign_tags() keeps the host, the address before any '#' as a prefix and
//   the fragment as a suffix.
// - Optional (CG_FUZZ_PACK_RENDER=1 in the environment; slow): a valid guide is rendered as an editor's
//   preview (build_snapshot, no compression, no search index) and every HTML page must pass the page
//   checks of html_check.hpp.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "content/links.hpp"
#include "content/model.hpp"
#include "content/pack.hpp"
#include "fuzz_common.hpp"
#include "html_check.hpp"
#include "render/render.hpp"
#include "render/snapshot.hpp"

namespace {

using namespace cg;
using fuzz::printable;

constexpr const char* kBaseSite =
    "title = \"Guide till en cybersäker kommun\"\n"
    "tagline = \"Hitta stöd för kommunens informations- och cybersäkerhet.\"\n"
    "intro = \"\"\"\nHär har vi samlat stöd för **kommuner**. Se [NIS2](/resurser/nis2).\"\"\"\n"
    "campaign_tags = \"on\"\n"
    "utm_source = \"cyberguide\"\n"
    "utm_medium = \"referral\"\n"
    "utm_campaign = \"guide\"\n"
    "owner_domains = [\"mcf.se\", \"msb.se\"]\n";

const content::pack_files& base_pack() {
  static const content::pack_files kBase = [] {
    content::pack_files all = content::default_pack(), out;
    for (const char* name : {"levels.toml", "publishers.toml", "categories.toml"}) {
      auto it = all.find(name);
      if (it == all.end()) {
        std::fprintf(stderr, "fuzz_content_pack: the default pack has no %s\n", name);
        std::abort();
      }
      out[name] = it->second;
    }
    out["site.toml"] = kBaseSite;
    return out;
  }();
  return kBase;
}

bool render_too() {
  static const bool on = [] {
    const char* v = std::getenv("CG_FUZZ_PACK_RENDER");
    return v && *v && std::string_view(v) != "0";
  }();
  return on;
}

void check_links(const content::guide& g) {
  const content::campaign c{"cyberguide", "referral", "guide"};
  for (const auto& r : g.resources) {
    if (!content::is_valid_url(r.url)) continue;  // what validate() lets into a guide
    const std::string host = content::url_host(r.url);
    for (char ch : host) CG_FUZZ_CHECK(!(ch >= 'A' && ch <= 'Z'), "url_host not lower case: " + printable(host));
    const std::string tagged = content::with_campaign_tags(r.url, c);
    const auto hash = r.url.find('#');
    const std::string base = r.url.substr(0, hash);
    const std::string fragment = hash == std::string::npos ? std::string() : r.url.substr(hash);
    CG_FUZZ_CHECK(tagged.compare(0, base.size(), base) == 0, printable(r.url) + " → " + printable(tagged));
    CG_FUZZ_CHECK(tagged.size() >= base.size() + fragment.size() &&
                      tagged.compare(tagged.size() - fragment.size(), fragment.size(), fragment) == 0,
                  printable(r.url) + " → " + printable(tagged));
    CG_FUZZ_CHECK(content::url_host(tagged) == host, printable(r.url) + " → " + printable(tagged));
  }
}

void render_and_check(const content::guide& g) {
  render::render_options o;
  o.preview = true;
  o.link_prefix = "/admin/forhandsgranska";
  o.search = false;
  auto snap = render::build_snapshot(g, 1, o);
  auto check = [](const std::string& path, const std::string& html) {
    const std::string p = fuzz::html_problem(html, fuzz::html_rules::page);
    CG_FUZZ_CHECK(p.empty(), "page " + path + ": " + p);
  };
  for (const auto& [path, page] : snap->pages)
    if (page.content_type.rfind("text/html", 0) == 0) check(path, page.identity.bytes);
  check("(not found)", snap->not_found.identity.bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  content::pack_files files = base_pack();
  for (std::string_view section : fuzz::split(fuzz::as_text(data, size), '\0')) {
    std::string_view name = fuzz::take_line(section);
    if (name.empty()) continue;
    if (name.front() == '-')
      files.erase(std::string(name.substr(1)));
    else
      files[std::string(name)] = std::string(section);
  }

  const result<content::guide> parsed = content::parse_pack(files);
  if (!parsed.ok()) {
    CG_FUZZ_CHECK(parsed.message().rfind("Filen ", 0) == 0, parsed.message());
    return 0;
  }
  const content::guide& g = parsed.value();

  // Round trip.
  const content::pack_files written = content::write_pack(g);
  const result<content::guide> back = content::parse_pack(written);
  CG_FUZZ_CHECK(back.ok(),
                "write_pack made a pack parse_pack refuses: " + (back.ok() ? std::string() : back.message()));
  const content::pack_files again = content::write_pack(back.value());
  if (again != written) {
    std::string diff;
    for (const auto& [name, text] : written) {
      auto it = again.find(name);
      if (it == again.end())
        diff += "\n    lost " + name;
      else if (it->second != text)
        diff += "\n    " + name + ": " + printable(text, 300) + "\n      became " + printable(it->second, 300);
    }
    for (const auto& [name, text] : again)
      if (!written.count(name)) diff += "\n    gained " + name;
    CG_FUZZ_CHECK(again == written, "parse_pack(write_pack(g)) != g:" + diff);
  }

  const auto problems = content::validate(g);
  check_links(g);
  if (problems.empty() && render_too()) render_and_check(g);
  return 0;
}
