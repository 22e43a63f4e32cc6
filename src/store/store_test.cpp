// The store conformance suite: every backend must pass it. Backends are the test parameter.
#include "store/store.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <thread>

#include "content/pack.hpp"
#include "store/postgres/pg_store.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace cg::store {
namespace {

namespace fs = std::filesystem;

struct backend {
  std::string name;
  // Opens a fresh, empty store; the second call with the same dir reopens it.
  std::function<std::unique_ptr<store>(const fs::path& dir)> open;
  // Removes what open made outside dir (a PostgreSQL database); called after the store is closed.
  std::function<void(const fs::path& dir)> cleanup = [](const fs::path&) {};
};

// PostgreSQL: the test cluster that CTest starts (tests/pg/cluster.sh) is named by CYBERGUIDE_TEST_PG,
// e.g. "postgresql://postgres@/postgres?host=/tmp/…&port=5499"; each test gets a database of its own.
std::string test_pg_url() {
  const char* v = std::getenv("CYBERGUIDE_TEST_PG");
  return v ? v : "";
}

// The admin URL with another database name.
std::string pg_url_for(const std::string& db) {
  std::string url = test_pg_url();
  auto at = url.find("/postgres?");
  if (at == std::string::npos) throw std::runtime_error("CYBERGUIDE_TEST_PG must end in /postgres?…: " + url);
  return url.substr(0, at) + "/" + db + url.substr(at + 9);
}

void pg_admin(const std::string& sql) {
  PGconn* c = PQconnectdb(test_pg_url().c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(c);
    PQfinish(c);
    throw std::runtime_error("test cluster: " + msg);
  }
  PGresult* r = PQexec(c, sql.c_str());
  std::string err = PQresultStatus(r) == PGRES_COMMAND_OK ? "" : PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(c);
  if (!err.empty()) throw std::runtime_error("test cluster: " + sql + ": " + err);
}

// "cg-store-123" → "cg_store_123": a database name made of the test's folder name.
std::string pg_db_name(const fs::path& dir) {
  std::string name = dir.filename().string();
  for (char& ch : name)
    if (ch == '-') ch = '_';
  return name;
}

std::vector<backend> backends() {
  std::vector<backend> out{
      {"sqlite", [](const fs::path& dir) { return open_sqlite((dir / "cyberguide.db").string()); }}};
  if (!test_pg_url().empty()) {
    out.push_back({"postgresql",
                   [](const fs::path& dir) {
                     // The first open makes the database; a reopen finds it.
                     if (!fs::exists(dir / "pg-created")) {
                       pg_admin("CREATE DATABASE " + pg_db_name(dir));
                       std::ofstream(dir / "pg-created") << "1";
                     }
                     return open_postgres(pg_url_for(pg_db_name(dir)));
                   },
                   [](const fs::path& dir) {
                     if (fs::exists(dir / "pg-created"))
                       pg_admin("DROP DATABASE IF EXISTS " + pg_db_name(dir) + " WITH (FORCE)");
                   }});
  }
  return out;
}

void PrintTo(const backend& b, std::ostream* os) {
  *os << b.name;
}

class StoreConformance : public ::testing::TestWithParam<backend> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cg-store-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    st_ = GetParam().open(dir_);
    auto g = content::load_guide(content::default_pack());
    ASSERT_TRUE(g.ok()) << g.message();
    guide_ = *g;
  }
  void TearDown() override {
    st_.reset();
    GetParam().cleanup(dir_);
    fs::remove_all(dir_);
  }
  fs::path dir_;
  std::unique_ptr<store> st_;
  content::guide guide_;
};

