#include "store/postgres/pg_store.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "store/document.hpp"
#include "store/postgres/pg_migrations.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace cg::store {
namespace {

// Connections a store keeps at most; every method holds one for its whole duration.
constexpr std::size_t kConnections = 4;

// The channel publish() notifies (with its commit) and wait_for_publish() listens on.
constexpr const char* kPublishChannel = "cyberguide_publish";

// The advisory lock held while migrations are applied, so that of several processes opening one database
// at once exactly one applies each migration and the others wait for it. Any fixed number would do as
// long as nothing else sharing the database locks it; this one is "cybergui" in ASCII.
constexpr std::int64_t kMigrationLock = 0x6379626572677569;

// libpq's messages end with a newline and may span indented lines; one line reads better in a log.
std::string one_line(const char* msg) {
  std::string out;
  for (const char* p = msg ? msg : ""; *p; ++p) {
    bool space = *p == ' ' || *p == '\n' || *p == '\t' || *p == '\r';
    if (!space)
      out += *p;
    else if (!out.empty() && out.back() != ' ')
      out += ' ';
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out.empty() ? "unknown error" : out;
}

// A statement with a name unique in this file: prepared on a connection the first time that connection
// runs it, then only executed.
struct statement {
  const char* name;
  const char* sql;
};

// The values of a statement's parameters, all sent in text format (the server converts them to the
// column types); nullopt is NULL. Values are never written into SQL.
class params {
 public:
  params& add(const std::string& v) {
    values_.emplace_back(v);
    return *this;
  }
  params& add(std::int64_t v) { return add(std::to_string(v)); }
  params& add_bool(bool v) { return add(std::string(v ? "true" : "false")); }
  params& add_null() {
    values_.emplace_back(std::nullopt);
    return *this;
  }
  params& add_opt(const std::optional<std::int64_t>& v) { return v ? add(*v) : add_null(); }
  // Empty string sends NULL (for optional references).
  params& add_or_null(const std::string& v) { return v.empty() ? add_null() : add(v); }

  int size() const { return static_cast<int>(values_.size()); }
  std::vector<const char*> pointers() const {
    std::vector<const char*> out;
    out.reserve(values_.size());
    for (const auto& v : values_) out.push_back(v ? v->c_str() : nullptr);
    return out;
  }

 private:
  std::vector<std::optional<std::string>> values_;
};

// A finished command's result (rows in text format).
class pg_result {
 public:
  explicit pg_result(PGresult* r) : r_(r, &PQclear) {}

  int rows() const { return PQntuples(r_.get()); }
  bool is_null(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  // NULL reads as "" (like sqlite3_column_text of NULL in the SQLite store).
  std::string text(int row, int col) const {
    return std::string(PQgetvalue(r_.get(), row, col), static_cast<std::size_t>(PQgetlength(r_.get(), row, col)));
  }
  std::int64_t integer(int row, int col) const {
    return parse(PQgetvalue(r_.get(), row, col), static_cast<std::size_t>(PQgetlength(r_.get(), row, col)));
  }
  bool boolean(int row, int col) const { return PQgetvalue(r_.get(), row, col)[0] == 't'; }
  int columns() const { return PQnfields(r_.get()); }
  std::string column_name(int col) const { return PQfname(r_.get(), col); }
  bool is_boolean_column(int col) const { return PQftype(r_.get(), col) == 16; }  // BOOLOID
  // Rows an INSERT, UPDATE or DELETE changed (an upsert that updated counts as one).
  std::int64_t affected() const {
    const char* n = PQcmdTuples(r_.get());
    return *n ? parse(n, std::char_traits<char>::length(n)) : 0;
  }
  std::string command() const { return PQcmdStatus(r_.get()); }

 private:
  static std::int64_t parse(const char* p, std::size_t n) {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(p, p + n, v);
    if (ec != std::errc() || end != p + n)
      throw store_error("PostgreSQL: an integer was expected, not \"" + std::string(p, n) + "\"");
    return v;
  }

  std::unique_ptr<PGresult, decltype(&PQclear)> r_;
};

// Notices (such as "relation already exists, skipping" from CREATE TABLE IF NOT EXISTS) would go to
// stderr by default. The store reports every failure by store_error; what the server merely remarks on
// is of no use to whoever reads the log.
void ignore_notice(void*, const PGresult*) {}

// One connection: it prepares statements lazily and turns every failure into store_error.
class connection {
 public:
  explicit connection(const std::string& url) : c_(PQconnectdb(url.c_str())) {
    if (c_ == nullptr) throw store_error("Kan inte ansluta till PostgreSQL-databasen: slut på minne.");
    if (PQstatus(c_) != CONNECTION_OK) {
      std::string msg =
          "Kan inte ansluta till PostgreSQL-databasen " + where("på") + ": " + one_line(PQerrorMessage(c_));
      PQfinish(c_);
      throw store_error(msg);
    }
    try {
      configure();
    } catch (...) {
      PQfinish(c_);  // the destructor does not run for a constructor that throws
      throw;
    }
  }
  ~connection() { PQfinish(c_); }
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  // "cyberguide on /run/postgresql:5432" ("på" in Swedish messages): the database and where it is,
  // never the user or the password.
  std::string where(const char* on = "on") const {
    const char* db = PQdb(c_);
    const char* host = PQhost(c_);
    const char* port = PQport(c_);
    std::string out = db ? db : "";
    if (host && *host) out += std::string(" ") + on + " " + host + (port && *port ? std::string(":") + port : "");
    return out;
  }

  // Called when the connection is borrowed: re-establishes it when it broke (the server restarted, the
  // network failed) or was left in a state that cannot be trusted. The statements prepared on the old
  // session are gone with it.
  void reset_if_broken() {
    if (PQstatus(c_) == CONNECTION_OK && !needs_reset_) return;
    prepared_.clear();
    needs_reset_ = true;  // until the new session is configured, so that a failure here is retried
    PQreset(c_);
    if (PQstatus(c_) != CONNECTION_OK)
      throw store_error("Förbindelsen med PostgreSQL-databasen " + where("på") +
                        " bröts och kunde inte återupprättas: " + one_line(PQerrorMessage(c_)));
    configure();
    needs_reset_ = false;
  }

  // Called when the connection is given back: a method that failed inside a transaction has rolled it
  // back already, but should that rollback itself have failed, the next borrower must not inherit the
  // transaction.
  void settle() noexcept {
    if (PQstatus(c_) != CONNECTION_OK) return;  // reset on the next borrow
    if (PQtransactionStatus(c_) == PQTRANS_IDLE) return;
    rollback_quietly();
    if (PQtransactionStatus(c_) != PQTRANS_IDLE) needs_reset_ = true;
  }

  PGconn* raw() const { return c_; }

  // Runs SQL without parameters (may be several statements; the result is the last one's).
  pg_result exec(const char* sql) { return check(PQexec(c_, sql)); }
  pg_result exec(const std::string& sql) { return exec(sql.c_str()); }

  // Runs a named statement, preparing it first if this session has not yet.
  pg_result run(const statement& s, const params& p = {}) {
    if (!prepared_.contains(s.name)) {
      check(PQprepare(c_, s.name, s.sql, 0, nullptr));
      prepared_.insert(s.name);
    }
    std::vector<const char*> values = p.pointers();
    // Text-format parameters (no lengths or formats needed) and text-format results.
    return check(PQexecPrepared(c_, s.name, p.size(), values.data(), nullptr, nullptr, 0));
  }

  // Runs SQL made at run time (table and column names from the schema, never values) with parameters,
  // unprepared: for the one-off statements of a migration.
  pg_result run_once(const std::string& sql, const params& p = {}) {
    std::vector<const char*> values = p.pointers();
    return check(PQexecParams(c_, sql.c_str(), p.size(), nullptr, values.data(), nullptr, nullptr, 0));
  }

  void rollback_quietly() noexcept { PQclear(PQexec(c_, "ROLLBACK")); }

 private:
  // The guide is UTF-8 whatever the database's encoding; the server converts (or refuses what it cannot
  // hold). Set on every new session, since a reset starts one.
  void configure() {
    PQsetNoticeReceiver(c_, &ignore_notice, nullptr);
    if (PQsetClientEncoding(c_, "UTF8") != 0)
      throw store_error("PostgreSQL: cannot use UTF-8 as the client encoding: " + one_line(PQerrorMessage(c_)));
  }

  pg_result check(PGresult* r) {
    pg_result out(r);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return out;
    // Class 53 (insufficient resources: disk full, out of memory), 25006 (read-only transaction, e.g.
    // a standby) and 58030 (I/O error): the server answers but cannot store anything now.
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    std::string_view code = state ? state : "";
    bool refused = code.substr(0, 2) == "53" || code == "25006" || code == "58030";
    throw store_error("PostgreSQL: " + one_line(r ? PQresultErrorMessage(r) : PQerrorMessage(c_)),
                      refused ? store_error::kind::write_refused : store_error::kind::unavailable);
  }

  PGconn* c_ = nullptr;
  std::unordered_set<std::string_view> prepared_;  // statement names (string literals)
  bool needs_reset_ = false;
};

// At most kConnections connections, opened when first needed; a thread that finds them all in use waits
// for one to be given back.
class pool {
 public:
  class lease {
   public:
    lease(pool& p, connection* c) : p_(&p), c_(c) {}
    ~lease() {
      if (c_) p_->give_back(c_);
    }
    lease(lease&& o) noexcept : p_(o.p_), c_(std::exchange(o.c_, nullptr)) {}
    lease(const lease&) = delete;
    lease& operator=(const lease&) = delete;
    lease& operator=(lease&&) = delete;
    connection* operator->() const { return c_; }
    connection& operator*() const { return *c_; }

   private:
    pool* p_;
    connection* c_;
  };

  pool(std::string url, std::size_t size) : url_(std::move(url)), size_(size) {}

  lease borrow() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !idle_.empty() || all_.size() + opening_ < size_; });
    if (!idle_.empty()) {
      connection* c = idle_.back();
      idle_.pop_back();
      lock.unlock();
      lease l(*this, c);  // given back also when the reset fails; the next borrow tries again
      c->reset_if_broken();
      return l;
    }
    // Connecting takes a round trip or more: done without the lock, the slot reserved by opening_.
    ++opening_;
    lock.unlock();
    std::unique_ptr<connection> fresh;
    try {
      fresh = std::make_unique<connection>(url_);
    } catch (...) {
      lock.lock();
      --opening_;
      lock.unlock();
      cv_.notify_one();
      throw;
    }
    lock.lock();
    --opening_;
    all_.push_back(std::move(fresh));
    return lease(*this, all_.back().get());
  }

