#include "http/server.hpp"

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
#include <cstdio>
#include <ctime>
#include <list>
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
struct conn_entry {
  beast::tcp_stream* stream = nullptr;
  bool idle = true;
};

struct worker {
  asio::io_context ioc{1};
  std::list<conn_entry> conns;  // touched only on this worker's thread
};

std::string http_date() {
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
  std::unique_ptr<tcp::acceptor> acceptor;  // on workers[0]
  unsigned short bound_port = 0;
  std::atomic<bool> stopping{false};
  std::size_t next_worker = 0;

  std::string serialize_head(const response& r, std::size_t body_size, bool keep_alive, bool send_length) const {
    std::string head;
    head.reserve(512);
    head += "HTTP/1.1 ";
    head += std::to_string(r.status);
    head += ' ';
    head += reason(r.status);
    head += "\r\nDate: ";
    head += http_date();
    head += "\r\n";
    for (const auto& [k, v] : opt.common_headers) {
      head += k;
      head += ": ";
      head += v;
      head += "\r\n";
    }
    for (const auto& [k, v] : r.headers) {
      head += k;
      head += ": ";
      head += v;
      head += "\r\n";
    }
    if (send_length) {
      head += "Content-Length: ";
      head += std::to_string(body_size);
      head += "\r\n";
    }
    if (!keep_alive) head += "Connection: close\r\n";
    head += "\r\n";
    return head;
  }

  // Writes r; HEAD and 304 get no body. Returns false when the write failed.
  asio::awaitable<bool> write(beast::tcp_stream& stream, const response& r, bool head_only, bool keep_alive) {
    bool no_body = head_only || r.status == 304 || r.status == 204 || r.status < 200;
    std::string_view body = r.body();
    std::string head = serialize_head(r, body.size(), keep_alive, r.status != 304 && r.status != 204);
    stream.expires_after(opt.write_timeout);
    std::array<asio::const_buffer, 2> bufs{asio::buffer(head), asio::buffer(body.data(), no_body ? 0 : body.size())};
    auto [ec, n] = co_await asio::async_write(stream, bufs, kTuple);
    (void)n;
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

  asio::awaitable<void> session(worker& w, tcp::socket sock) {
    beast::error_code rec;
    auto remote_ep = sock.remote_endpoint(rec);
    const std::string remote = rec ? std::string() : remote_ep.address().to_string();
    beast::tcp_stream stream(std::move(sock));
    auto entry = w.conns.insert(w.conns.end(), conn_entry{&stream, true});
    beast::flat_buffer buffer(opt.header_limit + opt.body_limit + 4096);
    unsigned served = 0, pipelined = 0;
    while (!stopping) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(opt.header_limit));
      parser.body_limit(opt.body_limit);
      const bool buffered = buffer.size() > 0;
      entry->idle = !buffered;
      stream.expires_after(served == 0 || buffered ? opt.read_timeout : opt.idle_timeout);
      auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
      (void)n;
      entry->idle = false;
      if (ec) {
        int status = 0;
        if (ec == bhttp::error::header_limit)
          status = 431;
        else if (ec == bhttp::error::body_limit)
          status = 413;
        else if (ec == beast::error::timeout && buffer.size() > 0)
          status = 408;
        else if (ec != bhttp::error::end_of_stream && ec != asio::error::operation_aborted &&
                 ec != beast::error::timeout && ec != asio::error::eof && ec != asio::error::connection_reset &&
                 ec != bhttp::error::partial_message)
          status = 400;
        if (status) {
          response r = error_page(status, status == 431   ? "Förfrågans huvuden är för stora."
                                          : status == 413 ? "Förfrågan är för stor."
                                          : status == 408 ? "Förfrågan tog för lång tid."
                                                          : "Förfrågan kunde inte tolkas.");
          co_await write(stream, r, false, false);
          log::access("-", "-", status, r.body().size(), 0);
        }
        break;
      }
      pipelined = buffered ? pipelined + 1 : 0;
      ++served;
      auto started = std::chrono::steady_clock::now();
      const auto& msg = parser.get();
      request req;
      req.method = to_method(msg.method());
      req.method_name = std::string_view(msg.method_string().data(), msg.method_string().size());
      req.target = origin_form(std::string_view(msg.target().data(), msg.target().size()));
      auto q = req.target.find('?');
      req.path = req.target.substr(0, q);
      if (q != std::string_view::npos) req.query = req.target.substr(q + 1);
      req.body = std::string_view(msg.body());
      req.secure = opt.secure;
      req.remote = remote;
      req.headers.reserve(16);
      for (const auto& f : msg)
        req.headers.emplace_back(std::string_view(f.name_string().data(), f.name_string().size()),
                                 std::string_view(f.value().data(), f.value().size()));
      response r = call_handler(req);
      if (r.deferred) {
        if (deferred_in_flight.fetch_add(1) >= opt.max_deferred_in_flight) {
          --deferred_in_flight;
          r = error_page(503, "Tjänsten är hårt belastad just nu. Försök igen om en liten stund.");
          r.header("Retry-After", "5");
        } else {
          r = co_await run_deferred(stream.get_executor(), std::move(r.deferred));
        }
      }
      bool keep_alive = msg.keep_alive() && !r.close && !stopping && served < opt.max_requests_per_connection &&
                        pipelined < opt.max_pipelined;
      bool ok = co_await write(stream, r, req.method == method::head, keep_alive);
      if (log::access_log_enabled()) {
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
        log::access(req.method_name, req.path, r.status, req.method == method::head ? 0 : r.body().size(),
                    static_cast<long>(us.count()));
      }
      if (!ok || !keep_alive) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.socket().close(ignored);
    w.conns.erase(entry);
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      worker& w = *workers[next_worker];
      next_worker = (next_worker + 1) % workers.size();
      auto [ec, sock] = co_await acceptor->async_accept(w.ioc, kTuple);
      if (stopping || ec == asio::error::operation_aborted) co_return;
      if (ec) {
        // Out of file descriptors and the like: wait a moment instead of spinning.
        log::warn("accept failed", {{"error", ec.message()}});
        asio::steady_timer t(workers[0]->ioc, std::chrono::milliseconds(50));
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
  void run_worker(worker& w) {
    {
      auto guard = asio::make_work_guard(w.ioc);
      while (!stopping.load()) w.ioc.run_for(std::chrono::milliseconds(100));
    }
    auto deadline = std::chrono::steady_clock::now() + opt.shutdown_grace;
    while (std::chrono::steady_clock::now() < deadline) {
      if (w.ioc.stopped()) w.ioc.restart();
      w.ioc.run_for(std::chrono::milliseconds(20));
      if (w.conns.empty() && w.ioc.stopped()) break;
    }
  }

  static asio::awaitable<void> close_idle(worker& w) {
    for (auto& c : w.conns)
      if (c.idle) c.stream->cancel();
    co_return;
  }
};

server::server(server_options options, handler h) : impl_(std::make_unique<impl>()) {
  impl_->opt = std::move(options);
  impl_->h = std::move(h);
  unsigned n = impl_->opt.threads ? impl_->opt.threads : std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < n; ++i) impl_->workers.push_back(std::make_unique<worker>());
  impl_->pool = std::make_unique<asio::thread_pool>(std::max(1u, impl_->opt.blocking_threads));
}

server::~server() = default;

void server::listen() {
  auto& ioc = impl_->workers[0]->ioc;
  beast::error_code ec;
  auto addr = asio::ip::make_address(impl_->opt.address, ec);
  if (ec) throw std::runtime_error("ogiltig adress att lyssna på: " + impl_->opt.address);
  tcp::endpoint ep(addr, impl_->opt.port);
  auto acc = std::make_unique<tcp::acceptor>(ioc);
  acc->open(ep.protocol(), ec);
  if (!ec) acc->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc->bind(ep, ec);
  if (!ec) acc->listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("kan inte lyssna på " + impl_->opt.address + ":" + std::to_string(impl_->opt.port) + ": " +
                             ec.message());
  impl_->bound_port = acc->local_endpoint().port();
  impl_->acceptor = std::move(acc);
}

unsigned short server::port() const {
  return impl_->bound_port;
}

void server::run() {
  if (!impl_->acceptor) listen();
  asio::co_spawn(impl_->workers[0]->ioc, impl_->accept_loop(), asio::detached);
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < impl_->workers.size(); ++i)
    threads.emplace_back(&impl::run_worker, impl_.get(), std::ref(*impl_->workers[i]));
  impl_->run_worker(*impl_->workers[0]);
  for (auto& t : threads) t.join();
  impl_->pool->join();
}

void server::stop() {
  if (impl_->stopping.exchange(true)) return;
  asio::post(impl_->workers[0]->ioc, [this] {
    beast::error_code ignored;
    if (impl_->acceptor) impl_->acceptor->close(ignored);
  });
  for (auto& w : impl_->workers) asio::co_spawn(w->ioc, impl::close_idle(*w), asio::detached);
}

}  // namespace cg::http
