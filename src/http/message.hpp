#pragma once
// Plain request and response values passed between the HTTP server and the routes. No Beast here:
// the rest of the program includes this header, not the server's.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cg::http {

enum class method { get, head, post, other };

// A parsed request. The views point into the server's buffers and are valid only during the call.
struct request {
  http::method method = method::other;
  std::string_view method_name;
  std::string_view target;  // as sent: path and query
  std::string_view path;    // target before '?'
  std::string_view query;   // after '?', without it
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  std::string_view body;
  bool secure = false;      // arrived over HTTPS (as told by the configuration)
  std::string_view remote;  // the client's address: for throttling in memory only, never stored

  // The first header of that name (case-insensitive), or empty.
  std::string_view header(std::string_view name) const;
};

struct response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // added to the server's common headers
  // Header lines made ahead of time ("Name: value\r\n" each), sent as they are after the common
  // headers and before `headers`: a snapshot keeps them per page so the hot path builds nothing.
  // Must stay valid as long as `keep` (or be static).
  std::string_view fixed_headers;
  std::string owned;                    // body when the response owns it
  const std::string* shared = nullptr;  // body kept alive by `keep` (e.g. a snapshot page)
  std::shared_ptr<const void> keep;
  bool close = false;  // close the connection after this response
  // When set, the server runs this on its pool of blocking-work threads (off the network threads)
  // and sends the response it returns instead. The function must own everything it uses: copy what
  // it needs from the request.
  std::function<response()> deferred;

  std::string_view body() const { return shared ? std::string_view(*shared) : std::string_view(owned); }
  response& header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  // The first value of a header (case-insensitive), from `fixed_headers` or `headers`; empty if none.
  std::string_view header_value(std::string_view name) const;
};

// Case-insensitive ASCII comparison of header names and tokens.
bool iequals(std::string_view a, std::string_view b);

// Appends "Name: value\r\n" to out.
void append_header_line(std::string& out, std::string_view name, std::string_view value);

// Whether a Host header value may be accepted: a name of letters, digits, '-', '.', '_' and '~' (no
// "..", no userinfo, no '/' or '\\', no percent-encoding), or an [IPv6] literal; an optional :port.
bool valid_host(std::string_view host);

// The reason phrase of a status code ("Not Found").
std::string_view reason(int status);

}  // namespace cg::http
