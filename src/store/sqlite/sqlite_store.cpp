#include "store/sqlite/sqlite_store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <optional>
#include <utility>

#include "store/document.hpp"
#include "store/sqlite/migrations.hpp"

namespace cg::store {
namespace {

// Disk full, read-only file or file system, I/O error: the database is there but cannot take writes.
store_error::kind error_kind(int rc) {
  switch (rc & 0xff) {
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_IOERR:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN: return store_error::kind::write_refused;
    default: return store_error::kind::unavailable;
  }
}

class db_handle {
 public:
  explicit db_handle(const std::string& path) {
    int rc =
        sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close(db_);
      throw store_error("Kan inte öppna databasen " + path + ": " + msg);
    }
    sqlite3_extended_result_codes(db_, 1);
  }
  ~db_handle() { sqlite3_close(db_); }
  db_handle(const db_handle&) = delete;
  db_handle& operator=(const db_handle&) = delete;
  sqlite3* get() const { return db_; }

  void exec(const std::string& sql) {
    char* err = nullptr;
    if (int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err); rc != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      throw store_error("SQLite: " + msg, error_kind(rc));
    }
  }

 private:
  sqlite3* db_ = nullptr;
};

// A prepared statement with bound parameters (never string-built SQL with values).
class stmt {
 public:
  stmt(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &s_, nullptr) != SQLITE_OK)
      throw store_error(std::string("SQLite prepare: ") + sqlite3_errmsg(db));
  }
  ~stmt() { sqlite3_finalize(s_); }
  stmt(const stmt&) = delete;
  stmt& operator=(const stmt&) = delete;

  stmt& bind(int i, const std::string& v) {
    check(sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
  }
  stmt& bind(int i, std::int64_t v) {
    check(sqlite3_bind_int64(s_, i, v));
    return *this;
  }
  stmt& bind_null(int i) {
    check(sqlite3_bind_null(s_, i));
    return *this;
  }
  stmt& bind_opt(int i, const std::optional<std::int64_t>& v) { return v ? bind(i, *v) : bind_null(i); }
  // Empty string binds NULL (for optional references).
  stmt& bind_or_null(int i, const std::string& v) { return v.empty() ? bind_null(i) : bind(i, v); }

  // true while a row is available
  bool step() {
    int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw store_error(std::string("SQLite: ") + sqlite3_errmsg(db_), error_kind(rc));
  }
  void run() {
    while (step()) {
    }
    reset();
  }
  void reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  std::string text(int col) const {
    const unsigned char* p = sqlite3_column_text(s_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(s_, col)))
             : std::string();
  }
  std::int64_t integer(int col) const { return sqlite3_column_int64(s_, col); }
  sqlite3_stmt* get() const { return s_; }
  bool is_null(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) throw store_error(std::string("SQLite bind: ") + sqlite3_errmsg(db_));
  }
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
};

class transaction {
 public:
  explicit transaction(db_handle& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }
  ~transaction() {
    if (!done_) {
      try {
        db_.exec("ROLLBACK");
      } catch (...) {
      }
    }
  }
  void commit() {
    db_.exec("COMMIT");
    done_ = true;
  }

 private:
  db_handle& db_;
  bool done_ = false;
};

class sqlite_store final : public store {
 public:
  explicit sqlite_store(const std::string& path) : path_(path), db_(path) {
    db_.exec("PRAGMA foreign_keys = ON");
    db_.exec("PRAGMA busy_timeout = 5000");
    {
      stmt s(db_.get(), "PRAGMA journal_mode = WAL");
      s.step();
      if (s.text(0) != "wal") throw store_error("Databasen " + path + " kan inte köras i WAL-läge.");
    }
    db_.exec("PRAGMA synchronous = NORMAL");
    migrate();
  }

  bool has_content() override {
    std::lock_guard lock(mu_);
    stmt s(db_.get(), "SELECT count(*) FROM site_texts");
    s.step();
    return s.integer(0) > 0;
  }

