#include "render/snapshot.hpp"

#include "http/message.hpp"
#include "render/compress.hpp"
#include "util/hash.hpp"

namespace cg::render {

page make_page(int status, std::string content_type, std::string cache_control, std::string body, bool compress) {
  page p;
  p.status = status;
  p.content_type = std::move(content_type);
  p.cache_control = std::move(cache_control);
  // Strong ETags differ per encoding: each is a different representation (RFC 9110 8.8.3).
  const std::string tag = hex64(fnv1a64(body) ^ static_cast<std::uint64_t>(status));
  bool compressible = p.content_type.rfind("text/", 0) == 0 || p.content_type.find("xml") != std::string::npos ||
                      p.content_type.find("svg") != std::string::npos ||
                      p.content_type.find("json") != std::string::npos;
  if (compress && compressible && body.size() >= 256) {
    std::string gz = gzip_compress(body);
    if (gz.size() < body.size()) p.gzip = body_variant{std::move(gz), "\"" + tag + "-gz\"", {}, {}};
    std::string br = brotli_compress(body);
    if (br.size() < body.size()) p.br = body_variant{std::move(br), "\"" + tag + "-br\"", {}, {}};
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

}  // namespace cg::render
