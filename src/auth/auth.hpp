#pragma once
// Passwords, tokens and login throttling. Thread-safe unless said otherwise.
// hash_password and verify_password cost ~60 ms of CPU and 64 MiB each (argon2id, libsodium's
// INTERACTIVE limits): call them off the network threads.
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace cg::auth {

inline constexpr std::size_t kMinPasswordChars = 12;
inline constexpr std::size_t kMaxPasswordChars = 256;

// Initializes libsodium; call once before any other function here (idempotent, thread-safe).
void init();

// Empty when the password is acceptable; otherwise a Swedish sentence saying what to fix.
// Counts Unicode code points; the password must be valid UTF-8 without control characters.
std::optional<std::string> password_problem(std::string_view password);

std::string hash_password(std::string_view password);                      // argon2id, unique salt
bool verify_password(const std::string& hash, std::string_view password);  // constant time
// Spends the time of one verification, for unknown account names (no timing oracle).
void verify_dummy(std::string_view password);

// The throttling key of a client address: IPv4 as it is, IPv6 by its /64 ("2001:db8:1:2::/64").
// ("::1" and other compressed forms are keyed by their first four written groups.)
std::string client_key(std::string_view address);

// Account names: 2–64 characters of a-z 0-9 . _ -
bool is_valid_username(std::string_view name);

std::string random_token(std::size_t bytes = 32);  // hex
std::string sha256_hex(std::string_view s);
bool constant_time_equals(std::string_view a, std::string_view b);

// Login throttling, in memory (per process).
// - per account: at most `per_account_per_hour` password checks in any hour;
// - per client: after 3 failures in a row, each attempt must wait 2^(n-3) s (at most 300 s).
class login_throttle {
 public:
  using clock = std::chrono::steady_clock;
  explicit login_throttle(unsigned per_account_per_hour = 100) : limit_(per_account_per_hour) {}

  // Seconds the caller must wait before this attempt may check a password; 0 = go ahead (and the
  // check is counted against the account).
  std::int64_t admit(const std::string& account, const std::string& client, clock::time_point now);
  void failed(const std::string& client, clock::time_point now);
  void succeeded(const std::string& client);

 private:
  struct client_state {
    unsigned failures = 0;
    clock::time_point last_failure;
  };
  std::mutex mu_;
  unsigned limit_;
  std::map<std::string, std::vector<clock::time_point>> account_checks_;
  std::map<std::string, client_state> clients_;
};

}  // namespace cg::auth
