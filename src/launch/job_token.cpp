#include "launch/job_token.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstring>

#include "launch/launch_error.hpp"

namespace ds::launch {

bool tokens_equal(std::string_view expected, std::string_view given) noexcept {
  // Walk all of `expected` whatever `given` holds; fold every difference into one byte.
  volatile unsigned char difference = expected.size() != given.size() ? 1 : 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    unsigned char other = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    difference = difference | (static_cast<unsigned char>(expected[i]) ^ other);
  }
  return difference == 0;
}

std::string generate_job_token() {
  unsigned char random[16];
  std::size_t filled = 0;
  while (filled < sizeof random) {
    auto n = getrandom(random + filled, sizeof random - filled, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      throw launch_error(std::string("cannot generate a job token: getrandom: ") + std::strerror(errno));
    filled += static_cast<std::size_t>(n);
  }
  static const char digits[] = "0123456789abcdef";
  std::string token;
  for (unsigned char byte : random) {
    token += digits[byte >> 4];
    token += digits[byte & 15];
  }
  return token;
}

} // namespace ds::launch