// Several instances starting at once on an empty database: the migrations run once (under an advisory
// lock) and every instance opens it.
TEST(PostgresStore, InstancesOpeningAnEmptyDatabaseAtOnceAllSucceed) {
  if (test_pg_url().empty()) GTEST_SKIP() << "CYBERGUIDE_TEST_PG is not set";
  fs::path dir = fs::temp_directory_path() / ("cg-pg-race-" + std::to_string(std::random_device{}()));
  fs::create_directories(dir);
  pg_admin("CREATE DATABASE " + pg_db_name(dir));
  std::vector<std::thread> threads;
  std::atomic<int> opened{0};
  std::vector<std::string> errors(6);
  for (std::size_t i = 0; i < errors.size(); ++i)
    threads.emplace_back([&, i] {
      try {
        auto st = open_postgres(pg_url_for(pg_db_name(dir)));
        if (st->content_version() == 0) ++opened;
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(opened.load(), 6);
  for (const auto& e : errors) EXPECT_EQ(e, "");
  pg_admin("DROP DATABASE " + pg_db_name(dir) + " WITH (FORCE)");
  fs::remove_all(dir);
}

TEST(StoreBackends, ThePostgresqlTestClusterIsConfigured) {
  if (test_pg_url().empty())
    GTEST_SKIP() << "CYBERGUIDE_TEST_PG is not set: the conformance suite ran on SQLite only (ctest sets it)";
  EXPECT_NO_THROW(pg_admin("SELECT 1"));
}

TEST_P(StoreConformance, AFreshStoreHasNoContent) {
  EXPECT_FALSE(st_->has_content());
  EXPECT_EQ(st_->content_version(), 0);
}

TEST_P(StoreConformance, EveryPublishRaisesTheContentVersion) {
  st_->publish(guide_, "test", "", "2026-11-30T00:00:00Z");
  std::int64_t v1 = st_->content_version();
  EXPECT_GT(v1, 0);
  st_->publish(guide_, "test", "", "2026-11-30T00:00:00Z");
  EXPECT_GT(st_->content_version(), v1);
}

TEST_P(StoreConformance, PublishedGuideReadsBackUnchanged) {
  st_->publish(guide_, "test", "", "2026-11-30T00:00:00Z");
  EXPECT_TRUE(st_->has_content());
  content::guide back = st_->load_published();
  // The content pack serialization is canonical: equal files mean an equal guide.
  EXPECT_EQ(content::write_pack(back), content::write_pack(guide_));
}

TEST_P(StoreConformance, ContentSurvivesReopening) {
  st_->publish(guide_, "test", "", "2026-11-30T00:00:00Z");
  st_.reset();
  st_ = GetParam().open(dir_);
  EXPECT_EQ(content::write_pack(st_->load_published()), content::write_pack(guide_));
}

TEST_P(StoreConformance, RepublishingUpdatesAndRemovesBySlugKeepingCounts) {
  st_->publish(guide_, "test", "", "2026-11-30T00:00:00Z");
  ASSERT_EQ(st_->add_link_clicks({{"disa", "2026-11-30", 3, ""}}), 0);
  content::guide next = guide_;
  next.publishers[0].name = "Nytt namn";
  std::erase_if(next.resources, [](const content::resource& r) { return r.slug == "disa"; });
  next.site.start_picks.erase(next.site.start_picks.begin());
  st_->publish(next, "test", "", "2026-11-30T00:00:00Z");
  content::guide back = st_->load_published();
  EXPECT_EQ(back.find_resource("disa"), nullptr);
  EXPECT_EQ(back.publishers[0].name, "Nytt namn");
  EXPECT_EQ(back.site.start_picks.size(), guide_.site.start_picks.size() - 1);
  // A removed resource keeps its history; a restored one keeps counting on it.
  st_->publish(guide_, "test", "", "2026-11-30T00:00:00Z");
  ASSERT_EQ(st_->add_link_clicks({{"disa", "2026-11-30", 2, ""}}), 0);
  auto clicks = st_->link_clicks();
  ASSERT_EQ(clicks.size(), 1u);
  EXPECT_EQ(clicks[0].count, 5);
}

TEST_P(StoreConformance, LinkClicksSumPerResourceAndDay) {
  st_->publish(guide_, "test", "", "2026-11-30T00:00:00Z");
  EXPECT_EQ(st_->add_link_clicks(
                {{"disa", "2026-11-29", 1, ""}, {"ants", "2026-11-30", 4, ""}, {"disa", "2026-11-30", 2, ""}}),
            0);
  EXPECT_EQ(st_->add_link_clicks({{"disa", "2026-11-30", 5, ""}, {"finns-inte", "2026-11-30", 7, ""}}), 7);
  auto c = st_->link_clicks();
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].resource_slug, "disa");
  EXPECT_EQ(c[0].day, "2026-11-29");
  EXPECT_EQ(c[0].count, 1);
  EXPECT_EQ(c[1].resource_slug, "ants");
  EXPECT_EQ(c[1].count, 4);
  EXPECT_EQ(c[2].resource_slug, "disa");
  EXPECT_EQ(c[2].day, "2026-11-30");
  EXPECT_EQ(c[2].count, 7);
}

TEST_P(StoreConformance, LinkClicksKeepTheirHostAndAreReadByDayRange) {
  st_->publish(guide_, "test", "", "2026-11-30T00:00:00Z");
  EXPECT_EQ(st_->add_link_clicks({{"disa", "2026-11-29", 1, "www.mcf.se"},
                                  {"disa", "2026-11-29", 2, "www.msb.se"},
                                  {"disa", "2026-11-30", 4, "www.mcf.se"},
                                  {"ants", "2026-12-01", 8, "www.cert.se"}}),
            0);
  EXPECT_EQ(st_->add_link_clicks({{"disa", "2026-11-29", 10, "www.mcf.se"}}), 0);
  auto all = st_->link_clicks();
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].host, "www.mcf.se");
  EXPECT_EQ(all[0].count, 11);
  EXPECT_EQ(all[1].host, "www.msb.se");
  auto range = st_->link_clicks({"2026-11-30", "2026-12-01"});
  ASSERT_EQ(range.size(), 2u);
  EXPECT_EQ(range[0].day, "2026-11-30");
  EXPECT_EQ(range[1].resource_slug, "ants");
  EXPECT_TRUE(st_->link_clicks({"2026-12-02", "2026-12-31"}).empty());
}

