#define BOOST_TEST_MODULE training_pipeline
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <thread>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "builtin_stages.hpp"
#include "config/config_loader.hpp"
#include "runtime/job.hpp"
#include "train/checkpoint_file.hpp"
#include "train/resume.hpp"

#include "../support/image_label_dataset.hpp"

// The whole training loop — sampler → reader → decoder ×k → batcher → compute ×r →
// grad_reducer → optimizer → (params back to compute; state to evaluator and
// checkpointer) — through the real actor runtime, on a small learnable dataset.

namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t records = 384;
constexpr int classes = 4;

std::string make_blobs(const std::string& name) {
  return ds::test::write_blobs_dataset("train-" + name, records, classes);
}

std::string read_bytes(const std::string& path) {
  std::ifstream file{path, std::ios::binary};
  return {std::istreambuf_iterator<char>(file), {}};
}

struct training_fixture {
  ds::registry reg;
  ds::memory_pools pools;
  std::unique_ptr<ds::metrics_registry> metrics;
  std::string dataset = make_blobs("blobs");

  training_fixture() { ds::register_builtin_stages(reg); }

  ds::pipeline_plan plan(const std::vector<std::string>& overrides) {
    auto yaml =
      "version: 1\nruntime: {window: 8, threads: 2}\nstages:\n"
      "  sample: {actor: sampler, dataset: '" + dataset + "', epochs: 3, seed: 7}\n"
      "  read: {actor: shard_reader, inputs: [sample.out], dataset: '" + dataset + "'}\n"
      "  decode: {actor: decoder, inputs: [read.out], dataset: '" + dataset + "'}\n"
      "  batch: {actor: batcher, inputs: [decode.out], batch_size: 32,"
      " transforms: ['image:scale=0.00392156862745098', 'label:i32']}\n"
      "  train: {actor: compute, inputs: {batches: batch.out, params: optimize.params},"
      " model: 'mlp sizes=16,32,4 seed=3 bucket_kib=1', blas_threads: 1}\n"
      "  reduce: {actor: grad_reducer, inputs: [train.grads]}\n"
      "  optimize: {actor: optimizer, inputs: [reduce.reduced], model: '${stages.train.model}',"
      " lr: 0.01, warmup_steps: 5, total_steps: 36}\n"
      "  evaluate: {actor: evaluator, inputs: [optimize.state], model: '${stages.train.model}',"
      " dataset: '" + dataset + "', transforms: '${stages.batch.transforms}'}\n"
      "  checkpoint: {actor: checkpointer, inputs: [optimize.state], dir: '" + dataset + "/ck'}\n";
    return ds::plan_pipeline(ds::parse_config(yaml, "train.yaml", overrides), reg);
  }

  std::atomic<int> interrupts{0};

  ds::job_result run_plan(const ds::pipeline_plan& p) {
    metrics = std::make_unique<ds::metrics_registry>();
    ds::job_options options;
    options.pools = &pools;
    options.metrics = metrics.get();
    options.interrupts = &interrupts;
    return ds::run_job(p, options);
  }

  ds::job_result run(const std::vector<std::string>& overrides) { return run_plan(plan(overrides)); }

  /// Runs from the checkpoint in `dir`, as `ds-run --resume dir` does.
  ds::job_result resume(std::vector<std::string> overrides, const std::string& dir) {
    auto resumes = ds::actors::resume_overrides(plan(overrides), dir);
    overrides.insert(overrides.end(), resumes.begin(), resumes.end());
    return run_plan(plan(overrides));
  }

  double stage_result(const std::string& stage, const std::string& name) {
    double value = NAN;
    metrics->for_each([&](const ds::replica_metrics& m) {
      if (m.stage == stage)
        for (auto [key, v] : m.results())
          if (key == name)
            value = v;
    });
    return value;
  }

