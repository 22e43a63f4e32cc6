#include "http/server.hpp"

#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <list>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>

#include "util/log.hpp"

namespace cg::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// A connection as seen by stop(): idle ones are cancelled, busy ones finish their response.
// Deadlines cost nothing per request: a connection only writes the time its current read or write
// must end by, and a sweep per worker (a few times a second) cancels the sockets that are late.
using clock = std::chrono::steady_clock;
struct conn_entry {
  tcp::socket* sock = nullptr;
  bool idle = true;        // waiting for a request that has not begun
  bool timed_out = false;  // the sweep cancelled it
  clock::time_point deadline = clock::time_point::max();
};

// One thread, its own io_context and its own listening socket (SO_REUSEPORT: the kernel spreads new
// connections over the workers, as nginx's do); a connection never leaves the worker that accepted it.
struct worker {
  asio::io_context ioc{1};
  std::unique_ptr<tcp::acceptor> acceptor;
  std::list<conn_entry> conns;           // touched only on this worker's thread
  clock::time_point now = clock::now();  // refreshed by the sweep; deadlines are counted from it
  asio::steady_timer* sweep_timer = nullptr;
};

const std::string& http_date() {
  thread_local std::time_t cached_at = 0;
  thread_local std::string cached;
  std::time_t now = std::time(nullptr);
  if (now != cached_at) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached = buf;
    cached_at = now;
  }
  return cached;
}

std::string incident_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

response error_page(int status, std::string_view text) {
  response r;
  r.status = status;
  r.header("Content-Type", "text/html; charset=utf-8");
  r.header("Cache-Control", "no-store");
  r.owned = "<!doctype html>\n<html lang=\"sv\"><head><meta charset=\"utf-8\"><title>" + std::to_string(status) + " " +
            std::string(reason(status)) + "</title></head><body><h1>" + std::string(text) +
            "</h1><p><a href=\"/\">Till startsidan</a></p></body></html>\n";
  r.close = true;
  return r;
}

// "http://host/path?q" (absolute form, RFC 9112 3.2.2) → "/path?q"; "http://host" → "/". The host is
// never used. The authority ends at the first '/', '?' or '#': "http://host?q" and "http://host#f" give
// "" (refused with 400) rather than a path read out of the query or fragment.
std::string_view origin_form(std::string_view target) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.size() >= scheme.size() && iequals(target.substr(0, scheme.size()), scheme)) {
      std::string_view rest = target.substr(scheme.size());
      auto end = rest.find_first_of("/?#");
      if (end == std::string_view::npos) return "/";
      return rest[end] == '/' ? rest.substr(end) : std::string_view();
    }
  }
  return target;
}

method to_method(bhttp::verb v) {
  switch (v) {
    case bhttp::verb::get: return method::get;
    case bhttp::verb::head: return method::head;
    case bhttp::verb::post: return method::post;
    default: return method::other;
  }
}

// Longest request target (414 beyond) and longest header field line (431 beyond), as nginx's
// large_client_header_buffers; the whole head is further bounded by server_options::header_limit.
constexpr std::size_t kMaxTarget = 8 * 1024;
constexpr std::size_t kMaxFieldLine = 8 * 1024;

// One connection's request, parsed without allocating once its buffers have grown: the request line
// and fields are copied into `arena` (the read buffer may move while a body arrives), the body into
// `body`. Reused for every request on the connection; Beast's basic_parser does the framing
// (Content-Length, chunked, limits, conflicting Transfer-Encoding/Content-Length).
struct request_buffers {
  struct span {
    std::uint32_t off = 0, len = 0;
  };
  std::string arena;
  std::string body;
  bhttp::verb verb = bhttp::verb::unknown;
  span method, target;
  std::vector<std::pair<span, span>> fields;
  // Checks of the head beyond Beast's: the status to refuse the request with (0: none).
  int reject = 0;
  bool request_line = false;  // the request line has been parsed
  int version = 11;
  unsigned hosts = 0;
  bool bad_host = false;
  unsigned chunked = 0;       // "chunked" among the Transfer-Encoding codings
  bool other_coding = false;  // a coding we do not implement (gzip, identity, …)

