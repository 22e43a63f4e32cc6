#include "admin/admin.hpp"

#include <algorithm>
#include <charconv>
#include <kainjow/mustache.hpp>

#include "admin/editing.hpp"
#include "admin/forms.hpp"
#include "admin/statistics.hpp"
#include "content/diff.hpp"
#include "render/render.hpp"
#include "render/templates.hpp"
#include "store/document.hpp"
#include "util/calendar.hpp"
#include "util/hash.hpp"
#include "util/log.hpp"

namespace cg::admin {
namespace {

namespace mu = kainjow::mustache;
using content::guide;

constexpr const char* kPreviewPrefix = "/admin/forhandsgranska";

// What a deferred job needs of the request, copied (the server's buffers are not ours to keep).
struct owned_request {
  http::method method = http::method::other;
  std::string path, query, body, cookie, origin, sec_fetch_site, host, remote;
  bool secure = false;
};

struct signed_in {
  store::user user;
  store::session session;
};

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 1;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    std::string seg = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!seg.empty()) out.push_back(seg);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

http::response html(int status, std::string body) {
  http::response r;
  r.status = status;
  r.header("Content-Type", "text/html; charset=utf-8");
  r.header("Cache-Control", "no-store");
  r.header("X-Robots-Tag", "noindex, nofollow");
  r.owned = std::move(body);
  return r;
}

http::response see_other(const std::string& location) {
  http::response r;
  r.status = 303;
  r.header("Location", location);
  r.header("Cache-Control", "no-store");
  r.header("X-Robots-Tag", "noindex, nofollow");
  return r;
}

std::string notice_text(const std::string& code) {
  if (code == "sparat") return "Ändringen är sparad i utkastet. Publicera när du är klar.";
  if (code == "borttaget") return "Borttaget ur utkastet. Publicera när du är klar.";
  if (code == "publicerat") return "Utkastet är publicerat. Läsarna ser det nu.";
  if (code == "aterstallt") return "Versionen är återställd och publicerad.";
  if (code == "kastat") return "Utkastet är kastat.";
  if (code == "konto") return "Kontot är skapat.";
  if (code == "stangt") return "Kontot är stängt och dess inloggningar är avslutade.";
  if (code == "adresser") return "Adresserna är ändrade i utkastet. Publicera när du är klar.";
  return {};
}

// kainjow treats every string as true in a section: leave a key out to make {{#key}} false.
void set_text(mu::data& d, const std::string& key, const std::string& value) {
  if (!value.empty()) d.set(key, value);
}

mu::data field_data(const field_spec& f) {
  using kind = field_spec::kind;
  mu::data d;
  std::string id = "f-" + f.name;
  d.set("name", f.name);
  d.set("id", id);
  d.set("label", f.label);
  d.set("hint", f.hint);
  d.set("has_hint", !f.hint.empty());
  d.set("error", f.error);
  d.set("has_error", !f.error.empty());
  d.set("value", f.value);
  d.set("required", f.required);
  std::string describedby;
  if (!f.hint.empty()) describedby = id + "-hint";
  if (!f.error.empty()) describedby += (describedby.empty() ? "" : " ") + id + "-error";
  set_text(d, "describedby", describedby);
  d.set("is_checkbox", f.type == kind::checkbox);
  d.set("checked", f.type == kind::checkbox && !f.value.empty());
  d.set("is_checkboxes", f.type == kind::checkboxes);
  bool plain = f.type != kind::checkbox && f.type != kind::checkboxes;
  d.set("is_plain", plain);
  d.set("is_textarea", f.type == kind::textarea);
  d.set("rows", f.large ? "12" : "5");
  d.set("is_select", f.type == kind::select);
  bool input = f.type == kind::text || f.type == kind::number || f.type == kind::url || f.type == kind::password;
  d.set("is_input", input);
  d.set("input_type", f.type == kind::url ? "url" : f.type == kind::password ? "password" : "text");
  d.set("numeric", f.type == kind::number);
  set_text(d, "autocomplete", f.type == kind::url ? "url" : "off");
  mu::data opts{mu::data::type::list};
  int i = 0;
  for (const auto& o : f.options) {
    mu::data od;
    od.set("value", o.value);
    od.set("label", o.label);
    od.set("selected", o.selected);
    od.set("id", id + "-" + std::to_string(++i));
    od.set("name", f.name);
    opts.push_back(od);
  }
  d.set("options", opts);
  return d;
}

mu::data error_list(const field_errors& errors) {
  mu::data list{mu::data::type::list};
  for (const auto& [name, message] : errors) {
    mu::data d;
    set_text(d, "href", name.empty() ? std::string() : "#f-" + name);
    d.set("message", message);
    list.push_back(d);
  }
  return list;
}

mu::data changes_data(const std::vector<content::field_change>& changes) {
  mu::data list{mu::data::type::list};
  for (const auto& c : changes) {
    mu::data d;
    d.set("entity", c.entity);
    d.set("key", c.key);
    d.set("field", c.field);
    d.set("before", c.before);
    d.set("after", c.after);
    list.push_back(d);
  }
  return list;
}

// The address the nearest (trusted) proxy saw: the last entry of X-Forwarded-For.
std::string last_forwarded(std::string_view xff) {
  auto comma = xff.rfind(',');
  return trim(comma == std::string_view::npos ? xff : xff.substr(comma + 1));
}

std::optional<std::int64_t> to_int(const std::string& s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

}  // namespace

struct admin_site::impl {
  store::store& st;
  const clock_source& clock;
  options opt;
  std::function<void()> on_publish;
  auth::login_throttle throttle;
  std::mutex draft_mu;  // one load–change–save of the draft at a time (in this process)
  std::mutex preview_mu;
  std::uint64_t preview_key = 0;
  std::shared_ptr<const render::snapshot> preview;

  impl(store::store& s, const clock_source& c, options o, std::function<void()> p)
      : st(s), clock(c), opt(std::move(o)), on_publish(std::move(p)), throttle(opt.checks_per_account_per_hour) {}

  std::string cookie_name() const { return opt.secure ? "__Host-cg_session" : "cg_session"; }
  std::int64_t now_s() const {
    return std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count();
  }
  std::string now_iso() const { return iso_utc(clock.now()); }

