#pragma once
/// The actor protocol between stage replicas, supervisors and the job (CAF 0.17).

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "dsflow/item.hpp"
#include "flow/replica_core.hpp"

namespace ds::runtime {

using init_atom = caf::atom_constant<caf::atom("init")>;
using item_atom = caf::atom_constant<caf::atom("item")>;
using credit_atom = caf::atom_constant<caf::atom("credit")>;
using eos_atom = caf::atom_constant<caf::atom("eos")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;
using resume_atom = caf::atom_constant<caf::atom("resume")>;
using failure_atom = caf::atom_constant<caf::atom("failure")>;
using restart_atom = caf::atom_constant<caf::atom("restart")>;
using item_failed_atom = caf::atom_constant<caf::atom("itemfail")>;
using item_skipped_atom = caf::atom_constant<caf::atom("itemskip")>;
using done_atom = caf::atom_constant<caf::atom("done")>;
using fatal_atom = caf::atom_constant<caf::atom("fatal")>;

/// One consumer stage of one output port: a route per consumer replica.
struct group_wiring {
  std::uint32_t port = 0;
  bool needs_gaps = false;
  std::uint32_t window = 1;
  struct target {
    caf::actor replica;
    flow::inbound_id inbound = 0;  ///< the link's index at the consumer
  };
  std::vector<target> targets;
};

/// A producer replica feeding this one, and the route it uses.
struct inbound_wiring {
  caf::actor producer;
  flow::route_id route = 0;
};

/// Everything a stage replica needs before it starts.
struct replica_init {
  flow::replica_setup setup;
  std::vector<group_wiring> groups;
  std::vector<inbound_wiring> inbounds;
  caf::actor supervisor;
  caf::actor job;
  std::atomic<std::uint64_t>* total_items = nullptr;
};

using replica_init_ptr = std::shared_ptr<const replica_init>;

/// Spawns a stage replica actor named `name` ("stage#replica"); it waits for
/// `init_atom` with its `replica_init`.
caf::actor spawn_stage_replica(caf::actor_system& system, std::string name);

/// Spawns the supervisor of one stage: restarts its replicas after a backoff,
/// or reports `fatal_atom` to `job` when the policy is exhausted.
caf::actor spawn_supervisor(caf::actor_system& system, const stage_plan& plan, caf::actor job);

} // namespace ds::runtime

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ds::item)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<ds::item>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ds::runtime::replica_init_ptr)