 private:
  void give_back(connection* c) noexcept {
    c->settle();
    {
      std::lock_guard lock(mu_);
      idle_.push_back(c);
    }
    cv_.notify_one();
  }

  std::string url_;
  std::size_t size_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<connection>> all_;
  std::vector<connection*> idle_;
  std::size_t opening_ = 0;
};

// BEGIN in the constructor, ROLLBACK in the destructor unless committed (so on any exception).
class transaction {
 public:
  explicit transaction(connection& c, const char* begin = "BEGIN") : c_(c) { c_.exec(begin); }
  ~transaction() {
    if (!done_) c_.rollback_quietly();
  }
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;

  void commit() {
    pg_result r = c_.exec("COMMIT");
    done_ = true;
    // COMMIT of a transaction in which a statement failed rolls back and says so instead of failing.
    if (r.command() != "COMMIT") throw store_error("PostgreSQL: the transaction was rolled back (" + r.command() + ")");
  }

 private:
  connection& c_;
  bool done_ = false;
};

// Migrations.
constexpr statement kLockMigrations{"lock_migrations", "SELECT pg_advisory_lock($1)"};
constexpr statement kUnlockMigrations{"unlock_migrations", "SELECT pg_advisory_unlock($1)"};
constexpr statement kSchemaVersion{"schema_version", "SELECT coalesce(max(version), 0) FROM schema_migrations"};
// The to_char(...) expressions here and in publish give the text SQLite's CURRENT_TIMESTAMP does
// ("YYYY-MM-DD HH:MM:SS", UTC).
constexpr statement kRecordMigration{
    "record_migration",
    "INSERT INTO schema_migrations(version, applied_at) VALUES ($1, to_char(now() AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD HH24:MI:SS'))"};

