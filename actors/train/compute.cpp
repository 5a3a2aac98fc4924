#include "train/compute.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "cpu/gemm.hpp"
#include "train/checkpoint_file.hpp"
#include "train/stage_model.hpp"

namespace ds::actors {
namespace {

std::uint64_t nanoseconds(std::chrono::steady_clock::duration d) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count());
}

} // namespace

stage_schema compute::schema() {
  return schema_builder("compute",
                        "Trains a model replica: forward, loss and backward per batch; gradients leave bucket by bucket.")
    .input("batches", "batch", "training batches")
    .feedback_input("params", "param_update", "updated parameters from the optimizer")
    .output("grads", "grad_bucket", "gradients of each bucket, as backward finishes it")
    .key_string("model", std::nullopt, {},
                "the model, e.g. 'mlp sizes=784,256,128,10 activation=relu' or 'cnn conv1=8 conv2=16' (docs/config.md)")
    .key_string("input_field", "image", {}, "batch field the model reads (f32; token windows for a language model)")
    .key_string("label_field", "label", {}, "batch field with the class labels (classifiers)")
    .key_int("delay", 0, 0, 1, "updates the parameters may lag behind: 1 overlaps the optimizer with the next step")
    .key_int("blas_threads", 0, 0, 256, "OpenBLAS threads (0 = cores / compute replicas)")
    .key_string("resume", "", {}, "checkpoint folder to continue from (set by `ds-run --resume`)")
    .numbers_output();
}

void compute::open(context& ctx) {
  const auto& cfg = ctx.config();
  auto [model, task] = model_of(ctx);
  model_.emplace(std::move(model));
  task_ = task;
  fields_ = {cfg.get_string("input_field"), cfg.get_string("label_field")};
  delay_ = static_cast<std::uint64_t>(cfg.get_int("delay"));
  pool_ = &ctx.pools().host();
  grads_out_ = ctx.output("grads");
  replica_ = ctx.where().replica;
  group_size_ = ctx.where().replicas;
  if (const auto& dir = cfg.get_string("resume"); !dir.empty()) {
    try {
      auto saved = read_checkpoint(dir);
      check_checkpoint_matches(saved, dir, cfg.get_string("model"), "");
      load_parameters(saved, dir, model_->parameters());
      first_step_ = saved.next_step;
    } catch (const std::runtime_error& e) {
      throw stage_fatal_error(e.what());
    }
  }
  auto threads = static_cast<int>(cfg.get_int("blas_threads"));
  if (threads == 0)
    threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency() / group_size_));
  kernels::set_blas_threads(threads);
  metrics_ = &ctx.metrics();
  samples_ = &metrics_->custom("samples");
  steps_ = &metrics_->custom("steps");
  data_wait_ns_ = &metrics_->custom("data_wait_ns");
  param_wait_ns_ = &metrics_->custom("param_wait_ns");
  compute_ns_ = &metrics_->custom("compute_ns");
  span_ns_ = &metrics_->custom("span_ns");
  free_since_ = clock::now();
}

bool compute::parameters_ready(const batch& b) const {
  if (b.step < first_step_)
    throw stage_fatal_error("batch step " + std::to_string(b.step) + " comes before this run's first step "
                            + std::to_string(first_step_));
  const auto group = (b.step - first_step_) / group_size_;
  const auto needed = group > delay_ ? group - delay_ : 0;
  return applied_ + waiting_updates_.size() >= needed;
}

void compute::apply_updates(std::uint64_t needed) {
  const auto& buckets = model_->store().buckets();
  auto params = model_->parameters();
  while (applied_ < needed) {
    for (const auto& msg : waiting_updates_.front()) {
      const auto& update = message_as<param_update>(msg);
      const auto& range = buckets[update.bucket].range;
      std::memcpy(params.data() + range.offset, update.params.data<float>(),
                  range.size * sizeof(float));
    }
    waiting_updates_.pop_front();
    ++applied_;
  }
}

