#pragma once
/// Levelled logging; every line names the rank and the actor.

#include <cstdint>
#include <string>
#include <string_view>

namespace ds {

enum class log_level : std::uint8_t { trace, debug, info, warn, error, off };

/// Parses "trace".."off"; throws `std::invalid_argument` listing the names.
log_level parse_log_level(std::string_view name);
std::string_view to_string(log_level level) noexcept;

/// Process-wide threshold (default info); thread-safe.
void set_log_level(log_level level) noexcept;
log_level current_log_level() noexcept;

/// Process-wide rank printed on each line (set once at start-up).
void set_log_rank(int rank) noexcept;

/// A logger bound to one subsystem or actor, e.g. "decode#1" or "runtime".
///
/// Lines go to stderr as `[r0 decode#1] warn: text`, written whole so lines
/// from concurrent actors never interleave. Callable from any thread.
class logger {
public:
  explicit logger(std::string name) : name_(std::move(name)) {}

  void log(log_level level, std::string_view text) const;
  void trace(std::string_view text) const { log(log_level::trace, text); }
  void debug(std::string_view text) const { log(log_level::debug, text); }
  void info(std::string_view text) const { log(log_level::info, text); }
  void warn(std::string_view text) const { log(log_level::warn, text); }
  void error(std::string_view text) const { log(log_level::error, text); }
  bool enabled(log_level level) const noexcept { return level >= current_log_level(); }
  const std::string& name() const noexcept { return name_; }

private:
  std::string name_;
};

} // namespace ds
