#pragma once
// What changed between two guides, field by field, with Swedish labels for people.
#include <string>
#include <vector>

#include "content/model.hpp"

namespace cg::content {

struct field_change {
  std::string entity;  // "Resurs", "Utgivare", "Kategori", "Nivå", "Utropsruta", "Webbplatsens texter", …
  std::string key;     // the slug (or position) that identifies it
  std::string field;   // "Titel", "Adress", …
  std::string before;  // empty when the entity was added
  std::string after;   // empty when the entity was removed
};

// Changes from a to b, grouped by entity in a stable order.
std::vector<field_change> diff(const guide& a, const guide& b);

}  // namespace cg::content
