#include "net/handler_thread.hpp"

#include <exception>

#include "dsflow/logger.hpp"

namespace ds::net {

handler_thread::handler_thread(std::string name)
  : name_(std::move(name)), thread_([this] { run(); }) {}

handler_thread::~handler_thread() {
  {
    std::lock_guard guard{mutex_};
    stopping_ = true;
    hurry_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void handler_thread::post_at(clock::time_point when, std::function<void()> task) {
  {
    std::lock_guard guard{mutex_};
    tasks_.emplace(std::pair{when, next_order_++}, std::move(task));
  }
  wake_.notify_all();
}

void handler_thread::flush() {
  std::unique_lock guard{mutex_};
  hurry_ = true;
  wake_.notify_all();
  idle_.wait(guard, [this] { return tasks_.empty() && !running_task_; });
  hurry_ = stopping_;
}

void handler_thread::run() {
  std::unique_lock guard{mutex_};
  for (;;) {
    if (tasks_.empty()) {
      idle_.notify_all();
      if (stopping_)
        return;
      wake_.wait(guard);
      continue;
    }
    auto first = tasks_.begin();
    if (!hurry_ && first->first.first > clock::now()) {
      wake_.wait_until(guard, first->first.first);
      continue;
    }
    auto task = std::move(first->second);
    tasks_.erase(first);
    running_task_ = true;
    guard.unlock();
    try {
      task();
    } catch (const std::exception& error) {
      // A handler broke its contract; losing the thread would hang every later operation.
      logger{name_}.error(std::string("a completion handler threw: ") + error.what());
    } catch (...) {
      logger{name_}.error("a completion handler threw a non-standard exception");
    }
    task = nullptr;  // release captures (buffers) before taking the lock again
    guard.lock();
    running_task_ = false;
  }
}

} // namespace ds::net
