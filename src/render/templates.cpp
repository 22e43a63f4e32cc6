#include "render/templates.hpp"

#include <stdexcept>

#include "util/embedded.hpp"

namespace cg::render {

namespace mu = kainjow::mustache;

template_set::template_set() {
  for (const auto& f : embedded::files()) {
    if (f.path.rfind("templates/", 0) != 0) continue;
    std::string name(f.path.substr(10));
    if (name.size() > 9 && name.substr(name.size() - 9) == ".mustache") name.resize(name.size() - 9);
    sources_[name] = std::string(f.data);
  }
}

std::string template_set::render(const std::string& name, mu::data d) const {
  auto it = sources_.find(name);
  if (it == sources_.end()) throw std::runtime_error("missing template " + name);
  for (const auto& [pname, text] : sources_) {
    auto slash = pname.rfind('/');
    std::string base = slash == std::string::npos ? pname : pname.substr(slash + 1);
    if (base.rfind("partial_", 0) == 0) {
      const std::string* src = &text;
      d.set(slash == std::string::npos ? base : pname.substr(0, slash) + "_" + base,
            mu::partial([src] { return *src; }));
    }
  }
  mu::mustache t(it->second);
  if (!t.is_valid()) throw std::runtime_error("template " + name + ": " + t.error_message());
  std::string out = t.render(d);
  if (!t.is_valid()) throw std::runtime_error("template " + name + ": " + t.error_message());
  return out;
}

const template_set& templates() {
  static const template_set kTemplates;
  return kTemplates;
}

}  // namespace cg::render
