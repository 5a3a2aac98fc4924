#include "builtin_stages.hpp"

#include "input/batch_sink.hpp"
#include "input/batcher.hpp"
#include "input/decoder.hpp"
#include "input/sampler.hpp"
#include "input/shard_reader.hpp"
#include "sink.hpp"
#include "synthetic_source.hpp"
#include "train/checkpointer.hpp"
#include "train/compute.hpp"
#include "train/evaluator.hpp"
#include "train/grad_reducer.hpp"
#include "train/optimizer_stage.hpp"
#include "transform.hpp"

namespace ds {

void register_builtin_stages(registry& reg) {
  add_stage<actors::synthetic_source>(reg);
  add_stage<actors::transform>(reg);
  add_stage<actors::sink>(reg);
  add_stage<actors::sampler>(reg);
  add_stage<actors::shard_reader>(reg);
  add_stage<actors::decoder>(reg);
  add_stage<actors::batcher>(reg);
  add_stage<actors::batch_sink>(reg);
  add_stage<actors::compute>(reg);
  add_stage<actors::grad_reducer>(reg);
  add_stage<actors::optimizer_stage>(reg);
  add_stage<actors::evaluator>(reg);
  add_stage<actors::checkpointer>(reg);
}

} // namespace ds
