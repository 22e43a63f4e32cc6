#pragma once
// Result<T>: a value or a user-facing error message (expected domain failures, see conventions).
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace cg {

struct error {
  std::string message;  // for people: Swedish where readers or editors see it
};

template <typename T>
class result {
 public:
  result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  result(error e) : v_(std::move(e)) {}      // NOLINT: implicit by design
  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const std::string& message() const { return std::get<error>(v_).message; }

 private:
  std::variant<T, error> v_;
};

}  // namespace cg