  content::guide load_published() override {
    std::lock_guard lock(mu_);
    content::guide g;
    sqlite3* db = db_.get();
    {
      stmt s(db, "SELECT key, value FROM site_texts");
      while (s.step()) g.site.texts[s.text(0)] = s.text(1);
    }
    {
      stmt s(db, "SELECT domain FROM owner_domains ORDER BY position");
      while (s.step()) g.site.owner_domains.push_back(s.text(0));
    }
    {
      stmt s(db,
             "SELECT r.slug, p.text FROM start_picks p JOIN resources r ON r.id = p.resource_id "
             "ORDER BY p.position");
      while (s.step()) g.site.start_picks.push_back({s.text(0), s.text(1)});
    }
    {
      stmt s(db, "SELECT slug, name, audience FROM levels WHERE removed_at IS NULL ORDER BY position, slug");
      while (s.step()) g.levels.push_back({s.text(0), s.text(1), s.text(2)});
    }
    {
      stmt s(db,
             "SELECT id, slug, short_name, name, home_page FROM publishers WHERE removed_at IS NULL "
             "ORDER BY position, slug");
      stmt f(db, "SELECT name FROM publisher_former_names WHERE publisher_id = ?1 ORDER BY position");
      while (s.step()) {
        content::publisher p{s.text(1), s.text(2), s.text(3), {}, s.text(4)};
        f.bind(1, s.integer(0));
        while (f.step()) p.former_names.push_back(f.text(0));
        f.reset();
        g.publishers.push_back(std::move(p));
      }
    }
    {
      stmt s(db,
             "SELECT id, slug, name, summary, intro FROM categories WHERE removed_at IS NULL "
             "ORDER BY position, slug");
      stmt l(db,
             "SELECT l.slug FROM category_levels cl JOIN levels l ON l.id = cl.level_id "
             "WHERE cl.category_id = ?1 ORDER BY cl.position");
      while (s.step()) {
        content::category c{s.text(1), s.text(2), s.text(3), s.text(4), {}};
        l.bind(1, s.integer(0));
        while (l.step()) c.levels.push_back(l.text(0));
        l.reset();
        g.categories.push_back(std::move(c));
      }
    }
    {
      stmt s(db,
             "SELECT r.slug, r.title, p.slug, c.slug, l.slug, r.position, r.url, r.url_is_home_page, r.cost, "
             "r.format, r.year, r.description, r.editor_note "
             "FROM resources r JOIN publishers p ON p.id = r.publisher_id "
             "LEFT JOIN categories c ON c.id = r.category_id LEFT JOIN levels l ON l.id = r.level_id "
             "WHERE r.removed_at IS NULL ORDER BY r.slug");
      while (s.step()) {
        content::resource r;
        r.slug = s.text(0);
        r.title = s.text(1);
        r.publisher = s.text(2);
        r.category = s.text(3);
        r.level = s.text(4);
        r.order = static_cast<int>(s.integer(5));
        r.url = s.text(6);
        r.url_is_home_page = s.integer(7) != 0;
        r.cost = content::parse_cost(s.text(8)).value_or(content::cost::unknown);
        r.format = s.text(9);
        if (!s.is_null(10)) r.year = static_cast<int>(s.integer(10));
        r.description_md = s.text(11);
        r.editor_note = s.text(12);
        g.resources.push_back(std::move(r));
      }
    }
    {
      stmt s(db, "SELECT page, title, text FROM callouts ORDER BY position");
      while (s.step()) g.callouts.push_back({s.text(0), s.text(1), s.text(2)});
    }
    return g;
  }

  using store::discard_draft;
  using store::publish;
  using store::save_draft;

  // Inside the caller's transaction.
  void insert_audit(const std::vector<audit_entry>& audit, std::int64_t revision) {
    if (audit.empty()) return;
    stmt s(db_.get(), "INSERT INTO audit_log(at, actor, action, detail) VALUES (?1, ?2, ?3, ?4)");
    for (const auto& e : audit)
      s.bind(1, e.at).bind(2, e.actor).bind(3, e.action).bind(4, with_revision(e.detail, revision)).run();
  }