TEST_P(StoreConformance, PageViewsSumPerDayAndPath) {
  st_->add_page_views({{"/", "2026-11-30", 3}, {"/kategorier", "2026-11-30", 1}});
  st_->add_page_views({{"/", "2026-11-30", 2}, {"/", "2026-12-01", 1}});
  auto v = st_->page_views();
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].path, "/");
  EXPECT_EQ(v[0].count, 5);
  EXPECT_EQ(v[1].path, "/kategorier");
  EXPECT_EQ(v[2].day, "2026-12-01");
  EXPECT_EQ(st_->page_views({"2026-12-01", "2026-12-01"}).size(), 1u);
  st_->add_search_counts({{"2026-11-30", "a", 1, 1}, {"2026-12-01", "b", 1, 1}});
  ASSERT_EQ(st_->search_counts({"2026-12-01", "2026-12-31"}).size(), 1u);
  EXPECT_EQ(st_->search_counts({"2026-12-01", "2026-12-31"})[0].query, "b");
}

TEST_P(StoreConformance, AFailedPublishLeavesThePublishedGuideIntact) {
  st_->publish(guide_, "anna", "första", "2026-11-30T10:00:00Z");
  content::guide draft = guide_;
  draft.resources[0].title = "Halvvägs";
  st_->save_draft(draft, "anna", "2026-11-30T10:01:00Z");
  // Fails inside the transaction, after the first writes: a resource names a publisher that does
  // not exist (the caller skipped validation), so its NOT NULL reference is refused.
  content::guide broken = draft;
  broken.resources.back().publisher = "finns-inte";
  EXPECT_THROW(st_->publish(broken, "anna", "trasig", "2026-11-30T10:02:00Z"), store_error);
  EXPECT_EQ(content::write_pack(st_->load_published()), content::write_pack(guide_));
  EXPECT_EQ(st_->revisions().size(), 1u);
  ASSERT_TRUE(st_->load_draft().has_value());
  EXPECT_EQ(st_->load_draft()->guide.resources[0].title, "Halvvägs");
  // And the store still works afterwards.
  st_->publish(draft, "anna", "andra", "2026-11-30T10:03:00Z");
  EXPECT_EQ(st_->load_published().find_resource(draft.resources[0].slug)->title, "Halvvägs");
}

TEST_P(StoreConformance, SearchCountsSumPerDayAndQuery) {
  st_->add_search_counts({{"2026-11-30", "lösenord", 3, 2}, {"2026-11-30", "upphandling", 4, 1}});
  st_->add_search_counts({{"2026-11-30", "lösenord", 3, 5}, {"2026-12-01", "lösenord", 0, 1}});
  auto c = st_->search_counts();
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].query, "lösenord");
  EXPECT_EQ(c[0].count, 7);
  EXPECT_EQ(c[0].hits, 3);
  EXPECT_EQ(c[1].query, "upphandling");
  EXPECT_EQ(c[2].day, "2026-12-01");
  EXPECT_EQ(c[2].hits, 0);
}

