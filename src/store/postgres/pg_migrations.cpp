#include "store/postgres/pg_migrations.hpp"

namespace cg::store {

const std::vector<std::string>& postgres_migrations() {
  // Version 1 is the schema the SQLite migrations 1-4 end with (same tables, columns, keys and checks),
  // made at once because no PostgreSQL database predates it. Integers are BIGINT like SQLite's 64-bit
  // INTEGER; the ids SQLite assigns as rowids are BIGSERIAL; flags are BOOLEAN. Text that is ordered or
  // compared by range (slugs, days, queries, paths, hosts, user names) is COLLATE "C" so that it sorts
  // byte-wise like SQLite's BINARY collation whatever locale the database was created with; the queries
  // say COLLATE "C" in their ORDER BY as well.
  static const std::vector<std::string> kMigrations = {
      // 1: the published guide, link counts, drafts, revisions, accounts, sessions, audit log, searches
      // and page views.
      R"sql(
CREATE TABLE site_texts (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE owner_domains (
  domain   TEXT PRIMARY KEY,
  position BIGINT NOT NULL
);
CREATE TABLE levels (
  id         BIGSERIAL PRIMARY KEY,
  slug       TEXT COLLATE "C" NOT NULL UNIQUE,
  name       TEXT NOT NULL,
  audience   TEXT NOT NULL DEFAULT '',
  position   BIGINT NOT NULL,
  removed_at TEXT
);
CREATE TABLE publishers (
  id         BIGSERIAL PRIMARY KEY,
  slug       TEXT COLLATE "C" NOT NULL UNIQUE,
  short_name TEXT NOT NULL,
  name       TEXT NOT NULL,
  home_page  TEXT NOT NULL DEFAULT '',
  position   BIGINT NOT NULL,
  removed_at TEXT
);
CREATE TABLE publisher_former_names (
  publisher_id BIGINT NOT NULL REFERENCES publishers(id),
  position     BIGINT NOT NULL,
  name         TEXT NOT NULL,
  PRIMARY KEY (publisher_id, position)
);
CREATE TABLE categories (
  id         BIGSERIAL PRIMARY KEY,
  slug       TEXT COLLATE "C" NOT NULL UNIQUE,
  name       TEXT NOT NULL,
  summary    TEXT NOT NULL DEFAULT '',
  intro      TEXT NOT NULL DEFAULT '',
  position   BIGINT NOT NULL,
  removed_at TEXT
);
CREATE TABLE category_levels (
  category_id BIGINT NOT NULL REFERENCES categories(id),
  level_id    BIGINT NOT NULL REFERENCES levels(id),
  position    BIGINT NOT NULL,
  PRIMARY KEY (category_id, level_id)
);
CREATE TABLE resources (
  id               BIGSERIAL PRIMARY KEY,
  slug             TEXT COLLATE "C" NOT NULL UNIQUE,
  title            TEXT NOT NULL,
  publisher_id     BIGINT NOT NULL REFERENCES publishers(id),
  category_id      BIGINT REFERENCES categories(id),
  level_id         BIGINT REFERENCES levels(id),
  position         BIGINT NOT NULL DEFAULT 0,
  url              TEXT NOT NULL,
  url_is_home_page BOOLEAN NOT NULL DEFAULT FALSE,
  cost             TEXT NOT NULL DEFAULT 'unknown' CHECK (cost IN ('free', 'paid', 'unknown')),
  format           TEXT NOT NULL DEFAULT '',
  year             BIGINT,
  description      TEXT NOT NULL DEFAULT '',
  editor_note      TEXT NOT NULL DEFAULT '',
  removed_at       TEXT
);
CREATE TABLE start_picks (
  position    BIGINT PRIMARY KEY,
  resource_id BIGINT NOT NULL REFERENCES resources(id),
  text        TEXT NOT NULL DEFAULT ''
);
CREATE TABLE callouts (
  id       BIGSERIAL PRIMARY KEY,
  page     TEXT NOT NULL,
  title    TEXT NOT NULL DEFAULT '',
  text     TEXT NOT NULL,
  position BIGINT NOT NULL
);
CREATE TABLE content_state (
  id      BIGINT PRIMARY KEY CHECK (id = 1),
  version BIGINT NOT NULL
);
INSERT INTO content_state(id, version) VALUES (1, 0);
CREATE TABLE link_clicks (
  resource_id BIGINT NOT NULL REFERENCES resources(id),
  day         TEXT COLLATE "C" NOT NULL,
  host        TEXT COLLATE "C" NOT NULL DEFAULT '',
  count       BIGINT NOT NULL CHECK (count >= 0),
  PRIMARY KEY (resource_id, day, host)
);
CREATE INDEX link_clicks_day ON link_clicks(day);
CREATE TABLE revisions (
  id         BIGSERIAL PRIMARY KEY,
  created_at TEXT NOT NULL,
  author     TEXT NOT NULL,
  message    TEXT NOT NULL DEFAULT '',
  document   TEXT NOT NULL
);
CREATE TABLE draft (
  id         BIGINT PRIMARY KEY CHECK (id = 1),
  document   TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL
);
CREATE TABLE users (
  id            BIGSERIAL PRIMARY KEY,
  name          TEXT COLLATE "C" NOT NULL UNIQUE,
  role          TEXT NOT NULL CHECK (role IN ('admin', 'editor')),
  password_hash TEXT NOT NULL,
  disabled      BOOLEAN NOT NULL DEFAULT FALSE,
  created_at    TEXT NOT NULL
);
CREATE TABLE sessions (
  id_hash      TEXT PRIMARY KEY,
  user_id      BIGINT NOT NULL REFERENCES users(id),
  csrf_token   TEXT NOT NULL,
  created_at   BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE audit_log (
  id     BIGSERIAL PRIMARY KEY,
  at     TEXT NOT NULL,
  actor  TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
);
CREATE TABLE search_counts (
  day   TEXT COLLATE "C" NOT NULL,
  query TEXT COLLATE "C" NOT NULL,
  hits  BIGINT NOT NULL,
  count BIGINT NOT NULL CHECK (count >= 0),
  PRIMARY KEY (day, query)
);
CREATE TABLE page_views (
  day   TEXT COLLATE "C" NOT NULL,
  path  TEXT COLLATE "C" NOT NULL,
  count BIGINT NOT NULL CHECK (count >= 0),
  PRIMARY KEY (day, path)
);
)sql",
      // 2: password checks per account (login throttling that holds for every instance).
      R"sql(
CREATE TABLE login_checks (
  account TEXT COLLATE "C" NOT NULL,
  at      BIGINT NOT NULL
);
CREATE INDEX login_checks_account ON login_checks(account, at);
CREATE INDEX login_checks_at ON login_checks(at);
)sql",
  };
  return kMigrations;
}

}  // namespace cg::store
