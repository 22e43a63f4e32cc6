#pragma once
// The content model of a guide. Plain values: it does not know where it is kept or how it is shown.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cg::content {

enum class cost { free, paid, unknown };
const char* to_string(cost c);                       // "free" | "paid" | "unknown"
std::optional<cost> parse_cost(const std::string&);  // inverse of to_string

struct level {
  std::string slug, name;
  std::string audience_md;  // who the level is for (Markdown)
};

struct publisher {
  std::string slug, short_name, name;
  std::vector<std::string> former_names;
  std::string home_page;  // may be empty
};

struct category {
  std::string slug, name, summary;
  std::string intro_md;
  std::vector<std::string> levels;  // level slugs the category offers, in display order
};

struct resource {
  std::string slug, title, publisher, category, level;  // category/level empty: outside the categories
  int order = 0;
  std::string url;
  bool url_is_home_page = false;
  content::cost cost = content::cost::unknown;
  std::string format;
  std::optional<int> year;
  std::string description_md;
  std::string editor_note;  // never shown to readers
};

struct callout {
  std::string page;  // reader path, e.g. "/kategorier/rapporter/grundniva"
  std::string title;
  std::string text_md;
};

struct start_pick {
  std::string resource;  // resource slug
  std::string text_md;
};

// Site texts by key; the keys readers see are listed in kSiteTextKeys.
struct site {
  std::map<std::string, std::string> texts;
  std::vector<std::string> owner_domains;
  std::vector<start_pick> start_picks;
  const std::string& text(const std::string& key) const;
};

inline constexpr const char* kSiteTextKeys[] = {
    "title",       "tagline",          "intro",      "why",          "covers", "eu", "about",
    "start_intro", "categories_intro", "site_about", "accessibility"};
// Settings kept with the texts (site.toml): campaign tags on links to the owner's domains.
// campaign_tags is "on" or ""; the utm_* values are added to such links when it is on.
inline constexpr const char* kSiteSettingKeys[] = {"campaign_tags", "utm_source", "utm_medium", "utm_campaign"};

struct guide {
  content::site site;
  std::vector<level> levels;  // in display order
  std::vector<publisher> publishers;
  std::vector<category> categories;  // in display order
  std::vector<resource> resources;
  std::vector<callout> callouts;  // in display order per page

  const level* find_level(const std::string& slug) const;
  const category* find_category(const std::string& slug) const;
  const publisher* find_publisher(const std::string& slug) const;
  const resource* find_resource(const std::string& slug) const;
  // Resources of one category at one level, ordered by (order, title).
  std::vector<const resource*> resources_at(const std::string& category, const std::string& level) const;
};

// True for lowercase ASCII letters and digits in hyphen-separated groups: "fordjupad-niva".
bool is_valid_slug(const std::string& s);

// An absolute http(s) address with a host and no spaces or control characters.
bool is_valid_url(const std::string& s);

// Every problem found, as sentences in Swedish that say what to fix. Empty when the guide is valid.
std::vector<std::string> validate(const guide& g);

}  // namespace cg::content