// The published guide.
constexpr statement kHasContent{"has_content", "SELECT count(*) FROM site_texts"};
constexpr statement kSiteTexts{"site_texts", "SELECT key, value FROM site_texts"};
constexpr statement kOwnerDomains{"owner_domains", "SELECT domain FROM owner_domains ORDER BY position"};
constexpr statement kStartPicks{"start_picks",
                                "SELECT r.slug, p.text FROM start_picks p JOIN resources r ON r.id = p.resource_id "
                                "ORDER BY p.position"};
constexpr statement kLevels{"levels",
                            "SELECT slug, name, audience FROM levels WHERE removed_at IS NULL "
                            "ORDER BY position, slug COLLATE \"C\""};
constexpr statement kPublishers{"publishers",
                                "SELECT id, slug, short_name, name, home_page FROM publishers WHERE removed_at IS NULL "
                                "ORDER BY position, slug COLLATE \"C\""};
// The former names of every listed publisher at once (rather than a query per publisher as in SQLite,
// where a query costs no round trip).
constexpr statement kFormerNames{"former_names",
                                 "SELECT f.publisher_id, f.name FROM publisher_former_names f "
                                 "JOIN publishers p ON p.id = f.publisher_id WHERE p.removed_at IS NULL "
                                 "ORDER BY f.publisher_id, f.position"};
constexpr statement kCategories{"categories",
                                "SELECT id, slug, name, summary, intro FROM categories WHERE removed_at IS NULL "
                                "ORDER BY position, slug COLLATE \"C\""};
constexpr statement kCategoryLevels{"category_levels",
                                    "SELECT cl.category_id, l.slug FROM category_levels cl "
                                    "JOIN levels l ON l.id = cl.level_id JOIN categories c ON c.id = cl.category_id "
                                    "WHERE c.removed_at IS NULL ORDER BY cl.category_id, cl.position"};
constexpr statement kResources{
    "resources",
    "SELECT r.slug, r.title, p.slug, c.slug, l.slug, r.position, r.url, r.url_is_home_page, r.cost, "
    "r.format, r.year, r.description, r.editor_note "
    "FROM resources r JOIN publishers p ON p.id = r.publisher_id "
    "LEFT JOIN categories c ON c.id = r.category_id LEFT JOIN levels l ON l.id = r.level_id "
    "WHERE r.removed_at IS NULL ORDER BY r.slug COLLATE \"C\""};
constexpr statement kCallouts{"callouts", "SELECT page, title, text FROM callouts ORDER BY position"};

// Publishing.
constexpr statement kRaiseVersion{"raise_version", "UPDATE content_state SET version = version + 1 WHERE id = 1"};
constexpr statement kAddSiteText{"add_site_text", "INSERT INTO site_texts(key, value) VALUES ($1, $2)"};
constexpr statement kAddOwnerDomain{"add_owner_domain", "INSERT INTO owner_domains(domain, position) VALUES ($1, $2)"};
constexpr statement kUpsertLevel{"upsert_level",
                                 "INSERT INTO levels(slug, name, audience, position) VALUES ($1, $2, $3, $4) "
                                 "ON CONFLICT (slug) DO UPDATE SET name = excluded.name, audience = excluded.audience, "
                                 "position = excluded.position, removed_at = NULL"};
constexpr statement kUpsertPublisher{
    "upsert_publisher",
    "INSERT INTO publishers(slug, short_name, name, home_page, position) VALUES ($1, $2, $3, $4, $5) "
    "ON CONFLICT (slug) DO UPDATE SET short_name = excluded.short_name, name = excluded.name, "
    "home_page = excluded.home_page, position = excluded.position, removed_at = NULL"};
constexpr statement kDeleteFormerNames{
    "delete_former_names",
    "DELETE FROM publisher_former_names WHERE publisher_id = (SELECT id FROM publishers WHERE slug = $1)"};
constexpr statement kAddFormerName{"add_former_name",
                                   "INSERT INTO publisher_former_names(publisher_id, position, name) "
                                   "SELECT id, $2::bigint, $3::text FROM publishers WHERE slug = $1"};
constexpr statement kUpsertCategory{
    "upsert_category",
    "INSERT INTO categories(slug, name, summary, intro, position) VALUES ($1, $2, $3, $4, $5) "
    "ON CONFLICT (slug) DO UPDATE SET name = excluded.name, summary = excluded.summary, "
    "intro = excluded.intro, position = excluded.position, removed_at = NULL"};
constexpr statement kDeleteCategoryLevels{
    "delete_category_levels",
    "DELETE FROM category_levels WHERE category_id = (SELECT id FROM categories WHERE slug = $1)"};
constexpr statement kAddCategoryLevel{"add_category_level",
                                      "INSERT INTO category_levels(category_id, level_id, position) "
                                      "SELECT c.id, l.id, $3::bigint FROM categories c, levels l "
                                      "WHERE c.slug = $1 AND l.slug = $2"};
