#include "render/snapshot.hpp"

#include "http/message.hpp"
#include "render/compress.hpp"
#include "util/hash.hpp"

namespace cg::render {

namespace {

// Text above a small size is worth compressing.
bool wants_compression(const std::string& t, std::size_t size) {
  bool text = t.rfind("text/", 0) == 0 || t.find("xml") != std::string::npos || t.find("svg") != std::string::npos ||
              t.find("json") != std::string::npos;
  return text && size >= 256;
}

// Compressed bodies are kept only when smaller than the identity body.
compression_cache::entry compress_bodies(std::string_view body, effort e) {
  compression_cache::entry out;
  std::string gz = gzip_compress(body, e);
  if (gz.size() < body.size()) out.gzip = std::move(gz);
  std::string br = brotli_compress(body, e);
  if (br.size() < body.size()) out.br = std::move(br);
  return out;
}

}  // namespace

std::shared_ptr<const compression_cache::entry> compression_cache::find(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = map_.find(key);
  return it == map_.end() ? nullptr : it->second;
}

void compression_cache::put(const std::string& key, entry e) {
  auto p = std::make_shared<const entry>(std::move(e));
  std::lock_guard lock(mu_);
  map_[key] = std::move(p);
}

void compression_cache::retain(const std::vector<std::string>& keys) {
  std::unordered_map<std::string, std::shared_ptr<const entry>> kept;
  std::lock_guard lock(mu_);
  for (const auto& k : keys)
    if (auto it = map_.find(k); it != map_.end()) kept.emplace(k, it->second);
  map_.swap(kept);
}

std::size_t compression_cache::size() const {
  std::lock_guard lock(mu_);
  return map_.size();
}

std::string cache_key(const page& p) {
  return p.identity.etag + ' ' + p.content_type;
}

page make_page(int status, std::string content_type, std::string cache_control, std::string body, bool compress,
               const compression_cache* cache, bool* fast_made) {
  page p;
  p.status = status;
  p.content_type = std::move(content_type);
  p.cache_control = std::move(cache_control);
  // Strong ETags differ per encoding: each is a different representation (RFC 9110 8.8.3).
  const std::string tag = hex64(fnv1a64(body) ^ static_cast<std::uint64_t>(status));
  if (compress && wants_compression(p.content_type, body.size())) {
    std::shared_ptr<const compression_cache::entry> found;
    if (cache) found = cache->find("\"" + tag + "\" " + p.content_type);
    compression_cache::entry made;
    if (!found) {
      made = compress_bodies(body, cache ? effort::fast : effort::best);
      if (cache && fast_made) *fast_made = true;
    }
    const compression_cache::entry& e = found ? *found : made;
    if (e.gzip) p.gzip = body_variant{*e.gzip, "\"" + tag + "-gz\"", {}, {}};
    if (e.br) p.br = body_variant{*e.br, "\"" + tag + "-br\"", {}, {}};
  }
  p.identity = body_variant{std::move(body), "\"" + tag + "\"", {}, {}};
  const bool negotiable = p.gzip || p.br;
  auto heads = [&](body_variant& v, std::string_view encoding) {
    v.head.clear();
    http::append_header_line(v.head, "Content-Type", p.content_type);
    if (!encoding.empty()) http::append_header_line(v.head, "Content-Encoding", encoding);
    v.head_304.clear();
    http::append_header_line(v.head_304, "ETag", v.etag);
    http::append_header_line(v.head_304, "Cache-Control", p.cache_control);
    if (negotiable) http::append_header_line(v.head_304, "Vary", "Accept-Encoding");
    v.head += v.head_304;
  };
  heads(p.identity, "");
  if (p.gzip) heads(*p.gzip, "gzip");
  if (p.br) heads(*p.br, "br");
  return p;
}

bool polish(const snapshot& s, compression_cache& cache, const std::function<bool()>& cancelled) {
  std::vector<const page*> pages;
  pages.reserve(s.pages.size() + 1);
  pages.push_back(&s.not_found);
  for (const auto& [path, p] : s.pages) pages.push_back(&p);
  std::vector<std::string> keys;  // s is the latest build: what earlier builds needed can go
  keys.reserve(pages.size());
  for (const page* p : pages) keys.push_back(cache_key(*p));
  cache.retain(keys);
  for (const page* p : pages) {
    if (!wants_compression(p->content_type, p->identity.bytes.size())) continue;
    if (cancelled()) return false;
    std::string key = cache_key(*p);
    if (cache.find(key)) continue;
    cache.put(key, compress_bodies(p->identity.bytes, effort::best));
  }
  return true;
}

}  // namespace cg::render
