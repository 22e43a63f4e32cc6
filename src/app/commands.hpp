#pragma once
#include <string>

#include "app/config.hpp"

namespace cg::app {

// Each returns the process exit code. Messages go to stderr (errors) and the log (serve).
int serve(const config& c);
int content_import(const config& c, const std::string& dir, bool publish);
int user_add(const config& c, const std::string& name, const std::string& role, bool password_stdin);
int user_passwd(const config& c, const std::string& name);
int user_list(const config& c);
int user_disable(const config& c, const std::string& name);
int content_export(const config& c, const std::string& dir);
int content_check(const std::string& dir);
// Copies a whole guide (content, revisions, draft, accounts, audit log, statistics; not sessions) from
// one store into another that has no content yet, then checks the copy: rows per table and a checksum
// of the published guide.
int migrate(const std::string& from, const std::string& to);
// A consistent copy of the database into a new SQLite file, while the site runs.
int backup(const config& c, const std::string& file);
// Brings a backup back (the server must be stopped).
int restore(const config& c, const std::string& file);

}  // namespace cg::app
