#pragma once
// The one interface to persistent data. Implementations: SQLite (store/sqlite) and, later, PostgreSQL.
// Nothing here is specific to one database: no SQL types, no file paths, no connection handles.
// Thread-safety: every method may be called from any thread; implementations serialize internally.
// Failures of the database itself (disk full, connection lost) throw store_error.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "content/model.hpp"

namespace cg::store {

class store_error : public std::runtime_error {
 public:
  // unavailable: the database cannot be reached or failed. write_refused: it answers but cannot store
  // anything now (disk full, read-only, an I/O error): reading still works.
  enum class kind { unavailable, write_refused };
  explicit store_error(const std::string& what, kind k = kind::unavailable) : std::runtime_error(what), kind_(k) {}
  kind which() const { return kind_; }

 private:
  kind kind_;
};

struct user {
  std::int64_t id = 0;
  std::string name;
  std::string role;           // "admin" | "editor"
  std::string password_hash;  // argon2id string (libsodium crypto_pwhash_str)
  bool disabled = false;
  std::string created_at;  // ISO 8601 UTC
};

struct session {
  std::string id_hash;  // SHA-256 of the cookie value, hex; the cookie value itself is never stored
  std::int64_t user_id = 0;
  std::string csrf_token;
  std::int64_t created_at = 0;    // Unix seconds
  std::int64_t last_seen_at = 0;  // Unix seconds
};

struct audit_entry {
  std::int64_t id = 0;
  std::string at;  // ISO 8601 UTC
  std::string actor, action, detail;
};

struct revision_info {
  std::int64_t id = 0;
  std::string created_at, author, message;
};

struct draft {
  content::guide guide;
  std::string updated_at, updated_by;
};

// Counts are per calendar day in Swedish time ("YYYY-MM-DD", util/calendar.hpp). Nothing in them
// identifies a reader.
struct search_count {
  std::string day;         // "YYYY-MM-DD", Swedish time
  std::string query;       // normalized (search::normalize_query)
  std::int64_t hits = 0;   // hits the query found (the latest seen that day)
  std::int64_t count = 0;  // how many times it was searched
};

struct link_click {
  std::string resource_slug;
  std::string day;  // "YYYY-MM-DD", Swedish time
  std::int64_t count = 0;
  std::string host;  // the destination's host name, lower case ("" in counts from before it was kept)
};

struct page_view {
  std::string path;  // the reader page, e.g. "/kategorier/rapporter"
  std::string day;   // "YYYY-MM-DD", Swedish time
  std::int64_t count = 0;
};

// One table of a whole database as text (cyberguide migrate): its columns and rows, NULL as nullopt,
// flags as "0"/"1".
struct table_data {
  std::string name;
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
};

// The tables a migration copies, in an order that satisfies the foreign keys: everything but sessions
// (logins do not move), login checks (throttling state) and the schema version (each store has its own).
inline const std::vector<std::string>& migrated_tables() {
  static const std::vector<std::string> kTables = {
      "site_texts",      "owner_domains", "levels",      "publishers", "publisher_former_names", "categories",
      "category_levels", "resources",     "start_picks", "callouts",   "content_state",          "link_clicks",
      "revisions",       "draft",         "users",       "audit_log",  "search_counts",          "page_views"};
  return kTables;
}

// Days from..to inclusive ("YYYY-MM-DD"); the default is every day.
struct day_range {
  std::string from = "0000-01-01", to = "9999-12-31";
};

class store {
 public:
  virtual ~store() = default;

  // True when no guide has been published yet (a fresh database).
  virtual bool has_content() = 0;

  // The published guide. Entities removed by a later publish are not included.
  virtual content::guide load_published() = 0;

  // Publishes g as the whole guide in one transaction, together with a new revision holding it, and
  // empties the draft. Entities are matched by slug so that their identity (and the statistics that
  // refer to it) survives; entities missing from g are marked removed, never deleted. g must be valid
  // (content::validate). Returns the new revision's id. `at` is ISO 8601 UTC.
  // The audit entries are written in the same transaction (all or nothing with the change);
  // "{revision}" in their detail becomes the new revision's id.
  virtual std::int64_t publish(const content::guide& g, const std::string& author, const std::string& message,
                               const std::string& at, const std::vector<audit_entry>& audit) = 0;
  std::int64_t publish(const content::guide& g, const std::string& author, const std::string& message,
                       const std::string& at) {
    return publish(g, author, message, at, {});
  }

  // Revisions, newest first, and the guide of one.
  virtual std::vector<revision_info> revisions() = 0;
  virtual std::optional<content::guide> revision(std::int64_t id) = 0;

