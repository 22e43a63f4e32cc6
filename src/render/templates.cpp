#include "render/templates.hpp"

#include <stdexcept>

#include "util/embedded.hpp"

namespace cg::render {

namespace mu = kainjow::mustache;

namespace {

// "{{> partial_x}}" replaced by the partial's text, recursively (a partial may use another). The
// templates are then parsed once each instead of every partial again at every use — a list of a
// thousand resources parsed partial_resource a thousand times.
std::string inline_partials(const std::string& text, const std::map<std::string, std::string>& partials, int depth) {
  if (depth > 8) throw std::runtime_error("template partials nest too deep");
  std::string out;
  std::size_t pos = 0;
  for (;;) {
    std::size_t open = text.find("{{>", pos);
    if (open == std::string::npos) break;
    std::size_t close = text.find("}}", open);
    if (close == std::string::npos) throw std::runtime_error("unclosed partial tag in a template");
    std::string name = text.substr(open + 3, close - open - 3);
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    auto it = partials.find(name);
    if (it == partials.end()) throw std::runtime_error("missing partial " + name);
    out.append(text, pos, open - pos);
    out += inline_partials(it->second, partials, depth + 1);
    pos = close + 2;
  }
  out.append(text, pos, std::string::npos);
  return out;
}

}  // namespace

template_set::template_set() {
  std::map<std::string, std::string> raw, partials;
  for (const auto& f : embedded::files()) {
    if (f.path.rfind("templates/", 0) != 0) continue;
    std::string name(f.path.substr(10));
    if (name.size() > 9 && name.substr(name.size() - 9) == ".mustache") name.resize(name.size() - 9);
    raw[name] = std::string(f.data);
    auto slash = name.rfind('/');
    std::string base = slash == std::string::npos ? name : name.substr(slash + 1);
    if (base.rfind("partial_", 0) == 0)
      partials[slash == std::string::npos ? base : name.substr(0, slash) + "_" + base] = raw[name];
  }
  for (const auto& [name, text] : raw) {
    sources_[name] = inline_partials(text, partials, 0);
    mu::mustache t(sources_[name]);
    if (!t.is_valid()) throw std::runtime_error("template " + name + ": " + t.error_message());
  }
}

std::string template_set::render(const std::string& name, mu::data d) const {
  // Parsed once per thread and template: a parsed template keeps state while it renders.
  thread_local std::map<const template_set*, std::map<std::string, mu::mustache>> parsed;
  auto& mine = parsed[this];
  auto it = mine.find(name);
  if (it == mine.end()) {
    auto src = sources_.find(name);
    if (src == sources_.end()) throw std::runtime_error("missing template " + name);
    it = mine.emplace(name, mu::mustache(src->second)).first;
  }
  mu::mustache& t = it->second;
  std::string out = t.is_valid() ? t.render(d) : std::string();
  if (!t.is_valid()) {
    std::string message = "template " + name + ": " + t.error_message();
    mine.erase(it);  // parse again next time rather than keep a template in an error state
    throw std::runtime_error(message);
  }
  return out;
}

const template_set& templates() {
  static const template_set kTemplates;
  return kTemplates;
}

}  // namespace cg::render
