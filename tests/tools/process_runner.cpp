#include "process_runner.hpp"

#include "../support/exec_child.hpp"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace ds::test {
namespace {

std::string temp_file() {
  char name[] = "/tmp/dsflow-test-XXXXXX";
  int fd = mkstemp(name);
  if (fd < 0)
    throw std::runtime_error("mkstemp failed");
  close(fd);
  return name;
}

std::string slurp(const std::string& path) {
  std::ifstream in{path};
  std::stringstream text;
  text << in.rdbuf();
  std::remove(path.c_str());
  return text.str();
}

} // namespace

process_result run_process(const std::vector<std::string>& argv, const process_options& options) {
  auto out_path = temp_file();
  auto err_path = temp_file();
  pid_t pid = fork();
  if (pid < 0)
    throw std::runtime_error("fork failed");
  if (pid == 0) {
    int out = open(out_path.c_str(), O_WRONLY | O_TRUNC);
    int err = open(err_path.c_str(), O_WRONLY | O_TRUNC);
    int null = open("/dev/null", O_RDONLY);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    dup2(null, STDIN_FILENO);
    exec_child(argv, options.env);
  }
  auto started = std::chrono::steady_clock::now();
  std::size_t next_signal = 0;
  int status = 0;
  for (;;) {
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid)
      break;
    auto elapsed = std::chrono::steady_clock::now() - started;
    if (next_signal < options.signals.size() && elapsed >= options.signals[next_signal].first)
      kill(pid, options.signals[next_signal++].second);
    if (elapsed > options.timeout)
      kill(pid, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  process_result result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = slurp(out_path);
  result.err = slurp(err_path);
  return result;
}

} // namespace ds::test
