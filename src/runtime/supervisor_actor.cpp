// The supervisor of one stage: decides between restart-after-backoff and giving up.

#include <algorithm>
#include <chrono>
#include <map>

#include "dsflow/logger.hpp"
#include "runtime/runtime_messages.hpp"

namespace ds::runtime {
namespace {

struct supervisor_state {
  const stage_plan* plan = nullptr;
  caf::actor job;
  std::map<std::uint32_t, int> restarts;  ///< per replica
  std::unique_ptr<logger> log;
};

using supervisor_actor = caf::stateful_actor<supervisor_state>;

caf::behavior supervisor(supervisor_actor* self, const stage_plan* plan, caf::actor job) {
  auto& st = self->state;
  st.plan = plan;
  st.job = std::move(job);
  st.log = std::make_unique<logger>("supervisor:" + plan->name);
  return {
    [=](failure_atom, std::uint32_t replica, const std::string& what, bool final,
        const caf::actor& failed) {
      auto& st = self->state;
      const auto& policy = st.plan->supervision;
      int& count = st.restarts[replica];
      std::string who = "stage '" + st.plan->name + "' replica " + std::to_string(replica);
      if (final || count >= policy.max_restarts) {
        std::string why = final ? "cannot be restarted"
                                : "failed after " + std::to_string(count) + " restarts (max_restarts="
                                    + std::to_string(policy.max_restarts) + ")";
        st.log->error(who + " " + why + "; stopping the run");
        self->send(st.job, fatal_atom::value, who + " " + why + ": " + what);
        return;
      }
      ++count;
      // Exponential backoff, capped so a long policy never waits more than a minute.
      auto backoff = std::chrono::milliseconds(
        std::min<long>(60'000, static_cast<long>(policy.backoff_ms) << std::min(count - 1, 16)));
      st.log->warn(who + " failed (" + what + "); restart " + std::to_string(count) + " of "
                   + std::to_string(policy.max_restarts) + " in "
                   + std::to_string(backoff.count()) + " ms");
      self->delayed_send(failed, backoff, restart_atom::value);
    },
  };
}

} // namespace

caf::actor spawn_supervisor(caf::actor_system& system, const stage_plan& plan, caf::actor job) {
  return system.spawn(supervisor, &plan, std::move(job));
}

} // namespace ds::runtime
