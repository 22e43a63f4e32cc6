#pragma once
#include <string>
#include <vector>

namespace cg::store {

// Schema migrations for SQLite, version i+1 at index i. Append only: never edit a released one.
const std::vector<std::string>& sqlite_migrations();

}  // namespace cg::store