  void clear() {
    arena.clear();
    body.clear();
    fields.clear();
    verb = bhttp::verb::unknown;
    reject = 0;
    request_line = false;
    version = 11;
    hosts = 0;
    bad_host = false;
    chunked = 0;
    other_coding = false;
  }
  span keep(std::string_view v) {
    span sp{static_cast<std::uint32_t>(arena.size()), static_cast<std::uint32_t>(v.size())};
    arena.append(v);
    return sp;
  }
  std::string_view view(span sp) const { return std::string_view(arena).substr(sp.off, sp.len); }
};

class request_reader final : public bhttp::basic_parser<true> {
 public:
  explicit request_reader(request_buffers& b) : b_(b) { b_.clear(); }

 private:
  request_buffers& b_;
  void on_request_impl(bhttp::verb v, beast::string_view method, beast::string_view target, int version,
                       beast::error_code& ec) override {
    if (target.size() > kMaxTarget) return refuse(414, ec);
    b_.request_line = true;
    b_.version = version;
    b_.verb = v;
    b_.method = b_.keep(std::string_view(method.data(), method.size()));
    b_.target = b_.keep(std::string_view(target.data(), target.size()));
  }
  void on_response_impl(int, beast::string_view, int, beast::error_code&) override {}
  void refuse(int status, beast::error_code& ec) {
    b_.reject = status;
    ec = bhttp::error::bad_field;
  }
  void on_field_impl(bhttp::field f, beast::string_view name, beast::string_view value,
                     beast::error_code& ec) override {
    if (name.size() + value.size() > kMaxFieldLine) return refuse(431, ec);
    std::string_view v{value.data(), value.size()};
    // Beast joins an obsolete folded line into the value; RFC 9112 5.2 lets a server refuse it instead,
    // which leaves no doubt how a proxy in front read the same bytes.
    if (v.find_first_of("\r\n") != std::string_view::npos) return refuse(400, ec);
    if (f == bhttp::field::host) {
      ++b_.hosts;
      if (!valid_host(v)) b_.bad_host = true;
    } else if (f == bhttp::field::transfer_encoding) {
      for (std::size_t pos = 0; pos <= v.size();) {
        auto comma = v.find(',', pos);
        std::string_view coding = v.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
        while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t')) coding.remove_prefix(1);
        while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t')) coding.remove_suffix(1);
        if (iequals(coding, "chunked"))
          ++b_.chunked;
        else if (!coding.empty())
          b_.other_coding = true;
        if (comma == std::string_view::npos) break;
        pos = comma + 1;
      }
    }
    auto kept_name = b_.keep(std::string_view(name.data(), name.size()));
    auto kept_value = b_.keep(v);
    b_.fields.emplace_back(kept_name, kept_value);
  }
  // Before any body: RFC 9112 3.2 (exactly one valid Host in HTTP/1.1, at most one in 1.0) and 6.1
  // (a coding we do not implement: 501; "chunked" more than once: 400).
  void on_header_impl(beast::error_code& ec) override {
    if (b_.hosts > 1 || b_.bad_host || (b_.hosts == 0 && b_.version >= 11)) return refuse(400, ec);
    if (b_.other_coding) return refuse(501, ec);
    if (b_.chunked > 1) return refuse(400, ec);
  }
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, beast::error_code&) override {
    if (length) b_.body.reserve(static_cast<std::size_t>(*length));
  }
  std::size_t on_body_impl(beast::string_view body, beast::error_code&) override {
    b_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body, beast::error_code&) override {
    b_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(beast::error_code&) override {}
};

// After header_limit: whether no line end came within the longest target allowed (then 414, not 431).
bool request_line_too_long(const beast::flat_buffer& buffer) {
  std::string_view head(static_cast<const char*>(buffer.data().data()), buffer.size());
  auto eol = head.find("\r\n");
  return eol == std::string_view::npos || eol > kMaxTarget + 64;
}

// After bad_version: "HTTP/2.0" and the like (505) rather than a version that is not one at all (400).
bool other_major_version(const beast::flat_buffer& buffer) {
  std::string_view head(static_cast<const char*>(buffer.data().data()),
                        std::min<std::size_t>(buffer.size(), 16 * 1024));
  head = head.substr(0, head.find("\r\n"));
  auto at = head.rfind(" HTTP/");
  if (at == std::string_view::npos || at + 9 != head.size()) return false;
  char major = head[at + 6], dot = head[at + 7], minor = head[at + 8];
  return major >= '2' && major <= '9' && dot == '.' && minor >= '0' && minor <= '9';
}