TEST_P(StoreConformance, HostileTextIsStoredVerbatim) {
  guide_.resources[0].title = "Robert'); DROP TABLE resources;-- \"å\" \\ %";
  st_->publish(guide_, "test", "", "2026-11-30T00:00:00Z");
  EXPECT_EQ(st_->load_published().find_resource(guide_.resources[0].slug)->title, guide_.resources[0].title);
}

TEST_P(StoreConformance, PublishCreatesRevisionsAndEmptiesTheDraft) {
  EXPECT_FALSE(st_->load_draft().has_value());
  content::guide changed = guide_;
  changed.resources[0].title = "Ändrad titel";
  st_->save_draft(changed, "anna", "2026-11-30T10:00:00Z");
  auto d = st_->load_draft();
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->updated_by, "anna");
  EXPECT_EQ(d->updated_at, "2026-11-30T10:00:00Z");
  EXPECT_EQ(content::write_pack(d->guide), content::write_pack(changed));
  EXPECT_FALSE(st_->has_content());  // a draft is not published

  std::int64_t r1 = st_->publish(guide_, "anna", "första", "2026-11-30T10:01:00Z");
  EXPECT_FALSE(st_->load_draft().has_value());
  std::int64_t r2 = st_->publish(changed, "bo", "andra", "2026-11-30T10:02:00Z");
  EXPECT_GT(r2, r1);
  auto revs = st_->revisions();
  ASSERT_EQ(revs.size(), 2u);
  EXPECT_EQ(revs[0].id, r2);
  EXPECT_EQ(revs[0].author, "bo");
  EXPECT_EQ(revs[0].message, "andra");
  EXPECT_EQ(revs[1].created_at, "2026-11-30T10:01:00Z");
  EXPECT_EQ(content::write_pack(*st_->revision(r1)), content::write_pack(guide_));
  EXPECT_FALSE(st_->revision(9999).has_value());
  st_->save_draft(changed, "anna", "2026-11-30T10:03:00Z");
  st_->discard_draft();
  EXPECT_FALSE(st_->load_draft().has_value());
}

TEST_P(StoreConformance, UsersAreUniqueByNameAndUpdatable) {
  user u{0, "anna", "editor", "$argon2id$x", false, "2026-11-30T10:00:00Z"};
  EXPECT_TRUE(st_->add_user(u));
  EXPECT_FALSE(st_->add_user(u));
  auto found = st_->find_user("anna");
  ASSERT_TRUE(found.has_value());
  EXPECT_GT(found->id, 0);
  EXPECT_EQ(found->role, "editor");
  found->role = "admin";
  found->disabled = true;
  EXPECT_TRUE(st_->update_user(*found));
  EXPECT_TRUE(st_->find_user_by_id(found->id)->disabled);
  EXPECT_EQ(st_->users().size(), 1u);
  EXPECT_FALSE(st_->find_user("bo").has_value());
  EXPECT_FALSE(st_->update_user(user{0, "bo", "editor", "", false, ""}));
}

TEST_P(StoreConformance, SessionsAreFoundByHashAndExpire) {
  user u{0, "anna", "editor", "h", false, "t"};
  ASSERT_TRUE(st_->add_user(u));
  auto id = st_->find_user("anna")->id;
  st_->add_session({"hash1", id, "csrf1", 1000, 1000});
  st_->add_session({"hash2", id, "csrf2", 1000, 1000});
  st_->touch_session("hash1", 2000);
  EXPECT_EQ(st_->find_session("hash1")->last_seen_at, 2000);
  EXPECT_EQ(st_->find_session("hash1")->csrf_token, "csrf1");
  st_->delete_expired_sessions(0, 1500);
  EXPECT_TRUE(st_->find_session("hash1").has_value());
  EXPECT_FALSE(st_->find_session("hash2").has_value());
  st_->delete_sessions_of(id);
  EXPECT_FALSE(st_->find_session("hash1").has_value());
}

