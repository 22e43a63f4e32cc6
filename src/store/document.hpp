#pragma once
// A whole guide as one text (for drafts and revisions): a JSON object of the content pack's files.
// It reuses the pack's canonical serialization, so a guide round-trips exactly.
#include <cstdint>
#include <string>

#include "content/model.hpp"
#include "util/result.hpp"

namespace cg::store {

std::string to_document(const content::guide& g);
result<content::guide> from_document(const std::string& doc);

// An audit entry's detail with "{revision}" replaced by the revision's id (when there is one).
std::string with_revision(const std::string& detail, std::int64_t revision);

}  // namespace cg::store
