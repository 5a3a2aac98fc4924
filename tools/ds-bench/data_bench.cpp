#include "data_bench.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "bench_stats.hpp"
#include "builtin_stages.hpp"
#include "codec.hpp"
#include "config/config_loader.hpp"
#include "data/dataset.hpp"
#include "runtime/job.hpp"
#include "selection.hpp"

namespace ds::bench {
namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

std::shared_ptr<const data::dataset> open_or_explain(const std::string& folder, const char* pack) {
  try {
    return data::open_local_dataset(folder);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string(e.what()) + "\nmake it with: " + pack);
  }
}

/// Reads, verifies and decodes `count` records in dataset order on this
/// thread: the work of shard_reader + decoder without the runtime.
double bare_decode_seconds(const data::dataset& ds, std::uint64_t count) {
  memory_pools pools;
  std::vector<std::byte> bytes;
  auto started = clock_type::now();
  for (std::uint64_t i = 0; i < count; ++i) {
    auto [s, r] = ds.locate(i % ds.record_count());
    const auto& shard = ds.shards()[s];
    auto raw = pools.host().allocate(shard.location(r).length);
    shard.read_record(r, raw.bytes());
    auto fields = shard.parse_record(r, raw.bytes());
    for (std::size_t f = 0; f < fields.size(); ++f) {
      auto params = shard.fields()[f].params;
      params.dictionary = shard.fields()[f].dictionary;
      auto out = pools.host().allocate(fields[f].raw_size);
      auto status = codecs::find_codec(fields[f].codec)->decode(fields[f].stored, params, out.bytes());
      if (!status)
        throw std::runtime_error("bare loop: " + status.to_string());
    }
  }
  return seconds_since(started);
}

double pipeline_seconds(const registry& reg, const std::string& folder, int decoders,
                        std::uint64_t count) {
  auto yaml = "version: 1\nruntime: {window: 64, threads: 2}\nstages:\n"
              "  sample: {actor: sampler, dataset: '" + folder + "', shuffle: false}\n"
              "  read: {actor: shard_reader, inputs: [sample.out], dataset: '" + folder + "'}\n"
              "  decode: {actor: decoder, inputs: [read.out], dataset: '" + folder
              + "', replicas: " + std::to_string(decoders) + "}\n"
              "  batch: {actor: batcher, inputs: [decode.out], batch_size: 128}\n"
              "  check: {actor: batch_sink, inputs: [batch.out], expect_samples: "
              + std::to_string(count) + "}\n";
  auto plan = plan_pipeline(parse_config(yaml, "ds-bench data", {}), reg);
  memory_pools pools;
  metrics_registry metrics;
  job_options options;
  options.pools = &pools;
  options.metrics = &metrics;
  auto started = clock_type::now();
  auto result = run_job(plan, options);
  auto seconds = seconds_since(started);
  if (result.outcome != job_outcome::completed)
    throw std::runtime_error("data pipeline failed: " + result.error);
  return seconds;
}

void pipeline_vs_bare(const registry& reg, const data_bench_options& options) {
  auto ds = open_or_explain(options.image_dataset, "ds-pack fashion-mnist --out data/fashion-mnist");
  auto count = ds->record_count();
  std::printf("\n## Input pipeline vs bare decode loop (%s, %llu records, codecs:", options.image_dataset.c_str(),
              static_cast<unsigned long long>(count));
  for (const auto& f : ds->fields())
    std::printf(" %s=%s", f.name.c_str(), std::string(codecs::find_codec(f.codec)->name()).c_str());
  std::printf(")\n%-10s %14s %14s %12s %10s\n", "decoders", "pipeline s", "bare loop s", "samples/s",
              "ratio");
  for (int decoders : {1, 2}) {
    std::vector<double> ratios, pipe, bare;
    for (int r = 0; r < options.repeats; ++r) {
      double b = bare_decode_seconds(*ds, count);
      double p = pipeline_seconds(reg, options.image_dataset, decoders, count);
      bare.push_back(b);
      pipe.push_back(p);
      ratios.push_back(b / p);
    }
    std::printf("%-10d %14.3f %14.3f %12.0f %9.2fx\n", decoders, median(pipe), median(bare),
                static_cast<double>(count) / median(pipe), median(ratios));
  }
}

/// Decoded values of the first `limit` records of field `f` (the raw bytes a codec sees).
std::vector<std::vector<std::byte>> raw_values(const data::dataset& ds, std::size_t f,
                                               std::uint64_t limit) {
  std::vector<std::vector<std::byte>> values;
  std::vector<std::byte> bytes;
  for (std::uint64_t i = 0; i < std::min(limit, ds.record_count()); ++i) {
    auto [s, r] = ds.locate(i);
    const auto& shard = ds.shards()[s];
    bytes.resize(shard.location(r).length);
    shard.read_record(r, bytes);
    auto fields = shard.parse_record(r, bytes);
    auto params = shard.fields()[f].params;
    params.dictionary = shard.fields()[f].dictionary;
    values.emplace_back(fields[f].raw_size);
    auto status = codecs::find_codec(fields[f].codec)->decode(fields[f].stored, params, values.back());
    if (!status)
      throw std::runtime_error("codec table: " + status.to_string());
  }
  return values;
}

void codec_table(const std::string& folder, const char* pack, codecs::field_kind text_kind,
                 const data_bench_options& options) {
  auto ds = open_or_explain(folder, pack);
  std::printf("\n## Codecs on %s (every candidate, lossy allowed; sizes include the dictionary)\n",
              folder.c_str());
  std::printf("%-8s %-14s %12s %12s %8s %12s %12s\n", "field", "codec", "raw bytes", "stored",
              "ratio", "encode MB/s", "decode MB/s");
  for (std::size_t f = 0; f < ds->fields().size(); ++f) {
    const auto& field = ds->fields()[f];
    auto values = raw_values(*ds, f, options.quick ? 2000 : 10000);
    std::vector<std::span<const std::byte>> samples(values.begin(), values.end());
    auto kind = field.shape.size() >= 2 ? codecs::field_kind::image
                : field.shape.empty()    ? codecs::field_kind::other
                                         : text_kind;
    codecs::selection_options choose;
    choose.allow_lossy = true;
    codecs::codec_choice choice;
    auto base = field.params;
    base.dictionary = {};
    if (auto status = codecs::choose_codec(kind, samples, base, choose, choice); !status)
      throw std::runtime_error("codec table: " + status.to_string());
    for (const auto& c : choice.candidates)
      std::printf("%-8s %-14s %12llu %12llu %8.3f %12.0f %12.0f%s\n", field.name.c_str(),
                  (c.codec_name + (c.params.lossless ? "" : "-lossy")).c_str(),
                  static_cast<unsigned long long>(c.raw_bytes),
                  static_cast<unsigned long long>(c.stored_bytes),
                  static_cast<double>(c.stored_bytes) / static_cast<double>(std::max<std::uint64_t>(1, c.raw_bytes)),
                  c.encode_mb_per_s, c.decode_mb_per_s, c.rejected.empty() ? "" : ("  rejected: " + c.rejected).c_str());
  }
}

} // namespace

int run_data_bench(const data_bench_options& options) {
  set_log_level(log_level::warn);
  registry reg;
  register_builtin_stages(reg);
  pipeline_vs_bare(reg, options);
  codec_table(options.image_dataset, "ds-pack fashion-mnist --out data/fashion-mnist",
              codecs::field_kind::other, options);
  codec_table(options.text_dataset,
              "ds-pack text --in /usr/share/games/fortunes --window 129 --out data/fortunes",
              codecs::field_kind::text, options);
  return 0;
}

} // namespace ds::bench
