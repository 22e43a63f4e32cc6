#include "http/server.hpp"

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
#include <optional>
#include <random>
#include <thread>

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

// "http://host/path?q" (absolute form, RFC 9112 3.2.2) → "/path?q". The host is never used.
std::string_view origin_form(std::string_view target) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.size() >= scheme.size() && iequals(target.substr(0, scheme.size()), scheme)) {
      std::string_view rest = target.substr(scheme.size());
      auto slash = rest.find('/');
      return slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
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

  void clear() {
    arena.clear();
    body.clear();
    fields.clear();
    verb = bhttp::verb::unknown;
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
  void on_request_impl(bhttp::verb v, beast::string_view method, beast::string_view target, int,
                       beast::error_code&) override {
    b_.verb = v;
    b_.method = b_.keep(std::string_view(method.data(), method.size()));
    b_.target = b_.keep(std::string_view(target.data(), target.size()));
  }
  void on_response_impl(int, beast::string_view, int, beast::error_code&) override {}
  void on_field_impl(bhttp::field, beast::string_view name, beast::string_view value, beast::error_code&) override {
    auto n = b_.keep(std::string_view(name.data(), name.size()));
    auto v = b_.keep(std::string_view(value.data(), value.size()));
    b_.fields.emplace_back(n, v);
  }
  void on_header_impl(beast::error_code&) override {}
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

  asio::awaitable<void> session(worker& w, tcp::socket sock) {
    beast::error_code rec;
    auto remote_ep = sock.remote_endpoint(rec);
    const std::string remote = rec ? std::string() : remote_ep.address().to_string();
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
        if (ec == bhttp::error::header_limit)
          status = 431;
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
                                          : status == 408 ? "Förfrågan tog för lång tid."
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
      response r = call_handler(req);
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
      asio::co_spawn(w.ioc, session(w, std::move(sock)), asio::detached);
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