constexpr statement kUpsertResource{
    "upsert_resource",
    "INSERT INTO resources(slug, title, publisher_id, category_id, level_id, position, url, "
    "url_is_home_page, cost, format, year, description, editor_note) VALUES ($1, $2, "
    "(SELECT id FROM publishers WHERE slug = $3), (SELECT id FROM categories WHERE slug = $4), "
    "(SELECT id FROM levels WHERE slug = $5), $6, $7, $8, $9, $10, $11, $12, $13) "
    "ON CONFLICT (slug) DO UPDATE SET title = excluded.title, publisher_id = excluded.publisher_id, "
    "category_id = excluded.category_id, level_id = excluded.level_id, position = excluded.position, "
    "url = excluded.url, url_is_home_page = excluded.url_is_home_page, cost = excluded.cost, "
    "format = excluded.format, year = excluded.year, description = excluded.description, "
    "editor_note = excluded.editor_note, removed_at = NULL"};
constexpr statement kAddStartPick{"add_start_pick",
                                  "INSERT INTO start_picks(position, resource_id, text) "
                                  "SELECT $1::bigint, id, $3::text FROM resources WHERE slug = $2"};
constexpr statement kAddCallout{"add_callout",
                                "INSERT INTO callouts(page, title, text, position) VALUES ($1, $2, $3, $4)"};
constexpr statement kAddRevision{"add_revision",
                                 "INSERT INTO revisions(created_at, author, message, document) VALUES ($1, $2, $3, $4) "
                                 "RETURNING id"};

// Revisions and the draft.
constexpr statement kRevisions{"revisions", "SELECT id, created_at, author, message FROM revisions ORDER BY id DESC"};
constexpr statement kRevision{"revision", "SELECT document FROM revisions WHERE id = $1"};
constexpr statement kDraft{"draft", "SELECT document, updated_at, updated_by FROM draft WHERE id = 1"};
constexpr statement kSaveDraft{"save_draft",
                               "INSERT INTO draft(id, document, updated_at, updated_by) VALUES (1, $1, $2, $3) "
                               "ON CONFLICT (id) DO UPDATE SET document = excluded.document, "
                               "updated_at = excluded.updated_at, updated_by = excluded.updated_by"};
constexpr statement kDiscardDraft{"discard_draft", "DELETE FROM draft"};

// Accounts and sessions.
constexpr statement kFindUser{"find_user",
                              "SELECT id, name, role, password_hash, disabled, created_at FROM users WHERE name = $1"};
constexpr statement kFindUserById{
    "find_user_by_id", "SELECT id, name, role, password_hash, disabled, created_at FROM users WHERE id = $1"};
constexpr statement kUsers{
    "users", "SELECT id, name, role, password_hash, disabled, created_at FROM users ORDER BY name COLLATE \"C\""};
constexpr statement kAddUser{"add_user",
                             "INSERT INTO users(name, role, password_hash, disabled, created_at) "
                             "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING"};
constexpr statement kUpdateUser{"update_user",
                                "UPDATE users SET role = $2, password_hash = $3, disabled = $4 WHERE name = $1"};
constexpr statement kAddSession{"add_session",
                                "INSERT INTO sessions(id_hash, user_id, csrf_token, created_at, last_seen_at) "
                                "VALUES ($1, $2, $3, $4, $5)"};
constexpr statement kFindSession{
    "find_session", "SELECT id_hash, user_id, csrf_token, created_at, last_seen_at FROM sessions WHERE id_hash = $1"};
constexpr statement kTouchSession{"touch_session", "UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1"};
constexpr statement kDeleteSession{"delete_session", "DELETE FROM sessions WHERE id_hash = $1"};
constexpr statement kDeleteSessionsOf{"delete_sessions_of", "DELETE FROM sessions WHERE user_id = $1"};
constexpr statement kDeleteExpiredSessions{"delete_expired_sessions",
                                           "DELETE FROM sessions WHERE created_at < $1 OR last_seen_at < $2"};

// Login throttling. The advisory lock (for this transaction, by the account's hash) makes the count and
// the insert of two instances checking the same account at once happen one after the other.
constexpr statement kLoginCheckLock{"login_check_lock", "SELECT pg_advisory_xact_lock(hashtext($1))"};
constexpr statement kLoginChecksForget{"login_checks_forget", "DELETE FROM login_checks WHERE at <= $1"};
constexpr statement kLoginChecksCount{"login_checks_count",
                                      "SELECT count(*), coalesce(min(at), 0) FROM login_checks WHERE account = $1"};
constexpr statement kLoginCheckAdd{"login_check_add", "INSERT INTO login_checks(account, at) VALUES ($1, $2)"};

// The audit log and the content version.
constexpr statement kAddAudit{"add_audit", "INSERT INTO audit_log(at, actor, action, detail) VALUES ($1, $2, $3, $4)"};
constexpr statement kAuditLog{"audit_log",
                              "SELECT id, at, actor, action, detail FROM audit_log ORDER BY id DESC LIMIT $1"};
constexpr statement kContentVersion{"content_version", "SELECT version FROM content_state WHERE id = 1"};

// Statistics. Counts are added to what is stored in the database (count = table.count + excluded.count),
// never computed here and written back: several server instances add to the same rows.
constexpr statement kAddLinkClick{
    "add_link_click",
    "INSERT INTO link_clicks(resource_id, day, count, host) "
    "SELECT id, $2::text, $3::bigint, $4::text FROM resources WHERE slug = $1 "
    "ON CONFLICT (resource_id, day, host) DO UPDATE SET count = link_clicks.count + excluded.count"};
constexpr statement kLinkClicks{"link_clicks",
                                "SELECT r.slug, c.day, c.count, c.host FROM link_clicks c "
                                "JOIN resources r ON r.id = c.resource_id WHERE c.day BETWEEN $1 AND $2 "
                                "ORDER BY c.day COLLATE \"C\", r.slug COLLATE \"C\", c.host COLLATE \"C\""};
constexpr statement kAddPageView{"add_page_view",
                                 "INSERT INTO page_views(day, path, count) VALUES ($1, $2, $3) "
                                 "ON CONFLICT (day, path) DO UPDATE SET count = page_views.count + excluded.count"};
