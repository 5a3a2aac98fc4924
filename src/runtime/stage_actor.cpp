// The actor around one stage replica: turns CAF messages into replica_core events.

#include <optional>

#include "runtime/runtime_messages.hpp"

namespace ds::runtime {
namespace {

/// Work done per message before yielding, so credits and control messages
/// are never stuck behind a long run of items.
constexpr std::size_t pump_budget = 64;

/// Sends on a replica's links. Items for one route are held until `flush`
/// (called once per event, after the work it enabled), then go as one CAF
/// message: the per-item cost of a hop is then mostly one vector slot, not
/// one mailbox round trip. Credits still count items, so windows are unchanged.
class caf_link_sender final : public flow::link_sender {
public:
  explicit caf_link_sender(caf::event_based_actor* self) : self_(self) {}

  void send_item(flow::route_id route, item it) override {
    if (pending_.size() <= route)
      pending_.resize(routes_.size());
    if (pending_[route].empty())
      dirty_.push_back(route);
    pending_[route].push_back(std::move(it));
  }
  void send_end_of_stream(flow::route_id route, bool cut) override {
    flush();  // the route's items must arrive before its end
    self_->send(routes_[route].replica, eos_atom::value, routes_[route].inbound, cut);
  }
  void flush() override {
    for (auto route : dirty_) {
      const auto& target = routes_[route];
      self_->send(target.replica, item_atom::value, target.inbound, std::move(pending_[route]));
      pending_[route] = {};
    }
    dirty_.clear();
  }
  void grant_credit(flow::inbound_id inbound, std::uint32_t count) override {
    const auto& link = inbounds_[inbound];
    self_->send(link.producer, credit_atom::value, link.route, count);
  }

  std::vector<group_wiring::target> routes_;  ///< indexed by route_id
  std::vector<inbound_wiring> inbounds_;      ///< indexed by inbound_id

private:
  caf::event_based_actor* self_;
  std::vector<std::vector<item>> pending_;  ///< per route, until `flush`
  std::vector<flow::route_id> dirty_;       ///< routes with pending items, in first-use order
};

struct replica_state {
  std::string name;  ///< "stage#replica", for errors raised before or outside the stage
  std::optional<caf_link_sender> sender;
  std::unique_ptr<flow::replica_core> core;
  replica_init_ptr init;
  bool resume_pending = false;
  bool failure_reported = false;
  bool broken = false;  ///< a runtime error happened; waiting to be stopped
};

using replica_actor = caf::stateful_actor<replica_state>;

/// Called after every event: do the work that became possible, then tell the
/// supervisor and the job what they need to know.
void advance(replica_actor* self) {
  auto& st = self->state;
  auto& core = *st.core;
  using state = flow::replica_core::state;
  if (core.current_state() == state::running && !st.resume_pending) {
    if (core.pump(pump_budget)) {
      st.resume_pending = true;
      self->send(self, resume_atom::value);
    }
  }
  st.sender->flush();
  for (auto& report : core.take_failed_items())
    self->send(st.init->job, item_failed_atom::value, st.init->setup.plan->name, report);
  for (auto& report : core.take_skipped_items())
    self->send(st.init->job, item_skipped_atom::value, st.init->setup.plan->name, report);
  switch (core.current_state()) {
    case state::failed:
      if (!st.failure_reported) {
        st.failure_reported = true;
        self->send(st.init->supervisor, failure_atom::value, st.init->setup.replica,
                   core.failure(), core.failure_is_final(), caf::actor{self});
      }
      break;
    case state::finished:
      self->send(st.init->job, done_atom::value, st.init->setup.plan->name,
                 st.init->setup.replica);
      self->quit();
      break;
    default:
      break;
  }
}

/// Runs one event. A runtime error (not a stage's own exception, which
/// replica_core handles) leaves the replica's state unknown: it stops taking
/// events and asks its supervisor to end the run, naming the stage.
template <class Event>
void guarded(replica_actor* self, Event&& event) {
  auto& st = self->state;
  if (st.broken)
    return;
  try {
    event();
    advance(self);
  } catch (const std::exception& e) {
    st.broken = true;
    self->send(st.init->supervisor, failure_atom::value, st.init->setup.replica,
               "runtime error in " + st.name + ": " + e.what(), true, caf::actor{self});
  }
}

caf::behavior stage_replica(replica_actor* self, std::string name) {
  self->state.name = std::move(name);
  return {
    [=](init_atom, const replica_init_ptr& init) {
      auto& st = self->state;
      st.init = init;
      guarded(self, [&] {
        st.sender.emplace(self);
        st.sender->inbounds_ = init->inbounds;
        st.core = std::make_unique<flow::replica_core>(init->setup, *st.sender);
        auto& routes = st.core->routes();
        for (const auto& group : init->groups) {
          auto index = routes.add_group(group.port, group.needs_gaps);
          for (const auto& target : group.targets) {
            routes.add_route(group.port, index, group.window);
            st.sender->routes_.push_back(target);
          }
        }
        st.core->start();
        if (init->total_items != nullptr)
          init->total_items->fetch_add(st.core->declared_total_items());
      });
    },
    [=](item_atom, flow::inbound_id from, std::vector<item>& items) {
      guarded(self, [&] {
        for (auto& it : items)
          self->state.core->receive(from, std::move(it));
      });
    },
    [=](credit_atom, flow::route_id route, std::uint32_t count) {
      guarded(self, [&] { self->state.core->credit(route, count); });
    },
    [=](eos_atom, flow::inbound_id from, bool cut) {
      guarded(self, [&] { self->state.core->upstream_ended(from, cut); });
    },
    [=](stop_atom) {
      guarded(self, [&] { self->state.core->stop_producing(); });
    },
    [=](resume_atom) {
      self->state.resume_pending = false;
      guarded(self, [] {});
    },
    [=](restart_atom) {
      self->state.failure_reported = false;
      guarded(self, [&] { self->state.core->restart(); });
    },
  };
}

} // namespace

caf::actor spawn_stage_replica(caf::actor_system& system, std::string name) {
  // Spawning with an argument also keeps CAF 0.17 off a path that binds a
  // reference to a null argument tuple (undefined behaviour UBSan reports).
  return system.spawn(stage_replica, std::move(name));
}

} // namespace ds::runtime
