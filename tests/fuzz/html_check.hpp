#pragma once
// A small HTML tokenizer that looks for markup a browser would run, for the harnesses whose output is
// HTML built from outside input (the search page, Markdown). It mirrors unsafeMarkup() of
// tests/blackbox/admin.mjs (scripts, event-handler attributes, javascript:/vbscript:/data: addresses,
// <iframe>/<object>/<embed>…, meta refresh; not its check for the hostile strings' own <img src=x>, a
// legitimate Markdown image here), and adds what escaped output always satisfies: no stray '<', quoted
// attribute values without '<', every tag closed.
//
// Two sets of rules:
// - page: the reader's pages (Mustache templates with escaped values and rendered Markdown);
// - markdown: exactly what cmark-gfm's safe HTML renderer makes (src/render/markdown.cpp: CommonMark
//   + tables, autolinks, strikethrough, raw HTML omitted): only its tags and attributes, its comment
//   "<!-- raw HTML omitted -->", no raw '<' or '>' in text.
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace cg::fuzz {

enum class html_rules { page, markdown };

namespace html_detail {

inline char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
inline std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}
inline bool space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}
inline bool letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline bool starts_with_ci(std::string_view s, std::size_t at, std::string_view prefix) {
  if (at > s.size() || s.size() - at < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (lower(s[at + i]) != lower(prefix[i])) return false;
  return true;
}

inline void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Decodes the character references a browser decodes in an attribute value: numeric ones (with or
// without ';') and the named ones that matter here. Decodes once, as a browser does.
inline std::string decode_refs(std::string_view v) {
  static constexpr std::pair<std::string_view, std::string_view> kNamed[] = {
      {"amp;", "&"},   {"lt;", "<"},   {"gt;", ">"},       {"quot;", "\""},       {"apos;", "'"},
      {"colon;", ":"}, {"tab;", "\t"}, {"newline;", "\n"}, {"nbsp;", "\xC2\xA0"}, {"sol;", "/"},
      {"lpar;", "("},  {"rpar;", ")"}, {"period;", "."},   {"comma;", ","}};
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '&') {
      out += v[i];
      continue;
    }
    if (i + 1 < v.size() && v[i + 1] == '#') {
      std::size_t j = i + 2;
      bool hex = j < v.size() && (v[j] == 'x' || v[j] == 'X');
      if (hex) ++j;
      std::uint32_t cp = 0;
      std::size_t digits = 0;
      while (j < v.size() && digits < 8) {
        char c = v[j];
        int d = c >= '0' && c <= '9' ? c - '0' : hex && lower(c) >= 'a' && lower(c) <= 'f' ? lower(c) - 'a' + 10 : -1;
        if (d < 0) break;
        cp = cp * (hex ? 16u : 10u) + static_cast<std::uint32_t>(d);
        ++j;
        ++digits;
      }
      if (digits == 0) {
        out += '&';
        continue;
      }
      if (j < v.size() && v[j] == ';') ++j;
      append_utf8(out, cp);
      i = j - 1;
      continue;
    }
    bool named = false;
    for (const auto& [name, text] : kNamed) {
      if (starts_with_ci(v, i + 1, name)) {
        out += text;
        i += name.size();
        named = true;
        break;
      }
    }
    if (!named) out += '&';
  }
  return out;
}

// The value as a browser reads the scheme: without the characters it ignores or that look like
// nothing (as unsafeMarkup() strips them: U+0000–U+0020, U+007F–U+00A0, U+2000–U+200F, U+2028–U+202F,
// U+FEFF), ASCII lower case.
inline std::string scheme_view(std::string_view v) {
  std::string out;
  for (std::size_t i = 0; i < v.size();) {
    unsigned char c = static_cast<unsigned char>(v[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
    if (i + n > v.size()) n = 1;
    std::uint32_t cp = n == 1 ? c : static_cast<std::uint32_t>(c & (0x7F >> n));
    for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(v[i + k]) & 0x3Fu);
    bool ignored = cp <= 0x20 || (cp >= 0x7F && cp <= 0xA0) || (cp >= 0x2000 && cp <= 0x200F) ||
                   (cp >= 0x2028 && cp <= 0x202F) || cp == 0xFEFF;
    if (!ignored) {
      if (n == 1)
        out += lower(static_cast<char>(c));
      else
        out.append(v.substr(i, n));
    }
    i += n;
  }
  return out;
}

inline bool in(std::string_view x, std::initializer_list<std::string_view> set) {
  for (auto s : set)
    if (x == s) return true;
  return false;
}

}  // namespace html_detail

