#pragma once
#include <memory>
#include <string>

#include "store/store.hpp"

namespace cg::store {

// PostgreSQL through libpq. url is a libpq connection URI, e.g.
// "postgresql://user@/db?host=/run/postgresql&port=5432", passed as is to PQconnectdb. Several
// processes may share one database: migrations are applied under an advisory lock and counts are summed
// in the database. A small pool of connections (opened as needed, at most 4) serves the calling threads;
// a connection that broke is re-established on its next use.
std::unique_ptr<store> open_postgres(const std::string& url);

}  // namespace cg::store
