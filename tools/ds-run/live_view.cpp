#include "live_view.hpp"

#include <chrono>
#include <cstdio>
#include <map>
#include <stdexcept>

#include "dsflow/logger.hpp"

namespace ds::tools {

namespace {

/// Per-stage sums over its replicas.
struct stage_totals {
  unsigned replicas = 0;
  std::uint64_t items_in = 0, items_out = 0, failed = 0, queue = 0;
  std::uint64_t busy_ns = 0, blocked_ns = 0, idle_ns = 0;
};

std::map<std::string, stage_totals> totals_by_stage(const metrics_registry& metrics,
                                                    std::vector<std::string>& order) {
  std::map<std::string, stage_totals> totals;
  metrics.for_each([&](const replica_metrics& m) {
    if (!totals.contains(m.stage))
      order.push_back(m.stage);
    auto& t = totals[m.stage];
    ++t.replicas;
    t.items_in += m.items_in.value();
    t.items_out += m.items_out.value();
    t.failed += m.items_failed.value();
    t.queue += m.queue_depth.value();
    t.busy_ns += m.busy_ns.value();
    t.blocked_ns += m.blocked_ns.value();
    t.idle_ns += m.idle_ns.value();
  });
  return totals;
}

double percent(std::uint64_t part, std::uint64_t whole) {
  return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

} // namespace

struct live_view::previous {
  std::map<std::string, stage_totals> totals;
};

live_view::live_view(options opts) : opts_(std::move(opts)), previous_(std::make_unique<previous>()) {
  if (!opts_.metrics_out.empty()) {
    metrics_file_ = std::fopen(opts_.metrics_out.c_str(), "w");
    if (metrics_file_ == nullptr)
      throw std::runtime_error("--metrics-out: cannot open '" + opts_.metrics_out + "' for writing");
  }
  thread_ = std::thread([this] { run(); });
}

live_view::~live_view() {
  {
    std::lock_guard guard{mutex_};
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
  if (opts_.terminal && lines_drawn_ > 0)
    std::fprintf(stderr, "\x1b[%uA\x1b[J", lines_drawn_);
  if (metrics_file_ != nullptr)
    std::fclose(metrics_file_);
}

void live_view::run() {
  const auto started = std::chrono::steady_clock::now();
  const auto interval = std::chrono::milliseconds(opts_.interval_ms);
  unsigned ticks = 0;
  std::unique_lock lock{mutex_};
  for (;;) {
    bool stopping = wake_.wait_for(lock, interval, [this] { return stop_; });
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    write_metrics(elapsed);
    if (stopping)
      return;
    ++ticks;
    if (opts_.terminal)
      draw_table(elapsed, static_cast<double>(opts_.interval_ms) / 1000.0);
    else if (ticks % opts_.plain_every == 0)
      write_plain(elapsed);
  }
}

void live_view::write_metrics(double elapsed_s) {
  if (metrics_file_ == nullptr)
    return;
  auto lines = opts_.metrics->to_json_lines(elapsed_s);
  std::fwrite(lines.data(), 1, lines.size(), metrics_file_);
  std::fflush(metrics_file_);
}

void live_view::draw_table(double elapsed_s, double interval_s) {
  std::vector<std::string> order;
  auto totals = totals_by_stage(*opts_.metrics, order);
  std::string text;
  if (lines_drawn_ > 0)
    text += "\x1b[" + std::to_string(lines_drawn_) + "A\x1b[J";
  char line[256];
  std::snprintf(line, sizeof line, "%-20s %8s %12s %7s %9s %8s %8s\n", "stage", "replicas",
                "items/s", "busy %", "blocked %", "queue", "failed");
  text += line;
  unsigned lines = 1;
  for (const auto& name : order) {
    const auto& now = totals[name];
    const auto& before = previous_->totals[name];
    // Sources have no input: their rate is what they emit.
    bool is_source = now.items_in == 0;
    auto processed = [is_source](const stage_totals& t) { return is_source ? t.items_out : t.items_in; };
    double rate = static_cast<double>(processed(now) - processed(before)) / interval_s;
    auto busy = now.busy_ns - before.busy_ns;
    auto blocked = now.blocked_ns - before.blocked_ns;
    auto all = busy + blocked + (now.idle_ns - before.idle_ns);
    std::snprintf(line, sizeof line, "%-20.20s %8u %12.0f %7.1f %9.1f %8llu %8llu\n", name.c_str(),
                  now.replicas, rate, percent(busy, all), percent(blocked, all),
                  static_cast<unsigned long long>(now.queue),
                  static_cast<unsigned long long>(now.failed));
    text += line;
    ++lines;
  }
  std::uint64_t total = opts_.total_items ? opts_.total_items->load() : 0;
  if (total > 0 && totals.contains(opts_.progress_stage)) {
    auto done = totals[opts_.progress_stage].items_in;
    double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
    constexpr int width = 40;
    int filled = static_cast<int>(fraction * width);
    double eta = fraction > 0 ? elapsed_s * (1 - fraction) / fraction : 0;
    std::snprintf(line, sizeof line, "[%s%s] %5.1f%%  %llu/%llu  %.0fs elapsed, ~%.0fs left\n",
                  std::string(static_cast<std::size_t>(filled), '#').c_str(),
                  std::string(static_cast<std::size_t>(width - filled), '.').c_str(),
                  100 * fraction, static_cast<unsigned long long>(done),
                  static_cast<unsigned long long>(total), elapsed_s, eta);
    text += line;
    ++lines;
  }
  std::fwrite(text.data(), 1, text.size(), stderr);
  lines_drawn_ = lines;
  previous_->totals = std::move(totals);
}

void live_view::write_plain(double elapsed_s) {
  std::vector<std::string> order;
  auto totals = totals_by_stage(*opts_.metrics, order);
  std::string text = "t=" + std::to_string(static_cast<int>(elapsed_s)) + "s";
  for (const auto& name : order)
    text += " " + name + ":in=" + std::to_string(totals[name].items_in)
            + ",out=" + std::to_string(totals[name].items_out)
            + ",q=" + std::to_string(totals[name].queue);
  logger{"progress"}.info(text);
}

} // namespace ds::tools