  std::int64_t publish(const content::guide& g, const std::string& author, const std::string& message,
                       const std::string& at, const std::vector<audit_entry>& audit) override {
    std::lock_guard lock(mu_);
    sqlite3* db = db_.get();
    transaction tx(db_);
    db_.exec("DELETE FROM site_texts; DELETE FROM owner_domains; DELETE FROM start_picks; DELETE FROM callouts;");
    db_.exec(
        "UPDATE levels SET removed_at = CURRENT_TIMESTAMP WHERE removed_at IS NULL;"
        "UPDATE publishers SET removed_at = CURRENT_TIMESTAMP WHERE removed_at IS NULL;"
        "UPDATE categories SET removed_at = CURRENT_TIMESTAMP WHERE removed_at IS NULL;"
        "UPDATE resources SET removed_at = CURRENT_TIMESTAMP WHERE removed_at IS NULL;");
    {
      stmt s(db, "INSERT INTO site_texts(key, value) VALUES (?1, ?2)");
      for (const auto& [k, v] : g.site.texts) s.bind(1, k).bind(2, v).run();
    }
    {
      stmt s(db, "INSERT INTO owner_domains(domain, position) VALUES (?1, ?2)");
      std::int64_t i = 0;
      for (const auto& d : g.site.owner_domains) s.bind(1, d).bind(2, i++).run();
    }
    {
      stmt s(db,
             "INSERT INTO levels(slug, name, audience, position) VALUES (?1, ?2, ?3, ?4) "
             "ON CONFLICT(slug) DO UPDATE SET name = excluded.name, audience = excluded.audience, "
             "position = excluded.position, removed_at = NULL");
      std::int64_t i = 0;
      for (const auto& l : g.levels) s.bind(1, l.slug).bind(2, l.name).bind(3, l.audience_md).bind(4, i++).run();
    }
    {
      stmt s(db,
             "INSERT INTO publishers(slug, short_name, name, home_page, position) VALUES (?1, ?2, ?3, ?4, ?5) "
             "ON CONFLICT(slug) DO UPDATE SET short_name = excluded.short_name, name = excluded.name, "
             "home_page = excluded.home_page, position = excluded.position, removed_at = NULL");
      stmt del(db,
               "DELETE FROM publisher_former_names WHERE publisher_id = (SELECT id FROM publishers WHERE slug = ?1)");
      stmt add(db,
               "INSERT INTO publisher_former_names(publisher_id, position, name) "
               "SELECT id, ?2, ?3 FROM publishers WHERE slug = ?1");
      std::int64_t i = 0;
      for (const auto& p : g.publishers) {
        s.bind(1, p.slug).bind(2, p.short_name).bind(3, p.name).bind(4, p.home_page).bind(5, i++).run();
        del.bind(1, p.slug).run();
        std::int64_t j = 0;
        for (const auto& n : p.former_names) add.bind(1, p.slug).bind(2, j++).bind(3, n).run();
      }
    }
    {
      stmt s(db,
             "INSERT INTO categories(slug, name, summary, intro, position) VALUES (?1, ?2, ?3, ?4, ?5) "
             "ON CONFLICT(slug) DO UPDATE SET name = excluded.name, summary = excluded.summary, "
             "intro = excluded.intro, position = excluded.position, removed_at = NULL");
      stmt del(db, "DELETE FROM category_levels WHERE category_id = (SELECT id FROM categories WHERE slug = ?1)");
      stmt add(db,
               "INSERT INTO category_levels(category_id, level_id, position) "
               "SELECT c.id, l.id, ?3 FROM categories c, levels l WHERE c.slug = ?1 AND l.slug = ?2");
      std::int64_t i = 0;
      for (const auto& c : g.categories) {
        s.bind(1, c.slug).bind(2, c.name).bind(3, c.summary).bind(4, c.intro_md).bind(5, i++).run();
        del.bind(1, c.slug).run();
        std::int64_t j = 0;
        for (const auto& l : c.levels) add.bind(1, c.slug).bind(2, l).bind(3, j++).run();
      }
    }
    {
      stmt s(db,
             "INSERT INTO resources(slug, title, publisher_id, category_id, level_id, position, url, "
             "url_is_home_page, cost, format, year, description, editor_note) VALUES (?1, ?2, "
             "(SELECT id FROM publishers WHERE slug = ?3), (SELECT id FROM categories WHERE slug = ?4), "
             "(SELECT id FROM levels WHERE slug = ?5), ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
             "ON CONFLICT(slug) DO UPDATE SET title = excluded.title, publisher_id = excluded.publisher_id, "
             "category_id = excluded.category_id, level_id = excluded.level_id, position = excluded.position, "
             "url = excluded.url, url_is_home_page = excluded.url_is_home_page, cost = excluded.cost, "
             "format = excluded.format, year = excluded.year, description = excluded.description, "
             "editor_note = excluded.editor_note, removed_at = NULL");
      for (const auto& r : g.resources) {
        s.bind(1, r.slug).bind(2, r.title).bind(3, r.publisher).bind_or_null(4, r.category).bind_or_null(5, r.level);
        s.bind(6, std::int64_t{r.order}).bind(7, r.url).bind(8, std::int64_t{r.url_is_home_page ? 1 : 0});
        s.bind(9, std::string(content::to_string(r.cost))).bind(10, r.format);
        s.bind_opt(11, r.year ? std::optional<std::int64_t>(*r.year) : std::nullopt);
        s.bind(12, r.description_md).bind(13, r.editor_note).run();
      }
    }
    {
      stmt s(db,
             "INSERT INTO start_picks(position, resource_id, text) "
             "SELECT ?1, id, ?3 FROM resources WHERE slug = ?2");
      std::int64_t i = 0;
      for (const auto& p : g.site.start_picks) s.bind(1, i++).bind(2, p.resource).bind(3, p.text_md).run();
    }
    {
      stmt s(db, "INSERT INTO callouts(page, title, text, position) VALUES (?1, ?2, ?3, ?4)");
      std::int64_t i = 0;
      for (const auto& c : g.callouts) s.bind(1, c.page).bind(2, c.title).bind(3, c.text_md).bind(4, i++).run();
    }
    db_.exec("UPDATE content_state SET version = version + 1 WHERE id = 1");
    std::int64_t revision_id = 0;
    {
      stmt s(db, "INSERT INTO revisions(created_at, author, message, document) VALUES (?1, ?2, ?3, ?4)");
      s.bind(1, at).bind(2, author).bind(3, message).bind(4, to_document(g)).run();
      revision_id = sqlite3_last_insert_rowid(db);
    }
    db_.exec("DELETE FROM draft");
    insert_audit(audit, revision_id);
    tx.commit();
    return revision_id;
  }

