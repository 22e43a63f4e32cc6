#include "app/refresher.hpp"

#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include "content/model.hpp"
#include "render/render.hpp"
#include "util/log.hpp"

namespace cg::app {

snapshot_refresher::snapshot_refresher(store::store& st, site::snapshot_holder& holder, bool polish)
    : store_(st), holder_(holder), cache_(polish ? std::make_shared<render::compression_cache>() : nullptr) {}

bool snapshot_refresher::refresh_if_changed() {
  std::lock_guard lock(mu_);
  try {
    std::int64_t v = 0;
    try {
      v = store_.content_version();
    } catch (const store::store_error& e) {
      // Readers keep the current snapshot; say so once, not at every poll.
      if (database_available_.exchange(false))
        log::error("database unavailable; serving the current pages until it is back", {{"error", e.what()}});
      return false;
    }
    if (!database_available_.exchange(true)) log::info("database available again");
    if (v == served_version_) return false;
    auto started = std::chrono::steady_clock::now();
    content::guide g = store_.load_published();
    if (auto problems = content::validate(g); !problems.empty()) {
      for (const auto& p : problems)
        log::error("published content is invalid; keeping the current pages", {{"problem", p}});
      served_version_ = v;  // do not retry the same broken version every second
      return false;
    }
    end_polish();
    render::render_options options;
    options.cache = cache_.get();
    auto snap = render::build_snapshot(g, static_cast<std::uint64_t>(v), options);
    holder_.swap_in(snap);
    served_version_ = v;
    ::malloc_trim(0);  // what rendering freed (page data, templates' output) goes back to the system
    if (cache_ && !snap->best_compression) start_polish(snap, v);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    log::info("snapshot built", {{"version", std::to_string(v)},
                                 {"pages", std::to_string(holder_.current()->pages.size())},
                                 {"ms", std::to_string(ms.count())}});
    return true;
  } catch (const std::exception& e) {
    log::error("refreshing the snapshot failed; keeping the current pages", {{"error", e.what()}});
    return false;
  }
}

void snapshot_refresher::end_polish() {
  if (!polisher_.joinable()) return;
  cancel_polish_ = true;
  polisher_.join();
  cancel_polish_ = false;
}

void snapshot_refresher::start_polish(std::shared_ptr<const render::snapshot> s, std::int64_t version) {
  polisher_ = std::thread([this, s = std::move(s), version] {
    ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 19);  // this thread only: readers come first
    auto started = std::chrono::steady_clock::now();
    try {
      if (!render::polish(*s, *cache_, [this] { return cancel_polish_.load(); })) return;
      // The same guide again, every body from the cache. Not when a refresh is running: it will
      // either find nothing new (and end this thread first) or build a newer guide.
      std::unique_lock lock(mu_, std::try_to_lock);
      if (!lock.owns_lock() || cancel_polish_ || served_version_ != version) return;
      render::render_options options;
      options.cache = cache_.get();
      auto better = render::build_snapshot(*s->guide, s->generation, options);
      holder_.swap_in(better);
      ::malloc_trim(0);
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
      log::info("snapshot recompressed", {{"version", std::to_string(version)},
                                          {"best", better->best_compression ? "true" : "false"},
                                          {"ms", std::to_string(ms.count())}});
    } catch (const std::exception& e) {
      log::error("recompressing the snapshot failed; the quickly compressed pages stay", {{"error", e.what()}});
    }
  });
}

void snapshot_refresher::wait_polished() {
  std::thread t;
  {
    std::lock_guard lock(mu_);
    t = std::move(polisher_);
  }
  if (t.joinable()) t.join();
}

void snapshot_refresher::start(std::chrono::milliseconds interval) {
  poller_.start(interval, [this] { refresh_if_changed(); });
  if (store_.hears_publishes() && !listener_.joinable()) {
    stop_listening_ = false;
    listener_ = std::thread([this] {
      while (!stop_listening_)
        if (store_.wait_for_publish(std::chrono::milliseconds(250))) refresh_if_changed();
    });
  }
}

void snapshot_refresher::stop() {
  poller_.stop();
  stop_listening_ = true;
  if (listener_.joinable()) listener_.join();
  std::lock_guard lock(mu_);
  end_polish();
}

}  // namespace cg::app
