#pragma once
// The statistics dashboard (/admin/statistik): template data with server-rendered SVG charts, and each
// table as CSV. Built from a stats::report; nothing here reads the store.
#include <kainjow/mustache.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "stats/report.hpp"

namespace cg::admin {

// Data for templates/admin/statistics.mustache. sort: the column the resource table is sorted by
// ("antal", "titel", "kategori", "niva", "forandring"; anything else: "antal").
kainjow::mustache::data statistics_data(const stats::report& r, const std::vector<std::string>& owner_domains,
                                        std::string_view sort);

// One table as CSV (RFC 4180: comma, CRLF, quotes doubled; UTF-8 with a byte order mark so that
// spreadsheet programs read å, ä, ö right; Swedish headers; ISO dates). Empty for an unknown name.
// Names: dagar, kategorier, nivaer, resurser, sidor, sokningar, sokningar-utan-traffar.
std::optional<std::string> statistics_csv(const stats::report& r, std::string_view name);

// The query string ("period=7", "period=egen&fran=…&till=…") that asks for the report's period again.
std::string period_query(const stats::period_choice& p);

// Swedish number formatting: 12 345 (a no-break space between thousands).
std::string format_count(std::int64_t n);

}  // namespace cg::admin
