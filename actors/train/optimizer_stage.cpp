#include "train/optimizer_stage.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "nn/model_spec.hpp"
#include "train/checkpoint_file.hpp"
#include "train/stage_model.hpp"

namespace ds::actors {
namespace {

/// Below this many parameters per thread, starting a thread costs more than it saves.
constexpr std::size_t min_parameters_per_thread = 1 << 18;

nn::optimizer_kind kind_named(const std::string& name) {
  if (name == "sgd")
    return nn::optimizer_kind::sgd;
  if (name == "adam")
    return nn::optimizer_kind::adam;
  return nn::optimizer_kind::adamw;
}

} // namespace

stage_schema optimizer_stage::schema() {
  return schema_builder("optimizer",
                        "The CPU optimizer: SGD, Adam or AdamW with warm-up + cosine schedule and clipping; sends parameters back to compute.")
    .input("grads", "grad_bucket", "reduced gradient buckets")
    .output("params", "param_update", "new parameters of each bucket (to compute.params)")
    .output("state", "train_state", "snapshots at epoch ends, every snapshot_every_steps and at the end")
    .key_string("model", std::nullopt, {}, "the model, the same text as compute's `model`")
    .key_string("algorithm", "adamw", {"sgd", "adam", "adamw"},
                "SGD with momentum, Adam (L2 decay), or AdamW (decoupled decay)")
    .key_number("lr", 1e-3, 0, 10, "peak learning rate")
    .key_number("min_lr", 0, 0, 10, "learning rate at the end of the cosine decay")
    .key_int("warmup_steps", 0, 0, 1e12, "steps of linear warm-up to `lr`")
    .key_int("total_steps", 0, 0, 1e12, "step at which the cosine decay reaches `min_lr` (0 = constant after warm-up)")
    .key_number("momentum", 0.9, 0, 1, "SGD momentum")
    .key_number("beta1", 0.9, 0, 1, "Adam first-moment decay")
    .key_number("beta2", 0.999, 0, 1, "Adam second-moment decay")
    .key_number("epsilon", 1e-8, 0, 1, "Adam denominator term")
    .key_number("weight_decay", 0, 0, 10, "L2 (SGD, Adam) or decoupled (AdamW) weight decay")
    .key_number("max_grad_norm", 0, 0, 1e9, "clip gradients to this global L2 norm (0 = off)")
    .key_int("threads", 1, 1, 256, "threads that split each update's parameter range")
    .key_int("snapshot_every_steps", 0, 0, 1e12, "also emit a state snapshot every N updates (0 = epoch ends and the end only)")
    .key_string("resume", "", {}, "checkpoint folder to continue from (set by `ds-run --resume`)")
    .replicable(false)
    .numbers_output();
}

void optimizer_stage::open(context& ctx) {
  const auto& cfg = ctx.config();
  model_text_ = cfg.get_string("model");
  algorithm_ = cfg.get_string("algorithm");
  model_.emplace(model_of(ctx).model);
  try {
    nn::optimizer_config config;
    config.kind = kind_named(algorithm_);
    config.momentum = static_cast<float>(cfg.get_number("momentum"));
    config.beta1 = static_cast<float>(cfg.get_number("beta1"));
    config.beta2 = static_cast<float>(cfg.get_number("beta2"));
    config.epsilon = static_cast<float>(cfg.get_number("epsilon"));
    config.weight_decay = static_cast<float>(cfg.get_number("weight_decay"));
    optimizer_.emplace(config, model_->parameters().size());
  } catch (const std::invalid_argument& e) {
    throw stage_fatal_error("stages." + ctx.stage_name() + ": " + e.what());
  }
  schedule_.peak = static_cast<float>(cfg.get_number("lr"));
  schedule_.min_lr = static_cast<float>(cfg.get_number("min_lr"));
  schedule_.warmup_steps = static_cast<std::size_t>(cfg.get_int("warmup_steps"));
  const auto total = static_cast<std::size_t>(cfg.get_int("total_steps"));
  if (total == 0)
    schedule_.min_lr = schedule_.peak;  // the cosine then stays at the peak
  schedule_.total_steps = std::max<std::size_t>(total, schedule_.warmup_steps + 1);
  max_grad_norm_ = static_cast<float>(cfg.get_number("max_grad_norm"));
  threads_ = static_cast<unsigned>(cfg.get_int("threads"));
  snapshot_every_ = static_cast<std::uint64_t>(cfg.get_int("snapshot_every_steps"));
  pool_ = &ctx.pools().host();
  params_out_ = ctx.output("params");
  state_out_ = ctx.output("state");
  metrics_ = &ctx.metrics();
  if (const auto& dir = cfg.get_string("resume"); !dir.empty())
    restore(dir);
}

void optimizer_stage::restore(const std::string& dir) {
  try {
    auto saved = read_checkpoint(dir);
    check_checkpoint_matches(saved, dir, model_text_, algorithm_);
    load_parameters(saved, dir, model_->parameters());
    std::vector<std::span<const float>> moments(saved.moments.begin(), saved.moments.end());
    optimizer_->restore(moments, static_cast<long>(saved.updates));
    updates_ = saved.updates;
    samples_ = saved.samples;
    next_step_ = saved.next_step;
    sequence_end_ = saved.sequence_end;
    epoch_ = saved.epoch;
  } catch (const std::exception& e) {
    throw stage_fatal_error(e.what());
  }
}

void optimizer_stage::update_range(std::size_t offset, std::span<float> params,
                                   std::span<const float> grads) {
  const auto n = params.size();
  const auto parts = std::clamp<std::size_t>(n / min_parameters_per_thread, 1, threads_);
  if (parts == 1) {
    optimizer_->update_range(offset, params, grads, learning_rate_);
    return;
  }
  // Disjoint ranges of the flat buffers: the updates touch no shared element.
  std::vector<std::jthread> workers;
  const auto chunk = (n + parts - 1) / parts;
  for (std::size_t p = 1; p < parts; ++p) {
    const auto begin = p * chunk;
    const auto size = std::min(chunk, n - begin);
    workers.emplace_back([this, offset, begin, size, params, grads] {
      optimizer_->update_range(offset + begin, params.subspan(begin, size),
                               grads.subspan(begin, size), learning_rate_);
    });
  }
  optimizer_->update_range(offset, params.subspan(0, chunk), grads.subspan(0, chunk),
                           learning_rate_);
}

void optimizer_stage::send_bucket(std::uint32_t bucket, emitter& out) {
  const auto& buckets = model_->store().buckets();
  const auto& range = buckets[bucket].range;
  auto update = std::make_shared<param_update>();
  update->update = updates_ + 1;
  update->bucket = bucket;
  update->bucket_count = static_cast<std::uint32_t>(buckets.size());
  update->params = copy_to_tensor(*pool_, model_->parameters().subspan(range.offset, range.size));
  out.emit(params_out_, std::move(update));
}

void optimizer_stage::apply_bucket(const grad_bucket& g, emitter& out) {
  const auto& range = model_->store().buckets()[g.bucket].range;
  update_range(range.offset, model_->parameters().subspan(range.offset, range.size),
               {g.grads.data<float>(), range.size});
  send_bucket(g.bucket, out);
}

void optimizer_stage::apply_clipped(pending_step& step, emitter& out) {
  // Clipping rescales the whole gradient, so it waits for every bucket; the received
  // buckets are shared and read-only, so they are gathered into the model's gradient buffer.
  const auto& buckets = model_->store().buckets();
  auto grads = model_->gradients();
  for (const auto& msg : step.buckets) {
    const auto& g = message_as<grad_bucket>(msg);
    const auto& range = buckets[g.bucket].range;
    std::memcpy(grads.data() + range.offset, g.grads.data<float>(), range.size * sizeof(float));
  }
  const double norm = nn::clip_global_norm(grads, max_grad_norm_);
  metrics_->set_result("grad_norm", norm);
  update_range(0, model_->parameters(), grads);
  for (std::uint32_t b = 0; b < buckets.size(); ++b)
    send_bucket(b, out);
}

void optimizer_stage::finish_step(const grad_bucket& last) {
  optimizer_->end_step();
  ++updates_;
  ++next_update_;
  samples_ += last.samples;
  next_step_ = last.step + 1;
  sequence_end_ = last.sequence_end;
  loss_sum_ += last.loss * last.batches;
  loss_batches_ += last.batches;
}

void optimizer_stage::advance(emitter& out) {
  const auto bucket_count = model_->store().buckets().size();
  for (auto it = pending_.find(next_update_); it != pending_.end();
       it = pending_.find(next_update_)) {
    auto& step = it->second;
    const auto& first = message_as<grad_bucket>(step.buckets.front());
    if (step.applied == 0) {
      if (seen_batch_ && first.epoch > epoch_)
        snapshot(false, true, out);  // an epoch ended: the parameters now hold all of it
      seen_batch_ = true;
      epoch_ = first.epoch;
      learning_rate_ = nn::learning_rate_at(schedule_, updates_);
    }
    if (max_grad_norm_ > 0.0f) {
      if (step.buckets.size() < bucket_count)
        return;
      apply_clipped(step, out);
    } else {
      for (; step.applied < step.buckets.size(); ++step.applied)
        apply_bucket(message_as<grad_bucket>(step.buckets[step.applied]), out);
      if (step.applied < bucket_count)
        return;
    }
    finish_step(message_as<grad_bucket>(step.buckets.back()));
    pending_.erase(it);
    metrics_->custom("updates").set(updates_);
    metrics_->set_result("learning_rate", learning_rate_);
    if (snapshot_every_ > 0 && updates_ % snapshot_every_ == 0)
      snapshot(false, false, out);
  }
}

void optimizer_stage::process(const item& in, emitter& out) {
  const auto& g = message_as<grad_bucket>(in.payload);
  const auto& buckets = model_->store().buckets();
  if (g.bucket_count != buckets.size() || g.bucket >= buckets.size()
      || static_cast<std::size_t>(g.grads.numel()) != buckets[g.bucket].range.size
      || g.grads.type() != dtype::f32)
    throw stage_fatal_error("gradient bucket " + std::to_string(g.bucket) + " of "
                            + std::to_string(g.bucket_count) + " (step " + std::to_string(g.step)
                            + ") does not fit this model's " + std::to_string(buckets.size())
                            + " buckets (do compute and optimizer build the same model?)");
  if (g.update < next_update_)
    return;  // a repeat of a step already applied
  pending_[g.update].buckets.push_back(in.payload);
  try {
    advance(out);
  } catch (const stage_fatal_error&) {
    throw;
  } catch (const std::exception& e) {
    // The master parameters may be half updated; a fresh replica would not have them.
    throw stage_fatal_error(std::string("optimizer step failed: ") + e.what());
  }
}

void optimizer_stage::snapshot(bool final, bool epoch_end, emitter& out) {
  auto state = std::make_shared<train_state>();
  state->epoch_end = epoch_end;
  state->updates = updates_;
  state->next_step = next_step_;
  state->sequence_end = sequence_end_;
  state->epoch = epoch_;
  state->epochs_done = final || epoch_end ? epoch_ + 1 : epoch_;
  state->final = final;
  state->samples = samples_;
  state->loss = loss_batches_ > 0 ? loss_sum_ / static_cast<double>(loss_batches_) : 0.0;
  state->model = model_text_;
  state->optimizer = algorithm_;
  state->params = copy_to_tensor(*pool_, model_->parameters());
  for (auto moment : optimizer_->moments())
    state->optimizer_moments.push_back(copy_to_tensor(*pool_, moment));
  if (loss_batches_ > 0)
    metrics_->set_result("train_loss", state->loss);
  loss_sum_ = 0.0;
  loss_batches_ = 0;
  out.emit(state_out_, std::move(state));
}

void optimizer_stage::close(emitter& out) {
  if (!pending_.empty())
    throw stage_fatal_error("the run ended with " + std::to_string(pending_.size())
                            + " optimizer steps incomplete (first: update "
                            + std::to_string(pending_.begin()->first) + ", missing buckets)");
  snapshot(true, false, out);
}

} // namespace ds::actors