  std::vector<revision_info> revisions() override {
    std::lock_guard lock(mu_);
    std::vector<revision_info> out;
    stmt s(db_.get(), "SELECT id, created_at, author, message FROM revisions ORDER BY id DESC");
    while (s.step()) out.push_back({s.integer(0), s.text(1), s.text(2), s.text(3)});
    return out;
  }

  std::optional<content::guide> revision(std::int64_t id) override {
    std::lock_guard lock(mu_);
    stmt s(db_.get(), "SELECT document FROM revisions WHERE id = ?1");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    auto g = from_document(s.text(0));
    if (!g) throw store_error("revision " + std::to_string(id) + " cannot be read: " + g.message());
    return std::move(g).value();
  }

  std::optional<draft> load_draft() override {
    std::lock_guard lock(mu_);
    stmt s(db_.get(), "SELECT document, updated_at, updated_by FROM draft WHERE id = 1");
    if (!s.step()) return std::nullopt;
    auto g = from_document(s.text(0));
    if (!g) throw store_error("the draft cannot be read: " + g.message());
    return draft{std::move(g).value(), s.text(1), s.text(2)};
  }

  void save_draft(const content::guide& g, const std::string& by, const std::string& at,
                  const std::vector<audit_entry>& audit) override {
    std::lock_guard lock(mu_);
    transaction tx(db_);
    {
      stmt s(db_.get(),
             "INSERT INTO draft(id, document, updated_at, updated_by) VALUES (1, ?1, ?2, ?3) "
             "ON CONFLICT(id) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at, "
             "updated_by = excluded.updated_by");
      s.bind(1, to_document(g)).bind(2, at).bind(3, by).run();
    }
    insert_audit(audit, 0);
    tx.commit();
  }