  // An audit entry to be written with the change it records (in the store's same transaction).
  store::audit_entry entry(const std::string& actor, const std::string& action, const std::string& detail = "") const {
    return {0, now_iso(), actor, action, detail};
  }
  void audit(const std::string& actor, const std::string& action, const std::string& detail = "") {
    st.add_audit(entry(actor, action, detail));
  }

  std::string expected_origin(const owned_request& r) const {
    if (!opt.public_origin.empty()) return opt.public_origin;
    return std::string(r.secure ? "https://" : "http://") + r.host;
  }

  // ---- rendering ----

  http::response page(int status, const std::string& title, const std::string& tmpl, mu::data body,
                      const signed_in* who, const std::string& current, const std::string& notice = "") {
    std::string body_html = render::templates().render("admin/" + tmpl, std::move(body));
    mu::data d;
    d.set("title", title);
    d.set("body", body_html);
    d.set("css", css_path());
    set_text(d, "notice", notice);
    if (who) {
      d.set("user", who->user.name);
      d.set("role", who->user.role == "admin" ? "administratör" : "redaktör");
      d.set("csrf", who->session.csrf_token);
      mu::data nav{mu::data::type::list};
      std::vector<std::pair<std::string, std::string>> items = {{"/admin", "Översikt"},
                                                                {"/admin/utkast", "Utkast"},
                                                                {"/admin/resurser", "Resurser"},
                                                                {"/admin/utgivare", "Utgivare"},
                                                                {"/admin/kategorier", "Kategorier"},
                                                                {"/admin/nivaer", "Nivåer"},
                                                                {"/admin/texter", "Texter"},
                                                                {"/admin/borja-har", "Var ska jag börja?"},
                                                                {"/admin/utrop", "Utropsrutor"},
                                                                {"/admin/adresser", "Byt adresser"},
                                                                {"/admin/historik", "Historik"},
                                                                {"/admin/statistik", "Statistik"}};
      if (who->user.role == "admin") {
        items.push_back({"/admin/konton", "Konton"});
        items.push_back({"/admin/installningar", "Inställningar"});
        items.push_back({"/admin/logg", "Logg"});
      }
      for (const auto& [href, label] : items) {
        mu::data n;
        n.set("href", href);
        n.set("label", label);
        n.set("current", href == current);
        nav.push_back(n);
      }
      d.set("nav", nav);
    }
    return html(status, render::templates().render("admin/layout", d));
  }

  static std::string css_path() { return render::asset_path("style.css"); }

  http::response message(int status, const std::string& title, const std::string& text, const signed_in* who,
                         const std::string& back_href = "/admin", const std::string& back_label = "Till översikten") {
    mu::data b;
    b.set("title", title);
    b.set("text", text);
    set_text(b, "back_href", back_href);
    b.set("back_label", back_label);
    return page(status, title, "message", b, who, "");
  }

  http::response forbidden(const signed_in* who, const std::string& why) {
    return message(403, "Åtkomst nekad", why, who);
  }

  http::response not_found(const signed_in* who) {
    return message(404, "Sidan finns inte", "Det finns ingen sådan sida i redigeringen.", who);
  }

  struct form_page {
    std::string title, intro, action, submit, cancel_href, delete_action, delete_label, preview_href;
  };

  http::response form_response(int status, const form_page& fp, std::vector<field_spec> fields,
                               const field_errors& errors, const signed_in& who, const std::string& current,
                               const std::string& notice = "") {
    attach_errors(fields, errors);
    mu::data b;
    b.set("title", fp.title);
    set_text(b, "intro", fp.intro);
    b.set("action", fp.action);
    b.set("submit", fp.submit);
    set_text(b, "cancel_href", fp.cancel_href);
    set_text(b, "delete_action", fp.delete_action);
    b.set("delete_label", fp.delete_label);
    set_text(b, "preview_href", fp.preview_href);
    b.set("csrf", who.session.csrf_token);
    b.set("has_errors", !errors.empty());
    b.set("errors", error_list(errors));
    mu::data fl{mu::data::type::list};
    for (const auto& f : fields) fl.push_back(field_data(f));
    b.set("fields", fl);
    return page(status, errors.empty() ? fp.title : "Fel: " + fp.title, "form", b, &who, current, notice);
  }

  // ---- sessions ----

  std::optional<signed_in> authenticate(const owned_request& r) {
    std::string cookie = cookie_value(r.cookie, cookie_name());
    if (cookie.empty() || cookie.size() > 200) return std::nullopt;
    std::string hash = auth::sha256_hex(cookie);
    auto s = st.find_session(hash);
    if (!s) return std::nullopt;
    std::int64_t now = now_s();
    auto idle = std::chrono::duration_cast<std::chrono::seconds>(opt.idle_timeout).count();
    auto absolute = std::chrono::duration_cast<std::chrono::seconds>(opt.absolute_timeout).count();
    if (now - s->last_seen_at > idle || now - s->created_at > absolute) {
      st.delete_session(hash);
      return std::nullopt;
    }
    auto u = st.find_user_by_id(s->user_id);
    if (!u || u->disabled) {
      st.delete_session(hash);
      return std::nullopt;
    }
    return signed_in{*u, *s};
  }

  std::string set_cookie(const std::string& value, bool expire) const {
    std::string c = cookie_name() + "=" + value + "; Path=/; HttpOnly; SameSite=Strict";
    if (opt.secure) c += "; Secure";
    if (expire) c += "; Max-Age=0";
    return c;
  }

  // ---- the draft ----

  guide working_copy() {
    if (auto d = st.load_draft()) return d->guide;
    return st.load_published();
  }

  // ---- handlers ----

