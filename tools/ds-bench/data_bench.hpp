#pragma once
/// `ds-bench data`: the input pipeline against a bare decode loop, and codec sizes/speeds.

#include <string>
#include <vector>

namespace ds::bench {

struct data_bench_options {
  int repeats = 5;
  bool quick = false;
  std::string image_dataset = "data/fashion-mnist/train";  ///< folder of shards
  std::string text_dataset = "data/fortunes/train";
};

/// Prints (1) decoded samples/s through sampler → shard_reader → decoder ×k
/// → batcher → batch_sink at k = 1 and 2, each against a bare loop that reads,
/// verifies and decodes the same records on one thread in the same run, and
/// (2) stored size vs raw and decode MB/s of every codec candidate on each
/// dataset's fields. Returns 0; throws when a dataset is missing (naming the
/// ds-pack command that makes it).
int run_data_bench(const data_bench_options& options);

} // namespace ds::bench
