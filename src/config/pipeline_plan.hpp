#pragma once
/// A validated pipeline: what `ds-run` starts, prints with --dry-run, draws with --graph.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dsflow/config_value.hpp"
#include "dsflow/registry.hpp"
#include "dsflow/stage_config.hpp"

namespace ds {

/// Restart policy of one stage: `max_restarts` restarts per replica, waiting
/// `backoff_ms` × 2^(n-1) before the n-th.
struct supervision_policy {
  int max_restarts = 3;
  int backoff_ms = 50;
};

/// One upstream connection of a stage's input port.
struct input_binding {
  std::string port;          ///< input port of this stage
  std::string from_stage;    ///< producing stage
  std::string from_port;     ///< its output port
  std::string message_type;  ///< checked equal on both ends
  bool feedback = false;     ///< the port closes a loop (`port_spec::feedback`)
};

struct stage_plan {
  std::string name;
  const stage_type* type = nullptr;  ///< owned by the registry
  stage_config config;               ///< every schema key, typed, defaults filled
  std::vector<input_binding> inputs;
  std::uint32_t replicas = 1;
  bool replicas_auto = false;
  std::string device = "cpu";
  /// The rank the stage runs on (`rank:`); unset: every rank runs its own copy
  /// (data-parallel). An edge between stages on different ranks crosses the transport.
  std::optional<std::uint32_t> rank;
  std::uint32_t window = 16;  ///< credits each input link grants
  supervision_policy supervision;
  value_origin origin;  ///< where the stage is declared
};

/// One runtime knob with its value and where that value came from.
struct param_entry {
  std::string key;      ///< "runtime.window"
  std::string env;      ///< "DS_WINDOW"
  std::string value;    ///< rendered
  std::string help;
  value_origin origin;
};

/// Process-wide runtime settings (the `runtime:` section).
struct runtime_settings {
  std::uint32_t window = 16;
  std::uint32_t threads = 0;  ///< scheduler threads; 0 = one per core
  std::uint32_t metrics_interval_ms = 1000;
  supervision_policy supervision;
  std::string log_level = "info";
  // Multi-node: the rendezvous of the ranks and their heartbeats (see docs/multi-node.md).
  std::uint32_t rendezvous_timeout_ms = 60000;
  std::uint32_t heartbeat_interval_ms = 1000;
  std::uint32_t heartbeat_timeout_ms = 10000;
  std::string fabric_provider = "auto";  ///< libfabric provider between ranks, or "auto"
};

struct pipeline_plan {
  std::string file;
  int version = 1;
  std::vector<std::string> plugins;  ///< resolved paths, in load order
  runtime_settings runtime;
  std::vector<stage_plan> stages;    ///< topological order: producers first
  std::vector<param_entry> params;   ///< runtime knobs, for --dump-params

  const stage_plan* find(std::string_view stage) const noexcept;
  /// Stages that consume `stage`'s output `port`.
  std::vector<const stage_plan*> consumers_of(std::string_view stage, std::string_view port) const;
};

} // namespace ds