  void discard_draft(const std::vector<audit_entry>& audit) override {
    std::lock_guard lock(mu_);
    transaction tx(db_);
    db_.exec("DELETE FROM draft");
    insert_audit(audit, 0);
    tx.commit();
  }

  static user read_user(const stmt& s) {
    return user{s.integer(0), s.text(1), s.text(2), s.text(3), s.integer(4) != 0, s.text(5)};
  }

  std::optional<user> find_user(const std::string& name) override {
    std::lock_guard lock(mu_);
    stmt s(db_.get(), "SELECT id, name, role, password_hash, disabled, created_at FROM users WHERE name = ?1");
    s.bind(1, name);
    if (!s.step()) return std::nullopt;
    return read_user(s);
  }

  std::optional<user> find_user_by_id(std::int64_t id) override {
    std::lock_guard lock(mu_);
    stmt s(db_.get(), "SELECT id, name, role, password_hash, disabled, created_at FROM users WHERE id = ?1");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_user(s);
  }

  std::vector<user> users() override {
    std::lock_guard lock(mu_);
    std::vector<user> out;
    stmt s(db_.get(), "SELECT id, name, role, password_hash, disabled, created_at FROM users ORDER BY name");
    while (s.step()) out.push_back(read_user(s));
    return out;
  }

  bool add_user(const user& u) override {
    std::lock_guard lock(mu_);
    transaction tx(db_);
    stmt s(db_.get(),
           "INSERT INTO users(name, role, password_hash, disabled, created_at) VALUES (?1, ?2, ?3, ?4, ?5) "
           "ON CONFLICT(name) DO NOTHING");
    s.bind(1, u.name).bind(2, u.role).bind(3, u.password_hash).bind(4, std::int64_t{u.disabled ? 1 : 0});
    s.bind(5, u.created_at).run();
    bool added = sqlite3_changes(db_.get()) > 0;
    tx.commit();
    return added;
  }

  bool update_user(const user& u) override {
    std::lock_guard lock(mu_);
    transaction tx(db_);
    stmt s(db_.get(), "UPDATE users SET role = ?2, password_hash = ?3, disabled = ?4 WHERE name = ?1");
    s.bind(1, u.name).bind(2, u.role).bind(3, u.password_hash).bind(4, std::int64_t{u.disabled ? 1 : 0}).run();
    bool changed = sqlite3_changes(db_.get()) > 0;
    tx.commit();
    return changed;
  }

  void add_session(const session& x) override {
    std::lock_guard lock(mu_);
    transaction tx(db_);
    stmt s(db_.get(),
           "INSERT INTO sessions(id_hash, user_id, csrf_token, created_at, last_seen_at) VALUES (?1, ?2, ?3, ?4, ?5)");
    s.bind(1, x.id_hash).bind(2, x.user_id).bind(3, x.csrf_token).bind(4, x.created_at).bind(5, x.last_seen_at).run();
    tx.commit();
  }

  std::optional<session> find_session(const std::string& id_hash) override {
    std::lock_guard lock(mu_);
    stmt s(db_.get(), "SELECT id_hash, user_id, csrf_token, created_at, last_seen_at FROM sessions WHERE id_hash = ?1");
    s.bind(1, id_hash);
    if (!s.step()) return std::nullopt;
    return session{s.text(0), s.integer(1), s.text(2), s.integer(3), s.integer(4)};
  }

