#include "store/document.hpp"

#include <boost/json.hpp>
#include <string_view>

#include "content/pack.hpp"

namespace cg::store {

std::string to_document(const content::guide& g) {
  boost::json::object o;
  for (const auto& [name, text] : content::write_pack(g)) o[name] = text;
  return boost::json::serialize(o);
}

result<content::guide> from_document(const std::string& doc) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(doc, ec);
  if (ec || !v.is_object()) return error{"stored guide is not a JSON object"};
  content::pack_files files;
  for (const auto& [k, val] : v.as_object()) {
    if (!val.is_string()) return error{"stored guide has a non-text file"};
    files[std::string(k)] = std::string(val.as_string());
  }
  return content::parse_pack(files);
}

std::string with_revision(const std::string& detail, std::int64_t revision) {
  static constexpr std::string_view kMark = "{revision}";
  auto at = detail.find(kMark);
  if (revision <= 0 || at == std::string::npos) return detail;
  return detail.substr(0, at) + std::to_string(revision) + detail.substr(at + kMark.size());
}

}  // namespace cg::store
