#pragma once
/// A thread that runs queued tasks in order, now or at a set time.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

namespace ds::net {

/// Runs tasks one at a time on its own thread: those due soonest first, tasks
/// due at the same time in the order they were posted. Transports run their
/// completion handlers here so that handlers never run inline in `send`/`recv`
/// and never two at once.
class handler_thread {
public:
  using clock = std::chrono::steady_clock;

  explicit handler_thread(std::string name);
  /// Runs every task already posted (delayed ones at once), then joins.
  ~handler_thread();
  handler_thread(const handler_thread&) = delete;
  handler_thread& operator=(const handler_thread&) = delete;

  /// Queues `task` to run as soon as possible. Callable from any thread.
  void post(std::function<void()> task) { post_at(clock::time_point::min(), std::move(task)); }
  /// Queues `task` to run not before `when`.
  void post_at(clock::time_point when, std::function<void()> task);
  /// Runs every queued task now (delayed ones too), then returns. Must not be
  /// called from the thread itself.
  void flush();
  bool on_this_thread() const noexcept { return std::this_thread::get_id() == thread_.get_id(); }

private:
  void run();

  std::string name_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::multimap<std::pair<clock::time_point, std::uint64_t>, std::function<void()>> tasks_;
  std::uint64_t next_order_ = 0;
  bool hurry_ = false;    ///< run delayed tasks now (flush or shutdown)
  bool stopping_ = false;
  bool running_task_ = false;
  std::thread thread_;
};

} // namespace ds::net