// "" when the HTML is safe by the rules; otherwise what is wrong and where.
inline std::string html_problem(std::string_view html, html_rules rules) {
  using namespace html_detail;
  const bool md = rules == html_rules::markdown;
  auto at = [&](std::size_t pos, const std::string& what) {
    std::size_t from = pos > 60 ? pos - 60 : 0;
    return what + " at byte " + std::to_string(pos) + ": …" + std::string(html.substr(from, 160)) + "…";
  };
  std::size_t i = 0;
  const std::size_t n = html.size();
  while (i < n) {
    char c = html[i];
    if (c != '<') {
      if (md && c == '>') return at(i, "a raw '>' in text");
      ++i;
      continue;
    }
    const std::size_t tag_start = i;
    if (html.substr(i, 4) == "<!--") {
      auto end = html.find("-->", i + 4);
      if (end == std::string_view::npos) return at(i, "an unterminated comment");
      if (md && html.substr(i, end + 3 - i) != "<!-- raw HTML omitted -->")
        return at(i, "a comment cmark-gfm does not make");
      i = end + 3;
      continue;
    }
    if (!md && starts_with_ci(html, i, "<!doctype")) {
      auto end = html.find('>', i);
      if (end == std::string_view::npos) return at(i, "an unterminated doctype");
      i = end + 1;
      continue;
    }
    std::size_t j = i + 1;
    bool closing = j < n && html[j] == '/';
    if (closing) ++j;
    std::size_t name_start = j;
    while (j < n && (letter(html[j]) || (j > name_start && html[j] >= '0' && html[j] <= '9'))) ++j;
    if (j == name_start) return at(i, "a '<' that starts no tag (unescaped text)");
    const std::string name = lower(html.substr(name_start, j - name_start));
    if (j < n && !space(html[j]) && html[j] != '>' && html[j] != '/')
      return at(i, "a tag name followed by '" + std::string(1, html[j]) + "'");

    if (md) {
      if (!in(name,
              {"p",  "em", "strong",     "a",  "code", "pre", "h1",    "h2",    "h3",    "h4", "h5", "h6", "ul",
               "ol", "li", "blockquote", "hr", "br",   "img", "table", "thead", "tbody", "tr", "th", "td", "del"}))
        return at(i, "<" + name + "> is not a tag cmark-gfm makes");
    } else if (!closing && in(name, {"iframe", "object", "embed", "frame", "frameset", "applet", "base"})) {
      return at(i, "an <" + name + "> element");
    }

    // Attributes.
    std::string script_src;
    bool has_script_src = false;
    std::string http_equiv;
    for (;;) {
      while (j < n && space(html[j])) ++j;
      if (j >= n) return at(tag_start, "an unterminated tag");
      if (html[j] == '>') {
        ++j;
        break;
      }
      if (html[j] == '/' && j + 1 < n && html[j + 1] == '>') {
        j += 2;
        break;
      }
      std::size_t an = j;
      while (j < n && !space(html[j]) && html[j] != '=' && html[j] != '>' && html[j] != '/' && html[j] != '"' &&
             html[j] != '\'' && html[j] != '<' && html[j] != '`')
        ++j;
      if (j == an) return at(j, "a stray '" + std::string(1, html[j]) + "' inside a tag (broken quoting?)");
      if (closing) return at(tag_start, "attributes on a closing tag");
      const std::string attr = lower(html.substr(an, j - an));
      while (j < n && space(html[j])) ++j;
      std::string value;
      bool has_value = false;
      if (j < n && html[j] == '=') {
        ++j;
        while (j < n && space(html[j])) ++j;
        if (j >= n) return at(tag_start, "an unterminated tag");
        has_value = true;
        if (html[j] == '"' || html[j] == '\'') {
          char q = html[j];
          auto end = html.find(q, j + 1);
          if (end == std::string_view::npos) return at(j, "an unterminated attribute value");
          std::string_view raw = html.substr(j + 1, end - j - 1);
          if (raw.find('<') != std::string_view::npos) return at(j, "a '<' in an attribute value (not escaped)");
          if (md && (q != '"' || raw.find('>') != std::string_view::npos))
            return at(j, "an attribute value cmark-gfm would have escaped");
          value = decode_refs(raw);
          j = end + 1;
        } else {
          if (md) return at(j, "an unquoted attribute value");
          std::size_t vs = j;
          while (j < n && !space(html[j]) && html[j] != '>') ++j;
          std::string_view raw = html.substr(vs, j - vs);
          if (raw.find_first_of("<\"'`=") != std::string_view::npos)
            return at(vs, "an unquoted attribute value with a quote or '<' or '='");
          value = decode_refs(raw);
        }
      }
      if (md && !in(attr, {"href", "title", "src", "alt", "align", "start", "class"}))
        return at(an, "the attribute " + attr + "= that cmark-gfm does not make");
      if (attr.size() >= 2 && attr[0] == 'o' && attr[1] == 'n') return at(an, "an event-handler attribute " + attr);
      if (attr == "srcdoc") return at(an, "a srcdoc attribute");
      if (in(attr, {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "cite"}) &&
          has_value) {
        std::string v = scheme_view(value);
        bool dangerous = v.rfind("javascript:", 0) == 0 || v.rfind("vbscript:", 0) == 0;
        if (v.rfind("data:", 0) == 0) {
          // cmark-gfm's own rule (_scan_dangerous_url) keeps data:image/png, gif, jpeg and webp.
          bool image = v.rfind("data:image/png", 0) == 0 || v.rfind("data:image/gif", 0) == 0 ||
                       v.rfind("data:image/jpeg", 0) == 0 || v.rfind("data:image/webp", 0) == 0;
          if (!(md && image)) dangerous = true;
        }
        if (md && v.rfind("file:", 0) == 0) dangerous = true;
        if (dangerous) return at(an, "a script or data address in " + attr + "=");
      }
      if (attr == "style") {
        std::string v = lower(value);
        if (v.find("expression(") != std::string::npos || v.find("javascript:") != std::string::npos)
          return at(an, "a style with script");
      }
      if (name == "script" && attr == "src") {
        script_src = value;
        has_script_src = true;
      }
      if (name == "meta" && attr == "http-equiv") http_equiv = lower(value);
    }
    if (!closing && name == "script") {
      // As unsafeMarkup(): only an empty element loading a same-origin file.
      bool same_origin = has_script_src && !script_src.empty() && script_src[0] == '/' &&
                         (script_src.size() == 1 || (script_src[1] != '/' && script_src[1] != '\\'));
      if (!same_origin || !starts_with_ci(html, j, "</script>")) return at(tag_start, "a <script> element");
    }
    if (http_equiv.find("refresh") != std::string::npos) return at(tag_start, "a <meta http-equiv=refresh>");
    i = j;
  }
  return {};
}

}  // namespace cg::fuzz
