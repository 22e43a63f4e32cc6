#include "app/commands.hpp"

#include <pthread.h>
#include <signal.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "admin/admin.hpp"
#include "app/refresher.hpp"
#include "auth/auth.hpp"
#include "content/pack.hpp"
#include "http/server.hpp"
#include "render/render.hpp"
#include "site/headers.hpp"
#include "site/reader.hpp"
#include "stats/counters.hpp"
#include "store/store.hpp"
#include "util/clock.hpp"
#include "util/log.hpp"

namespace cg::app {
namespace {

std::unique_ptr<store::store> open_store(const config& c) {
  if (c.database.rfind("sqlite:", 0) == 0) {
    std::error_code ec;
    std::filesystem::create_directories(c.data, ec);
    if (ec) throw store::store_error("Kan inte skapa datamappen " + c.data + ": " + ec.message());
  }
  return store::open(c.database);
}

std::string now_iso() {
  return iso_utc(std::chrono::system_clock::now());
}

log::level parse_level(const std::string& s) {
  if (s == "debug") return log::level::debug;
  if (s == "warn") return log::level::warn;
  if (s == "error") return log::level::error;
  return log::level::info;
}

// Fills an empty store with the configured content pack (or the built-in guide).
bool ensure_content(store::store& st, const config& c) {
  if (st.has_content()) return true;
  auto g = c.content.empty() ? content::load_guide(content::default_pack()) : content::load_guide(c.content);
  if (!g) {
    log::error("the content pack cannot be loaded",
               {{"content", c.content.empty() ? "built-in" : c.content}, {"problems", g.message()}});
    std::cerr << g.message() << "\n";
    return false;
  }
  st.publish(*g, "cyberguide",
             "Första publiceringen: innehållspaketet " +
                 (c.content.empty() ? std::string("som följer med programmet") : c.content),
             now_iso());
  log::info("database filled with the content pack", {{"content", c.content.empty() ? "built-in" : c.content},
                                                      {"resources", std::to_string(g->resources.size())}});
  return true;
}

}  // namespace

int serve(const config& c) {
  log::set_level(parse_level(c.log_level));
  log::set_access_log(c.access_log);

  // Signals are taken by one thread with sigwait; block them before any other thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  std::unique_ptr<store::store> st;
  try {
    st = open_store(c);
    if (!ensure_content(*st, c)) return 1;
  } catch (const std::exception& e) {
    log::error("cannot open the database", {{"error", e.what()}});
    std::cerr << "cyberguide: " << e.what() << "\n";
    return 1;
  }

  site::snapshot_holder holder;
  snapshot_refresher refresher(*st, holder);
  if (!refresher.refresh_if_changed() || !holder.current()) {
    std::cerr << "cyberguide: the published guide cannot be served (see the log)\n";
    return 1;
  }
  refresher.start(std::chrono::milliseconds(c.poll_interval_ms));

  system_clock_source clock;
  // Counts per Swedish day, buffered in memory and written at most flush_interval_ms apart and at
  // shutdown. Keys hold several fields separated by \x1f (which no slug, host or path contains).
  auto split = [](const std::string& key) {
    auto sep = key.rfind('\x1f');
    return std::make_pair(key.substr(0, sep), key.substr(sep + 1));
  };
  stats::daily_counter counter(
      [&st, &split](const std::vector<stats::daily_count>& rows) {
        std::vector<store::link_click> out;
        for (const auto& r : rows) {
          auto [slug, host] = split(r.key);
          out.push_back({slug, r.day, r.count, host});
        }
        return st->add_link_clicks(out);
      },
      clock);
  counter.start(std::chrono::milliseconds(c.flush_interval_ms));
  stats::daily_counter searches(
      [&st, &split](const std::vector<stats::daily_count>& rows) -> std::int64_t {
        std::vector<store::search_count> out;
        for (const auto& r : rows) {
          auto [query, hits] = split(r.key);
          out.push_back({r.day, query, std::stoll(hits), r.count});
        }
        st->add_search_counts(out);
        return 0;
      },
      clock);
  searches.start(std::chrono::milliseconds(c.flush_interval_ms));
  stats::daily_counter views(
      [&st](const std::vector<stats::daily_count>& rows) -> std::int64_t {
        std::vector<store::page_view> out;
        for (const auto& r : rows) out.push_back({r.key, r.day, r.count});
        st->add_page_views(out);
        return 0;
      },
      clock);
  views.start(std::chrono::milliseconds(c.flush_interval_ms));
  site::reader_site reader(
      holder,
      site::sinks{
          [&counter](const std::string& slug, const std::string& host) { counter.count(slug + '\x1f' + host); },
          [&searches](const std::string& query, std::size_t hits) {
            searches.count(query + '\x1f' + std::to_string(hits));
          },
          [&views](const std::string& path) { views.count(path); },
          [&refresher] { return refresher.database_available(); },
          [&counter, &searches, &views] { return counter.dropped() + searches.dropped() + views.dropped(); },
          [&counter, &searches, &views] { return counter.failing() || searches.failing() || views.failing(); }});
  admin::options aopt;
  aopt.secure = c.secure();
  if (!c.public_url.empty()) {
    // The origin: scheme://host[:port] of the public address.
    auto p = c.public_url.find('/', c.public_url.find("://") + 3);
    aopt.public_origin = c.public_url.substr(0, p);
    // The default port is never part of a browser's Origin.
    for (const char* suffix : {":443", ":80"}) {
      std::string_view o = aopt.public_origin, sfx = suffix;
      if (o.size() > sfx.size() && o.substr(o.size() - sfx.size()) == sfx &&
          (sfx == ":443") == (o.rfind("https://", 0) == 0))
        aopt.public_origin.resize(o.size() - sfx.size());
    }
  }
  aopt.trust_forwarded_for = c.trust_forwarded_for;
  aopt.idle_timeout = std::chrono::minutes(c.session_idle_minutes);
  aopt.absolute_timeout = std::chrono::hours(c.session_max_hours);
  admin::admin_site admin_area(*st, clock, aopt, [&refresher] { refresher.refresh_if_changed(); });
  if (st->users().empty())
    log::warn("no editor account exists yet; create one with: cyberguide user add NAME --role admin --password-stdin",
              {{"data", c.data}});
  if (!c.secure())
    log::info(
        "editor sessions use a plain-HTTP cookie without Secure (development mode); set public_url to https://… "
        "behind TLS in production");
  http::server_options opt;
  opt.address = c.listen;
  opt.port = c.port;
  opt.threads = c.threads;
  opt.read_timeout = std::chrono::milliseconds(c.read_timeout_ms);
  opt.idle_timeout = std::chrono::milliseconds(c.idle_timeout_ms);
  opt.max_connections = c.max_connections;
  opt.max_connections_per_ip = c.max_connections_per_ip;
  opt.secure = c.secure();
  opt.common_headers = site::security_headers(c.secure());
  // For the black-box tests of the 500 page only: CYBERGUIDE_FAULT_INJECTION=1 makes /__fault throw.
  const char* fault_env = std::getenv("CYBERGUIDE_FAULT_INJECTION");
  const bool fault_injection = fault_env && std::string_view(fault_env) == "1";
  if (fault_injection) log::warn("fault injection is on: GET /__fault answers 500 (tests only)");
  http::server server(opt, [&reader, &admin_area, fault_injection](const http::request& r) {
    if (fault_injection && r.path == "/__fault")
      throw std::runtime_error("injected fault: sqlite3_step failed at /var/lib/cyberguide/cyberguide.db");
    if (r.path == "/admin" || r.path.rfind("/admin/", 0) == 0) return admin_area.handle(r);
    return reader.handle(r);
  });
  try {
    server.listen();
  } catch (const std::exception& e) {
    log::error("cannot listen", {{"error", e.what()}});
    std::cerr << "cyberguide: " << e.what() << "\n";
    refresher.stop();
    counter.stop();
    searches.stop();
    views.stop();
    return 1;
  }
  std::string host = c.listen.find(':') != std::string::npos ? "[" + c.listen + "]" : c.listen;
  log::info("listening on http://" + host + ":" + std::to_string(server.port()),
            {{"database", st->describe()},
             {"threads", std::to_string(c.threads)},
             {"max_connections", std::to_string(server.max_connections())},
             {"max_connections_per_ip", std::to_string(c.max_connections_per_ip)}});
  if (!c.secure())
    log::info("serving plain HTTP: put a TLS proxy in front and set public_url to https://… in production");

  std::thread signal_thread([&server, signals] {
    int sig = 0;
    sigwait(&signals, &sig);
    log::info("signal received: stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
    server.stop();
  });
  signal_thread.detach();

  server.run();
  refresher.stop();
  counter.stop();
  searches.stop();
  views.stop();
  std::int64_t pending = counter.pending() + searches.pending() + views.pending();
  log::info("stopped", {{"links_counted", std::to_string(counter.total_counted())},
                        {"page_views_counted", std::to_string(views.total_counted())},
                        {"pending", std::to_string(pending)}});
  return pending == 0 ? 0 : 1;
}

int content_import(const config& c, const std::string& dir, bool publish) {
  auto g = content::load_guide(dir);
  if (!g) {
    std::cerr << g.message() << "\n";
    return 1;
  }
  try {
    auto st = open_store(c);
    if (publish) {
      auto id = st->publish(*g, "cyberguide", "Importerat från " + dir, now_iso());
      st->add_audit({0, now_iso(), "cyberguide", "import", dir + " publicerat som version " + std::to_string(id)});
      std::cout << "Publicerade " << g->resources.size() << " resurser från " << dir << " som version " << id
                << ".\nEn körande cyberguide serve visar det nya innehållet inom några sekunder.\n";
    } else {
      st->save_draft(*g, "cyberguide", now_iso());
      st->add_audit({0, now_iso(), "cyberguide", "import", dir + " som utkast"});
      std::cout << "Importerade " << g->resources.size() << " resurser från " << dir
                << " som ett utkast. Granska och publicera det under /admin/utkast, eller kör om med --publish.\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "cyberguide: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

namespace {
std::string read_password_stdin() {
  std::string pw;
  std::getline(std::cin, pw);
  if (!pw.empty() && pw.back() == '\r') pw.pop_back();
  return pw;
}
}  // namespace

int user_add(const config& c, const std::string& name, const std::string& role, bool password_stdin) {
  auth::init();
  if (!auth::is_valid_username(name)) {
    std::cerr << "Ogiltigt användarnamn: använd 2–64 tecken a–z, 0–9, punkt, understreck och bindestreck.\n";
    return 2;
  }
  if (role != "admin" && role != "editor") {
    std::cerr << "Rollen ska vara admin eller editor.\n";
    return 2;
  }
  if (!password_stdin) std::cerr << "Skriv lösenordet (minst 12 tecken) och tryck Enter:\n";
  std::string pw = read_password_stdin();
  if (auto p = auth::password_problem(pw)) {
    std::cerr << *p << "\n";
    return 2;
  }
  try {
    auto st = open_store(c);
    if (!st->add_user({0, name, role, auth::hash_password(pw), false, now_iso()})) {
      std::cerr << "Det finns redan ett konto som heter " << name << ".\n";
      return 1;
    }
    st->add_audit({0, now_iso(), "cyberguide", "user_add", name + " (" + role + ")"});
    std::cout << "Kontot " << name << " (" << role << ") är skapat.\n";
  } catch (const std::exception& e) {
    std::cerr << "cyberguide: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

namespace {
// Opens the store and runs f with it; a failure of the database is reported and gives exit code 1.
template <typename F>
int with_store(const config& c, F&& f) {
  try {
    auto st = open_store(c);
    return f(*st);
  } catch (const std::exception& e) {
    std::cerr << "cyberguide: " << e.what() << "\n";
    return 1;
  }
}

// Changes one account, ends its sessions and records the change in the audit log.
template <typename F>
int change_user(const config& c, const std::string& name, const char* action, F&& change, const std::string& done) {
  return with_store(c, [&](store::store& st) {
    auto u = st.find_user(name);
    if (!u) {
      std::cerr << "Det finns inget konto som heter " << name << ".\n";
      return 1;
    }
    change(*u);
    st.update_user(*u);
    st.delete_sessions_of(u->id);
    st.add_audit({0, now_iso(), "cyberguide", action, name});
    std::cout << done << "\n";
    return 0;
  });
}
}  // namespace

int user_passwd(const config& c, const std::string& name) {
  auth::init();
  std::cerr << "Skriv det nya lösenordet (minst 12 tecken) och tryck Enter:\n";
  std::string pw = read_password_stdin();
  if (auto p = auth::password_problem(pw)) {
    std::cerr << *p << "\n";
    return 2;
  }
  return change_user(
      c, name, "user_passwd", [&](store::user& u) { u.password_hash = auth::hash_password(pw); },
      "Lösenordet för " + name + " är bytt. Kontots inloggningar är avslutade.");
}

int user_list(const config& c) {
  return with_store(c, [](store::store& st) {
    for (const auto& u : st.users())
      std::cout << u.name << "\t" << u.role << "\t" << (u.disabled ? "disabled" : "active") << "\t" << u.created_at
                << "\n";
    return 0;
  });
}

int user_disable(const config& c, const std::string& name) {
  return change_user(
      c, name, "user_disable", [](store::user& u) { u.disabled = true; },
      "Kontot " + name + " är stängt och dess inloggningar är avslutade.");
}

int content_export(const config& c, const std::string& dir) {
  try {
    auto st = open_store(c);
    if (!st->has_content()) {
      std::cerr << "Databasen " << st->describe() << " har inget innehåll att exportera.\n";
      return 1;
    }
    auto files = content::write_pack(st->load_published());
    auto ok = content::write_pack_dir(files, dir);
    if (!ok) {
      std::cerr << ok.message() << "\n";
      return 1;
    }
    std::cout << "Exporterade " << files.size() << " filer till " << dir << ".\n";
  } catch (const std::exception& e) {
    std::cerr << "cyberguide: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

int migrate(const std::string& from, const std::string& to) {
  try {
    if (from == to) {
      std::cerr << "cyberguide migrate: källan och målet är samma databas.\n";
      return 2;
    }
    // An SQLite source must exist: opening a missing path would make an empty database.
    if (std::string path = from.rfind("sqlite:", 0) == 0 ? from.substr(7) : from;
        from.rfind("postgres", 0) != 0 && !std::filesystem::exists(path)) {
      std::cerr << "cyberguide migrate: källdatabasen " << path << " finns inte.\n";
      return 1;
    }
    auto src = store::open(from);
    if (!src->has_content()) {
      std::cerr << "cyberguide migrate: " << src->describe() << " har inget innehåll att flytta.\n";
      return 1;
    }
    auto dst = store::open(to);
    auto tables = src->export_tables();
    dst->import_tables(tables);

    // The check: every table has as many rows in the target, and the published guide reads back the same.
    auto copied = dst->export_tables();
    bool ok = copied.size() == tables.size();
    for (std::size_t i = 0; i < tables.size() && i < copied.size(); ++i) {
      const bool same = copied[i].rows.size() == tables[i].rows.size();
      ok = ok && same;
      std::cout << "  " << tables[i].name << ": " << tables[i].rows.size() << " rader"
                << (same ? "" : ", men " + std::to_string(copied[i].rows.size()) + " i målet") << "\n";
    }
    auto checksum = [](store::store& st) {
      std::string all;
      for (const auto& [name, text] : content::write_pack(st.load_published())) all += name + '\0' + text + '\0';
      return auth::sha256_hex(all);
    };
    const std::string a = checksum(*src), b = checksum(*dst);
    ok = ok && a == b && src->content_version() == dst->content_version();
    std::cout << "  publicerad guide: sha256 " << a << (a == b ? " i båda" : ", men " + b + " i målet") << "\n";
    if (!ok) {
      std::cerr << "cyberguide migrate: kopian i " << dst->describe() << " stämmer inte med källan.\n";
      return 1;
    }
    std::cout << "Flyttade guiden från " << src->describe() << " till " << dst->describe()
              << " och kontrollerade kopian (inloggningar flyttas inte: alla loggar in på nytt).\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "cyberguide migrate: " << e.what() << "\n";
    return 1;
  }
}

int backup(const config& c, const std::string& file) {
  try {
    auto st = open_store(c);
    st->backup_to(file);
    std::cout << "Säkerhetskopierade " << st->describe() << " till " << file << ".\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "cyberguide backup: " << e.what() << "\n";
    return 1;
  }
}

int restore(const config& c, const std::string& file) {
  try {
    auto st = open_store(c);
    st->restore_from(file);
    std::cout << "Återställde " << st->describe() << " från " << file
              << ". Starta servern igen; den läser in den återställda guiden.\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "cyberguide restore: " << e.what() << "\n";
    return 1;
  }
}

int content_check(const std::string& dir) {
  auto g = content::load_guide(dir);
  if (!g) {
    std::cerr << g.message() << "\n";
    return 1;
  }
  std::cout << "Innehållet i " << dir << " är giltigt: " << g->resources.size() << " resurser, " << g->categories.size()
            << " kategorier, " << g->levels.size() << " nivåer.\n";
  return 0;
}

}  // namespace cg::app
