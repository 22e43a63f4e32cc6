#include "auth/auth.hpp"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace cg::auth {

void init() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium cannot be initialized");
}

std::optional<std::string> password_problem(std::string_view pw) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < pw.size();) {
    unsigned char c = static_cast<unsigned char>(pw[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > pw.size()) return "Lösenordet innehåller tecken som inte är giltig UTF-8.";
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(pw[i + k]) & 0xC0) != 0x80)
        return "Lösenordet innehåller tecken som inte är giltig UTF-8.";
    if (len == 1 && (c < 0x20 || c == 0x7f)) return "Lösenordet får inte innehålla styrtecken.";
    i += len;
    ++chars;
  }
  if (chars < kMinPasswordChars) return "Lösenordet måste ha minst " + std::to_string(kMinPasswordChars) + " tecken.";
  if (chars > kMaxPasswordChars) return "Lösenordet får ha högst " + std::to_string(kMaxPasswordChars) + " tecken.";
  return std::nullopt;
}

std::string hash_password(std::string_view pw) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, pw.data(), pw.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("out of memory while hashing a password");
  return out;
}

bool verify_password(const std::string& hash, std::string_view pw) {
  if (hash.empty()) return false;
  return crypto_pwhash_str_verify(hash.c_str(), pw.data(), pw.size()) == 0;
}

void verify_dummy(std::string_view pw) {
  static const std::string kDummy = hash_password("cyberguide dummy password for timing");
  (void)verify_password(kDummy, pw);
}

std::string client_key(std::string_view address) {
  if (address.find(':') == std::string_view::npos) return std::string(address);
  // IPv6: one client per /64, the block a single subscriber usually has.
  std::string out;
  int groups = 0;
  for (char c : address) {
    if (c == ':' && ++groups == 4) break;
    out += c;
  }
  return out + "::/64";
}

bool is_valid_username(std::string_view name) {
  if (name.size() < 2 || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

std::string random_token(std::size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  randombytes_buf(buf.data(), buf.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), buf.data(), buf.size());
  hex.pop_back();
  return hex;
}

std::string sha256_hex(std::string_view s) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(s.data()), s.size());
  std::string hex(sizeof h * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), h, sizeof h);
  hex.pop_back();
  return hex;
}

bool constant_time_equals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::int64_t login_throttle::admit(const std::string& account, const std::string& client, clock::time_point now) {
  std::lock_guard lock(mu_);
  if (auto it = clients_.find(client); it != clients_.end() && it->second.failures >= 3) {
    unsigned exp = std::min(it->second.failures - 3, 9u);
    auto wait = std::min<std::int64_t>(std::int64_t{1} << exp, 300);
    auto ready = it->second.last_failure + std::chrono::seconds(wait);
    if (now < ready) return std::max<std::int64_t>(1, std::chrono::ceil<std::chrono::seconds>(ready - now).count());
  }
  if (account_checks_.size() > 10000)  // bounded memory: forget accounts with no check in the last hour
    std::erase_if(account_checks_,
                  [&](const auto& kv) { return kv.second.empty() || now - kv.second.back() >= std::chrono::hours(1); });
  auto& checks = account_checks_[account];
  std::erase_if(checks, [&](clock::time_point t) { return now - t >= std::chrono::hours(1); });
  if (checks.size() >= limit_) {
    auto ready = checks.front() + std::chrono::hours(1);
    return std::max<std::int64_t>(1, std::chrono::ceil<std::chrono::seconds>(ready - now).count());
  }
  checks.push_back(now);
  return 0;
}

void login_throttle::failed(const std::string& client, clock::time_point now) {
  std::lock_guard lock(mu_);
  auto& c = clients_[client];
  ++c.failures;
  c.last_failure = now;
  if (clients_.size() > 100000)  // bounded memory: forget clients whose delay has long run out
    std::erase_if(clients_, [&](const auto& kv) { return now - kv.second.last_failure >= std::chrono::minutes(10); });
}

void login_throttle::succeeded(const std::string& client) {
  std::lock_guard lock(mu_);
  clients_.erase(client);
}

}  // namespace cg::auth