constexpr statement kPageViews{"page_views",
                               "SELECT path, day, count FROM page_views WHERE day BETWEEN $1 AND $2 "
                               "ORDER BY day COLLATE \"C\", path COLLATE \"C\""};
constexpr statement kAddSearchCount{
    "add_search_count",
    "INSERT INTO search_counts(day, query, hits, count) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (day, query) DO UPDATE SET hits = excluded.hits, count = search_counts.count + excluded.count"};
constexpr statement kSearchCounts{"search_counts",
                                  "SELECT day, query, hits, count FROM search_counts WHERE day BETWEEN $1 AND $2 "
                                  "ORDER BY day COLLATE \"C\", query COLLATE \"C\""};

// The order in which a batch of counts is written: sorted by the row it adds to, the order being stable
// so that of two entries for one row the later is still written last (its hits win). Two instances
// writing overlapping batches then lock the rows in the same order and cannot deadlock.
template <typename T, typename Key>
std::vector<std::size_t> write_order(const std::vector<T>& items, Key key) {
  std::vector<std::size_t> order(items.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return key(items[a]) < key(items[b]); });
  return order;
}

class pg_store final : public store {
 public:
  explicit pg_store(const std::string& url) : url_(url), pool_(url, kConnections) {
    auto c = pool_.borrow();
    describe_ = "PostgreSQL " + c->where();
    migrate(*c);
  }

  bool has_content() override {
    auto c = pool_.borrow();
    return c->run(kHasContent).integer(0, 0) > 0;
  }