  void touch_session(const std::string& id_hash, std::int64_t now) override {
    std::lock_guard lock(mu_);
    stmt s(db_.get(), "UPDATE sessions SET last_seen_at = ?2 WHERE id_hash = ?1");
    s.bind(1, id_hash).bind(2, now).run();
  }

  void delete_session(const std::string& id_hash) override {
    std::lock_guard lock(mu_);
    stmt s(db_.get(), "DELETE FROM sessions WHERE id_hash = ?1");
    s.bind(1, id_hash).run();
  }

  void delete_sessions_of(std::int64_t user_id) override {
    std::lock_guard lock(mu_);
    stmt s(db_.get(), "DELETE FROM sessions WHERE user_id = ?1");
    s.bind(1, user_id).run();
  }

  void delete_expired_sessions(std::int64_t created_before, std::int64_t seen_before) override {
    std::lock_guard lock(mu_);
    stmt s(db_.get(), "DELETE FROM sessions WHERE created_at < ?1 OR last_seen_at < ?2");
    s.bind(1, created_before).bind(2, seen_before).run();
  }

  std::vector<table_data> export_tables() override {
    std::lock_guard lock(mu_);
    transaction tx(db_);  // one consistent view of every table
    std::vector<table_data> out;
    for (const auto& name : migrated_tables()) {
      table_data t{name, {}, {}};
      stmt s(db_.get(), ("SELECT * FROM " + name + " ORDER BY rowid").c_str());
      const int n = sqlite3_column_count(s.get());
      for (int i = 0; i < n; ++i) t.columns.emplace_back(sqlite3_column_name(s.get(), i));
      while (s.step()) {
        std::vector<std::optional<std::string>> row;
        for (int i = 0; i < n; ++i) row.push_back(s.is_null(i) ? std::nullopt : std::optional<std::string>(s.text(i)));
        t.rows.push_back(std::move(row));
      }
      out.push_back(std::move(t));
    }
    tx.commit();
    return out;
  }

  void import_tables(const std::vector<table_data>& tables) override {
    std::lock_guard lock(mu_);
    transaction tx(db_);
    {
      stmt s(db_.get(), "SELECT count(*) FROM site_texts");
      s.step();
      if (s.integer(0) > 0)
        throw store_error("Databasen " + path_ + " innehåller redan en guide; flytta bara till en tom databas.");
    }
    db_.exec("DELETE FROM content_state");
    for (const auto& t : tables) {
      std::string sql = "INSERT INTO " + t.name + "(";
      for (std::size_t i = 0; i < t.columns.size(); ++i) sql += (i ? ", " : "") + t.columns[i];
      sql += ") VALUES (";
      for (std::size_t i = 0; i < t.columns.size(); ++i) sql += (i ? ", ?" : "?") + std::to_string(i + 1);
      sql += ")";
      stmt s(db_.get(), sql.c_str());
      for (const auto& row : t.rows) {
        for (std::size_t i = 0; i < row.size(); ++i) {
          if (row[i])
            s.bind(static_cast<int>(i + 1), *row[i]);
          else
            s.bind_null(static_cast<int>(i + 1));
        }
        s.run();
      }
    }
    tx.commit();
  }