void append_number(std::string& out, std::size_t n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  (void)ec;
  out.append(buf, end);
}

// A deferred response being computed on the blocking pool; shared by the pool job and the waiter.
struct deferred_state {
  explicit deferred_state(const asio::any_io_executor& ex) : done(ex, asio::steady_timer::time_point::max()) {}
  std::function<response()> job;
  response result;
  asio::steady_timer done;
};

}  // namespace

struct server::impl {
  server_options opt;
  handler h;
  std::unique_ptr<asio::thread_pool> pool;
  std::atomic<unsigned> deferred_in_flight{0};
  std::vector<std::unique_ptr<worker>> workers;
  unsigned short bound_port = 0;
  bool listening = false;
  std::atomic<bool> stopping{false};

  std::string common_block;  // opt.common_headers, serialized once

  // Connection caps: open connections in all and per client address (key: the address's text).
  unsigned max_total = 0;
  std::atomic<unsigned> open_total{0};
  std::atomic<unsigned> refusing{0};  // connections being answered 503 right now
  std::mutex ip_mutex;
  std::unordered_map<std::string, unsigned> open_per_ip;

  // Counts a new connection in; false when it is over a cap (then nothing is counted).
  bool admit(const std::string& ip) {
    if (open_total.fetch_add(1) >= max_total) {
      --open_total;
      return false;
    }
    if (opt.max_connections_per_ip == 0) return true;
    std::lock_guard lock(ip_mutex);
    unsigned& n = open_per_ip[ip];
    if (n >= opt.max_connections_per_ip) {
      --open_total;
      return false;
    }
    ++n;
    return true;
  }
  void release(const std::string& ip) {
    --open_total;
    if (opt.max_connections_per_ip == 0) return;
    std::lock_guard lock(ip_mutex);
    auto it = open_per_ip.find(ip);
    if (it != open_per_ip.end() && --it->second == 0) open_per_ip.erase(it);
  }

  // The status line and headers into `head` (cleared first; its capacity is reused).
  void serialize_head(std::string& head, const response& r, std::size_t body_size, bool keep_alive,
                      bool send_length) const {
    head.clear();
    head += "HTTP/1.1 ";
    append_number(head, static_cast<std::size_t>(r.status));
    head += ' ';
    head += reason(r.status);
    head += "\r\nDate: ";
    head += http_date();
    head += "\r\n";
    head += common_block;
    head += r.fixed_headers;
    for (const auto& [k, v] : r.headers) append_header_line(head, k, v);
    if (send_length) {
      head += "Content-Length: ";
      append_number(head, body_size);
      head += "\r\n";
    }
    if (!keep_alive) head += "Connection: close\r\n";
    head += "\r\n";
  }

  // Writes r; HEAD and 304 get no body. Returns false when the write failed. `head` is scratch space.
  asio::awaitable<bool> write(worker& w, conn_entry& e, std::string& head, const response& r, bool head_only,
                              bool keep_alive) {
    bool no_body = head_only || r.status == 304 || r.status == 204 || r.status < 200;
    std::string_view body = r.body();
    serialize_head(head, r, body.size(), keep_alive, r.status != 304 && r.status != 204);
    e.deadline = w.now + opt.write_timeout;
    std::array<asio::const_buffer, 2> bufs{asio::buffer(head), asio::buffer(body.data(), no_body ? 0 : body.size())};
    auto [ec, n] = co_await asio::async_write(*e.sock, bufs, kTuple);
    (void)n;
    e.deadline = clock::time_point::max();
    co_return !ec;
  }

  response call_handler(const request& req) {
    try {
      return h(req);
    } catch (const std::exception& e) {
      std::string id = incident_id();
      log::error("request failed", {{"incident", id}, {"path", std::string(req.path)}, {"error", e.what()}});
      response r = error_page(500, "Något gick fel hos oss. Försök igen om en stund. (Händelse-id " + id + ")");
      r.close = false;
      return r;
    } catch (...) {
      std::string id = incident_id();
      log::error("request failed", {{"incident", id}, {"path", std::string(req.path)}, {"error", "unknown exception"}});
      return error_page(500, "Något gick fel hos oss. Försök igen om en stund. (Händelse-id " + id + ")");
    }
  }

