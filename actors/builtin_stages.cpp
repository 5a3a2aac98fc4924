#include "builtin_stages.hpp"

#include "sink.hpp"
#include "synthetic_source.hpp"
#include "transform.hpp"

namespace ds {

void register_builtin_stages(registry& reg) {
  add_stage<actors::synthetic_source>(reg);
  add_stage<actors::transform>(reg);
  add_stage<actors::sink>(reg);
}

} // namespace ds
