#include "local_ranks.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "launch/job_token.hpp"
#include "launch/launch_error.hpp"
#include "launch/tcp.hpp"

namespace ds::tools {

namespace {

using launch::launch_clock;
using launch::launch_error;

volatile std::sig_atomic_t signals_received = 0;
volatile std::sig_atomic_t last_signal = SIGINT;

extern "C" void on_launcher_signal(int signal) {
  last_signal = signal;
  signals_received = signals_received + 1;
}

/// Exit code 4: a rank stopped because another one failed (see main.cpp).
constexpr int exit_peer_lost = 4;

/// One child's output stream, forwarded line by line.
struct stream {
  int fd = -1;
  int target = STDOUT_FILENO;
  std::string pending;
};

struct child {
  int rank = 0;
  pid_t pid = -1;
  stream out;
  stream err;
  bool exited = false;
  bool killed_by_us = false;
  int code = 0;  ///< exit code, or 128 + signal
};

void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return;
    done += static_cast<std::size_t>(n);
  }
}

/// Writes whole lines of `s` (all of it at end of stream), each with the rank's prefix.
void forward_lines(stream& s, int rank, bool at_end) {
  const std::string prefix = "[r" + std::to_string(rank) + "] ";
  const std::string own_prefix = "[r" + std::to_string(rank) + " ";  // the logger's
  std::size_t start = 0;
  for (;;) {
    auto newline = s.pending.find('\n', start);
    bool last_piece = newline == std::string::npos;
    if (last_piece && !(at_end && start < s.pending.size())
        && !(s.pending.size() - start > 65536))
      break;
    auto end = last_piece ? s.pending.size() : newline;
    std::string line = s.pending.substr(start, end - start);
    write_all(s.target, (line.starts_with(own_prefix) ? "" : prefix) + line + "\n");
    start = last_piece ? s.pending.size() : newline + 1;
  }
  s.pending.erase(0, start);
}

/// Reads what is there; closes the stream at end of file.
void drain(stream& s, int rank) {
  char buffer[8192];
  for (;;) {
    auto n = ::read(s.fd, buffer, sizeof buffer);
    if (n > 0) {
      s.pending.append(buffer, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      forward_lines(s, rank, false);
      return;
    }
    forward_lines(s, rank, true);
    ::close(s.fd);
    s.fd = -1;
    return;
  }
}

std::string self_path() {
  char path[PATH_MAX];
  auto n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0)
    throw launch_error("--local-ranks: cannot find this executable (/proc/self/exe)");
  return std::string(path, static_cast<std::size_t>(n));
}

child start_child(int rank, const std::string& exe, const std::vector<std::string>& args,
                  const std::vector<std::pair<std::string, std::string>>& env) {
  int out[2];
  int err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
    throw launch_error("--local-ranks: cannot create pipes: " + std::string(std::strerror(errno)));
  std::vector<std::string> argv_text{exe};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_text)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0)
    throw launch_error("--local-ranks: fork failed: " + std::string(std::strerror(errno)));
  if (pid == 0) {
    // Own process group: a terminal's Ctrl-C reaches only the launcher, which passes it on
    // once (two would abort). Die with the launcher, whatever kills it.
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent)
      ::_exit(127);
    int null = ::open("/dev/null", O_RDONLY);
    ::dup2(null, STDIN_FILENO);
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(err[1], STDERR_FILENO);
    for (const auto& [key, value] : env)
      ::setenv(key.c_str(), value.c_str(), 1);
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    ::execv(exe.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  child c;
  c.rank = rank;
  c.pid = pid;
  c.out = {out[0], STDOUT_FILENO, {}};
  c.err = {err[0], STDERR_FILENO, {}};
  for (int fd : {out[0], err[0]})
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return c;
}

std::string describe_exit(int code) {
  switch (code) {
    case 1: return "a stage failed";
    case 2: return "bad usage or config";
    case 3: return "interrupted";
    case exit_peer_lost: return "another rank failed, or the ranks could not join";
    case 130: return "aborted";
    default: break;
  }
  if (code > 128)
    return std::string("killed by signal ") + std::to_string(code - 128) + " ("
           + ::strsignal(code - 128) + ")";
  return "exit code " + std::to_string(code);
}

void say(const std::string& text) {
  write_all(STDERR_FILENO, "ds-run: " + text + "\n");
}

} // namespace