  // Runs job on the blocking pool and resumes on the connection's thread with its response.
  asio::awaitable<response> run_deferred(asio::any_io_executor ex, std::function<response()> job) {
    auto st = std::make_shared<deferred_state>(ex);
    st->job = std::move(job);
    asio::post(*pool, [st, ex, this] {
      try {
        st->result = st->job();
      } catch (const std::exception& e) {
        std::string id = incident_id();
        log::error("request failed", {{"incident", id}, {"error", e.what()}});
        st->result = error_page(500, "Något gick fel hos oss. Försök igen om en stund. (Händelse-id " + id + ")");
      } catch (...) {
        std::string id = incident_id();
        log::error("request failed", {{"incident", id}, {"error", "unknown exception"}});
        st->result = error_page(500, "Något gick fel hos oss. Försök igen om en stund. (Händelse-id " + id + ")");
      }
      --deferred_in_flight;
      st->job = nullptr;
      asio::post(ex, [st] { st->done.cancel(); });
    });
    co_await st->done.async_wait(kTuple);
    co_return std::move(st->result);
  }

  // Reads into `buffer` until `parser` has one whole request. Errors as Beast's http::async_read gives
  // them (end_of_stream when the peer closed between requests), and beast::error::timeout when the
  // sweep cancelled the read.
  asio::awaitable<beast::error_code> read_request(worker& w, conn_entry& e, beast::flat_buffer& buffer,
                                                  request_reader& parser) {
    beast::error_code ec;
    for (;;) {
      if (buffer.size() > 0) {
        if (e.idle) {  // the request has begun: from now on it has read_timeout to arrive whole
          e.idle = false;
          e.deadline = w.now + opt.read_timeout;
        }
        // put() takes one part at a time (the header, then body pieces): call it while it makes progress.
        while (buffer.size() > 0) {
          std::size_t used = parser.put(buffer.data(), ec);
          buffer.consume(used);
          if (ec == bhttp::error::need_more) {
            ec = {};
            break;
          }
          if (ec) co_return ec;
          if (parser.is_done()) co_return ec;
          if (used == 0) break;
        }
      }
      std::size_t room = buffer.max_size() - buffer.size();
      if (room == 0) co_return bhttp::error::buffer_overflow;
      auto [rec, n] = co_await e.sock->async_read_some(buffer.prepare(std::min<std::size_t>(room, 64 * 1024)), kTuple);
      if (rec) {
        if (e.timed_out) co_return beast::error::timeout;
        if (rec == asio::error::eof)
          co_return parser.got_some() ? bhttp::error::partial_message : bhttp::error::end_of_stream;
        co_return rec;
      }
      buffer.commit(n);
    }
  }

  // A connection over a cap: a 503 at once, then the send side shut and whatever the client still
  // sends read and dropped for at most a second (so that closing does not reset the 503 away).
  asio::awaitable<void> refuse(worker& w, tcp::socket sock) {
    struct guard {
      std::atomic<unsigned>& n;
      ~guard() { --n; }
    } counted{refusing};
    auto entry = w.conns.insert(w.conns.end(), conn_entry{&sock});
    conn_entry& e = *entry;
    e.idle = false;
    std::string head;
    response r = error_page(503, "Servern har för många öppna anslutningar just nu. Försök igen om en stund.");
    r.header("Retry-After", "5");
    if (co_await write(w, e, head, r, false, false)) {
      beast::error_code ignored;
      sock.shutdown(tcp::socket::shutdown_send, ignored);
      e.deadline = w.now + std::chrono::seconds(1);
      std::array<char, 4096> sink;
      for (std::size_t drained = 0; drained < 64 * 1024;) {
        auto [ec, n] = co_await sock.async_read_some(asio::buffer(sink), kTuple);
        if (ec) break;
        drained += n;
      }
    }
    beast::error_code ignored;
    sock.close(ignored);
    w.conns.erase(entry);
    if (stopping && w.conns.empty() && w.sweep_timer) w.sweep_timer->cancel();
  }

