#define BOOST_TEST_MODULE logger
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include "dsflow/logger.hpp"

namespace {

/// Runs `write_lines` with stderr redirected into a pipe and returns what it wrote.
std::string capture_stderr(auto&& write_lines) {
  int fds[2];
  BOOST_REQUIRE(::pipe(fds) == 0);
  std::fflush(stderr);
  int saved = ::dup(STDERR_FILENO);
  ::dup2(fds[1], STDERR_FILENO);
  write_lines();
  std::fflush(stderr);
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  ::close(fds[1]);
  std::string text;
  char chunk[256];
  for (ssize_t n; (n = ::read(fds[0], chunk, sizeof(chunk))) > 0;)
    text.append(chunk, static_cast<std::size_t>(n));
  ::close(fds[0]);
  return text;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_line_names_the_rank_the_logger_and_the_level) {
  ds::set_log_rank(3);
  ds::set_log_level(ds::log_level::info);
  ds::logger log{"decode#1"};
  auto text = capture_stderr([&] { log.warn("disk slow"); });
  BOOST_TEST(text == "[r3 decode#1] warn: disk slow\n");
  ds::set_log_rank(0);
}

BOOST_AUTO_TEST_CASE(lines_below_the_threshold_are_dropped) {
  ds::set_log_level(ds::log_level::warn);
  ds::logger log{"runtime"};
  BOOST_TEST(!log.enabled(ds::log_level::info));
  BOOST_TEST(log.enabled(ds::log_level::error));
  auto text = capture_stderr([&] {
    log.debug("hidden");
    log.info("hidden");
    log.error("shown");
  });
  BOOST_TEST(text == "[r0 runtime] error: shown\n");
  ds::set_log_level(ds::log_level::off);
  BOOST_TEST(capture_stderr([&] { log.error("hidden"); }).empty());
  ds::set_log_level(ds::log_level::info);
}

BOOST_AUTO_TEST_CASE(level_names_parse_back) {
  for (auto level : {ds::log_level::trace, ds::log_level::debug, ds::log_level::info,
                     ds::log_level::warn, ds::log_level::error, ds::log_level::off})
    BOOST_TEST((ds::parse_log_level(ds::to_string(level)) == level));
}

BOOST_AUTO_TEST_CASE(an_unknown_level_name_lists_the_valid_ones) {
  try {
    ds::parse_log_level("verbose");
    BOOST_FAIL("expected std::invalid_argument");
  } catch (const std::invalid_argument& error) {
    BOOST_TEST(std::string(error.what())
               == "unknown log level 'verbose'; valid levels: trace, debug, info, warn, error, off");
  }
}
