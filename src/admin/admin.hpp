#pragma once
// The editor area under /admin: login, editing the draft, preview, publishing, history, accounts,
// audit. Every request is handled as a deferred response, so database work and password hashing run
// on the server's blocking pool and never on a network thread.
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "auth/auth.hpp"
#include "http/message.hpp"
#include "render/snapshot.hpp"
#include "site/reader.hpp"
#include "store/store.hpp"
#include "util/clock.hpp"

namespace cg::admin {

struct options {
  bool secure = false;        // served over HTTPS: __Host- cookie with Secure
  std::string public_origin;  // "https://guide.example.se"; empty: taken from the Host header
  std::chrono::minutes idle_timeout{30};
  std::chrono::hours absolute_timeout{12};
  unsigned checks_per_account_per_hour = 100;
  bool trust_forwarded_for = false;  // behind a proxy: the client is the last X-Forwarded-For entry
};

class admin_site {
 public:
  // on_publish is called after a publish or restore (to swap in the new snapshot at once).
  admin_site(store::store& st, const clock_source& clock, options opt, std::function<void()> on_publish);
  ~admin_site();

  // Thread-safe. Returns a deferred response for every path under /admin.
  http::response handle(const http::request& req);

  std::string cookie_name() const;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace cg::admin
