#pragma once
// The HTTP/1.1 server: Boost.Beast on Asio with C++20 coroutines. It knows no route of the guide: it
// parses requests, calls the handler, and writes what the handler returns, adding the common headers.
//
// Threads: `threads` io_contexts, one thread each; an accepted connection stays on one thread for its
// life. The handler is called on network threads and must not block on I/O.
// Limits: a deadline on every read and write, header and body size limits, a cap on pipelined
// requests and on requests per connection. Errors of the client get 400/408/413/431 and a close.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "http/message.hpp"

namespace cg::http {

struct server_options {
  std::string address = "127.0.0.1";
  unsigned short port = 8080;            // 0: any free port (see server::port())
  unsigned threads = 0;                  // 0: one per core
  unsigned blocking_threads = 2;         // for deferred responses (password hashing, database work)
  unsigned max_deferred_in_flight = 64;  // more queued deferred responses get 503 with Retry-After
  std::size_t header_limit = 16 * 1024;
  std::size_t body_limit = 1024 * 1024;
  std::chrono::milliseconds read_timeout{10'000};  // to receive one whole request once it has begun
  std::chrono::milliseconds idle_timeout{30'000};  // keep-alive: waiting for the next request
  std::chrono::milliseconds write_timeout{30'000};
  // Open connections at most, in all and from one client address; a connection over either cap gets
  // a 503 and is closed. max_connections 0: raise the open-file limit to its hard limit and take that
  // less a reserve for the database and logs, at most 10 000. max_connections_per_ip 0: no cap.
  unsigned max_connections = 0;
  unsigned max_connections_per_ip = 256;
  unsigned max_pipelined = 32;  // requests answered from one read before closing
  unsigned max_requests_per_connection = 10'000;
  std::chrono::milliseconds shutdown_grace{10'000};                 // how long stop() waits for requests in flight
  bool secure = false;                                              // requests arrive over HTTPS (via a proxy)
  std::vector<std::pair<std::string, std::string>> common_headers;  // on every response
};

using handler = std::function<response(const request&)>;

class server {
 public:
  server(server_options options, handler h);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Binds and listens. Throws std::runtime_error with a clear message when it cannot.
  void listen();
  // The bound port (after listen()).
  unsigned short port() const;
  // The cap on open connections in force (after listen()).
  unsigned max_connections() const;
  // Serves until stop() and every request in flight has been answered. Blocks the caller.
  void run();
  // Stops accepting, closes idle connections, lets requests in flight finish (up to shutdown_grace).
  // Thread-safe; may be called before or during run().
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace cg::http
