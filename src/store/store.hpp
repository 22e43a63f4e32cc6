#pragma once
// The one interface to persistent data. Implementations: SQLite (store/sqlite) and, later, PostgreSQL.
// Nothing here is specific to one database: no SQL types, no file paths, no connection handles.
// Thread-safety: every method may be called from any thread; implementations serialize internally.
// Failures of the database itself (disk full, connection lost) throw store_error.
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "content/model.hpp"

namespace cg::store {

class store_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct link_click {
  std::string resource_slug;
  std::string day;  // "YYYY-MM-DD", UTC
  std::int64_t count = 0;
};

class store {
 public:
  virtual ~store() = default;

  // True when no guide has been published yet (a fresh database).
  virtual bool has_content() = 0;

  // The published guide. Entities removed by a later publish are not included.
  virtual content::guide load_published() = 0;

  // Publishes g as the whole guide in one transaction: entities are matched by slug so that their
  // identity (and the statistics that refer to it) survives; entities missing from g are marked
  // removed, never deleted. g must be valid (content::validate).
  virtual void publish(const content::guide& g) = 0;

  // A number that grows with every publish (0 for a fresh store). Servers poll it to notice a publish
  // made by another process (content import, another instance) and rebuild their snapshot.
  virtual std::int64_t content_version() = 0;

  // Adds the counts (summing with what is stored) in one transaction. Clicks on slugs the store does
  // not know are dropped and their number is returned.
  virtual std::int64_t add_link_clicks(const std::vector<link_click>& clicks) = 0;

  // Every stored count, ordered by day then slug.
  virtual std::vector<link_click> link_clicks() = 0;

  // A short human-readable name of the backend and location, for logs (no secrets).
  virtual std::string describe() const = 0;
};

// Opens the store named by url: "sqlite:PATH" or a plain path for SQLite. Applies pending migrations.
// Throws store_error with a clear message when it cannot.
std::unique_ptr<store> open(const std::string& url);

}  // namespace cg::store
