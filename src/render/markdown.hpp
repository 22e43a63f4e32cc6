#pragma once
#include <string>
#include <string_view>

namespace cg::render {

// CommonMark + GFM (tables, autolinks, strikethrough) to HTML. Raw HTML is omitted and unsafe link
// schemes (javascript:, data:, …) are dropped: the output is safe to embed in a page.
std::string markdown_to_html(std::string_view md);

// The text without Markdown markup, whitespace collapsed; for meta descriptions and excerpts.
std::string markdown_to_text(std::string_view md);

}  // namespace cg::render
