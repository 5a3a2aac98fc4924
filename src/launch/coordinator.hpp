#pragma once
/// Rank 0's rendezvous server: admits ranks, hands out the address table, watches heartbeats.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "launch/tcp.hpp"

namespace ds::launch {

struct coordinator_options {
  int world_size = 1;
  std::string job_token;  ///< must not be empty; never logged
  std::chrono::milliseconds rendezvous_timeout{60000};
  std::chrono::milliseconds heartbeat_interval{1000};
  std::chrono::milliseconds heartbeat_timeout{10000};
};

/// Serves one job on its own thread, from construction to `stop()` or destruction.
///
/// Joining: every connection must send a hello with the job token (compared in constant
/// time), a rank below the world size that no one else holds, and its address; anything
/// else is refused with the reason and logged (warn) with the peer's host:port, never the
/// token. When all ranks have joined, each gets the address table. When the rendezvous
/// timeout passes first, every joined rank is told which ranks never arrived.
///
/// Running: the coordinator sends a heartbeat every interval. A rank that says nothing for
/// longer than the heartbeat timeout, whose connection closes without a goodbye, or that
/// says goodbye with a failure is declared lost, and every other rank is told who and why.
/// It also completes barriers and relays broadcasts.
class coordinator {
public:
  /// `listener` is a listening socket (see `listen_on`). Throws `launch_error` when the
  /// options are unusable.
  coordinator(fd_handle listener, coordinator_options options);
  ~coordinator();  ///< stops, closing every connection
  coordinator(const coordinator&) = delete;
  coordinator& operator=(const coordinator&) = delete;

  /// Tells every connected rank that `rank` is lost (`why`), then stops. Any thread.
  void fail_and_stop(int rank, std::string why);

  /// Blocks until every rank other than 0 has said goodbye or been declared lost, the
  /// coordinator stopped, or `stop_waiting` (polled every 100 ms, may be empty) says so.
  /// Returns true when all ranks are gone. Any thread.
  bool wait_others_gone(const std::function<bool()>& stop_waiting);

  /// Ranks other than 0 still running (joined, not gone), for a log line.
  std::vector<int> ranks_still_running() const;

  void stop();

private:
  struct state;
  std::unique_ptr<state> state_;
  std::thread thread_;
};

/// "rank 3", "ranks 1 and 4", "ranks 1, 2 and 5".
std::string describe_ranks(const std::vector<int>& ranks);

} // namespace ds::launch