TEST_P(StoreConformance, LoginChecksAreAdmittedUpToTheLimitPerAccountAndWindow) {
  // limit 3 per window of 100 s
  EXPECT_EQ(st_->admit_login_check("anna", 1000, 900, 3), 0);
  EXPECT_EQ(st_->admit_login_check("anna", 1010, 910, 3), 0);
  EXPECT_EQ(st_->admit_login_check("bo", 1015, 915, 3), 0);  // another account has its own count
  EXPECT_EQ(st_->admit_login_check("anna", 1020, 920, 3), 0);
  EXPECT_EQ(st_->admit_login_check("anna", 1030, 930, 3), 1000);  // full: the oldest counted is at 1000
  EXPECT_EQ(st_->admit_login_check("anna", 1099, 999, 3), 1000);  // refused checks are not recorded
  EXPECT_EQ(st_->admit_login_check("anna", 1100, 1000, 3), 0);    // the check at 1000 left the window
  EXPECT_EQ(st_->admit_login_check("anna", 1101, 1001, 3), 1010);
  EXPECT_EQ(st_->admit_login_check("bo", 1102, 1002, 3), 0);
}

// cyberguide migrate: what this backend exports, every backend imports whole, and exports again the same
// (rows compared as sets: a table's order is the reading query's business); then refuses a second import.
TEST_P(StoreConformance, ExportedTablesImportIntoEveryBackendUnchanged) {
  st_->publish(guide_, "anna", "Första", "2026-11-30T00:00:00Z");
  content::guide next = guide_;
  next.resources.pop_back();  // removed: kept with its counts, marked removed
  st_->add_link_clicks({{guide_.resources.back().slug, "2026-11-30", 4, "www.mcf.se"}});
  st_->publish(next, "bo", "Andra", "2026-11-30T01:00:00Z");
  st_->save_draft(guide_, "anna", "2026-11-30T02:00:00Z");
  ASSERT_TRUE(st_->add_user({0, "anna", "admin", "$argon2id$x", false, "2026-11-30T00:00:00Z"}));
  ASSERT_TRUE(st_->add_user({0, "bo", "editor", "$argon2id$y", true, "2026-11-30T00:00:00Z"}));
  st_->add_session({"hash", 1, "csrf", 1, 1});
  st_->add_audit({0, "2026-11-30T00:00:00Z", "anna", "publish", "Första"});
  st_->add_page_views({{"/", "2026-11-30", 3}});
  st_->add_search_counts({{"2026-11-30", "incident", 7, 2}});
  const auto exported = st_->export_tables();
  ASSERT_EQ(exported.size(), migrated_tables().size());
  auto sorted = [](std::vector<table_data> ts) {
    for (auto& t : ts) std::sort(t.rows.begin(), t.rows.end());
    return ts;
  };
  for (const auto& target : backends()) {
    fs::path dir = fs::temp_directory_path() / ("cg-import-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir);
    {
      auto other = target.open(dir);
      other->import_tables(exported);
      auto back = sorted(other->export_tables());
      auto want = sorted(exported);
      for (std::size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(back[i].columns, want[i].columns) << target.name << " " << want[i].name;
        EXPECT_EQ(back[i].rows, want[i].rows) << target.name << " " << want[i].name;
      }
      EXPECT_EQ(content::write_pack(other->load_published()), content::write_pack(st_->load_published()));
      EXPECT_EQ(other->content_version(), st_->content_version());
      EXPECT_FALSE(other->find_session("hash"));  // logins do not move
      ASSERT_TRUE(other->find_user("bo"));
      EXPECT_TRUE(other->find_user("bo")->disabled);
      // New rows after the copied ones: sequences continue after the copied ids.
      EXPECT_TRUE(other->add_user({0, "cilla", "editor", "$argon2id$z", false, "2026-11-30T00:00:00Z"}));
      EXPECT_GT(other->find_user("cilla")->id, other->find_user("bo")->id);
      EXPECT_THROW(other->import_tables(exported), store_error);
    }
    target.cleanup(dir);
    fs::remove_all(dir);
  }
}

TEST_P(StoreConformance, AuditLogIsNewestFirst) {
  st_->add_audit({0, "2026-11-30T10:00:00Z", "anna", "login", ""});
  st_->add_audit({0, "2026-11-30T10:01:00Z", "anna", "edit", "resurs disa"});
  auto log = st_->audit_log(10);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].action, "edit");
  EXPECT_EQ(log[0].detail, "resurs disa");
  EXPECT_EQ(log[1].action, "login");
  EXPECT_EQ(st_->audit_log(1).size(), 1u);
}