  http::response handle(const owned_request& r) {
    auto seg = split_path(r.path);  // seg[0] == "admin"
    form q = form::parse(r.query);
    if (seg.size() == 2 && seg[1] == "logga-in") {
      if (r.method == http::method::post) return login(r);
      if (r.method == http::method::get || r.method == http::method::head) return login_page(r, "", "", 200);
      http::response resp = message(405, "Metoden stöds inte", "Använd inloggningsformuläret.", nullptr);
      resp.header("Allow", "GET, HEAD, POST");
      return resp;
    }

    auto who = authenticate(r);
    if (!who) {
      if (r.method == http::method::post)
        return message(403, "Du är inte inloggad", "Logga in och försök igen.", nullptr, "/admin/logga-in",
                       "Till inloggningen");
      return see_other("/admin/logga-in");
    }
    form f;
    if (r.method == http::method::post) {
      f = form::parse(r.body);
      if (!same_origin(r.origin, r.sec_fetch_site, expected_origin(r)))
        return forbidden(&*who, "Förfrågan kom inte från den här webbplatsen och har inte utförts.");
      if (!auth::constant_time_equals(f.raw("csrf"), who->session.csrf_token))
        return forbidden(
            &*who, "Formuläret var för gammalt eller kom inte från den här sidan. Ladda om sidan och försök igen.");
      if (!f.valid_utf8())
        return message(400, "Formuläret kunde inte läsas",
                       "Det innehöll tecken som inte är giltig UTF-8. Ingenting har sparats. Ladda om sidan och "
                       "försök igen.",
                       &*who);
    } else if (r.method != http::method::get && r.method != http::method::head) {
      http::response resp = message(405, "Metoden stöds inte", "Använd formulären på sidorna.", &*who);
      resp.header("Allow", "GET, HEAD, POST");
      return resp;
    }
    const bool post = r.method == http::method::post;
    // Only an accepted request keeps the session alive.
    if (now_s() - who->session.last_seen_at >= 30) {
      try {
        st.touch_session(who->session.id_hash, now_s());
      } catch (const store::store_error& e) {
        // Reading the editor area needs no write: a database that refuses writes only costs the
        // session its "last seen" update. A form sent now still fails (below) with a clear page.
        if (e.which() != store::store_error::kind::write_refused) throw;
        log::warn("session not touched: the database refuses writes", {{"error", e.what()}});
      }
    }
    std::unique_lock draft_lock(draft_mu, std::defer_lock);
    if (post) draft_lock.lock();
    const std::string notice = notice_text(q.get("klart"));
    const std::string s1 = seg.size() > 1 ? seg[1] : "";

    if (s1.empty()) return overview(*who, notice);
    if (s1 == "logga-ut" && post) {
      st.delete_session(who->session.id_hash);
      audit(who->user.name, "logout");
      http::response resp = see_other("/admin/logga-in");
      resp.header("Set-Cookie", set_cookie("", true));
      return resp;
    }
    if (s1 == "forhandsgranska") return preview_page(r);
    if (s1 == "utkast") {
      if (seg.size() == 3 && seg[2] == "kasta" && post) {
        auto d = st.load_draft();
        if (d && f.get("draft") != draft_token(d->guide))
          return draft_page(
              *who, "", {{"", "Utkastet har ändrats sedan du öppnade sidan. Granska det igen innan du kastar det."}},
              "", 409);
        st.discard_draft({entry(who->user.name, "discard")});
        return see_other("/admin/utkast?klart=kastat");
      }
      if (seg.size() == 2 && !post) return draft_page(*who, notice, {}, "", 200);
      return not_found(&*who);
    }
    if (s1 == "publicera" && post && seg.size() == 2) return publish(*who, f);
    if (s1 == "historik") return history(*who, seg, q, post, notice);
    if (s1 == "resurser" || s1 == "utgivare" || s1 == "kategorier" || s1 == "nivaer" || s1 == "utrop")
      return entity_route(*who, s1, seg, f, post, notice);
    if (s1 == "texter" && seg.size() == 2)
      return single_form(
          *who, post, f, notice, "/admin/texter", "Webbplatsens texter", site_texts_form,
          [](const guide&, const form& v) { return site_texts_fields(v); }, apply_site_texts, "texter");
    if (s1 == "borja-har" && seg.size() == 2)
      return single_form(
          *who, post, f, notice, "/admin/borja-har", "Var ska jag börja?", start_picks_form,
          [](const guide& g, const form& v) { return start_picks_fields(g, v); }, apply_start_picks, "startval");
    if (s1 == "adresser" && seg.size() == 2) return addresses(*who, post, f);
    if (s1 == "statistik" && !post && seg.size() <= 3) return statistics(*who, seg, q);

    // Administrators only from here on.
    if (s1 == "konton" || s1 == "installningar" || s1 == "logg") {
      if (who->user.role != "admin") return forbidden(&*who, "Den här sidan är bara för administratörer.");
      if (s1 == "logg" && seg.size() == 2 && !post) return audit_page(*who);
      if (s1 == "installningar" && seg.size() == 2)
        return single_form(
            *who, post, f, notice, "/admin/installningar", "Inställningar", settings_form,
            [](const guide&, const form& v) { return settings_fields(v); }, apply_settings, "installningar");
      if (s1 == "konton") return accounts(*who, seg, f, post, notice);
    }
    return not_found(&*who);
  }

  // ---- statistics ----

  http::response statistics(const signed_in& who, const std::vector<std::string>& seg, const form& q) {
    std::string csv_name;
    if (seg.size() == 3) {
      const std::string& file = seg[2];
      if (file.size() <= 4 || file.substr(file.size() - 4) != ".csv") return not_found(&who);
      csv_name = file.substr(0, file.size() - 4);
    }
    const std::int64_t today = calendar::stockholm_day_number(clock.now());
    stats::period_choice when = stats::choose_period(q.get("period"), q.get("fran"), q.get("till"), today);
    stats::counts c;
    store::day_range range{calendar::format_day(when.previous.from), calendar::format_day(when.current.to)};
    c.clicks = st.link_clicks(range);
    c.views = st.page_views(range);
    c.searches = st.search_counts(range);
    const guide g = st.load_published();
    stats::report rep = stats::build_report(g, when, c);
    if (!csv_name.empty()) {
      std::optional<std::string> csv = statistics_csv(rep, csv_name);
      if (!csv) return not_found(&who);
      http::response resp;
      resp.header("Content-Type", "text/csv; charset=utf-8");
      resp.header("Content-Disposition", "attachment; filename=\"statistik-" + csv_name + "-" +
                                             calendar::format_day(when.current.from) + "-" +
                                             calendar::format_day(when.current.to) + ".csv\"");
      resp.header("Cache-Control", "no-store");
      resp.header("X-Robots-Tag", "noindex, nofollow");
      resp.owned = std::move(*csv);
      return resp;
    }
    return page(200, "Statistik", "statistics", statistics_data(rep, g.site.owner_domains, q.get("sortera")), &who,
                "/admin/statistik");
  }

