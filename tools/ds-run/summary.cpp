#include "summary.hpp"

#include <cstdio>
#include <map>
#include <vector>

namespace ds::tools {

namespace {

const char* outcome_text(job_outcome outcome) {
  switch (outcome) {
    case job_outcome::completed: return "completed";
    case job_outcome::interrupted: return "interrupted (drained)";
    case job_outcome::aborted: return "aborted";
    case job_outcome::failed: return "failed";
  }
  return "unknown";
}

/// Throughput and data stall of the compute stages, then every stage's results.
std::string training_lines(const metrics_registry& metrics, double seconds) {
  std::uint64_t samples = 0, data_wait = 0, param_wait = 0, span = 0;
  bool training = false;
  std::vector<std::string> results;
  metrics.for_each([&](const replica_metrics& m) {
    if (m.actor == "compute") {
      training = true;
      for (const auto& [name, value] : m.custom_values()) {
        if (name == "samples")
          samples += value;
        else if (name == "data_wait_ns")
          data_wait += value;
        else if (name == "param_wait_ns")
          param_wait += value;
        else if (name == "span_ns")
          span += value;
      }
    }
    for (const auto& [name, value] : m.results()) {
      char line[160];
      std::snprintf(line, sizeof line, "result %s.%s = %.6g\n", m.stage.c_str(), name.c_str(), value);
      results.emplace_back(line);
    }
  });
  std::string text;
  if (training) {
    char line[256];
    auto share = [span](std::uint64_t part) { return span > 0 ? 100.0 * static_cast<double>(part) / static_cast<double>(span) : 0.0; };
    std::snprintf(line, sizeof line,
                  "training: %llu samples, %.0f samples/s end to end; compute waited for data "
                  "%.2f%% and for parameters %.2f%% of its time\n",
                  static_cast<unsigned long long>(samples),
                  seconds > 0 ? static_cast<double>(samples) / seconds : 0.0, share(data_wait),
                  share(param_wait));
    text += line;
  }
  for (const auto& line : results)
    text += line;
  return text;
}

} // namespace

std::string format_summary(const metrics_registry& metrics, const job_result& result) {
  struct row {
    unsigned replicas = 0;
    std::uint64_t in = 0, out = 0, failed = 0, bytes = 0, restarts = 0;
    std::uint64_t busy = 0, blocked = 0, idle = 0;
  };
  std::vector<std::string> order;
  std::map<std::string, row> rows;
  metrics.for_each([&](const replica_metrics& m) {
    if (!rows.contains(m.stage))
      order.push_back(m.stage);
    auto& r = rows[m.stage];
    ++r.replicas;
    r.in += m.items_in.value();
    r.out += m.items_out.value();
    r.failed += m.items_failed.value();
    r.bytes += m.bytes_in.value() + (m.items_in.value() == 0 ? m.bytes_out.value() : 0);
    r.restarts += m.restarts.value();
    r.busy += m.busy_ns.value();
    r.blocked += m.blocked_ns.value();
    r.idle += m.idle_ns.value();
  });
  std::string text;
  char line[256];
  std::snprintf(line, sizeof line, "%-20s %4s %10s %10s %7s %10s %6s %8s %6s %9s\n", "stage", "rep",
                "items in", "items out", "failed", "MiB", "busy%", "blocked%", "idle%", "restarts");
  text += line;
  for (const auto& name : order) {
    const auto& r = rows[name];
    double all = static_cast<double>(r.busy + r.blocked + r.idle);
    auto share = [all](std::uint64_t part) { return all > 0 ? 100.0 * static_cast<double>(part) / all : 0.0; };
    std::snprintf(line, sizeof line, "%-20.20s %4u %10llu %10llu %7llu %10.1f %6.1f %8.1f %6.1f %9llu\n",
                  name.c_str(), r.replicas, static_cast<unsigned long long>(r.in),
                  static_cast<unsigned long long>(r.out), static_cast<unsigned long long>(r.failed),
                  static_cast<double>(r.bytes) / (1 << 20), share(r.busy), share(r.blocked),
                  share(r.idle), static_cast<unsigned long long>(r.restarts));
    text += line;
  }
  text += training_lines(metrics, result.seconds);
  for (const auto& failed : result.failed_items)
    text += "failed item: " + failed + "\n";
  for (const auto& skipped : result.skipped_items)
    text += "skipped: " + skipped + "\n";
  std::snprintf(line, sizeof line, "%s in %.2f s", outcome_text(result.outcome), result.seconds);
  text += line;
  if (!result.error.empty())
    text += ": " + result.error;
  text += "\n";
  return text;
}

std::string format_transport_summary(const std::string& name, const net::transport_stats& stats) {
  char line[256];
  std::snprintf(line, sizeof line,
                "transport %s: %.1f MiB sent (%llu eager, %llu zero-copy reads), %.1f MiB received\n",
                name.c_str(), static_cast<double>(stats.bytes_sent) / (1 << 20),
                static_cast<unsigned long long>(stats.eager_sends),
                static_cast<unsigned long long>(stats.rma_sends),
                static_cast<double>(stats.bytes_received) / (1 << 20));
  return line;
}

} // namespace ds::tools