TEST_P(StoreConformance, ChangesWriteTheirAuditEntriesInTheSameTransaction) {
  content::guide changed = guide_;
  changed.resources[0].title = "Med logg";
  st_->save_draft(changed, "anna", "2026-11-30T10:00:00Z", {{0, "2026-11-30T10:00:00Z", "anna", "edit", "ändrade"}});
  std::int64_t id = st_->publish(changed, "anna", "med logg", "2026-11-30T10:01:00Z",
                                 {{0, "2026-11-30T10:01:00Z", "anna", "discard", "utkast"},
                                  {0, "2026-11-30T10:01:00Z", "anna", "publish", "version {revision}"}});
  st_->save_draft(changed, "anna", "2026-11-30T10:02:00Z");
  st_->discard_draft({{0, "2026-11-30T10:03:00Z", "anna", "discard", ""}});
  EXPECT_FALSE(st_->load_draft().has_value());
  auto log = st_->audit_log(10);
  ASSERT_EQ(log.size(), 4u);
  EXPECT_EQ(log[0].action, "discard");
  EXPECT_EQ(log[1].action, "publish");
  EXPECT_EQ(log[1].detail, "version " + std::to_string(id));
  EXPECT_EQ(log[2].detail, "utkast");
  EXPECT_EQ(log[3].action, "edit");
  // A publish that fails writes no audit entry either.
  content::guide broken = changed;
  broken.resources.back().publisher = "finns-inte";
  EXPECT_THROW(st_->publish(broken, "anna", "trasig", "2026-11-30T10:04:00Z",
                            {{0, "2026-11-30T10:04:00Z", "anna", "publish", "version {revision}"}}),
               store_error);
  EXPECT_EQ(st_->audit_log(10).size(), 4u);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformance, ::testing::ValuesIn(backends()),
                         [](const ::testing::TestParamInfo<backend>& p) { return p.param.name; });

TEST(SqliteStore, MigratesClickCountsOfAnOlderSchemaKeepingThem) {
  fs::path dir = fs::temp_directory_path() / ("cg-sqlite-" + std::to_string(std::random_device{}()));
  fs::create_directories(dir);
  std::string path = (dir / "db.sqlite").string();
  {
    // A database as schema version 3 left it, with one resource and its clicks.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    std::string sql = "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);";
    for (int v = 0; v < 3; ++v)
      sql += sqlite_migrations()[static_cast<std::size_t>(v)] + "INSERT INTO schema_migrations VALUES (" +
             std::to_string(v + 1) + ", 'x');";
    sql +=
        "INSERT INTO publishers(id, slug, short_name, name, home_page, position) VALUES (1, 'p', 'P', 'P', "
        "'https://p.se/', 0);"
        "INSERT INTO resources(id, slug, title, publisher_id, url) VALUES (1, 'r', 'R', 1, 'https://p.se/r');"
        "INSERT INTO link_clicks(resource_id, day, count) VALUES (1, '2026-11-29', 5);";
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    sqlite3_close(db);
  }
  auto st = open_sqlite(path);
  auto c = st->link_clicks();
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].resource_slug, "r");
  EXPECT_EQ(c[0].count, 5);
  EXPECT_EQ(c[0].host, "");
  st.reset();
  fs::remove_all(dir);
}

TEST(SqliteStore, UsesWalAndRefusesANewerSchema) {
  fs::path dir = fs::temp_directory_path() / ("cg-sqlite-" + std::to_string(std::random_device{}()));
  fs::create_directories(dir);
  std::string path = (dir / "db.sqlite").string();
  { auto st = open_sqlite(path); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)), "wal");
  sqlite3_finalize(s);
  // Pretend a newer program migrated it further: this one must refuse rather than guess.
  ASSERT_EQ(sqlite3_exec(db, "INSERT INTO schema_migrations VALUES (999, 'later')", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  try {
    open_sqlite(path);
    ADD_FAILURE() << "a newer schema was accepted";
  } catch (const store_error& e) {
    EXPECT_NE(std::string(e.what()).find("schemaversion 999"), std::string::npos) << e.what();
  }
  EXPECT_THROW(open("postgresql://localhost/x"), store_error);
  EXPECT_THROW(open_sqlite((dir / "missing-dir" / "x.db").string()), store_error);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cg::store
