#pragma once
// Checking messages in tests: substring tests and the text of a thrown error.

#include <stdexcept>
#include <string>

namespace ds::test {

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// The message of the `Error` that `run` throws, or "no error".
template <class Error = std::runtime_error, class Run>
std::string error_of(Run run) {
  try {
    run();
  } catch (const Error& error) {
    return error.what();
  }
  return "no error";
}

} // namespace ds::test
