#pragma once
// A child process running while the test goes on: wait for a line in its output, signal it,
// wait for its exit, all with deadlines. stdout and stderr arrive merged, in order.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace ds::test {

class child_process {
public:
  /// Starts `argv[0]` with `env` added to the inherited environment. Throws on failure.
  child_process(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {});
  ~child_process();  ///< kills (SIGKILL) and reaps it if still running
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// True once `text` appeared in the output; false after `timeout`.
  bool wait_for_output(const std::string& text, std::chrono::milliseconds timeout);
  /// The exit code (128 + signal if killed), or -1 after `timeout`, when it is killed.
  int wait(std::chrono::milliseconds timeout);
  void signal(int number);
  bool exited() const noexcept { return exited_; }
  const std::string& output() const noexcept { return output_; }
  pid_t pid() const noexcept { return pid_; }

private:
  void pump(int timeout_ms);
  bool reap();

  pid_t pid_ = -1;
  int fd_ = -1;
  bool exited_ = false;
  int code_ = -1;
  std::string output_;
};

} // namespace ds::test