  asio::awaitable<void> session(worker& w, tcp::socket sock, std::string remote) {
    struct guard {
      impl& self;
      const std::string& ip;
      ~guard() { self.release(ip); }
    } counted{*this, remote};
    auto entry = w.conns.insert(w.conns.end(), conn_entry{&sock});
    conn_entry& e = *entry;
    beast::flat_buffer buffer(opt.header_limit + opt.body_limit + 4096);
    request_buffers rb;
    request req;
    req.secure = opt.secure;
    req.remote = remote;
    std::string head;
    head.reserve(1024);
    unsigned served = 0, pipelined = 0;
    while (!stopping) {
      request_reader parser(rb);
      parser.header_limit(static_cast<std::uint32_t>(opt.header_limit));
      parser.body_limit(opt.body_limit);
      const bool buffered = buffer.size() > 0;
      e.timed_out = false;  // a sweep that came just after the last operation had finished
      e.idle = !buffered;
      e.deadline = w.now + (served == 0 || buffered ? opt.read_timeout : opt.idle_timeout);
      beast::error_code ec = co_await read_request(w, e, buffer, parser);
      e.idle = false;
      e.deadline = clock::time_point::max();
      if (ec) {
        int status = 0;
        if (rb.reject)
          status = rb.reject;
        else if (ec == bhttp::error::header_limit)
          status = !rb.request_line && request_line_too_long(buffer) ? 414 : 431;
        else if (ec == bhttp::error::bad_version)
          status = other_major_version(buffer) ? 505 : 400;
        else if (ec == bhttp::error::body_limit)
          status = 413;
        else if (ec == beast::error::timeout && (parser.got_some() || buffer.size() > 0))
          status = 408;
        else if (ec != bhttp::error::end_of_stream && ec != asio::error::operation_aborted &&
                 ec != beast::error::timeout && ec != asio::error::eof && ec != asio::error::connection_reset &&
                 ec != bhttp::error::partial_message)
          status = 400;
        if (status) {
          e.timed_out = false;
          response r = error_page(status, status == 431   ? "Förfrågans huvuden är för stora."
                                          : status == 413 ? "Förfrågan är för stor."
                                          : status == 414 ? "Adressen är för lång."
                                          : status == 408 ? "Förfrågan tog för lång tid."
                                          : status == 501 ? "Förfrågan använder något som servern inte stöder."
                                          : status == 505 ? "Servern talar bara HTTP/1.0 och HTTP/1.1."
                                                          : "Förfrågan kunde inte tolkas.");
          co_await write(w, e, head, r, false, false);
          log::access("-", "-", status, r.body().size(), 0);
        }
        break;
      }
      pipelined = buffered ? pipelined + 1 : 0;
      ++served;
      const bool timed = log::access_log_enabled();
      const auto started = timed ? clock::now() : clock::time_point();
      req.method = to_method(rb.verb);
      req.method_name = rb.view(rb.method);
      req.target = origin_form(rb.view(rb.target));
      auto q = req.target.find('?');
      req.path = req.target.substr(0, q);
      req.query = q == std::string_view::npos ? std::string_view() : req.target.substr(q + 1);
      req.body = rb.body;
      req.headers.clear();
      for (const auto& [k, v] : rb.fields) req.headers.emplace_back(rb.view(k), rb.view(v));
      response r;
      if (rb.verb == bhttp::verb::unknown) {  // a method token we do not know at all
        r = error_page(501, "Metoden stöds inte av servern.");
        r.close = false;
      } else if (rb.verb == bhttp::verb::connect) {  // what follows would be a tunnel, not HTTP: close
        r = error_page(405, "Metoden stöds inte här.");
        r.header("Allow", "GET, HEAD");
      } else if (req.target.empty() || req.target.find('#') != std::string_view::npos ||
                 (req.target.front() != '/' && req.method != method::other)) {
        r = error_page(400, "Förfrågan kunde inte tolkas.");
      } else {
        r = call_handler(req);
      }
      if (r.deferred) {
        if (deferred_in_flight.fetch_add(1) >= opt.max_deferred_in_flight) {
          --deferred_in_flight;
          r = error_page(503, "Tjänsten är hårt belastad just nu. Försök igen om en liten stund.");
          r.header("Retry-After", "5");
        } else {
          r = co_await run_deferred(sock.get_executor(), std::move(r.deferred));
        }
      }
      bool keep_alive = parser.keep_alive() && !r.close && !stopping && served < opt.max_requests_per_connection &&
                        pipelined < opt.max_pipelined;
      bool ok = co_await write(w, e, head, r, req.method == method::head, keep_alive);
      if (timed) {
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - started);
        log::access(req.method_name, req.path, r.status, req.method == method::head ? 0 : r.body().size(),
                    static_cast<long>(us.count()));
      }
      if (!ok || !keep_alive) break;
    }
    beast::error_code ignored;
    sock.shutdown(tcp::socket::shutdown_send, ignored);
    sock.close(ignored);
    w.conns.erase(entry);
    if (stopping && w.conns.empty() && w.sweep_timer) w.sweep_timer->cancel();  // shut down without waiting
  }

  // How often a worker looks for late connections: a quarter of the shortest timeout, 5 ms to 250 ms.
  std::chrono::milliseconds sweep_interval() const {
    auto shortest = std::min({opt.read_timeout, opt.idle_timeout, opt.write_timeout});
    return std::clamp(shortest / 4, std::chrono::milliseconds(5), std::chrono::milliseconds(250));
  }

  // Cancels the sockets whose deadline has passed. After stop(): ends once the worker has no connection,
  // or stops the worker's context when connections are still busy after shutdown_grace.
  asio::awaitable<void> sweep(worker& w) {
    asio::steady_timer t(w.ioc);
    w.sweep_timer = &t;
    const auto interval = sweep_interval();
    std::optional<clock::time_point> give_up_at;
    for (;;) {
      if (stopping) {
        if (w.conns.empty()) break;
        if (!give_up_at) give_up_at = clock::now() + opt.shutdown_grace;
        if (clock::now() >= *give_up_at) {
          log::warn("requests still in flight at shutdown", {{"connections", std::to_string(w.conns.size())}});
          w.ioc.stop();
          break;
        }
      }
      t.expires_after(interval);
      co_await t.async_wait(kTuple);
      w.now = clock::now();
      for (auto& c : w.conns) {
        if (c.deadline <= w.now) {
          c.timed_out = true;
          c.deadline = clock::time_point::max();
          beast::error_code ignored;
          c.sock->cancel(ignored);
        }
      }
    }
    w.sweep_timer = nullptr;
  }

  asio::awaitable<void> accept_loop(worker& w) {
    for (;;) {
      auto [ec, sock] = co_await w.acceptor->async_accept(kTuple);
      if (stopping || ec == asio::error::operation_aborted) co_return;
      if (ec) {
        // Out of file descriptors and the like: wait a moment instead of spinning.
        log::warn("accept failed", {{"error", ec.message()}});
        asio::steady_timer t(w.ioc, std::chrono::milliseconds(50));
        co_await t.async_wait(kTuple);
        continue;
      }
      beast::error_code ignored;
      sock.set_option(tcp::no_delay(true), ignored);
      auto remote_ep = sock.remote_endpoint(ignored);
      std::string remote = ignored ? std::string() : remote_ep.address().to_string();
      if (admit(remote)) {
        asio::co_spawn(w.ioc, session(w, std::move(sock), std::move(remote)), asio::detached);
      } else if (refusing.fetch_add(1) < 1024) {
        asio::co_spawn(w.ioc, refuse(w, std::move(sock)), asio::detached);
      } else {  // a flood: no answer at all, the descriptor back at once
        --refusing;
        sock.close(ignored);
      }
    }
  }

  // Runs one worker's context until stop(), then until its connections have finished or the grace
  // period is over. Connections are only touched from this thread.
  // The accept loop and the sweep keep it busy until stop(); then it ends when every connection has
  // (the sweep stops the context once shutdown_grace is over).
  void run_worker(worker& w) { w.ioc.run(); }

  static asio::awaitable<void> close_idle(worker& w) {
    beast::error_code ignored;
    for (auto& c : w.conns)
      if (c.idle) c.sock->cancel(ignored);
    if (w.sweep_timer) w.sweep_timer->cancel();
    co_return;
  }
};