void compute::receive_update(const message_ptr& payload, emitter& out) {
  const auto& update = message_as<param_update>(payload);
  const auto& buckets = model_->store().buckets();
  if (update.bucket_count != buckets.size() || update.bucket >= buckets.size()
      || static_cast<std::size_t>(update.params.numel()) != buckets[update.bucket].range.size
      || update.params.type() != dtype::f32)
    throw stage_fatal_error("parameter update " + std::to_string(update.update) + " bucket "
                            + std::to_string(update.bucket) + " of " + std::to_string(update.bucket_count)
                            + " does not fit this model's " + std::to_string(buckets.size())
                            + " buckets (do compute and optimizer build the same model?)");
  partial_update_.push_back(payload);
  if (partial_update_.size() < buckets.size())
    return;
  waiting_updates_.push_back(std::exchange(partial_update_, {}));
  const auto now = clock::now();
  if (held_ == nullptr) {
    free_since_ = std::max(free_since_, now);
    return;
  }
  const auto& b = message_as<batch>(held_);
  if (!parameters_ready(b))
    return;
  param_wait_ns_->add(nanoseconds(now - held_since_));
  const auto keep_alive = std::exchange(held_, nullptr);  // `b` lives in it
  run_step(b, out);
}

void compute::receive_batch(const message_ptr& payload, emitter& out) {
  const auto& b = message_as<batch>(payload);
  const auto now = clock::now();
  if (!first_batch_)
    first_batch_ = now;  // the wait for the first batch is start-up, not a stall
  else if (parameters_ready(b))
    data_wait_ns_->add(nanoseconds(now - std::max(free_since_, last_step_end_)));
  if (!parameters_ready(b)) {
    held_ = payload;
    held_since_ = now;
    return;
  }
  run_step(b, out);
}

void compute::run_step(const batch& b, emitter& out) {
  const auto start = clock::now();
  const auto group = (b.step - first_step_) / group_size_;
  apply_updates(group > delay_ ? group - delay_ : 0);
  try {
    inputs_.load(task_, fields_, model_->input_size(), b.fields);
  } catch (const std::invalid_argument& e) {
    throw stage_fatal_error("batch " + std::to_string(b.step) + ": " + e.what());
  }
  const double loss = model_->forward_loss(inputs_.x(), inputs_.labels(), inputs_.rows());
  const auto& buckets = model_->store().buckets();
  const auto grads = model_->gradients();
  model_->backward([&](std::size_t index) {
    const auto& range = buckets[index].range;
    auto bucket = std::make_shared<grad_bucket>();
    bucket->step = b.step;
    bucket->update = group;
    bucket->epoch = b.epoch;
    bucket->sequence_end = b.sequence_end;
    bucket->bucket = static_cast<std::uint32_t>(index);
    bucket->bucket_count = static_cast<std::uint32_t>(buckets.size());
    bucket->replica = replica_;
    bucket->group_size = group_size_;
    bucket->samples = inputs_.rows();
    bucket->loss = loss;
    bucket->grads = copy_to_tensor(*pool_, grads.subspan(range.offset, range.size));
    out.emit(grads_out_, std::move(bucket));
  });
  last_step_end_ = clock::now();
  compute_ns_->add(nanoseconds(last_step_end_ - start));
  span_ns_->set(nanoseconds(last_step_end_ - *first_batch_));
  samples_->add(inputs_.rows());
  steps_->add();
}

void compute::process(const item& in, emitter& out) {
  try {
    if (in.payload->type_name() == param_update::type)
      receive_update(in.payload, out);
    else
      receive_batch(in.payload, out);
  } catch (const stage_fatal_error&) {
    throw;
  } catch (const std::exception& e) {
    // A fresh replica would start from the initial parameters: a restart cannot mend this.
    throw stage_fatal_error(std::string("training step failed: ") + e.what());
  }
}

void compute::close(emitter& out) {
  (void) out;
  if (held_ != nullptr)
    throw stage_fatal_error("the run ended with batch " + std::to_string(message_as<batch>(held_).step)
                            + " still waiting for its parameters");
}

} // namespace ds::actors
