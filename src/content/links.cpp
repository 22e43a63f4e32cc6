#include "content/links.hpp"

#include <cctype>

namespace cg::content {

std::string url_host(std::string_view url) {
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  if (!rest.empty() && rest.front() == '[') {  // [IPv6]:port
    auto close = rest.find(']');
    rest = close == std::string_view::npos ? std::string_view() : rest.substr(0, close + 1);
  } else if (auto colon = rest.find(':'); colon != std::string_view::npos) {
    rest = rest.substr(0, colon);
  }
  if (!rest.empty() && rest.back() == '.') rest.remove_suffix(1);
  std::string out(rest);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_owner_host(std::string_view host, const std::vector<std::string>& owner_domains) {
  for (const auto& d : owner_domains) {
    if (d.empty()) continue;
    if (host == d) return true;
    if (host.size() > d.size() && host.substr(host.size() - d.size()) == d && host[host.size() - d.size() - 1] == '.')
      return true;
  }
  return false;
}

namespace {

// Whether the query string ("a=1&b=2", without '?') has a parameter of that name.
bool has_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    if (part.substr(0, part.find('=')) == name) return true;
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return false;
}

}  // namespace

std::string with_campaign_tags(const std::string& url, const campaign& c) {
  std::string_view u = url;
  auto hash = u.find('#');
  std::string_view fragment = hash == std::string_view::npos ? std::string_view() : u.substr(hash);
  std::string_view base = u.substr(0, hash);
  auto q = base.find('?');
  std::string_view query = q == std::string_view::npos ? std::string_view() : base.substr(q + 1);
  std::string out(base);
  bool first = q == std::string_view::npos;
  bool ends_open = !first && (query.empty() || query.back() == '&');
  for (const auto& [name, value] : {std::pair<std::string_view, const std::string&>{"utm_source", c.source},
                                    {"utm_medium", c.medium},
                                    {"utm_campaign", c.campaign}}) {
    if (value.empty() || has_param(query, name)) continue;
    if (first)
      out += '?';
    else if (!ends_open)
      out += '&';
    first = false;
    ends_open = false;
    out += name;
    out += '=';
    out += value;
  }
  out += fragment;
  return out;
}

}  // namespace cg::content