  http::response login_page(const owned_request&, const std::string& username, const std::string& msg, int status) {
    mu::data b;
    b.set("username", username);
    set_text(b, "message", msg);
    b.set("no_users", st.users().empty());
    return page(status, msg.empty() ? "Logga in" : "Fel: Logga in", "login", b, nullptr, "");
  }

  http::response login(const owned_request& r) {
    if (!same_origin(r.origin, r.sec_fetch_site, expected_origin(r)))
      return message(403, "Åtkomst nekad", "Inloggningen kom inte från den här webbplatsen.", nullptr,
                     "/admin/logga-in", "Till inloggningen");
    form f = form::parse(r.body);
    if (!f.valid_utf8())
      return login_page(r, "", "Inloggningen innehöll tecken som inte är giltig UTF-8. Försök igen.", 400);
    std::string name = f.get("username");
    std::string password = f.raw("password");
    if (name.size() > 200) name.resize(200);
    const std::string generic = "Fel användarnamn eller lösenord.";
    auto too_many = [&](std::int64_t wait) {
      std::string when =
          wait > 120 ? std::to_string((wait + 59) / 60) + " minuter" : std::to_string(wait) + " sekunder";
      return login_page(r, name, "För många inloggningsförsök. Försök igen om " + when + ".", 429);
    };
    if (std::int64_t wait = throttle.admit(name, r.remote, std::chrono::steady_clock::now()); wait > 0)
      return too_many(wait);
    // The in-memory throttle above holds for this process; the store's count holds for every instance
    // that shares the database.
    const std::int64_t checked_at = now_s();
    if (std::int64_t oldest =
            st.admit_login_check(name, checked_at, checked_at - 3600, opt.checks_per_account_per_hour);
        oldest > 0)
      return too_many(std::max<std::int64_t>(1, oldest + 3600 - checked_at));
    auto u = st.find_user(name);
    bool ok = false;
    if (u && !u->disabled && password.size() <= 4096) {
      ok = auth::verify_password(u->password_hash, password);
    } else {
      auth::verify_dummy(password);
    }
    if (!ok) {
      throttle.failed(r.remote, std::chrono::steady_clock::now());
      // Only a well-formed name is recorded: a password typed into the name field must not be logged.
      audit(auth::is_valid_username(name) ? name : "-", "login_failed");
      log::info("login failed");
      return login_page(r, name, generic, 422);
    }
    throttle.succeeded(r.remote);
    // A new session id at every login; a session the browser still had is ended.
    if (std::string old = cookie_value(r.cookie, cookie_name()); !old.empty() && old.size() <= 200)
      st.delete_session(auth::sha256_hex(old));
    std::string id = auth::random_token(32);
    std::int64_t now = now_s();
    st.add_session({auth::sha256_hex(id), u->id, auth::random_token(32), now, now});
    st.delete_expired_sessions(now - std::chrono::duration_cast<std::chrono::seconds>(opt.absolute_timeout).count(),
                               now - std::chrono::duration_cast<std::chrono::seconds>(opt.idle_timeout).count());
    audit(u->name, "login");
    http::response resp = see_other("/admin");
    resp.header("Set-Cookie", set_cookie(id, false));
    return resp;
  }

  http::response overview(const signed_in& who, const std::string& notice) {
    guide g = working_copy();
    auto d = st.load_draft();
    mu::data b;
    b.set("has_draft", d.has_value());
    if (d) {
      b.set("change_count", std::to_string(content::diff(st.load_published(), d->guide).size()));
      b.set("updated_by", d->updated_by);
      b.set("updated_at", d->updated_at);
    }
    mu::data home{mu::data::type::list}, nodesc{mu::data::type::list};
    int nh = 0, nd = 0;
    for (const auto& r : g.resources) {
      mu::data x;
      x.set("title", r.title);
      x.set("href", "/admin/resurser/" + r.slug);
      x.set("url", r.url);
      if (r.url_is_home_page) {
        home.push_back(x);
        ++nh;
      }
      if (trim(r.description_md).empty()) {
        nodesc.push_back(x);
        ++nd;
      }
    }
    b.set("home", home);
    b.set("home_count", std::to_string(nh));
    b.set("has_home", nh > 0);
    b.set("nodesc", nodesc);
    b.set("nodesc_count", std::to_string(nd));
    b.set("has_nodesc", nd > 0);
    return page(200, "Översikt", "overview", b, &who, "/admin", notice);
  }

  // Names one state of the draft, so that a publish cannot take in edits its author has not seen.
  static std::string draft_token(const guide& g) { return hex64(fnv1a64(store::to_document(g))); }

  http::response draft_page(const signed_in& who, const std::string& notice, const field_errors& errors,
                            const std::string& message_text, int status) {
    auto d = st.load_draft();
    mu::data b;
    if (d) b.set("draft_token", draft_token(d->guide));
    b.set("has_draft", d.has_value());
    b.set("csrf", who.session.csrf_token);
    b.set("message", message_text);
    b.set("has_errors", !errors.empty());
    b.set("errors", error_list(errors));
    if (d) {
      auto changes = content::diff(st.load_published(), d->guide);
      b.set("updated_by", d->updated_by);
      b.set("updated_at", d->updated_at);
      b.set("changes", changes_data(changes));
      b.set("has_changes", !changes.empty());
      b.set("changes_caption", "Ändringar jämfört med det publicerade");
    }
    return page(status, "Utkast", "draft", b, &who, "/admin/utkast", notice);
  }

