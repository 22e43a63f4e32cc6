// Fuzzing the Markdown renderer (src/render/markdown.cpp), which turns the editors' descriptions,
// intros and callouts into the HTML of the reader's pages.
//
// Input: Markdown text, as it is.
//
// What render/markdown.hpp promises, checked for every input:
// - markdown_to_html: "Raw HTML is omitted and unsafe link schemes (javascript:, data:, …) are dropped:
//   the output is safe to embed in a page." Checked as html_rules::markdown (html_check.hpp): only the
//   tags and attributes cmark-gfm makes (no <script>, no on…= attribute), no javascript:/vbscript:/
//   file:/data: address in href or src (except cmark-gfm's own exception, data:image/png|gif|jpeg|webp),
//   raw HTML only as "<!-- raw HTML omitted -->", no raw '<' or '>' in text, attribute values quoted.
// - markdown_to_text: "whitespace collapsed": no tab, CR or LF, no two spaces in a row, none at either end.
// - Valid UTF-8 in, valid UTF-8 out (the pages are served as UTF-8; tests/blackbox/search.test.mjs
//   checks every page decodes).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.hpp"
#include "html_check.hpp"
#include "render/markdown.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cg::fuzz;
  const std::string_view md = as_text(data, size);

  const std::string html = cg::render::markdown_to_html(md);
  const std::string problem = html_problem(html, html_rules::markdown);
  CG_FUZZ_CHECK(problem.empty(), problem + "\n    input: " + printable(md));

  const std::string text = cg::render::markdown_to_text(md);
  CG_FUZZ_CHECK(text.find_first_of("\t\r\n") == std::string::npos, text);
  CG_FUZZ_CHECK(text.find("  ") == std::string::npos, text);
  CG_FUZZ_CHECK(text.empty() || (text.front() != ' ' && text.back() != ' '), text);

  if (valid_utf8(md)) {
    CG_FUZZ_CHECK(valid_utf8(html), html);
    CG_FUZZ_CHECK(valid_utf8(text), text);
  }
  return 0;
}