  void backup_to(const std::string& file) override {
    if (std::filesystem::exists(file)) throw store_error("Filen " + file + " finns redan; välj ett nytt namn.");
    db_handle target(file);
    sqlite3_backup* b = sqlite3_backup_init(target.get(), "main", db_.get(), "main");
    if (!b) throw store_error("Säkerhetskopian kunde inte börja: " + std::string(sqlite3_errmsg(target.get())));
    int rc;
    {
      // All pages in one step: one read transaction, so the copy is one consistent state even while
      // other processes write (WAL readers do not block writers).
      std::lock_guard lock(mu_);
      rc = sqlite3_backup_step(b, -1);
    }
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
      std::string msg = sqlite3_errstr(rc);
      std::error_code ec;
      std::filesystem::remove(file, ec);
      throw store_error("Säkerhetskopian till " + file + " misslyckades: " + msg);
    }
  }

  void restore_from(const std::string& file) override {
    if (!std::filesystem::exists(file)) throw store_error("Säkerhetskopian " + file + " finns inte.");
    db_handle source(file);
    {
      // A backup of this program's database, not any SQLite file.
      stmt s(source.get(), "SELECT count(*) FROM sqlite_master WHERE name = 'schema_migrations'");
      s.step();
      if (s.integer(0) == 0) throw store_error(file + " är ingen säkerhetskopia av cyberguide.");
    }
    {
      std::lock_guard lock(mu_);
      sqlite3_backup* b = sqlite3_backup_init(db_.get(), "main", source.get(), "main");
      if (!b) throw store_error("Återställningen kunde inte börja: " + std::string(sqlite3_errmsg(db_.get())));
      int rc = sqlite3_backup_step(b, -1);
      sqlite3_backup_finish(b);
      if (rc != SQLITE_DONE) throw store_error("Återställningen från " + file + " misslyckades: " + sqlite3_errstr(rc));
    }
    migrate();  // a backup made by an older version gets this version's schema
  }

  std::int64_t admit_login_check(const std::string& account, std::int64_t now, std::int64_t since,
                                 std::int64_t limit) override {
    std::lock_guard lock(mu_);
    transaction tx(db_);
    stmt(db_.get(), "DELETE FROM login_checks WHERE at <= ?1").bind(1, since).run();
    stmt q(db_.get(), "SELECT count(*), coalesce(min(at), 0) FROM login_checks WHERE account = ?1");
    q.bind(1, account);
    q.step();
    const std::int64_t n = q.integer(0), oldest = q.integer(1);
    if (n >= limit) {
      tx.commit();
      return std::max<std::int64_t>(oldest, 1);
    }
    stmt(db_.get(), "INSERT INTO login_checks(account, at) VALUES (?1, ?2)").bind(1, account).bind(2, now).run();
    tx.commit();
    return 0;
  }

  void add_audit(const audit_entry& e) override {
    std::lock_guard lock(mu_);
    stmt s(db_.get(), "INSERT INTO audit_log(at, actor, action, detail) VALUES (?1, ?2, ?3, ?4)");
    s.bind(1, e.at).bind(2, e.actor).bind(3, e.action).bind(4, e.detail).run();
  }

  std::vector<audit_entry> audit_log(std::size_t limit) override {
    std::lock_guard lock(mu_);
    std::vector<audit_entry> out;
    stmt s(db_.get(), "SELECT id, at, actor, action, detail FROM audit_log ORDER BY id DESC LIMIT ?1");
    s.bind(1, static_cast<std::int64_t>(limit));
    while (s.step()) out.push_back({s.integer(0), s.text(1), s.text(2), s.text(3), s.text(4)});
    return out;
  }

  std::int64_t content_version() override {
    std::lock_guard lock(mu_);
    stmt s(db_.get(), "SELECT version FROM content_state WHERE id = 1");
    return s.step() ? s.integer(0) : 0;
  }

  std::int64_t add_link_clicks(const std::vector<link_click>& clicks) override {
    std::lock_guard lock(mu_);
    transaction tx(db_);
    stmt s(
        db_.get(),
        "INSERT INTO link_clicks(resource_id, day, count, host) SELECT id, ?2, ?3, ?4 FROM resources WHERE slug = ?1 "
        "ON CONFLICT(resource_id, day, host) DO UPDATE SET count = count + excluded.count");
    std::int64_t dropped = 0;
    for (const auto& c : clicks) {
      s.bind(1, c.resource_slug).bind(2, c.day).bind(3, c.count).bind(4, c.host).run();
      if (sqlite3_changes(db_.get()) == 0) dropped += c.count;
    }
    tx.commit();
    return dropped;
  }

  std::vector<link_click> link_clicks(const day_range& r) override {
    std::lock_guard lock(mu_);
    std::vector<link_click> out;
    stmt s(db_.get(),
           "SELECT r.slug, c.day, c.count, c.host FROM link_clicks c JOIN resources r ON r.id = c.resource_id "
           "WHERE c.day BETWEEN ?1 AND ?2 ORDER BY c.day, r.slug, c.host");
    s.bind(1, r.from).bind(2, r.to);
    while (s.step()) out.push_back({s.text(0), s.text(1), s.integer(2), s.text(3)});
    return out;
  }

  void add_page_views(const std::vector<page_view>& views) override {
    std::lock_guard lock(mu_);
    transaction tx(db_);
    stmt s(db_.get(),
           "INSERT INTO page_views(day, path, count) VALUES (?1, ?2, ?3) "
           "ON CONFLICT(day, path) DO UPDATE SET count = count + excluded.count");
    for (const auto& v : views) s.bind(1, v.day).bind(2, v.path).bind(3, v.count).run();
    tx.commit();
  }

  std::vector<page_view> page_views(const day_range& r) override {
    std::lock_guard lock(mu_);
    std::vector<page_view> out;
    stmt s(db_.get(), "SELECT path, day, count FROM page_views WHERE day BETWEEN ?1 AND ?2 ORDER BY day, path");
    s.bind(1, r.from).bind(2, r.to);
    while (s.step()) out.push_back({s.text(0), s.text(1), s.integer(2)});
    return out;
  }

  void add_search_counts(const std::vector<search_count>& counts) override {
    std::lock_guard lock(mu_);
    transaction tx(db_);
    stmt s(db_.get(),
           "INSERT INTO search_counts(day, query, hits, count) VALUES (?1, ?2, ?3, ?4) "
           "ON CONFLICT(day, query) DO UPDATE SET hits = excluded.hits, count = count + excluded.count");
    for (const auto& c : counts) s.bind(1, c.day).bind(2, c.query).bind(3, c.hits).bind(4, c.count).run();
    tx.commit();
  }

  std::vector<search_count> search_counts(const day_range& r) override {
    std::lock_guard lock(mu_);
    std::vector<search_count> out;
    stmt s(db_.get(),
           "SELECT day, query, hits, count FROM search_counts WHERE day BETWEEN ?1 AND ?2 ORDER BY day, query");
    s.bind(1, r.from).bind(2, r.to);
    while (s.step()) out.push_back({s.text(0), s.text(1), s.integer(2), s.integer(3)});
    return out;
  }

  std::string describe() const override { return "sqlite:" + path_; }

 private:
  void migrate() {
    std::lock_guard lock(mu_);
    db_.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
    std::int64_t current = 0;
    {
      stmt s(db_.get(), "SELECT coalesce(max(version), 0) FROM schema_migrations");
      s.step();
      current = s.integer(0);
    }
    const auto& all = sqlite_migrations();
    if (current > static_cast<std::int64_t>(all.size()))
      throw store_error("Databasen har schemaversion " + std::to_string(current) +
                        ", nyare än den här versionen av cyberguide känner till (" + std::to_string(all.size()) +
                        "). Uppgradera programmet.");
    for (std::size_t v = static_cast<std::size_t>(current); v < all.size(); ++v) {
      transaction tx(db_);
      db_.exec(all[v]);
      stmt s(db_.get(), "INSERT INTO schema_migrations(version, applied_at) VALUES (?1, CURRENT_TIMESTAMP)");
      s.bind(1, static_cast<std::int64_t>(v + 1)).run();
      tx.commit();
    }
  }

  std::string path_;
  std::mutex mu_;
  db_handle db_;
};

}  // namespace

std::unique_ptr<store> open_sqlite(const std::string& path) {
  return std::make_unique<sqlite_store>(path);
}

}  // namespace cg::store
