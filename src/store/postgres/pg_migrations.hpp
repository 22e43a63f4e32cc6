#pragma once
#include <string>
#include <vector>

namespace cg::store {

// Schema migrations for PostgreSQL, version i+1 at index i. Append only: never edit a released one.
const std::vector<std::string>& postgres_migrations();

}  // namespace cg::store
