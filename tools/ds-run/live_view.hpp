#pragma once
/// What `ds-run` shows while a job runs: a live table on a terminal, log lines otherwise.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "dsflow/metrics.hpp"

namespace ds::tools {

/// A background thread that reports progress every `interval_ms` until stopped:
/// on a terminal it redraws a table (stage, replicas, items/s, busy %, blocked %,
/// queue) and a progress bar when the total is known; otherwise it writes one
/// log line per `plain_every` intervals. It also appends JSON lines to
/// `metrics_out` when that is set.
class live_view {
public:
  struct options {
    const metrics_registry* metrics = nullptr;
    const std::atomic<std::uint64_t>* total_items = nullptr;
    std::string progress_stage;  ///< whose items_in count the progress bar shows
    std::string metrics_out;     ///< JSON-lines file, empty = none
    unsigned interval_ms = 1000;
    bool terminal = false;
    unsigned plain_every = 5;
  };

  /// Starts the thread; throws `std::runtime_error` naming the file when
  /// `metrics_out` cannot be opened.
  explicit live_view(options opts);
  /// Stops the thread after a final JSON snapshot; clears the live table.
  ~live_view();
  live_view(const live_view&) = delete;
  live_view& operator=(const live_view&) = delete;

private:
  void run();
  void draw_table(double elapsed_s, double interval_s);
  void write_plain(double elapsed_s);
  void write_metrics(double elapsed_s);

  options opts_;
  std::FILE* metrics_file_ = nullptr;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  unsigned lines_drawn_ = 0;
  std::thread thread_;
  struct previous;
  std::unique_ptr<previous> previous_;
};

} // namespace ds::tools
