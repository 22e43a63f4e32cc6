#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace cg::render {

std::string gzip_compress(std::string_view in);    // RFC 1952, best compression
std::string brotli_compress(std::string_view in);  // quality 11
std::optional<std::string> gzip_decompress(std::string_view in);
std::optional<std::string> brotli_decompress(std::string_view in);

}  // namespace cg::render
