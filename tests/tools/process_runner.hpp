#pragma once
// Runs a program as a child process and collects its exit code and output.

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace ds::test {

struct process_result {
  int exit_code = -1;  ///< 128 + signal when killed by a signal
  std::string out;
  std::string err;
};

struct process_options {
  std::map<std::string, std::string> env;  ///< added to the inherited environment
  /// Signals to send, each after the given delay from the start.
  std::vector<std::pair<std::chrono::milliseconds, int>> signals;
  std::chrono::seconds timeout{60};  ///< then SIGKILL (the test then fails on the code)
};

process_result run_process(const std::vector<std::string>& argv, const process_options& options = {});

} // namespace ds::test
