// cyberguide: the command line. Parses flags, resolves the configuration, runs a command.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "app/commands.hpp"
#include "app/config.hpp"

namespace {

std::string flag_name(const char* key) {
  std::string f = "--";
  for (const char* p = key; *p; ++p) f += *p == '_' ? '-' : *p;
  return f;
}

struct cli_settings {
  std::map<std::string, std::string> values;
  std::map<std::string, CLI::Option*> options;
  std::string config_file;
};

// Adds every setting (or only those named) to a subcommand.
void add_settings(CLI::App* cmd, cli_settings& s, std::initializer_list<const char*> only = {}) {
  for (const auto& st : cg::app::settings()) {
    bool wanted = only.size() == 0;
    for (const char* k : only) wanted = wanted || std::string(k) == st.key;
    if (!wanted) continue;
    std::string help = std::string(st.help) + " [env " + st.env + "]";
    if (*st.def) help += " (default: " + std::string(st.def) + ")";
    s.options[st.key] = cmd->add_option(flag_name(st.key), s.values[st.key], help);
  }
  cmd->add_option("--config", s.config_file, "TOML file with settings (flags and environment win)")
      ->check(CLI::ExistingFile);
}

cg::result<cg::app::config> resolve(const cli_settings& s) {
  std::map<std::string, std::string> flags;
  for (const auto& [k, opt] : s.options)
    if (opt->count() > 0) flags[k] = s.values.at(k);
  std::string text;
  if (!s.config_file.empty()) {
    std::ifstream in(s.config_file);
    std::ostringstream o;
    o << in.rdbuf();
    text = o.str();
  }
  auto env = [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
  return cg::app::resolve(flags, env, text, s.config_file.empty() ? "config" : s.config_file);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "cyberguide serves a curated, levelled guide of information- and cyber-security support:\n"
      "a fast public site for readers, statistics of its reach, an embedded database.\n"
      "Settings: flags first, then CYBERGUIDE_* environment variables, then the --config TOML file."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "cyberguide 0.1.0");

  cli_settings serve_s, import_s, export_s, uadd_s, upass_s, ulist_s, udis_s, backup_s, restore_s;
  CLI::App* serve = app.add_subcommand("serve", "Serve the guide over HTTP (stops cleanly on SIGTERM/SIGINT)");
  add_settings(serve, serve_s);

  CLI::App* content = app.add_subcommand("content", "Import, export or check the guide as plain TOML files");
  content->require_subcommand(1);
  std::string import_dir, export_dir, check_dir;
  bool import_publish = false;
  CLI::App* imp = content->add_subcommand("import", "Store the content pack in DIR as the draft (or publish it)");
  imp->add_option("DIR", import_dir, "content pack folder")->required();
  imp->add_flag("--publish", import_publish, "publish at once instead of storing a draft");
  add_settings(imp, import_s, {"data", "database"});
  CLI::App* exp = content->add_subcommand("export", "Write the published guide as a content pack into DIR");
  exp->add_option("DIR", export_dir, "target folder (created if missing)")->required();
  add_settings(exp, export_s, {"data", "database"});
  CLI::App* chk = content->add_subcommand("check", "Check the content pack in DIR without changing anything");
  chk->add_option("DIR", check_dir, "content pack folder")->required();

  CLI::App* user = app.add_subcommand("user", "Manage editor accounts");
  user->require_subcommand(1);
  std::string user_name, user_role;
  bool password_stdin = false;
  CLI::App* uadd = user->add_subcommand("add", "Create an account");
  uadd->add_option("NAME", user_name, "account name (a-z 0-9 . _ -)")->required();
  uadd->add_option("--role", user_role, "admin or editor")->required()->check(CLI::IsMember({"admin", "editor"}));
  uadd->add_flag("--password-stdin", password_stdin, "read the password from standard input (one line)");
  CLI::App* upass = user->add_subcommand("passwd", "Set a new password (read from standard input)");
  upass->add_option("NAME", user_name, "account name")->required();
  CLI::App* ulist = user->add_subcommand("list", "List the accounts");
  CLI::App* udis = user->add_subcommand("disable", "Disable an account and end its sessions");
  udis->add_option("NAME", user_name, "account name")->required();
  add_settings(uadd, uadd_s, {"data", "database"});
  add_settings(upass, upass_s, {"data", "database"});
  add_settings(ulist, ulist_s, {"data", "database"});
  add_settings(udis, udis_s, {"data", "database"});

  CLI::App* mig = app.add_subcommand(
      "migrate", "Copy a whole guide (content, history, accounts, audit log, statistics) into an empty database");
  std::string migrate_from, migrate_to;
  mig->add_option("--from", migrate_from, "source, e.g. sqlite:/var/lib/cyberguide/cyberguide.db")->required();
  mig->add_option("--to", migrate_to, "target, e.g. postgresql://cyberguide@db/cyberguide (must be empty)")->required();

  std::string backup_file, restore_file;
  CLI::App* bak = app.add_subcommand("backup", "Copy the whole database into a new SQLite FILE while the site runs");
  bak->add_option("FILE", backup_file, "the copy to make (must not exist)")->required();
  add_settings(bak, backup_s, {"data", "database"});
  CLI::App* res = app.add_subcommand("restore", "Bring back a backup made by `backup` (stop the server first)");
  res->add_option("FILE", restore_file, "the backup")->required();
  add_settings(res, restore_s, {"data", "database"});

  CLI11_PARSE(app, argc, argv);

  auto run = [](const cli_settings& s, auto&& f) -> int {
    auto c = resolve(s);
    if (!c) {
      std::cerr << "cyberguide: " << c.message() << "\n";
      return 2;
    }
    return f(*c);
  };
  if (serve->parsed()) return run(serve_s, [](const cg::app::config& c) { return cg::app::serve(c); });
  if (imp->parsed())
    return run(import_s,
               [&](const cg::app::config& c) { return cg::app::content_import(c, import_dir, import_publish); });
  if (uadd->parsed())
    return run(uadd_s,
               [&](const cg::app::config& c) { return cg::app::user_add(c, user_name, user_role, password_stdin); });
  if (upass->parsed())
    return run(upass_s, [&](const cg::app::config& c) { return cg::app::user_passwd(c, user_name); });
  if (ulist->parsed()) return run(ulist_s, [&](const cg::app::config& c) { return cg::app::user_list(c); });
  if (udis->parsed()) return run(udis_s, [&](const cg::app::config& c) { return cg::app::user_disable(c, user_name); });
  if (exp->parsed())
    return run(export_s, [&](const cg::app::config& c) { return cg::app::content_export(c, export_dir); });
  if (chk->parsed()) return cg::app::content_check(check_dir);
  if (mig->parsed()) return cg::app::migrate(migrate_from, migrate_to);
  if (bak->parsed()) return run(backup_s, [&](const cg::app::config& c) { return cg::app::backup(c, backup_file); });
  if (res->parsed()) return run(restore_s, [&](const cg::app::config& c) { return cg::app::restore(c, restore_file); });
  return 2;
}
