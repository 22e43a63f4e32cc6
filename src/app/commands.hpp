#pragma once
#include <string>

#include "app/config.hpp"

namespace cg::app {

// Each returns the process exit code. Messages go to stderr (errors) and the log (serve).
int serve(const config& c);
int content_import(const config& c, const std::string& dir);
int content_export(const config& c, const std::string& dir);
int content_check(const std::string& dir);

}  // namespace cg::app
