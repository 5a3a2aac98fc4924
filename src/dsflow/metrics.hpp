#pragma once
/// Per-stage-replica counters, readable from any thread while the job runs.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace ds {

/// A monotonically increasing (or settable) counter; relaxed atomics.
class counter {
public:
  void add(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  void set(std::uint64_t n) noexcept { value_.store(n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<std::uint64_t> value_{0};
};

/// The counters the runtime keeps for every stage replica, plus any the stage adds.
///
/// Times are in nanoseconds: `busy` inside open/process/close, `blocked` with
/// output waiting for credits, `idle` with nothing to do.
struct replica_metrics {
  std::string stage;
  std::string actor;
  std::uint32_t replica = 0;

  counter items_in, items_out, items_failed, bytes_in, bytes_out;
  counter busy_ns, idle_ns, blocked_ns, queue_depth, restarts;

  /// A stage-defined counter; created on first use. The reference stays valid
  /// for the registry's lifetime. Call from the stage's own thread only.
  counter& custom(const std::string& name);
  /// Snapshot of the custom counters (any thread).
  std::vector<std::pair<std::string, std::uint64_t>> custom_values() const;
  /// A named result of the run (test accuracy, loss), shown in the summary;
  /// set from the stage's thread, read from any.
  void set_result(const std::string& name, double value);
  std::vector<std::pair<std::string, double>> results() const;

private:
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<counter>> custom_;
  std::map<std::string, double> results_;
};

/// All replicas' metrics of one job; what `--metrics-out` and later `/metrics` read.
class metrics_registry {
public:
  /// Registers a new replica's counters; the reference stays valid until the
  /// registry is destroyed (replicas removed at run time keep their history).
  replica_metrics& add_replica(const std::string& stage, const std::string& actor,
                               std::uint32_t replica);

  /// Visits every replica under the registry lock.
  template <class F>
  void for_each(F&& visit) const {
    std::lock_guard guard{mutex_};
    for (const auto& m : replicas_)
      visit(*m);
  }

  /// One JSON object per replica, one per line, with `time_s` since start.
  std::string to_json_lines(double time_s) const;

private:
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<replica_metrics>> replicas_;
};

} // namespace ds
