#include "child_process.hpp"

#include "exec_child.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

namespace ds::test {

child_process::child_process(const std::vector<std::string>& argv,
                             const std::map<std::string, std::string>& env) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe2 failed");
  pid_ = fork();
  if (pid_ < 0)
    throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int null = open("/dev/null", O_RDONLY);
    dup2(null, STDIN_FILENO);
    dup2(pipe_fds[1], STDOUT_FILENO);
    dup2(pipe_fds[1], STDERR_FILENO);
    exec_child(argv, env);
  }
  close(pipe_fds[1]);
  fd_ = pipe_fds[0];
  fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
}

child_process::~child_process() {
  if (!exited_) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  if (fd_ >= 0)
    close(fd_);
}

void child_process::pump(int timeout_ms) {
  if (fd_ < 0)
    return;
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, timeout_ms) <= 0)
    return;
  char buffer[4096];
  for (;;) {
    auto n = read(fd_, buffer, sizeof buffer);
    if (n > 0) {
      output_.append(buffer, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) {
      close(fd_);
      fd_ = -1;
    }
    return;
  }
}

bool child_process::reap() {
  if (exited_)
    return true;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) != pid_)
    return false;
  exited_ = true;
  code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return true;
}

bool child_process::wait_for_output(const std::string& text, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (output_.find(text) == std::string::npos) {
    if (std::chrono::steady_clock::now() >= deadline || (fd_ < 0 && reap()))
      return output_.find(text) != std::string::npos;
    pump(10);
  }
  return true;
}

int child_process::wait(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!reap()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      kill(pid_, SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);
      exited_ = true;
      code_ = -1;
      break;
    }
    pump(10);
  }
  // Whatever it wrote before exiting is in the pipe; a grandchild could hold it open, so bound it.
  auto drain_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (fd_ >= 0 && std::chrono::steady_clock::now() < drain_deadline)
    pump(10);
  return code_;
}

void child_process::signal(int number) {
  if (!exited_)
    kill(pid_, number);
}

} // namespace ds::test