server::server(server_options options, handler h) : impl_(std::make_unique<impl>()) {
  impl_->opt = std::move(options);
  impl_->h = std::move(h);
  for (const auto& [k, v] : impl_->opt.common_headers) append_header_line(impl_->common_block, k, v);
  unsigned n = impl_->opt.threads ? impl_->opt.threads : std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < n; ++i) impl_->workers.push_back(std::make_unique<worker>());
  impl_->pool = std::make_unique<asio::thread_pool>(std::max(1u, impl_->opt.blocking_threads));
}

server::~server() = default;

void server::listen() {
  beast::error_code ec;
  auto addr = asio::ip::make_address(impl_->opt.address, ec);
  if (ec) throw std::runtime_error("ogiltig adress att lyssna på: " + impl_->opt.address);
  auto fail = [&](unsigned short port, const std::string& why) {
    for (auto& w : impl_->workers) w->acceptor.reset();
    throw std::runtime_error("kan inte lyssna på " + impl_->opt.address + ":" + std::to_string(port) + ": " + why);
  };
  // SO_REUSEPORT would let a second cyberguide (same user) bind the same port and silently take half
  // the connections. A probe bind without it fails when anything already listens there.
  if (impl_->opt.port != 0) {
    tcp::acceptor probe(impl_->workers[0]->ioc);
    probe.open(addr.is_v6() ? tcp::v6() : tcp::v4(), ec);
    if (!ec) probe.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) probe.bind(tcp::endpoint(addr, impl_->opt.port), ec);
    if (ec) fail(impl_->opt.port, ec.message());
  }
  unsigned short port = impl_->opt.port;
  for (auto& w : impl_->workers) {
    tcp::endpoint ep(addr, port);
    auto acc = std::make_unique<tcp::acceptor>(w->ioc);
    acc->open(ep.protocol(), ec);
    if (!ec) acc->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) {
      int one = 1;
      if (::setsockopt(acc->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
        ec = beast::error_code(errno, boost::system::system_category());
    }
    if (!ec) acc->bind(ep, ec);
    if (!ec) acc->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) fail(port, ec.message());
    port = acc->local_endpoint().port();  // port 0: the others join the port the first one got
    w->acceptor = std::move(acc);
  }
  impl_->bound_port = port;
  impl_->listening = true;
  impl_->max_total = impl_->opt.max_connections;
  if (impl_->max_total == 0) {
    // Room for connections: the soft open-file limit raised to the hard one, less a reserve for the
    // database, the search index, logs and accepts in progress.
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0) {
      rlim_t want = std::min<rlim_t>(rl.rlim_max, 1 << 20);
      if (rl.rlim_cur < want) {
        rlimit raised = rl;
        raised.rlim_cur = want;
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) rl.rlim_cur = want;
      }
      impl_->max_total =
          static_cast<unsigned>(std::clamp<rlim_t>(rl.rlim_cur > 256 ? rl.rlim_cur - 256 : 64, 64, 10'000));
    } else {
      impl_->max_total = 768;
    }
  }
}

unsigned server::max_connections() const {
  return impl_->max_total;
}

unsigned short server::port() const {
  return impl_->bound_port;
}

void server::run() {
  if (!impl_->listening) listen();
  for (auto& w : impl_->workers) {
    asio::co_spawn(w->ioc, impl_->accept_loop(*w), asio::detached);
    asio::co_spawn(w->ioc, impl_->sweep(*w), asio::detached);
  }
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < impl_->workers.size(); ++i)
    threads.emplace_back(&impl::run_worker, impl_.get(), std::ref(*impl_->workers[i]));
  impl_->run_worker(*impl_->workers[0]);
  for (auto& t : threads) t.join();
  impl_->pool->join();
}

void server::stop() {
  if (impl_->stopping.exchange(true)) return;
  for (auto& w : impl_->workers) {
    worker* wp = w.get();
    asio::post(wp->ioc, [wp] {
      beast::error_code ignored;
      if (wp->acceptor) wp->acceptor->close(ignored);
    });
    asio::co_spawn(wp->ioc, impl::close_idle(*wp), asio::detached);
  }
}

}  // namespace cg::http
