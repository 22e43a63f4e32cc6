// The editor area driven directly (no sockets), with a fake clock: session timeouts and rotation.
#include "admin/admin.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "auth/auth.hpp"
#include "content/pack.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace cg::admin {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class fake_clock final : public clock_source {
 public:
  std::chrono::system_clock::time_point t = std::chrono::sys_days{std::chrono::year{2026} / 11 / 30};
  std::chrono::system_clock::time_point now() const override { return t; }
};

class AdminSite : public ::testing::Test {
 protected:
  void SetUp() override {
    auth::init();
    dir_ = fs::temp_directory_path() / ("cg-admin-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    st_ = store::open_sqlite((dir_ / "db.sqlite").string());
    auto g = content::load_guide(content::default_pack());
    ASSERT_TRUE(g.ok());
    st_->publish(*g, "test", "", "2026-11-30T00:00:00Z");
    ASSERT_TRUE(st_->add_user({0, "anna", "editor", auth::hash_password("ett långt lösenord"), false, "t"}));
    site_ = std::make_unique<admin_site>(*st_, clock_, options{}, nullptr);
  }
  void TearDown() override {
    site_.reset();
    st_.reset();
    fs::remove_all(dir_);
  }

  http::response call(http::method m, const std::string& path, const std::string& body = "",
                      const std::string& cookie = "") {
    std::vector<std::pair<std::string_view, std::string_view>> headers = {{"Host", "127.0.0.1:8080"},
                                                                          {"Origin", "http://127.0.0.1:8080"}};
    std::string cookie_header = "cg_session=" + cookie;
    if (!cookie.empty()) headers.emplace_back("Cookie", cookie_header);
    http::request req;
    req.method = m;
    req.method_name = m == http::method::post ? "POST" : "GET";
    req.target = path;
    req.path = path;
    req.body = body;
    req.remote = "192.0.2.1";
    req.headers = headers;
    http::response deferred = site_->handle(req);
    EXPECT_TRUE(static_cast<bool>(deferred.deferred));
    return deferred.deferred();
  }
  static std::string header(const http::response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
      if (http::iequals(k, name)) return v;
    return {};
  }
  std::string login() {
    auto r = call(http::method::post, "/admin/logga-in", "username=anna&password=ett+l%C3%A5ngt+l%C3%B6senord");
    EXPECT_EQ(r.status, 303);
    std::string c = header(r, "Set-Cookie");
    return c.substr(c.find('=') + 1, 64);
  }

  fs::path dir_;
  fake_clock clock_;
  std::unique_ptr<store::store> st_;
  std::unique_ptr<admin_site> site_;
};

TEST_F(AdminSite, SessionEndsAfterThirtyIdleMinutes) {
  std::string c = login();
  clock_.t += 29min;
  EXPECT_EQ(call(http::method::get, "/admin", "", c).status, 200);
  clock_.t += 29min;  // 29 min after the last request: still alive
  EXPECT_EQ(call(http::method::get, "/admin", "", c).status, 200);
  clock_.t += 31min;
  auto r = call(http::method::get, "/admin", "", c);
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(header(r, "Location"), "/admin/logga-in");
  EXPECT_FALSE(st_->find_session(auth::sha256_hex(c)).has_value());
}

TEST_F(AdminSite, SessionEndsTwelveHoursAfterLoginHoweverActive) {
  std::string c = login();
  for (int i = 0; i < 35; ++i) {  // a request every 20 minutes: 11 h 40 min
    clock_.t += 20min;
    ASSERT_EQ(call(http::method::get, "/admin", "", c).status, 200) << i;
  }
  clock_.t += 21min;
  EXPECT_EQ(call(http::method::get, "/admin", "", c).status, 303);
}

TEST_F(AdminSite, LoginGivesANewSessionAndEndsTheOldOne) {
  std::string first = login();
  std::string second = login();
  EXPECT_NE(first, second);
  EXPECT_EQ(call(http::method::get, "/admin", "", second).status, 200);
  // A login that arrives with the old cookie ends the old session.
  auto r = call(http::method::post, "/admin/logga-in", "username=anna&password=ett+l%C3%A5ngt+l%C3%B6senord", second);
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(call(http::method::get, "/admin", "", second).status, 303);
}

TEST_F(AdminSite, ADisabledAccountLosesItsSessionAtOnce) {
  std::string c = login();
  auto u = st_->find_user("anna");
  u->disabled = true;
  st_->update_user(*u);
  EXPECT_EQ(call(http::method::get, "/admin", "", c).status, 303);
}

}  // namespace
}  // namespace cg::admin
