#pragma once
/// `transform`: configurable CPU work per item, with fault injection for tests.

#include <cstdint>
#include <set>

#include "dsflow/schema.hpp"
#include "dsflow/stage.hpp"

namespace ds::actors {

/// Passes each blob on unchanged (same buffer: no copy) after doing real CPU
/// work on it: `hash_rounds` xxh64 passes over the payload and/or `spin_us`
/// microseconds of arithmetic, then an optional `delay_us` sleep (a slow
/// consumer that costs no CPU). `fail_items` always throw (poison records);
/// `flaky_items` throw once per process (transient faults).
class transform final : public stage {
public:
  static stage_schema schema();
  void open(context& ctx) override;
  void process(const item& in, emitter& out) override;

private:
  port_id out_ = 0;
  std::int64_t hash_rounds_ = 0;
  std::int64_t spin_us_ = 0;
  std::int64_t delay_us_ = 0;
  std::set<std::uint64_t> fail_items_;
  std::set<std::uint64_t> flaky_items_;
  std::string stage_name_;
  counter* work_result_ = nullptr;
};

} // namespace ds::actors
