#include "dsflow/logger.hpp"

#include <array>
#include <atomic>
#include <cstdio>
#include <stdexcept>

namespace ds {

namespace {

constexpr std::array all_levels{log_level::trace, log_level::debug, log_level::info,
                                log_level::warn,  log_level::error, log_level::off};

std::atomic<log_level> threshold{log_level::info};
std::atomic<int> rank{0};

} // namespace

log_level parse_log_level(std::string_view name) {
  std::string valid;
  for (auto level : all_levels) {
    if (to_string(level) == name)
      return level;
    valid += valid.empty() ? "" : ", ";
    valid += to_string(level);
  }
  throw std::invalid_argument("unknown log level '" + std::string(name) + "'; valid levels: "
                              + valid);
}

std::string_view to_string(log_level level) noexcept {
  switch (level) {
    case log_level::trace:
      return "trace";
    case log_level::debug:
      return "debug";
    case log_level::info:
      return "info";
    case log_level::warn:
      return "warn";
    case log_level::error:
      return "error";
    case log_level::off:
      return "off";
  }
  return "unknown";
}

void set_log_level(log_level level) noexcept {
  threshold.store(level, std::memory_order_relaxed);
}

log_level current_log_level() noexcept {
  return threshold.load(std::memory_order_relaxed);
}

void set_log_rank(int new_rank) noexcept {
  rank.store(new_rank, std::memory_order_relaxed);
}

void logger::log(log_level level, std::string_view text) const {
  if (level == log_level::off || !enabled(level))
    return;
  std::string line;
  line.reserve(name_.size() + text.size() + 24);
  line += "[r";
  line += std::to_string(rank.load(std::memory_order_relaxed));
  line += ' ';
  line += name_;
  line += "] ";
  line += to_string(level);
  line += ": ";
  line += text;
  line += '\n';
  // One fwrite of the whole line: stdio holds the stream's lock for the call,
  // and stderr is unbuffered, so the line leaves in one piece.
  std::fwrite(line.data(), 1, line.size(), stderr);
}

} // namespace ds
