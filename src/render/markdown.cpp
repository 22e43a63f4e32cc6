#include "render/markdown.hpp"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include <cstdlib>
#include <mutex>

namespace cg::render {
namespace {

std::once_flag g_once;

std::string render(std::string_view md, bool html) {
  std::call_once(g_once, [] { cmark_gfm_core_extensions_ensure_registered(); });
  const int options = CMARK_OPT_DEFAULT;
  cmark_parser* parser = cmark_parser_new(options);
  for (const char* name : {"table", "autolink", "strikethrough"})
    if (cmark_syntax_extension* ext = cmark_find_syntax_extension(name))
      cmark_parser_attach_syntax_extension(parser, ext);
  cmark_parser_feed(parser, md.data(), md.size());
  cmark_node* doc = cmark_parser_finish(parser);
  char* out = html ? cmark_render_html(doc, options, cmark_parser_get_syntax_extensions(parser))
                   : cmark_render_plaintext(doc, options, 0);
  std::string result = out ? out : "";
  std::free(out);
  cmark_node_free(doc);
  cmark_parser_free(parser);
  return result;
}

}  // namespace

std::string markdown_to_html(std::string_view md) {
  return render(md, true);
}

std::string markdown_to_text(std::string_view md) {
  std::string t = render(md, false);
  std::string out;
  bool space = false;
  for (char c : t) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = !out.empty();
    } else {
      if (space) out += ' ';
      space = false;
      out += c;
    }
  }
  return out;
}

}  // namespace cg::render