int run_local_ranks(const local_launch& launch) {
  const auto exe = self_path();
  const auto port = launch::free_loopback_port();
  const char* given_token = std::getenv("DS_JOB_TOKEN");
  const std::string token = given_token != nullptr && *given_token != '\0'
                              ? std::string(given_token) : launch::generate_job_token();

  struct sigaction action{};
  action.sa_handler = on_launcher_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  // Every rank is on this host; the coordinator is 127.0.0.1, so runtime.fabric_provider's
  // automatic choice is shm (a provider set in the config or the environment still wins).
  std::vector<child> children;
  for (int rank = 0; rank < launch.ranks; ++rank)
    children.push_back(start_child(
      rank, exe, launch.rank_args,
      {{"DS_RANK", std::to_string(rank)},
       {"DS_WORLD_SIZE", std::to_string(launch.ranks)},
       {"DS_COORDINATOR", "127.0.0.1:" + std::to_string(port)},
       {"DS_JOB_TOKEN", token}}));

  int signals_forwarded = 0;
  std::optional<launch_clock::time_point> kill_at;
  std::optional<launch_clock::time_point> drain_until;
  std::vector<int> failure_order;  ///< ranks in the order they exited non-zero
  for (;;) {
    std::vector<pollfd> fds;
    std::vector<stream*> streams;
    for (auto& c : children)
      for (auto* s : {&c.out, &c.err})
        if (s->fd >= 0) {
          fds.push_back({s->fd, POLLIN, 0});
          streams.push_back(s);
        }
    bool all_exited = std::all_of(children.begin(), children.end(), [](const child& c) { return c.exited; });
    if (all_exited && !drain_until)
      drain_until = launch_clock::now() + std::chrono::seconds(2);  // a grandchild may hold a pipe
    if (all_exited && (fds.empty() || launch_clock::now() >= *drain_until))
      break;
    ::poll(fds.data(), fds.size(), 50);  // also the period of the exit and signal checks
    for (std::size_t i = 0; i < fds.size(); ++i)
      if (fds[i].revents != 0) {
        auto* s = streams[i];
        auto owner = std::find_if(children.begin(), children.end(),
                                  [s](const child& c) { return &c.out == s || &c.err == s; });
        drain(*s, owner->rank);
      }
    const int received = signals_received;
    for (; signals_forwarded < received; ++signals_forwarded)
      for (auto& c : children)
        if (!c.exited)
          ::kill(c.pid, last_signal);
    for (auto& c : children) {
      int status = 0;
      if (c.exited || ::waitpid(c.pid, &status, WNOHANG) != c.pid)
        continue;
      c.exited = true;
      c.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      if (c.code == 0)
        continue;
      failure_order.push_back(c.rank);
      if (!kill_at && signals_received == 0) {
        kill_at = launch_clock::now() + launch.stop_grace;
        std::vector<int> others;
        for (auto& other : children)
          if (!other.exited)
            others.push_back(other.rank);
        if (!others.empty())
          say("rank " + std::to_string(c.rank) + " exited with code " + std::to_string(c.code) + " ("
              + describe_exit(c.code) + "); the other ranks get "
              + launch::describe_seconds(launch.stop_grace) + " to stop");
      }
    }
    if (kill_at && launch_clock::now() >= *kill_at)
      for (auto& c : children)
        if (!c.exited && !c.killed_by_us) {
          say("rank " + std::to_string(c.rank) + " did not stop within "
              + launch::describe_seconds(launch.stop_grace) + "; killing it");
          ::kill(c.pid, SIGKILL);
          c.killed_by_us = true;
        }
  }

  // The cause: the first rank to fail on its own account, else the first that failed at all.
  const child* cause = nullptr;
  for (int rank : failure_order) {
    const auto& c = children[static_cast<std::size_t>(rank)];
    if (cause == nullptr)
      cause = &c;
    if (c.code != exit_peer_lost && !c.killed_by_us) {
      cause = &c;
      break;
    }
  }
  if (cause == nullptr)
    return 0;
  std::string summary = "rank " + std::to_string(cause->rank)
                        + (signals_received > 0 ? " stopped: " : " failed: ") + describe_exit(cause->code)
                        + " (exit " + std::to_string(cause->code) + ")";
  for (const auto& c : children)
    if (&c != cause && c.code != 0)
      summary += "; rank " + std::to_string(c.rank) + " exited " + std::to_string(c.code);
  say(summary);
  return cause->code;
}

} // namespace ds::tools
