#pragma once
#include <string>
#include <utility>
#include <vector>

namespace cg::site {

inline constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'";

// The headers every response carries, errors and redirects included. HSTS only over HTTPS.
inline std::vector<std::pair<std::string, std::string>> security_headers(bool secure) {
  std::vector<std::pair<std::string, std::string>> h = {
      {"Server", "cyberguide"},
      {"Content-Security-Policy", kContentSecurityPolicy},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "strict-origin-when-cross-origin"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
      {"X-Frame-Options", "DENY"},
  };
  if (secure) h.emplace_back("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  return h;
}

}  // namespace cg::site