  // The draft: a whole guide that readers do not see. Absent when there is nothing unpublished.
  virtual std::optional<draft> load_draft() = 0;
  // Both with their audit entries in the same transaction.
  virtual void save_draft(const content::guide& g, const std::string& by, const std::string& at,
                          const std::vector<audit_entry>& audit) = 0;
  void save_draft(const content::guide& g, const std::string& by, const std::string& at) { save_draft(g, by, at, {}); }
  virtual void discard_draft(const std::vector<audit_entry>& audit) = 0;
  void discard_draft() { discard_draft({}); }

  // Accounts. add_user is false when the name is taken; update_user (by name: role, hash, disabled)
  // is false when there is no such user.
  virtual std::optional<user> find_user(const std::string& name) = 0;
  virtual std::optional<user> find_user_by_id(std::int64_t id) = 0;
  virtual std::vector<user> users() = 0;
  virtual bool add_user(const user& u) = 0;
  virtual bool update_user(const user& u) = 0;

  // Sessions, looked up by the hash of their id.
  virtual void add_session(const session& s) = 0;
  virtual std::optional<session> find_session(const std::string& id_hash) = 0;
  virtual void touch_session(const std::string& id_hash, std::int64_t now) = 0;
  virtual void delete_session(const std::string& id_hash) = 0;
  virtual void delete_sessions_of(std::int64_t user_id) = 0;
  // Removes sessions created before created_before or last seen before seen_before.
  virtual void delete_expired_sessions(std::int64_t created_before, std::int64_t seen_before) = 0;

  // Login throttling that holds across every instance sharing the store: when `account` has had fewer
  // than `limit` password checks after `since` (Unix seconds), records one at `now` and returns 0;
  // otherwise records nothing and returns the time of the oldest check counted (so that the caller can
  // say when the next may come). Checks at or before `since` are forgotten.
  virtual std::int64_t admit_login_check(const std::string& account, std::int64_t now, std::int64_t since,
                                         std::int64_t limit) = 0;

  // The audit log: append, and the newest `limit` entries, newest first.
  virtual void add_audit(const audit_entry& e) = 0;
  virtual std::vector<audit_entry> audit_log(std::size_t limit) = 0;

  // A number that grows with every publish (0 for a fresh store). Servers poll it to notice a publish
  // made by another process (content import, another instance) and rebuild their snapshot.
  virtual std::int64_t content_version() = 0;

  // Adds the counts (summing with what is stored) in one transaction. Clicks on slugs the store does
  // not know are dropped and their number is returned.
  virtual std::int64_t add_link_clicks(const std::vector<link_click>& clicks) = 0;

  // The stored counts of the days in r, ordered by day, slug, host.
  virtual std::vector<link_click> link_clicks(const day_range& r = {}) = 0;

  // Adds searches (summing counts per day and query) in one transaction; those of the days in r, ordered.
  virtual void add_search_counts(const std::vector<search_count>& counts) = 0;
  virtual std::vector<search_count> search_counts(const day_range& r = {}) = 0;

  // Adds page views (summing per day and path) in one transaction; those of the days in r, ordered.
  virtual void add_page_views(const std::vector<page_view>& views) = 0;
  virtual std::vector<page_view> page_views(const day_range& r = {}) = 0;

  // The tables of migrated_tables(), whole, as text.
  virtual std::vector<table_data> export_tables() = 0;
  // Writes tables another store exported into this one, in one transaction. Throws store_error when
  // this store already has content (a migration never mixes two guides).
  virtual void import_tables(const std::vector<table_data>& tables) = 0;

  // A consistent copy of the whole database as a new SQLite file at `file` (which must not exist), taken
  // while the site runs: SQLite's online backup API, or for PostgreSQL the tables of export_tables()
  // read in one snapshot. Sessions and login checks are not in a PostgreSQL backup.
  virtual void backup_to(const std::string& file) = 0;
  // Replaces this store's data by a backup made by backup_to (the server must be stopped). SQLite: the
  // whole file, sessions included; PostgreSQL: into a database without content only.
  virtual void restore_from(const std::string& file) = 0;

  // A short human-readable name of the backend and location, for logs (no secrets).
  virtual std::string describe() const = 0;

  // True when wait_for_publish() hears publishes as they are committed (worth a thread of its own).
  virtual bool hears_publishes() const { return false; }
  // Waits up to `timeout` for word that a publish was committed, by any process; true when it came
  // (or when the wait had to reconnect, so that a publish missed meanwhile is looked for). PostgreSQL
  // hears the NOTIFY of publish(); SQLite has no such signal and returns false at once. Either way the
  // poll of content_version() is the safety net.
  virtual bool wait_for_publish(std::chrono::milliseconds timeout) {
    (void)timeout;
    return false;
  }
};

// Opens the store named by url: "sqlite:PATH" or a plain path for SQLite. Applies pending migrations.
// Throws store_error with a clear message when it cannot.
std::unique_ptr<store> open(const std::string& url);

}  // namespace cg::store
