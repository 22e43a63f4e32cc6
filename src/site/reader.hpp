#pragma once
// The reader site: answers every public request from the current snapshot. It never touches the
// store; followed /go/ links are handed to a counter.
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/message.hpp"
#include "render/snapshot.hpp"

namespace cg::site {

// The snapshot being served. Readers take a reference with current(); a publish swaps in the next.
class snapshot_holder {
 public:
  std::shared_ptr<const render::snapshot> current() const { return ptr_.load(std::memory_order_acquire); }
  void swap_in(std::shared_ptr<const render::snapshot> s) { ptr_.store(std::move(s), std::memory_order_release); }

 private:
  std::atomic<std::shared_ptr<const render::snapshot>> ptr_;
};

enum class encoding { identity, gzip, br };

// Picks the best encoding the client accepts among those the page has (br before gzip), honouring
// q-values ("gzip;q=0" refuses gzip) per RFC 9110 12.5.3.
encoding choose_encoding(std::string_view accept_encoding, bool have_gzip, bool have_br);

// True when an If-None-Match header value matches the ETag (weak comparison, "*" matches).
bool etag_matches(std::string_view if_none_match, std::string_view etag);

// The registered address of the resource named by /go/{slug}: only from the snapshot, never from the
// request. Empty for an unknown or malformed slug.
std::optional<std::string> resolve_destination(const render::snapshot& s, std::string_view slug);

// Whether a followed link should be counted: GET only, not from known bots, not a prefetch.
bool is_countable(const http::request& req);

// True when the User-Agent names a known crawler, preview fetcher or monitoring bot.
bool is_bot(std::string_view user_agent);

// Told of every counted followed link: the resource and the host it leads to.
using click_sink = std::function<void(const std::string& slug, const std::string& host)>;
// Told of every search (GET, not a bot): the normalized query and its number of hits.
using search_sink = std::function<void(const std::string& query, std::size_t hits)>;
// Told of every counted view of a reader page (answered 200 or 304): its path.
using view_sink = std::function<void(const std::string& path)>;

// Where the reader site reports what it counts; any of them may be empty.
struct sinks {
  click_sink click;
  search_sink search;
  view_sink view;
  // Whether the database can be reached, for /healthz (readers are served either way); empty: yes.
  std::function<bool()> database_available;
  // How many counts had to be dropped (memory bound while the database was away), for /healthz.
  std::function<std::int64_t()> counts_dropped;
  // Whether writing counts fails right now (disk full, read-only database), for /healthz.
  std::function<bool()> counts_failing;
};

// The value of a parameter in a query string ("a=1&q=s%C3%A4k" → "säk" for "q"), '+' as space.
std::string query_param(std::string_view query, std::string_view name);

class reader_site {
 public:
  reader_site(const snapshot_holder& holder, sinks s) : holder_(holder), sinks_(std::move(s)) {}
  // Thread-safe; called on network threads.
  http::response handle(const http::request& req) const;

 private:
  const snapshot_holder& holder_;
  sinks sinks_;
};

}  // namespace cg::site
