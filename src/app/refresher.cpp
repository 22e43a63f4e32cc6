#include "app/refresher.hpp"

#include "content/model.hpp"
#include "render/render.hpp"
#include "util/log.hpp"

namespace cg::app {

bool snapshot_refresher::refresh_if_changed() {
  std::lock_guard lock(mu_);
  try {
    std::int64_t v = store_.content_version();
    if (v == served_version_) return false;
    auto started = std::chrono::steady_clock::now();
    content::guide g = store_.load_published();
    if (auto problems = content::validate(g); !problems.empty()) {
      for (const auto& p : problems)
        log::error("published content is invalid; keeping the current pages", {{"problem", p}});
      served_version_ = v;  // do not retry the same broken version every second
      return false;
    }
    holder_.swap_in(render::build_snapshot(g, static_cast<std::uint64_t>(v)));
    served_version_ = v;
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

void snapshot_refresher::start(std::chrono::milliseconds interval) {
  poller_.start(interval, [this] { refresh_if_changed(); });
}

void snapshot_refresher::stop() {
  poller_.stop();
}

}  // namespace cg::app
