#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace cg::render {

// fast: what a publish waits for (gzip 1, brotli 2: bodies a little larger, made in a fraction of
// the time); best: gzip 9, brotli 11, made in the background (see compression_cache).
enum class effort { fast, best };

std::string gzip_compress(std::string_view in, effort e = effort::best);  // RFC 1952
std::string brotli_compress(std::string_view in, effort e = effort::best);
std::optional<std::string> gzip_decompress(std::string_view in);
std::optional<std::string> brotli_decompress(std::string_view in);

}  // namespace cg::render
