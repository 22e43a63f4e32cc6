#pragma once
// Addresses of resources as the statistics see them: the host a followed link leads to, whether it is
// one of the owner's domains, and campaign tags added on the way out (never stored in the content).
#include <string>
#include <string_view>
#include <vector>

namespace cg::content {

// The host of an http(s) address, lower case, without user info, port or trailing dot; "" when none.
std::string url_host(std::string_view url);

// True when host is one of the domains or a subdomain of one ("www.mcf.se" for "mcf.se").
bool is_owner_host(std::string_view host, const std::vector<std::string>& owner_domains);

struct campaign {
  std::string source, medium, campaign;  // values of utm_source, utm_medium, utm_campaign; empty: not added
};

// The address with the campaign's parameters added to its query (before any #fragment); a parameter
// the address already has keeps its own value.
std::string with_campaign_tags(const std::string& url, const campaign& c);

}  // namespace cg::content