  http::response publish(const signed_in& who, const form& f) {
    auto d = st.load_draft();
    std::string msg = f.get("message");
    if (!d) return draft_page(who, "", {{"", "Det finns inget utkast att publicera."}}, msg, 422);
    if (f.get("draft") != draft_token(d->guide))
      return draft_page(
          who, "", {{"", "Utkastet har ändrats sedan du öppnade sidan. Granska ändringarna nedan och publicera igen."}},
          msg, 409);
    std::size_t chars = static_cast<std::size_t>(
        std::count_if(msg.begin(), msg.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
    if (chars > 500) return draft_page(who, "", {{"message", "Beskrivningen får vara högst 500 tecken."}}, msg, 422);
    field_errors errors;
    for (const auto& p : content::validate(d->guide)) errors.emplace_back("", p);
    if (!errors.empty()) return draft_page(who, "", errors, msg, 422);
    std::int64_t id =
        st.publish(d->guide, who.user.name, msg, now_iso(), {entry(who.user.name, "publish", "version {revision}")});
    if (on_publish) on_publish();
    return see_other("/admin/historik/" + std::to_string(id) + "?klart=publicerat");
  }

  http::response history(const signed_in& who, const std::vector<std::string>& seg, const form& q, bool post,
                         const std::string& notice) {
    auto revs = st.revisions();
    if (seg.size() == 2 && !post) {
      mu::data list{mu::data::type::list};
      for (std::size_t i = 0; i < revs.size(); ++i) {
        mu::data d;
        d.set("id", std::to_string(revs[i].id));
        d.set("created_at", revs[i].created_at);
        d.set("author", revs[i].author);
        d.set("message", revs[i].message);
        d.set("current", i == 0);
        list.push_back(d);
      }
      mu::data b;
      b.set("revisions", list);
      return page(200, "Historik", "history", b, &who, "/admin/historik", notice);
    }
    auto id = seg.size() >= 3 ? to_int(seg[2]) : std::nullopt;
    auto it = id ? std::find_if(revs.begin(), revs.end(), [&](const auto& x) { return x.id == *id; }) : revs.end();
    if (it == revs.end()) return not_found(&who);
    if (seg.size() == 4 && seg[3] == "aterstall" && post) {
      auto g = st.revision(*id);
      if (!g) return not_found(&who);
      std::vector<store::audit_entry> log;
      if (st.load_draft())
        log.push_back(
            entry(who.user.name, "discard", "utkastet kastades när version " + std::to_string(*id) + " återställdes"));
      log.push_back(entry(who.user.name, "restore", "version " + std::to_string(*id) + " som version {revision}"));
      std::int64_t nid =
          st.publish(*g, who.user.name, "Återställd från version " + std::to_string(*id), now_iso(), log);
      if (on_publish) on_publish();
      return see_other("/admin/historik/" + std::to_string(nid) + "?klart=aterstallt");
    }
    if (seg.size() != 3 || post) return not_found(&who);
    // Compare with ?mot=ID, by default the version before it.
    std::optional<std::int64_t> other = to_int(q.get("mot"));
    if (other && std::none_of(revs.begin(), revs.end(), [&](const auto& x) { return x.id == *other; }))
      return not_found(&who);
    if (!other && std::next(it) != revs.end()) other = std::next(it)->id;
    guide self = *st.revision(*id);
    guide base;
    std::string caption = "Det här är den första versionen.";
    if (other) {
      if (auto og = st.revision(*other)) {
        base = *og;
        caption = "Ändringar från version " + std::to_string(*other) + " till version " + std::to_string(*id);
      }
    }
    auto changes = content::diff(base, self);
    mu::data b;
    b.set("id", std::to_string(*id));
    b.set("created_at", it->created_at);
    b.set("author", it->author);
    set_text(b, "message", it->message);
    b.set("current", it == revs.begin());
    b.set("csrf", who.session.csrf_token);
    b.set("changes", changes_data(changes));
    b.set("has_changes", !changes.empty());
    b.set("changes_caption", caption);
    mu::data others{mu::data::type::list};
    for (const auto& rv : revs) {
      if (rv.id == *id) continue;
      mu::data o;
      o.set("id", std::to_string(rv.id));
      o.set("created_at", rv.created_at);
      o.set("selected", other && rv.id == *other);
      others.push_back(o);
    }
    b.set("others", others);
    return page(200, "Version " + std::to_string(*id), "revision", b, &who, "/admin/historik", notice);
  }

  // Lists and forms of resources, publishers, categories, levels and callouts.
  http::response entity_route(const signed_in& who, const std::string& kind, const std::vector<std::string>& seg,
                              const form& f, bool post, const std::string& notice) {
    const std::string base = "/admin/" + kind;
    guide g = working_copy();
    if (seg.size() == 2 && !post) return entity_list(who, kind, g, notice);
    const std::string key = seg.size() >= 3 ? seg[2] : "";
    const bool is_new = key == "ny";
    if (seg.size() == 4 && seg[3] == "ta-bort" && post && !is_new) {
      field_errors errors;
      if (kind == "resurser")
        errors = remove_resource(g, key);
      else if (kind == "utgivare")
        errors = remove_publisher(g, key);
      else if (kind == "kategorier")
        errors = remove_category(g, key);
      else if (kind == "nivaer")
        errors = remove_level(g, key);
      else
        errors = remove_callout(g, static_cast<std::size_t>(to_int(key).value_or(0)));
      if (!errors.empty()) return message(409, "Kan inte ta bort", errors.front().second, &who, base, "Tillbaka");
      st.save_draft(g, who.user.name, now_iso(), {entry(who.user.name, "edit", "tog bort " + kind + " " + key)});
      return see_other(base + "?klart=borttaget");
    }
    if (seg.size() != 3) return not_found(&who);

    // The values to show: as typed after a refused post, else the stored entity, else empty.
    form values = f;
    std::string title, preview_href;
    if (!is_new) {
      bool found = false;
      if (kind == "resurser") {
        if (const auto* r = g.find_resource(key)) {
          found = true;
          if (!post) values = resource_form(*r);
          title = "Redigera resurs: " + r->title;
          preview_href = std::string(kPreviewPrefix) + "/resurser/" + r->slug;
        }
      } else if (kind == "utgivare") {
        if (const auto* p = g.find_publisher(key)) {
          found = true;
          if (!post) values = publisher_form(*p);
          title = "Redigera utgivare: " + p->name;
        }
      } else if (kind == "kategorier") {
        if (const auto* c = g.find_category(key)) {
          found = true;
          if (!post) values = category_form(g, *c);
          title = "Redigera kategori: " + c->name;
          preview_href = std::string(kPreviewPrefix) + "/kategorier/" + c->slug;
        }
      } else if (kind == "nivaer") {
        if (const auto* l = g.find_level(key)) {
          found = true;
          if (!post) values = level_form(g, *l);
          title = "Redigera nivå: " + l->name;
          preview_href = std::string(kPreviewPrefix) + "/nivaer/" + l->slug;
        }
      } else {
        auto n = to_int(key);
        if (n && *n >= 1 && static_cast<std::size_t>(*n) <= g.callouts.size()) {
          found = true;
          if (!post) values = callout_form(g.callouts[static_cast<std::size_t>(*n - 1)]);
          title = "Redigera utropsruta " + key;
        }
      }
      if (!found) return not_found(&who);
    } else {
      title = kind == "resurser"     ? "Ny resurs"
              : kind == "utgivare"   ? "Ny utgivare"
              : kind == "kategorier" ? "Ny kategori"
              : kind == "nivaer"     ? "Ny nivå"
                                     : "Ny utropsruta";
      if (!post && kind == "resurser") {
        values.set("order", "100");
        values.set("cost", "unknown");
      }
      if (!post && (kind == "kategorier" || kind == "nivaer"))
        values.set("position", std::to_string((kind == "nivaer" ? g.levels.size() : g.categories.size()) + 1));
    }

    field_errors errors;
    std::string saved_key = key;
    if (post) {
      const std::string original = is_new ? "" : key;
      if (kind == "resurser")
        errors = apply_resource(g, original, f), saved_key = f.get("slug");
      else if (kind == "utgivare")
        errors = apply_publisher(g, original, f), saved_key = f.get("slug");
      else if (kind == "kategorier")
        errors = apply_category(g, original, f), saved_key = f.get("slug");
      else if (kind == "nivaer")
        errors = apply_level(g, original, f), saved_key = f.get("slug");
      else {
        errors = apply_callout(g, original, f);
        saved_key = is_new ? std::to_string(g.callouts.size()) : key;
      }
      if (errors.empty()) {
        st.save_draft(
            g, who.user.name, now_iso(),
            {entry(who.user.name, "edit", std::string(is_new ? "skapade " : "ändrade ") + kind + " " + saved_key)});
        return see_other(base + "/" + url_encode(saved_key) + "?klart=sparat");
      }
    }
    std::vector<field_spec> fields;
    if (kind == "resurser")
      fields = resource_fields(g, values);
    else if (kind == "utgivare")
      fields = publisher_fields(values);
    else if (kind == "kategorier")
      fields = category_fields(g, values);
    else if (kind == "nivaer")
      fields = level_fields(values);
    else
      fields = callout_fields(values);
    form_page fp;
    fp.title = title;
    fp.action = base + "/" + key;
    fp.submit = "Spara i utkastet";
    fp.cancel_href = base;
    fp.preview_href = is_new ? "" : preview_href;
    if (!is_new) {
      fp.delete_action = base + "/" + key + "/ta-bort";
      fp.delete_label = "Ta bort ur utkastet";
    }
    return form_response(errors.empty() ? 200 : 422, fp, fields, errors, who, base, notice);
  }

  http::response entity_list(const signed_in& who, const std::string& kind, const guide& g, const std::string& notice) {
    mu::data b;
    mu::data cols{mu::data::type::list}, rows{mu::data::type::list};
    auto cell = [](const std::string& text, const std::string& href = "") {
      mu::data c;
      c.set("text", text);
      set_text(c, "href", href);
      return c;
    };
    auto row = [&rows](std::vector<mu::data> cells) {
      mu::data r;
      mu::data l{mu::data::type::list};
      for (auto& c : cells) l.push_back(c);
      r.set("cells", l);
      rows.push_back(r);
    };
    std::string title, new_label;
    if (kind == "resurser") {
      title = "Resurser";
      new_label = "Lägg till en resurs";
      for (const char* c : {"Titel", "Kategori och nivå", "Utgivare", "Ordning", "Att åtgärda"})
        cols.push_back(std::string(c));
      std::vector<const content::resource*> rs;
      for (const auto& r : g.resources) rs.push_back(&r);
      std::sort(rs.begin(), rs.end(), [](auto* x, auto* y) {
        return std::tie(x->category, x->level, x->order, x->title) <
               std::tie(y->category, y->level, y->order, y->title);
      });
      for (const auto* r : rs) {
        const auto* c = g.find_category(r->category);
        const auto* l = g.find_level(r->level);
        const auto* p = g.find_publisher(r->publisher);
        std::string todo;
        if (r->url_is_home_page) todo = "Bara startsida";
        if (trim(r->description_md).empty()) todo += std::string(todo.empty() ? "" : ", ") + "Saknar beskrivning";
        row({cell(r->title, "/admin/resurser/" + r->slug),
             cell(c && l ? c->name + " – " + l->name : "Utanför kategorierna"), cell(p ? p->short_name : r->publisher),
             cell(std::to_string(r->order)), cell(todo)});
      }
    } else if (kind == "utgivare") {
      title = "Utgivare";
      new_label = "Lägg till en utgivare";
      for (const char* c : {"Namn", "Kortnamn", "Tidigare namn", "Resurser"}) cols.push_back(std::string(c));
      for (const auto& p : g.publishers) {
        int n = static_cast<int>(std::count_if(g.resources.begin(), g.resources.end(),
                                               [&](const auto& r) { return r.publisher == p.slug; }));
        std::string former;
        for (const auto& x : p.former_names) former += (former.empty() ? "" : ", ") + x;
        row({cell(p.name, "/admin/utgivare/" + p.slug), cell(p.short_name), cell(former), cell(std::to_string(n))});
      }
    } else if (kind == "kategorier") {
      title = "Kategorier";
      new_label = "Lägg till en kategori";
      for (const char* c : {"Namn", "Nivåer", "Resurser"}) cols.push_back(std::string(c));
      for (const auto& c : g.categories) {
        std::string lv;
        for (const auto& l : c.levels)
          if (const auto* x = g.find_level(l)) lv += (lv.empty() ? "" : ", ") + x->name;
        int n = static_cast<int>(
            std::count_if(g.resources.begin(), g.resources.end(), [&](const auto& r) { return r.category == c.slug; }));
        row({cell(c.name, "/admin/kategorier/" + c.slug), cell(lv), cell(std::to_string(n))});
      }
    } else if (kind == "nivaer") {
      title = "Nivåer";
      new_label = "Lägg till en nivå";
      for (const char* c : {"Namn", "Slug"}) cols.push_back(std::string(c));
      for (const auto& l : g.levels) row({cell(l.name, "/admin/nivaer/" + l.slug), cell(l.slug)});
    } else {
      title = "Utropsrutor";
      new_label = "Lägg till en utropsruta";
      for (const char* c : {"Rubrik", "Sida"}) cols.push_back(std::string(c));
      for (std::size_t i = 0; i < g.callouts.size(); ++i)
        row({cell(g.callouts[i].title.empty() ? "(utan rubrik)" : g.callouts[i].title,
                  "/admin/utrop/" + std::to_string(i + 1)),
             cell(g.callouts[i].page)});
    }
    b.set("title", title);
    b.set("new_href", "/admin/" + kind + "/ny");
    b.set("new_label", new_label);
    b.set("columns", cols);
    b.set("rows", rows);
    return page(200, title, "list", b, &who, "/admin/" + kind, notice);
  }

  template <typename ToForm, typename Fields, typename Apply>
  http::response single_form(const signed_in& who, bool post, const form& f, const std::string& notice,
                             const std::string& path, const std::string& title, ToForm to_form, Fields fields_of,
                             Apply apply, const std::string& what) {
    guide g = working_copy();
    field_errors errors;
    if (post) {
      errors = apply(g, f);
      if (errors.empty()) {
        st.save_draft(g, who.user.name, now_iso(),
                      {entry(who.user.name, what == "installningar" ? "settings" : "edit", what)});
        return see_other(path + "?klart=sparat");
      }
    }
    form values = post ? f : to_form(g);
    form_page fp;
    fp.title = title;
    fp.action = path;
    fp.submit = "Spara i utkastet";
    if (what == "texter" || what == "startval") fp.preview_href = std::string(kPreviewPrefix) + "/";
    return form_response(errors.empty() ? 200 : 422, fp, fields_of(g, values), errors, who, path, notice);
  }

  http::response addresses(const signed_in& who, bool post, const form& f) {
    guide g = working_copy();
    field_errors errors;
    std::string notice;
    if (post) {
      auto [errs, n] = replace_address_prefix(g, f);
      errors = errs;
      if (errors.empty()) {
        st.save_draft(
            g, who.user.name, now_iso(),
            {entry(who.user.name, "edit",
                   "bytte " + std::to_string(n) + " adresser från " + f.get("from") + " till " + f.get("to"))});
        return see_other("/admin/utkast?klart=adresser");
      }
    }
    form values = f;
    if (!post) {
      values.set("from", "https://www.msb.se/");
      values.set("to", "https://www.mcf.se/");
    }
    std::vector<field_spec> fields;
    for (auto [name, label, hint] : {std::tuple<std::string, std::string, std::string>{
                                         "from", "Gammal början", "Till exempel https://www.msb.se/"},
                                     {"to", "Ny början", "Till exempel https://www.mcf.se/"}}) {
      field_spec s;
      s.name = name;
      s.label = label;
      s.hint = hint;
      s.type = field_spec::kind::url;
      s.value = values.get(name);
      s.required = true;
      fields.push_back(s);
    }
    form_page fp;
    fp.title = "Byt början på adresser";
    fp.intro =
        "Ändrar alla resursers adresser och utgivares startsidor som börjar med den gamla början. Ändringen hamnar i "
        "utkastet.";
    fp.action = "/admin/adresser";
    fp.submit = "Byt adresser i utkastet";
    return form_response(errors.empty() ? 200 : 422, fp, fields, errors, who, "/admin/adresser", notice);
  }

  http::response preview_page(const owned_request& r) {
    std::string path = r.path.substr(std::string(kPreviewPrefix).size());
    if (path.empty()) path = "/";
    guide g = working_copy();
    std::string doc = store::to_document(g);
    std::uint64_t key = fnv1a64(doc);
    std::shared_ptr<const render::snapshot> snap;
    {
      std::lock_guard lock(preview_mu);
      if (preview && preview_key == key) snap = preview;
    }
    if (!snap) {
      snap = render::build_snapshot(g, 0, {true, kPreviewPrefix});
      std::lock_guard lock(preview_mu);
      preview = snap;
      preview_key = key;
    }
    if (path.rfind("/go/", 0) == 0) {
      auto dest = site::resolve_destination(*snap, path.substr(4));
      if (dest) {
        http::response resp;
        resp.status = 302;
        resp.header("Location", *dest);
        resp.header("Cache-Control", "no-store");
        resp.header("X-Robots-Tag", "noindex, nofollow");
        return resp;
      }
    }
    const render::page* p = snap->find(path);
    if (!p) p = &snap->not_found;
    http::response resp = html(p == &snap->not_found ? 404 : p->status, p->identity.bytes);
    return resp;
  }

  http::response audit_page(const signed_in& who) {
    auto entries = st.audit_log(500);
    mu::data list{mu::data::type::list};
    for (const auto& e : entries) {
      mu::data d;
      d.set("at", e.at);
      d.set("actor", e.actor);
      d.set("action", e.action);
      d.set("detail", e.detail);
      list.push_back(d);
    }
    mu::data b;
    b.set("entries", list);
    b.set("count", std::to_string(entries.size()));
    return page(200, "Logg", "audit", b, &who, "/admin/logg");
  }

  http::response accounts(const signed_in& who, const std::vector<std::string>& seg, const form& f, bool post,
                          const std::string& notice) {
    mu::data b;
    field_errors errors;
    std::string username_error, password_error;
    if (post && seg.size() == 3 && seg[2] == "ny") {
      std::string name = f.get("username"), role = f.get("role"), pw = f.raw("password");
      if (!auth::is_valid_username(name))
        username_error = "Användarnamnet ska ha 2–64 tecken: a–z, 0–9, punkt, understreck och bindestreck.";
      else if (st.find_user(name))
        username_error = "Det finns redan ett konto med det namnet.";
      if (role != "admin" && role != "editor") errors.emplace_back("role", "Välj en roll.");
      if (auto p = auth::password_problem(pw)) password_error = *p;
      if (!username_error.empty()) errors.emplace_back("username", username_error);
      if (!password_error.empty()) errors.emplace_back("password", password_error);
      if (errors.empty()) {
        if (!st.add_user({0, name, role, auth::hash_password(pw), false, now_iso()}))
          errors.emplace_back("username", "Det finns redan ett konto med det namnet.");
        else {
          audit(who.user.name, "user_add", name + " (" + role + ")");
          return see_other("/admin/konton?klart=konto");
        }
      }
      b.set("username", name);
      b.set("is_admin", role == "admin");
      b.set("is_editor", role != "admin");
    } else if (post && seg.size() == 4 && seg[3] == "stang") {
      auto u = st.find_user(seg[2]);
      if (!u) return not_found(&who);
      if (u->id == who.user.id)
        return message(409, "Kan inte stänga kontot", "Du kan inte stänga ditt eget konto.", &who, "/admin/konton",
                       "Till kontona");
      u->disabled = true;
      st.update_user(*u);
      st.delete_sessions_of(u->id);
      audit(who.user.name, "user_disable", u->name);
      return see_other("/admin/konton?klart=stangt");
    } else if (post || seg.size() != 2) {
      return not_found(&who);
    } else {
      b.set("is_editor", true);
    }
    mu::data list{mu::data::type::list};
    for (const auto& u : st.users()) {
      mu::data d;
      d.set("name", u.name);
      d.set("role", u.role == "admin" ? "administratör" : "redaktör");
      d.set("status", u.disabled ? "stängt" : "aktivt");
      d.set("disabled", u.disabled);
      d.set("csrf", who.session.csrf_token);
      list.push_back(d);
    }
    b.set("users", list);
    b.set("csrf", who.session.csrf_token);
    b.set("has_errors", !errors.empty());
    b.set("errors", error_list(errors));
    set_text(b, "username_error", username_error);
    set_text(b, "password_error", password_error);
    return page(errors.empty() ? 200 : 422, errors.empty() ? "Konton" : "Fel: Konton", "accounts", b, &who,
                "/admin/konton", notice);
  }
};

admin_site::admin_site(store::store& st, const clock_source& clock, options opt, std::function<void()> on_publish)
    : impl_(std::make_shared<impl>(st, clock, std::move(opt), std::move(on_publish))) {
  auth::init();
}

admin_site::~admin_site() = default;

std::string admin_site::cookie_name() const {
  return impl_->cookie_name();
}

namespace {

// A 503 page of the editor area when the database cannot be used; made without the store (which is
// what failed) or the templates.
http::response editor_503(const char* retry_after, std::string_view title, std::string_view body_html) {
  http::response r;
  r.status = 503;
  r.header("Content-Type", "text/html; charset=utf-8");
  r.header("Cache-Control", "no-store");
  r.header("Retry-After", retry_after);
  r.owned =
      "<!doctype html>\n<html lang=\"sv\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>";
  r.owned += title;
  r.owned += "</title></head><body><main><h1>";
  r.owned += title;
  r.owned += "</h1>";
  r.owned += body_html;
  r.owned += "</main></body></html>\n";
  return r;
}

// The database answers but cannot store anything (disk full, read-only): nothing of the change was kept
// (each change and its audit entry are one transaction), and the editor hears exactly that.
http::response write_refused() {
  return editor_503("60", "Ändringen sparades inte",
                    "<p>Databasen kan inte ta emot ändringar just nu (till exempel för att disken är full eller "
                    "skrivskyddad). Ingenting av den här ändringen har sparats, och allt du sparat tidigare finns "
                    "kvar. Läsarna ser guiden som vanligt.</p>"
                    "<p>Be den som driftar webbplatsen att frigöra utrymme eller ta bort skrivskyddet, och gör "
                    "sedan om ändringen.</p><p><a href=\"/admin\">Till redigeringens startsida</a></p>");
}

// The database cannot be reached (PostgreSQL restarting, a network cut).
http::response database_unavailable() {
  return editor_503("30", "Redigeringen är tillfälligt otillgänglig",
                    "<p>Databasen svarar inte just nu. Ingenting av det du sparat tidigare har gått förlorat, och "
                    "läsarna ser guiden som vanligt.</p>"
                    "<p>Försök igen om en stund. Om det du höll på med inte sparades får du göra om det.</p>"
                    "<p><a href=\"/admin\">Försök igen</a></p>");
}

}  // namespace

http::response admin_site::handle(const http::request& req) {
  auto r = std::make_shared<owned_request>();
  r->method = req.method;
  r->path = std::string(req.path);
  r->query = std::string(req.query);
  r->body = std::string(req.body);
  r->cookie = std::string(req.header("Cookie"));
  r->origin = std::string(req.header("Origin"));
  r->sec_fetch_site = std::string(req.header("Sec-Fetch-Site"));
  r->host = std::string(req.header("Host"));
  r->remote = impl_->opt.trust_forwarded_for && !req.header("X-Forwarded-For").empty()
                  ? last_forwarded(req.header("X-Forwarded-For"))
                  : std::string(req.remote);
  r->remote = auth::client_key(r->remote);
  r->secure = req.secure;
  http::response resp;
  std::shared_ptr<impl> self = impl_;
  resp.deferred = [self, r]() {
    try {
      return self->handle(*r);
    } catch (const store::store_error& e) {
      // The database is away (PostgreSQL restarting, a network cut) or failing: readers are still
      // served from the snapshot; editors get a page that says so, never the error itself.
      if (e.which() == store::store_error::kind::write_refused) {
        log::error("editor area: the database refuses writes", {{"path", r->path}, {"error", e.what()}});
        return write_refused();
      }
      log::error("editor area: database unavailable", {{"path", r->path}, {"error", e.what()}});
      return database_unavailable();
    }
  };
  return resp;
}

}  // namespace cg::admin
