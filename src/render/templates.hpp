#pragma once
// The Mustache templates compiled into the binary (templates/*.mustache, including admin/…).
// Partials are the templates whose name starts with "partial_" (in any folder).
// Thread-safe after construction (read-only); render() copies the data it is given.
#include <kainjow/mustache.hpp>
#include <map>
#include <string>

namespace cg::render {

class template_set {
 public:
  template_set();
  // name: path under templates/ without ".mustache", e.g. "layout" or "admin/layout".
  // Throws std::runtime_error for a missing or broken template.
  std::string render(const std::string& name, kainjow::mustache::data data) const;

 private:
  std::map<std::string, std::string> sources_;
};

// One shared instance.
const template_set& templates();

}  // namespace cg::render
