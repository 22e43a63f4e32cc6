#pragma once
// Files compiled into the binary: templates/, static/ and the default content pack content/.
#include <string_view>
#include <vector>

namespace cg::embedded {

struct file {
  std::string_view path;  // relative to the project root, e.g. "templates/layout.mustache"
  std::string_view data;
};

// Every embedded file, sorted by path. Thread-safe (immutable after first call).
const std::vector<file>& files();

}  // namespace cg::embedded
