#include "store/sqlite/migrations.hpp"

namespace cg::store {

const std::vector<std::string>& sqlite_migrations() {
  static const std::vector<std::string> kMigrations = {
      // 1: the published guide and link counts.
      R"sql(
CREATE TABLE site_texts (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE owner_domains (
  domain   TEXT PRIMARY KEY,
  position INTEGER NOT NULL
);
CREATE TABLE levels (
  id         INTEGER PRIMARY KEY,
  slug       TEXT NOT NULL UNIQUE,
  name       TEXT NOT NULL,
  audience   TEXT NOT NULL DEFAULT '',
  position   INTEGER NOT NULL,
  removed_at TEXT
);
CREATE TABLE publishers (
  id         INTEGER PRIMARY KEY,
  slug       TEXT NOT NULL UNIQUE,
  short_name TEXT NOT NULL,
  name       TEXT NOT NULL,
  home_page  TEXT NOT NULL DEFAULT '',
  position   INTEGER NOT NULL,
  removed_at TEXT
);
CREATE TABLE publisher_former_names (
  publisher_id INTEGER NOT NULL REFERENCES publishers(id),
  position     INTEGER NOT NULL,
  name         TEXT NOT NULL,
  PRIMARY KEY (publisher_id, position)
);
CREATE TABLE categories (
  id         INTEGER PRIMARY KEY,
  slug       TEXT NOT NULL UNIQUE,
  name       TEXT NOT NULL,
  summary    TEXT NOT NULL DEFAULT '',
  intro      TEXT NOT NULL DEFAULT '',
  position   INTEGER NOT NULL,
  removed_at TEXT
);
CREATE TABLE category_levels (
  category_id INTEGER NOT NULL REFERENCES categories(id),
  level_id    INTEGER NOT NULL REFERENCES levels(id),
  position    INTEGER NOT NULL,
  PRIMARY KEY (category_id, level_id)
);
CREATE TABLE resources (
  id               INTEGER PRIMARY KEY,
  slug             TEXT NOT NULL UNIQUE,
  title            TEXT NOT NULL,
  publisher_id     INTEGER NOT NULL REFERENCES publishers(id),
  category_id      INTEGER REFERENCES categories(id),
  level_id         INTEGER REFERENCES levels(id),
  position         INTEGER NOT NULL DEFAULT 0,
  url              TEXT NOT NULL,
  url_is_home_page INTEGER NOT NULL DEFAULT 0 CHECK (url_is_home_page IN (0, 1)),
  cost             TEXT NOT NULL DEFAULT 'unknown' CHECK (cost IN ('free', 'paid', 'unknown')),
  format           TEXT NOT NULL DEFAULT '',
  year             INTEGER,
  description      TEXT NOT NULL DEFAULT '',
  editor_note      TEXT NOT NULL DEFAULT '',
  removed_at       TEXT
);
CREATE TABLE start_picks (
  position    INTEGER PRIMARY KEY,
  resource_id INTEGER NOT NULL REFERENCES resources(id),
  text        TEXT NOT NULL DEFAULT ''
);
CREATE TABLE callouts (
  id       INTEGER PRIMARY KEY,
  page     TEXT NOT NULL,
  title    TEXT NOT NULL DEFAULT '',
  text     TEXT NOT NULL,
  position INTEGER NOT NULL
);
CREATE TABLE content_state (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL
);
INSERT INTO content_state(id, version) VALUES (1, 0);
CREATE TABLE link_clicks (
  resource_id INTEGER NOT NULL REFERENCES resources(id),
  day         TEXT NOT NULL,
  count       INTEGER NOT NULL CHECK (count >= 0),
  PRIMARY KEY (resource_id, day)
);
)sql",
      // 2: drafts, revisions, accounts, sessions, audit log.
      R"sql(
CREATE TABLE revisions (
  id         INTEGER PRIMARY KEY,
  created_at TEXT NOT NULL,
  author     TEXT NOT NULL,
  message    TEXT NOT NULL DEFAULT '',
  document   TEXT NOT NULL
);
CREATE TABLE draft (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  document   TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL
);
CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  role          TEXT NOT NULL CHECK (role IN ('admin', 'editor')),
  password_hash TEXT NOT NULL,
  disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at    TEXT NOT NULL
);
CREATE TABLE sessions (
  id_hash      TEXT PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users(id),
  csrf_token   TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE audit_log (
  id     INTEGER PRIMARY KEY,
  at     TEXT NOT NULL,
  actor  TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
);
)sql",
      // 3: searches per day and normalized query (no address, no cookie: nothing about the reader).
      R"sql(
CREATE TABLE search_counts (
  day   TEXT NOT NULL,
  query TEXT NOT NULL,
  hits  INTEGER NOT NULL,
  count INTEGER NOT NULL CHECK (count >= 0),
  PRIMARY KEY (day, query)
);
)sql",
      // 4: the destination host of followed links (to count the owner's domains), page views per day.
      R"sql(
CREATE TABLE link_clicks_by_host (
  resource_id INTEGER NOT NULL REFERENCES resources(id),
  day         TEXT NOT NULL,
  host        TEXT NOT NULL DEFAULT '',
  count       INTEGER NOT NULL CHECK (count >= 0),
  PRIMARY KEY (resource_id, day, host)
);
INSERT INTO link_clicks_by_host(resource_id, day, host, count) SELECT resource_id, day, '', count FROM link_clicks;
DROP TABLE link_clicks;
ALTER TABLE link_clicks_by_host RENAME TO link_clicks;
CREATE INDEX link_clicks_day ON link_clicks(day);
CREATE TABLE page_views (
  day   TEXT NOT NULL,
  path  TEXT NOT NULL,
  count INTEGER NOT NULL CHECK (count >= 0),
  PRIMARY KEY (day, path)
);
)sql",
      // 5: password checks per account (login throttling that holds for every process on the database).
      R"sql(
CREATE TABLE login_checks (
  account TEXT NOT NULL,
  at      INTEGER NOT NULL
);
CREATE INDEX login_checks_account ON login_checks(account, at);
CREATE INDEX login_checks_at ON login_checks(at);
)sql",
  };
  return kMigrations;
}

}  // namespace cg::store
