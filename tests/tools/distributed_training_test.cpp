#define BOOST_TEST_MODULE distributed_training
#include <boost/test/unit_test.hpp>

#include <signal.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include "dsflow_build_config.hpp"
#include "launch/tcp.hpp"
#include "process_runner.hpp"
#include "../support/child_process.hpp"
#include "train/checkpoint_file.hpp"
#include "../support/image_label_dataset.hpp"
#include "../support/test_text.hpp"

// Data-parallel training end to end: `ds-run --local-ranks 2` with batch B per rank reduces
// gradients across the ranks (ring allreduce over libfabric shm) and must reach the weights of
// one rank with batch 2B. The sampler gives rank r the positions r, r + 2, ... of each epoch,
// so step k of the two ranks together covers positions 2Bk .. 2Bk + 2B − 1, the same samples
// as step k of the single rank: the mean gradient is equal up to summation order.

using ds::test::contains;
using ds::test::run_process;

namespace {

const std::string ds_run = DS_RUN_PATH;
constexpr std::uint64_t records = 256;
constexpr int classes = 4;

std::string make_blobs() {
  return ds::test::write_blobs_dataset("dist-train", records, classes);
}

std::string write_config(const std::string& dataset) {
  const std::string path = dataset + "/train.yaml";
  std::ofstream{path}
    << "version: 1\nruntime: {window: 8, threads: 2}\nstages:\n"
       "  sample: {actor: sampler, dataset: '" << dataset << "', epochs: 2, seed: 7}\n"
       "  read: {actor: shard_reader, inputs: [sample.out], dataset: '" << dataset << "'}\n"
       "  decode: {actor: decoder, inputs: [read.out], dataset: '" << dataset << "'}\n"
       "  batch: {actor: batcher, inputs: [decode.out], batch_size: 32,"
       " transforms: ['image:scale=0.00392156862745098', 'label:i32']}\n"
       "  train: {actor: compute, inputs: {batches: batch.out, params: optimize.params},"
       " model: 'mlp sizes=16,32,4 seed=3 bucket_kib=1', blas_threads: 1}\n"
       "  reduce: {actor: grad_reducer, inputs: [train.grads]}\n"
       "  optimize: {actor: optimizer, inputs: [reduce.reduced], model: '${stages.train.model}',"
       " lr: 0.05, warmup_steps: 2, total_steps: 16}\n"
       "  checkpoint: {actor: checkpointer, inputs: [optimize.state], dir: '" << dataset << "/ck'}\n";
  return path;
}

double worst_difference(const ds::actors::saved_training& a, const ds::actors::saved_training& b) {
  double worst = 0.0;
  for (std::size_t i = 0; i < a.params.size(); ++i)
    worst = std::max(worst, static_cast<double>(std::fabs(a.params[i] - b.params[i])));
  return worst;
}

} // namespace

BOOST_AUTO_TEST_CASE(two_ranks_with_batch_16_train_like_one_rank_with_batch_32) {
  const auto dataset = make_blobs();
  const auto config = write_config(dataset);
  ds::test::process_options options;
  options.timeout = std::chrono::seconds{60};
  auto two = run_process({ds_run, "--local-ranks", "2", config, "batch.batch_size=16",
                          "checkpoint.dir=" + dataset + "/ck2-${env:DS_RANK}"},
                         options);
  BOOST_REQUIRE_MESSAGE(two.exit_code == 0, two.err << two.out);
  BOOST_TEST(contains(two.err, "transport libfabric(shm) connected to 2 ranks"), two.err);
  auto one = run_process({ds_run, config, "batch.batch_size=32", "checkpoint.dir=" + dataset + "/ck1"},
                         options);
  BOOST_REQUIRE_MESSAGE(one.exit_code == 0, one.err << one.out);

  auto rank0 = ds::actors::read_checkpoint(dataset + "/ck2-0");
  auto rank1 = ds::actors::read_checkpoint(dataset + "/ck2-1");
  auto single = ds::actors::read_checkpoint(dataset + "/ck1");
  BOOST_TEST(single.updates == 16u);  // 2 epochs × 256 / 32
  BOOST_TEST(rank0.updates == single.updates);
  BOOST_TEST(rank1.updates == single.updates);
  BOOST_REQUIRE(rank0.params.size() == single.params.size());
  BOOST_REQUIRE(rank1.params.size() == single.params.size());
  BOOST_TEST_MESSAGE("rank 0 vs rank 1: " << worst_difference(rank0, rank1) << ", rank 0 vs one rank: "
                     << worst_difference(rank0, single) << " (largest |w| difference over "
                     << single.params.size() << " weights)");
  // Both ranks apply the very same reduced gradients: identical weights.
  BOOST_TEST(worst_difference(rank0, rank1) == 0.0);
  // Against one rank: the same mean gradient, summed in another order.
  BOOST_TEST(worst_difference(rank0, single) < 1e-4);
  std::filesystem::remove_all(dataset);
}

BOOST_AUTO_TEST_CASE(a_rank_killed_mid_training_stops_the_other_and_its_checkpoint_stays_whole) {
  // Two ranks started by hand (as a launcher would), training far longer than the test runs,
  // with a snapshot every 2 updates. Rank 1 is SIGKILLed mid-run: rank 0, whose reduction is
  // waiting for rank 1's part, must stop at once with exit 4, naming the rank, and the last
  // checkpoint it wrote must still load.
  const auto dataset = make_blobs();
  const auto config = write_config(dataset);
  const std::string coordinator = "127.0.0.1:" + std::to_string(ds::launch::free_loopback_port());
  auto start = [&](int rank) {
    return std::make_unique<ds::test::child_process>(
      std::vector<std::string>{ds_run, config, "sample.epochs=100000", "optimize.total_steps=0",
                               "optimize.snapshot_every_steps=2",
                               "checkpoint.dir=" + dataset + "/kill-${env:DS_RANK}"},
      std::map<std::string, std::string>{{"DS_RANK", std::to_string(rank)},
                                         {"DS_WORLD_SIZE", "2"},
                                         {"DS_COORDINATOR", coordinator},
                                         {"DS_JOB_TOKEN", "distributed-training-test"}});
  };
  auto rank0 = start(0);
  auto rank1 = start(1);
  const auto checkpoint = std::filesystem::path{dataset} / "kill-0";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline && !std::filesystem::exists(checkpoint / "checkpoint.dsckpt"))
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  BOOST_REQUIRE_MESSAGE(std::filesystem::exists(checkpoint / "checkpoint.dsckpt"),
                        rank0->output() << rank1->output());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // training goes on
  rank1->signal(SIGKILL);
  const auto killed = std::chrono::steady_clock::now();
  const int code = rank0->wait(std::chrono::seconds(20));
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - killed).count();
  BOOST_TEST(code == 4, rank0->output());
  BOOST_TEST(contains(rank0->output(), "rank 1 died"), rank0->output());
  BOOST_TEST_MESSAGE("rank 0 stopped " << took << " s after rank 1 was killed");
  BOOST_TEST(took < 5.0);
  const auto saved = ds::actors::read_checkpoint(checkpoint.string());  // throws if damaged
  BOOST_TEST(saved.updates >= 2u);
  std::filesystem::remove_all(dataset);
}