  std::string checkpoint(const std::string& dir) { return read_bytes(ds::actors::checkpoint_path(dir)); }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(training_pipeline, training_fixture)

BOOST_AUTO_TEST_CASE(a_short_run_lowers_the_loss_and_learns_the_classes) {
  auto result = run({"evaluate.every_epochs=0"});
  BOOST_TEST((result.outcome == ds::job_outcome::completed), result.error);
  BOOST_TEST(stage_result("optimize", "train_loss") < 0.5 * std::log(classes));
  BOOST_TEST(stage_result("evaluate", "test_accuracy") >= 0.95);
  auto saved = ds::actors::read_checkpoint(dataset + "/ck");
  BOOST_TEST(saved.updates == 36u);  // 3 epochs × 12 batches
  BOOST_TEST(saved.samples == 3 * records);
}

BOOST_AUTO_TEST_CASE(one_and_three_decoders_give_bit_identical_weights) {
  auto one = run({"decode.replicas=1", "checkpoint.dir=" + dataset + "/ck1"});
  BOOST_TEST((one.outcome == ds::job_outcome::completed), one.error);
  auto three = run({"decode.replicas=3", "checkpoint.dir=" + dataset + "/ck3"});
  BOOST_TEST((three.outcome == ds::job_outcome::completed), three.error);
  BOOST_TEST((checkpoint(dataset + "/ck1") == checkpoint(dataset + "/ck3")));
}

BOOST_AUTO_TEST_CASE(two_compute_replicas_average_like_one_replica_on_twice_the_batch) {
  auto two = run({"train.replicas=2", "batch.batch_size=16", "checkpoint.dir=" + dataset + "/r2"});
  BOOST_TEST((two.outcome == ds::job_outcome::completed), two.error);
  auto one = run({"train.replicas=1", "batch.batch_size=32", "checkpoint.dir=" + dataset + "/r1"});
  BOOST_TEST((one.outcome == ds::job_outcome::completed), one.error);
  auto a = ds::actors::read_checkpoint(dataset + "/r2");
  auto b = ds::actors::read_checkpoint(dataset + "/r1");
  BOOST_TEST(a.updates == b.updates);
  BOOST_REQUIRE(a.params.size() == b.params.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < a.params.size(); ++i)
    worst = std::max(worst, static_cast<double>(std::fabs(a.params[i] - b.params[i])));
  BOOST_TEST(worst < 1e-4);  // the same mean gradient, summed in another order
  // And it is deterministic: the same run again gives the same bits.
  auto again = run({"train.replicas=2", "batch.batch_size=16", "checkpoint.dir=" + dataset + "/r2b"});
  BOOST_TEST((again.outcome == ds::job_outcome::completed), again.error);
  BOOST_TEST((checkpoint(dataset + "/r2") == checkpoint(dataset + "/r2b")));
}

BOOST_AUTO_TEST_CASE(a_resumed_run_ends_bit_identical_to_an_uninterrupted_one) {
  auto whole = run({"checkpoint.dir=" + dataset + "/whole"});
  BOOST_TEST((whole.outcome == ds::job_outcome::completed), whole.error);
  auto first = run({"sample.epochs=1", "checkpoint.dir=" + dataset + "/split"});
  BOOST_TEST((first.outcome == ds::job_outcome::completed), first.error);
  BOOST_TEST(ds::actors::read_checkpoint(dataset + "/split").updates == 12u);
  auto rest = resume({"checkpoint.dir=" + dataset + "/split"}, dataset + "/split");
  BOOST_TEST((rest.outcome == ds::job_outcome::completed), rest.error);
  BOOST_TEST((checkpoint(dataset + "/whole") == checkpoint(dataset + "/split")));
}

BOOST_AUTO_TEST_CASE(an_interrupted_run_leaves_a_checkpoint_that_resumes_to_the_same_weights) {
  const std::vector<std::string> longer{"sample.epochs=100", "optimize.total_steps=1200",
                                        "evaluate.every_epochs=0"};
  auto with = [&](std::vector<std::string> extra) {
    extra.insert(extra.begin(), longer.begin(), longer.end());
    return extra;
  };
  auto whole = run(with({"checkpoint.dir=" + dataset + "/long"}));
  BOOST_TEST((whole.outcome == ds::job_outcome::completed), whole.error);
  std::thread interrupter([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    interrupts = 1;  // the first SIGINT: sources stop, everything in flight drains
  });
  auto stopped = run(with({"checkpoint.dir=" + dataset + "/stopped"}));
  interrupter.join();
  interrupts = 0;
  BOOST_TEST((stopped.outcome == ds::job_outcome::interrupted), stopped.error);
  const auto at = ds::actors::read_checkpoint(dataset + "/stopped").updates;
  BOOST_TEST(at > 0u);
  BOOST_TEST(at < 1200u);
  auto rest = resume(with({"checkpoint.dir=" + dataset + "/stopped"}), dataset + "/stopped");
  BOOST_TEST((rest.outcome == ds::job_outcome::completed), rest.error);
  BOOST_TEST((checkpoint(dataset + "/long") == checkpoint(dataset + "/stopped")), "stopped at update " << at);
}

BOOST_AUTO_TEST_CASE(a_checkpoint_of_another_model_is_refused_naming_both) {
  auto first = run({"sample.epochs=1", "checkpoint.dir=" + dataset + "/other"});
  BOOST_TEST((first.outcome == ds::job_outcome::completed), first.error);
  auto refused = resume({"train.model=mlp sizes=16,8,4 seed=3 bucket_kib=1",
                         "checkpoint.dir=" + dataset + "/other2"},
                        dataset + "/other");
  BOOST_TEST((refused.outcome == ds::job_outcome::failed));
  BOOST_TEST(refused.error.find("sizes=16,32,4") != std::string::npos, refused.error);
  BOOST_TEST(refused.error.find("sizes=16,8,4") != std::string::npos, refused.error);
}

BOOST_AUTO_TEST_CASE(snapshots_come_at_epoch_ends_every_n_steps_and_at_the_end) {
  auto result = run({"optimize.snapshot_every_steps=5"});
  BOOST_TEST((result.outcome == ds::job_outcome::completed), result.error);
  std::uint64_t written = 0;
  metrics->for_each([&](const ds::replica_metrics& m) {
    if (m.stage == "checkpoint")
      for (auto [key, v] : m.custom_values())
        if (key == "checkpoints")
          written = v;
  });
  // Updates 5, 10, ..., 35 (7), the ends of epochs 1 and 2 (2), and the end of the run (1).
  BOOST_TEST(written == 10u);
}

BOOST_AUTO_TEST_CASE(compute_and_optimizer_with_different_models_stop_the_run_saying_so) {
  auto result = run({"optimize.model=mlp sizes=16,8,4 seed=3 bucket_kib=1"});
  BOOST_TEST((result.outcome == ds::job_outcome::failed));
  BOOST_TEST(result.error.find("the same model") != std::string::npos, result.error);
}

BOOST_AUTO_TEST_CASE(delayed_updates_and_clipping_still_learn) {
  auto result = run({"train.delay=1", "optimize.max_grad_norm=1.0", "evaluate.every_epochs=0"});
  BOOST_TEST((result.outcome == ds::job_outcome::completed), result.error);
  BOOST_TEST(stage_result("evaluate", "test_accuracy") >= 0.9);
}

BOOST_AUTO_TEST_SUITE_END()
