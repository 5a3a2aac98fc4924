#include "dsflow/metrics.hpp"

#include "core/json_text.hpp"

namespace ds {

namespace {

void append_field(std::string& out, std::string_view name) {
  if (out.back() != '{')
    out += ',';
  append_json_string(out, name);
  out += ':';
}

void append_count(std::string& out, std::string_view name, std::uint64_t value) {
  append_field(out, name);
  out += std::to_string(value);
}

void append_seconds(std::string& out, std::string_view name, const counter& nanoseconds) {
  append_field(out, name);
  append_json_number(out, static_cast<double>(nanoseconds.value()) / 1e9);
}

void append_replica(std::string& out, const replica_metrics& m, double time_s) {
  out += '{';
  append_field(out, "time_s");
  append_json_number(out, time_s);
  append_field(out, "stage");
  append_json_string(out, m.stage);
  append_field(out, "actor");
  append_json_string(out, m.actor);
  append_count(out, "replica", m.replica);
  append_count(out, "items_in", m.items_in.value());
  append_count(out, "items_out", m.items_out.value());
  append_count(out, "items_failed", m.items_failed.value());
  append_count(out, "bytes_in", m.bytes_in.value());
  append_count(out, "bytes_out", m.bytes_out.value());
  append_seconds(out, "busy_s", m.busy_ns);
  append_seconds(out, "idle_s", m.idle_ns);
  append_seconds(out, "blocked_s", m.blocked_ns);
  append_count(out, "queue_depth", m.queue_depth.value());
  append_count(out, "restarts", m.restarts.value());
  append_field(out, "custom");
  out += '{';
  for (const auto& [name, value] : m.custom_values())
    append_count(out, name, value);
  out += '}';
  append_field(out, "results");
  out += '{';
  for (const auto& [name, value] : m.results()) {
    append_field(out, name);
    append_json_number(out, value);
  }
  out += "}}\n";
}

} // namespace

counter& replica_metrics::custom(const std::string& name) {
  std::lock_guard guard{mutex_};
  auto found = custom_.find(name);
  if (found == custom_.end())
    found = custom_.emplace(name, std::make_unique<counter>()).first;
  return *found->second;
}

std::vector<std::pair<std::string, std::uint64_t>> replica_metrics::custom_values() const {
  std::lock_guard guard{mutex_};
  std::vector<std::pair<std::string, std::uint64_t>> values;
  values.reserve(custom_.size());
  for (const auto& [name, value] : custom_)
    values.emplace_back(name, value->value());
  return values;
}

void replica_metrics::set_result(const std::string& name, double value) {
  std::lock_guard guard{mutex_};
  results_[name] = value;
}

std::vector<std::pair<std::string, double>> replica_metrics::results() const {
  std::lock_guard guard{mutex_};
  return {results_.begin(), results_.end()};
}

replica_metrics& metrics_registry::add_replica(const std::string& stage, const std::string& actor,
                                               std::uint32_t replica) {
  auto metrics = std::make_unique<replica_metrics>();
  metrics->stage = stage;
  metrics->actor = actor;
  metrics->replica = replica;
  std::lock_guard guard{mutex_};
  replicas_.push_back(std::move(metrics));
  return *replicas_.back();
}

std::string metrics_registry::to_json_lines(double time_s) const {
  std::string lines;
  for_each([&](const replica_metrics& m) { append_replica(lines, m, time_s); });
  return lines;
}

} // namespace ds
