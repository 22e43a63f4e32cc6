#pragma once
// The editor's forms as plain functions: what fields an entity's form has (with the values to show),
// and applying a submitted form to a draft guide. Validation messages are Swedish and name the field.
// No HTTP, no database: everything here is unit-tested.
#include <string>
#include <utility>
#include <vector>

#include "admin/forms.hpp"
#include "content/model.hpp"

namespace cg::admin {

struct option {
  std::string value, label;
  bool selected = false;
};

struct field_spec {
  enum class kind { text, textarea, number, url, select, checkbox, checkboxes, password };
  std::string name, label, hint;
  kind type = kind::text;
  std::string value;  // text-like fields; "1" for a checked checkbox
  std::vector<option> options;
  bool required = false;
  bool large = false;  // a tall textarea
  std::string error;   // filled from the errors of a refused submit
};

using field_errors = std::vector<std::pair<std::string, std::string>>;  // (field name, message)

// What kind of thing a form edits; also the admin URL segment.
enum class entity { resource, publisher, category, level, callout };

// The values of an existing entity as a form (what the edit page shows first).
form resource_form(const content::resource& r);
form publisher_form(const content::publisher& p);
form category_form(const content::guide& g, const content::category& c);
form level_form(const content::guide& g, const content::level& l);
form callout_form(const content::callout& c);
form site_texts_form(const content::guide& g);
form start_picks_form(const content::guide& g);
form settings_form(const content::guide& g);

// The fields of each form, with the given values (as typed or from resource_form etc.).
std::vector<field_spec> resource_fields(const content::guide& g, const form& v);
std::vector<field_spec> publisher_fields(const form& v);
std::vector<field_spec> category_fields(const content::guide& g, const form& v);
std::vector<field_spec> level_fields(const form& v);
std::vector<field_spec> callout_fields(const form& v);
std::vector<field_spec> site_texts_fields(const form& v);
std::vector<field_spec> start_picks_fields(const content::guide& g, const form& v);
std::vector<field_spec> settings_fields(const form& v);

// Applies a submitted form to g. `original` is the slug being edited (empty: a new one; for
// callouts the 1-based position as text). On errors g is left unchanged and the errors are returned.
field_errors apply_resource(content::guide& g, const std::string& original, const form& f);
field_errors apply_publisher(content::guide& g, const std::string& original, const form& f);
field_errors apply_category(content::guide& g, const std::string& original, const form& f);
field_errors apply_level(content::guide& g, const std::string& original, const form& f);
field_errors apply_callout(content::guide& g, const std::string& original, const form& f);
field_errors apply_site_texts(content::guide& g, const form& f);
field_errors apply_start_picks(content::guide& g, const form& f);
field_errors apply_settings(content::guide& g, const form& f);

// Removing: refused (with a message) while something still refers to the entity.
field_errors remove_resource(content::guide& g, const std::string& slug);
field_errors remove_publisher(content::guide& g, const std::string& slug);
field_errors remove_category(content::guide& g, const std::string& slug);
field_errors remove_level(content::guide& g, const std::string& slug);
field_errors remove_callout(content::guide& g, std::size_t index);

// Replaces the start `from` of every resource address and publisher home page with `to`.
// Both must be absolute http(s) addresses. Returns the errors, and the number of addresses changed.
std::pair<field_errors, int> replace_address_prefix(content::guide& g, const form& f);

// Sets field_spec::error from errors.
void attach_errors(std::vector<field_spec>& fields, const field_errors& errors);

}  // namespace cg::admin