  content::guide load_published() override {
    auto c = pool_.borrow();
    // One snapshot for all the queries: a publish by another process committing meanwhile is seen whole
    // or not at all.
    transaction tx(*c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    content::guide g;
    {
      pg_result r = c->run(kSiteTexts);
      for (int i = 0; i < r.rows(); ++i) g.site.texts[r.text(i, 0)] = r.text(i, 1);
    }
    {
      pg_result r = c->run(kOwnerDomains);
      for (int i = 0; i < r.rows(); ++i) g.site.owner_domains.push_back(r.text(i, 0));
    }
    {
      pg_result r = c->run(kStartPicks);
      for (int i = 0; i < r.rows(); ++i) g.site.start_picks.push_back({r.text(i, 0), r.text(i, 1)});
    }
    {
      pg_result r = c->run(kLevels);
      for (int i = 0; i < r.rows(); ++i) g.levels.push_back({r.text(i, 0), r.text(i, 1), r.text(i, 2)});
    }
    {
      std::unordered_map<std::int64_t, std::vector<std::string>> former;
      pg_result f = c->run(kFormerNames);
      for (int i = 0; i < f.rows(); ++i) former[f.integer(i, 0)].push_back(f.text(i, 1));
      pg_result r = c->run(kPublishers);
      for (int i = 0; i < r.rows(); ++i) {
        content::publisher p{r.text(i, 1), r.text(i, 2), r.text(i, 3), {}, r.text(i, 4)};
        if (auto it = former.find(r.integer(i, 0)); it != former.end()) p.former_names = std::move(it->second);
        g.publishers.push_back(std::move(p));
      }
    }
    {
      std::unordered_map<std::int64_t, std::vector<std::string>> levels;
      pg_result l = c->run(kCategoryLevels);
      for (int i = 0; i < l.rows(); ++i) levels[l.integer(i, 0)].push_back(l.text(i, 1));
      pg_result r = c->run(kCategories);
      for (int i = 0; i < r.rows(); ++i) {
        content::category cat{r.text(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4), {}};
        if (auto it = levels.find(r.integer(i, 0)); it != levels.end()) cat.levels = std::move(it->second);
        g.categories.push_back(std::move(cat));
      }
    }
    {
      pg_result r = c->run(kResources);
      for (int i = 0; i < r.rows(); ++i) {
        content::resource res;
        res.slug = r.text(i, 0);
        res.title = r.text(i, 1);
        res.publisher = r.text(i, 2);
        res.category = r.text(i, 3);
        res.level = r.text(i, 4);
        res.order = static_cast<int>(r.integer(i, 5));
        res.url = r.text(i, 6);
        res.url_is_home_page = r.boolean(i, 7);
        res.cost = content::parse_cost(r.text(i, 8)).value_or(content::cost::unknown);
        res.format = r.text(i, 9);
        if (!r.is_null(i, 10)) res.year = static_cast<int>(r.integer(i, 10));
        res.description_md = r.text(i, 11);
        res.editor_note = r.text(i, 12);
        g.resources.push_back(std::move(res));
      }
    }
    {
      pg_result r = c->run(kCallouts);
      for (int i = 0; i < r.rows(); ++i) g.callouts.push_back({r.text(i, 0), r.text(i, 1), r.text(i, 2)});
    }
    tx.commit();
    return g;
  }

  using store::discard_draft;
  using store::publish;
  using store::save_draft;

  // Inside the caller's transaction.
  static void insert_audit(connection& c, const std::vector<audit_entry>& audit, std::int64_t revision) {
    for (const auto& e : audit)
      c.run(kAddAudit, params().add(e.at).add(e.actor).add(e.action).add(with_revision(e.detail, revision)));
  }

  std::int64_t publish(const content::guide& g, const std::string& author, const std::string& message,
                       const std::string& at, const std::vector<audit_entry>& audit) override {
    auto c = pool_.borrow();
    transaction tx(*c);
    // Raised first (SQLite raises it near the end): the row lock it takes makes a concurrent publish by
    // another process wait until this one commits, so that its statements then see this one's rows
    // instead of colliding with them. SQLite gets the same from BEGIN IMMEDIATE. Readers are not held
    // up and see the new version only with the commit.
    c->run(kRaiseVersion);
    c->exec("NOTIFY " + std::string(kPublishChannel));  // delivered to the listeners with the commit
    c->exec("DELETE FROM site_texts; DELETE FROM owner_domains; DELETE FROM start_picks; DELETE FROM callouts;");
    // Everything is marked removed; the upserts below clear the mark of what g still has.
    c->exec(
        "UPDATE levels SET removed_at = to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') "
        "WHERE removed_at IS NULL;"
        "UPDATE publishers SET removed_at = to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') "
        "WHERE removed_at IS NULL;"
        "UPDATE categories SET removed_at = to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') "
        "WHERE removed_at IS NULL;"
        "UPDATE resources SET removed_at = to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') "
        "WHERE removed_at IS NULL;");
    for (const auto& [k, v] : g.site.texts) c->run(kAddSiteText, params().add(k).add(v));
    {
      std::int64_t i = 0;
      for (const auto& d : g.site.owner_domains) c->run(kAddOwnerDomain, params().add(d).add(i++));
    }
    {
      std::int64_t i = 0;
      for (const auto& l : g.levels) c->run(kUpsertLevel, params().add(l.slug).add(l.name).add(l.audience_md).add(i++));
    }
    {
      std::int64_t i = 0;
      for (const auto& p : g.publishers) {
        c->run(kUpsertPublisher, params().add(p.slug).add(p.short_name).add(p.name).add(p.home_page).add(i++));
        c->run(kDeleteFormerNames, params().add(p.slug));
        std::int64_t j = 0;
        for (const auto& n : p.former_names) c->run(kAddFormerName, params().add(p.slug).add(j++).add(n));
      }
    }
    {
      std::int64_t i = 0;
      for (const auto& cat : g.categories) {
        c->run(kUpsertCategory, params().add(cat.slug).add(cat.name).add(cat.summary).add(cat.intro_md).add(i++));
        c->run(kDeleteCategoryLevels, params().add(cat.slug));
        std::int64_t j = 0;
        for (const auto& l : cat.levels) c->run(kAddCategoryLevel, params().add(cat.slug).add(l).add(j++));
      }
    }
    for (const auto& r : g.resources) {
      params p;
      p.add(r.slug).add(r.title).add(r.publisher).add_or_null(r.category).add_or_null(r.level);
      p.add(std::int64_t{r.order}).add(r.url).add_bool(r.url_is_home_page);
      p.add(std::string(content::to_string(r.cost))).add(r.format);
      p.add_opt(r.year ? std::optional<std::int64_t>(*r.year) : std::nullopt);
      p.add(r.description_md).add(r.editor_note);
      c->run(kUpsertResource, p);
    }
    {
      std::int64_t i = 0;
      for (const auto& p : g.site.start_picks) c->run(kAddStartPick, params().add(i++).add(p.resource).add(p.text_md));
    }
    {
      std::int64_t i = 0;
      for (const auto& co : g.callouts)
        c->run(kAddCallout, params().add(co.page).add(co.title).add(co.text_md).add(i++));
    }
    std::int64_t revision_id =
        c->run(kAddRevision, params().add(at).add(author).add(message).add(to_document(g))).integer(0, 0);
    c->run(kDiscardDraft);
    insert_audit(*c, audit, revision_id);
    tx.commit();
    return revision_id;
  }

  std::vector<revision_info> revisions() override {
    auto c = pool_.borrow();
    std::vector<revision_info> out;
    pg_result r = c->run(kRevisions);
    for (int i = 0; i < r.rows(); ++i) out.push_back({r.integer(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3)});
    return out;
  }

  std::optional<content::guide> revision(std::int64_t id) override {
    std::string doc;
    {
      auto c = pool_.borrow();
      pg_result r = c->run(kRevision, params().add(id));
      if (r.rows() == 0) return std::nullopt;
      doc = r.text(0, 0);
    }
    auto g = from_document(doc);
    if (!g) throw store_error("revision " + std::to_string(id) + " cannot be read: " + g.message());
    return std::move(g).value();
  }

  std::optional<draft> load_draft() override {
    auto c = pool_.borrow();
    pg_result r = c->run(kDraft);
    if (r.rows() == 0) return std::nullopt;
    auto g = from_document(r.text(0, 0));
    if (!g) throw store_error("the draft cannot be read: " + g.message());
    return draft{std::move(g).value(), r.text(0, 1), r.text(0, 2)};
  }

  void save_draft(const content::guide& g, const std::string& by, const std::string& at,
                  const std::vector<audit_entry>& audit) override {
    std::string doc = to_document(g);
    auto c = pool_.borrow();
    transaction tx(*c);
    c->run(kSaveDraft, params().add(doc).add(at).add(by));
    insert_audit(*c, audit, 0);
    tx.commit();
  }

  void discard_draft(const std::vector<audit_entry>& audit) override {
    auto c = pool_.borrow();
    transaction tx(*c);
    c->run(kDiscardDraft);
    insert_audit(*c, audit, 0);
    tx.commit();
  }

  static user read_user(const pg_result& r, int i) {
    return user{r.integer(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.boolean(i, 4), r.text(i, 5)};
  }

  std::optional<user> find_user(const std::string& name) override {
    auto c = pool_.borrow();
    pg_result r = c->run(kFindUser, params().add(name));
    if (r.rows() == 0) return std::nullopt;
    return read_user(r, 0);
  }

  std::optional<user> find_user_by_id(std::int64_t id) override {
    auto c = pool_.borrow();
    pg_result r = c->run(kFindUserById, params().add(id));
    if (r.rows() == 0) return std::nullopt;
    return read_user(r, 0);
  }

  std::vector<user> users() override {
    auto c = pool_.borrow();
    std::vector<user> out;
    pg_result r = c->run(kUsers);
    for (int i = 0; i < r.rows(); ++i) out.push_back(read_user(r, i));
    return out;
  }

  bool add_user(const user& u) override {
    auto c = pool_.borrow();
    params p;
    p.add(u.name).add(u.role).add(u.password_hash).add_bool(u.disabled).add(u.created_at);
    // ON CONFLICT DO NOTHING: a name taken (also by another process a moment ago) inserts no row.
    return c->run(kAddUser, p).affected() > 0;
  }

  bool update_user(const user& u) override {
    auto c = pool_.borrow();
    params p;
    p.add(u.name).add(u.role).add(u.password_hash).add_bool(u.disabled);
    return c->run(kUpdateUser, p).affected() > 0;
  }

  void add_session(const session& s) override {
    auto c = pool_.borrow();
    c->run(kAddSession, params().add(s.id_hash).add(s.user_id).add(s.csrf_token).add(s.created_at).add(s.last_seen_at));
  }

  std::optional<session> find_session(const std::string& id_hash) override {
    auto c = pool_.borrow();
    pg_result r = c->run(kFindSession, params().add(id_hash));
    if (r.rows() == 0) return std::nullopt;
    return session{r.text(0, 0), r.integer(0, 1), r.text(0, 2), r.integer(0, 3), r.integer(0, 4)};
  }

  void touch_session(const std::string& id_hash, std::int64_t now) override {
    auto c = pool_.borrow();
    c->run(kTouchSession, params().add(id_hash).add(now));
  }

  void delete_session(const std::string& id_hash) override {
    auto c = pool_.borrow();
    c->run(kDeleteSession, params().add(id_hash));
  }

  void delete_sessions_of(std::int64_t user_id) override {
    auto c = pool_.borrow();
    c->run(kDeleteSessionsOf, params().add(user_id));
  }

  void delete_expired_sessions(std::int64_t created_before, std::int64_t seen_before) override {
    auto c = pool_.borrow();
    c->run(kDeleteExpiredSessions, params().add(created_before).add(seen_before));
  }

  std::vector<table_data> export_tables() override {
    auto c = pool_.borrow();
    transaction tx(*c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");  // one consistent view
    std::vector<table_data> out;
    for (const auto& name : migrated_tables()) {
      table_data t{name, {}, {}};
      pg_result r = c->run_once("SELECT * FROM " + name);
      for (int i = 0; i < r.columns(); ++i) t.columns.push_back(r.column_name(i));
      for (int row = 0; row < r.rows(); ++row) {
        std::vector<std::optional<std::string>> values;
        for (int i = 0; i < r.columns(); ++i) {
          if (r.is_null(row, i))
            values.emplace_back(std::nullopt);
          else if (r.is_boolean_column(i))
            values.emplace_back(r.boolean(row, i) ? "1" : "0");
          else
            values.emplace_back(r.text(row, i));
        }
        t.rows.push_back(std::move(values));
      }
      out.push_back(std::move(t));
    }
    tx.commit();
    return out;
  }

  void import_tables(const std::vector<table_data>& tables) override {
    auto c = pool_.borrow();
    transaction tx(*c);
    if (c->run(kHasContent).integer(0, 0) > 0)
      throw store_error("Databasen " + describe_ + " innehåller redan en guide; flytta bara till en tom databas.");
    c->exec("DELETE FROM content_state");
    for (const auto& t : tables) {
      std::string sql = "INSERT INTO " + t.name + "(";
      for (std::size_t i = 0; i < t.columns.size(); ++i) sql += (i ? ", " : "") + t.columns[i];
      sql += ") VALUES (";
      for (std::size_t i = 0; i < t.columns.size(); ++i) sql += (i ? ", $" : "$") + std::to_string(i + 1);
      sql += ")";
      for (const auto& row : t.rows) {
        params p;
        for (const auto& v : row) v ? p.add(*v) : p.add_null();
        c->run_once(sql, p);
      }
      // Ids were copied as they were: the next id a sequence hands out must come after them.
      if (std::find(t.columns.begin(), t.columns.end(), "id") != t.columns.end())
        c->run_once("SELECT setval(pg_get_serial_sequence('" + t.name +
                    "', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM " + t.name +
                    "), false) WHERE pg_get_serial_sequence('" + t.name + "', 'id') IS NOT NULL");
    }
    tx.commit();
  }

  void backup_to(const std::string& file) override {
    if (std::filesystem::exists(file)) throw store_error("Filen " + file + " finns redan; välj ett nytt namn.");
    auto tables = export_tables();
    try {
      open_sqlite(file)->import_tables(tables);
    } catch (...) {
      std::error_code ec;
      std::filesystem::remove(file, ec);
      throw;
    }
  }

  void restore_from(const std::string& file) override {
    if (!std::filesystem::exists(file)) throw store_error("Säkerhetskopian " + file + " finns inte.");
    import_tables(open_sqlite(file)->export_tables());
  }

  std::int64_t admit_login_check(const std::string& account, std::int64_t now, std::int64_t since,
                                 std::int64_t limit) override {
    auto c = pool_.borrow();
    transaction tx(*c);
    c->run(kLoginCheckLock, params().add(account));
    c->run(kLoginChecksForget, params().add(since));
    pg_result r = c->run(kLoginChecksCount, params().add(account));
    const std::int64_t n = r.integer(0, 0), oldest = r.integer(0, 1);
    if (n >= limit) {
      tx.commit();
      return std::max<std::int64_t>(oldest, 1);
    }
    c->run(kLoginCheckAdd, params().add(account).add(now));
    tx.commit();
    return 0;
  }

  void add_audit(const audit_entry& e) override {
    auto c = pool_.borrow();
    c->run(kAddAudit, params().add(e.at).add(e.actor).add(e.action).add(e.detail));
  }

  std::vector<audit_entry> audit_log(std::size_t limit) override {
    auto c = pool_.borrow();
    std::vector<audit_entry> out;
    // PostgreSQL refuses a negative LIMIT where SQLite reads it as "no limit": clamp instead of wrapping.
    auto n = static_cast<std::int64_t>(std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
    pg_result r = c->run(kAuditLog, params().add(n));
    for (int i = 0; i < r.rows(); ++i)
      out.push_back({r.integer(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4)});
    return out;
  }

  std::int64_t content_version() override {
    auto c = pool_.borrow();
    pg_result r = c->run(kContentVersion);
    return r.rows() > 0 ? r.integer(0, 0) : 0;
  }

  // Adds a batch of counts in one transaction, in the order of the rows they add to (write_order), so
  // that two instances lock rows in the same order. write(connection, row) returns the count dropped.
  template <class Row, class Key, class Write>
  std::int64_t add_counts(const std::vector<Row>& rows, Key key, Write write) {
    if (rows.empty()) return 0;
    auto order = write_order(rows, key);
    auto c = pool_.borrow();
    transaction tx(*c);
    std::int64_t dropped = 0;
    for (std::size_t i : order) dropped += write(*c, rows[i]);
    tx.commit();
    return dropped;
  }

  std::int64_t add_link_clicks(const std::vector<link_click>& clicks) override {
    return add_counts(
        clicks, [](const link_click& k) { return std::tie(k.resource_slug, k.day, k.host); },
        [](connection& c, const link_click& k) -> std::int64_t {
          // No row when no resource has the slug (the INSERT selects from resources): the clicks are dropped.
          return c.run(kAddLinkClick, params().add(k.resource_slug).add(k.day).add(k.count).add(k.host)).affected() == 0
                     ? k.count
                     : 0;
        });
  }

  std::vector<link_click> link_clicks(const day_range& range) override {
    auto c = pool_.borrow();
    std::vector<link_click> out;
    pg_result r = c->run(kLinkClicks, params().add(range.from).add(range.to));
    for (int i = 0; i < r.rows(); ++i) out.push_back({r.text(i, 0), r.text(i, 1), r.integer(i, 2), r.text(i, 3)});
    return out;
  }

  void add_page_views(const std::vector<page_view>& views) override {
    add_counts(
        views, [](const page_view& v) { return std::tie(v.day, v.path); },
        [](connection& c, const page_view& v) -> std::int64_t {
          c.run(kAddPageView, params().add(v.day).add(v.path).add(v.count));
          return 0;
        });
  }

  std::vector<page_view> page_views(const day_range& range) override {
    auto c = pool_.borrow();
    std::vector<page_view> out;
    pg_result r = c->run(kPageViews, params().add(range.from).add(range.to));
    for (int i = 0; i < r.rows(); ++i) out.push_back({r.text(i, 0), r.text(i, 1), r.integer(i, 2)});
    return out;
  }

  void add_search_counts(const std::vector<search_count>& counts) override {
    add_counts(
        counts, [](const search_count& x) { return std::tie(x.day, x.query); },
        [](connection& c, const search_count& x) -> std::int64_t {
          c.run(kAddSearchCount, params().add(x.day).add(x.query).add(x.hits).add(x.count));
          return 0;
        });
  }

  std::vector<search_count> search_counts(const day_range& range) override {
    auto c = pool_.borrow();
    std::vector<search_count> out;
    pg_result r = c->run(kSearchCounts, params().add(range.from).add(range.to));
    for (int i = 0; i < r.rows(); ++i) out.push_back({r.text(i, 0), r.text(i, 1), r.integer(i, 2), r.integer(i, 3)});
    return out;
  }

  std::string describe() const override { return describe_; }

  bool hears_publishes() const override { return true; }

  // A connection of its own, outside the pool, LISTENs for publishes; it is made again after it broke.
  bool wait_for_publish(std::chrono::milliseconds timeout) override {
    std::lock_guard lock(listen_mu_);
    try {
      if (!listener_) {
        listener_ = std::make_unique<connection>(url_);
        listener_->exec("LISTEN " + std::string(kPublishChannel));
        return true;  // a publish may have been missed while there was no listener
      }
      PGconn* pc = listener_->raw();
      auto heard = [pc] {
        bool any = false;
        while (PGnotify* n = PQnotifies(pc)) {
          any = true;
          PQfreemem(n);
        }
        return any;
      };
      if (heard()) return true;
      pollfd p{PQsocket(pc), POLLIN, 0};
      int rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
      if (rc <= 0) return false;
      if (!PQconsumeInput(pc) || PQstatus(pc) != CONNECTION_OK) {
        listener_.reset();
        return false;
      }
      return heard();
    } catch (const store_error&) {
      // The database is away: wait out the timeout rather than spin; the next call connects again.
      listener_.reset();
      std::this_thread::sleep_for(timeout);
      return false;
    }
  }

 private:
  void migrate(connection& c) {
    // A session-level lock: held across the transactions below, released at the end, also when they fail
    // (and by the server should this process die meanwhile).
    c.run(kLockMigrations, params().add(kMigrationLock));
    struct unlock_at_exit {
      connection& c;
      ~unlock_at_exit() {
        try {
          c.run(kUnlockMigrations, params().add(kMigrationLock));
        } catch (...) {
          // A broken connection has lost the lock with its session.
        }
      }
    } unlock{c};
    c.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)");
    std::int64_t current = c.run(kSchemaVersion).integer(0, 0);
    const auto& all = postgres_migrations();
    if (current > static_cast<std::int64_t>(all.size()))
      throw store_error("Databasen har schemaversion " + std::to_string(current) +
                        ", nyare än den här versionen av cyberguide känner till (" + std::to_string(all.size()) +
                        "). Uppgradera programmet.");
    for (std::size_t v = static_cast<std::size_t>(current); v < all.size(); ++v) {
      transaction tx(c);
      c.exec(all[v]);
      c.run(kRecordMigration, params().add(static_cast<std::int64_t>(v + 1)));
      tx.commit();
    }
  }

  std::string url_;
  pool pool_;
  std::string describe_;
  std::mutex listen_mu_;
  std::unique_ptr<connection> listener_;  // LISTENs for publishes (wait_for_publish)
};

}  // namespace

std::unique_ptr<store> open_postgres(const std::string& url) {
  return std::make_unique<pg_store>(url);
}

}  // namespace cg::store
