#pragma once
#include <memory>
#include <string>

#include "store/store.hpp"

namespace cg::store {

// SQLite in WAL mode with foreign keys on; one connection guarded by a mutex.
std::unique_ptr<store> open_sqlite(const std::string& path);

}  // namespace cg::store
