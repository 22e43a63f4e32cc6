#pragma once
// Renders a published guide into a snapshot (every reader page as bytes). Pure: no I/O, no HTTP,
// no database. Templates and static assets come from the files embedded in the binary.
#include <cstdint>
#include <memory>
#include <string>

#include "content/model.hpp"
#include "render/snapshot.hpp"

namespace cg::render {

// Builds every reader page of g. g must be valid (content::validate). Throws std::runtime_error
// when a template is broken (a bug in the build, not in the content).
std::shared_ptr<const snapshot> build_snapshot(const content::guide& g, std::uint64_t generation);

// "www.mcf.se" for "https://www.mcf.se/sv/…"; empty when there is no host.
std::string host_of(const std::string& url);

// "Kostnadsfri", "Avgiftsbelagd", "Kostnad ej angiven".
const char* cost_label(content::cost c);

}  // namespace cg::render
