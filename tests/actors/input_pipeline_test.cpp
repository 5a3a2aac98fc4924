#define BOOST_TEST_MODULE input_pipeline
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include "builtin_stages.hpp"
#include "checksum.hpp"
#include "config/config_loader.hpp"
#include "data/shard_reader.hpp"
#include "data/shard_writer.hpp"
#include "runtime/job.hpp"

#include "../support/image_label_dataset.hpp"

// sampler → shard_reader → decoder ×k → batcher → batch_sink on a small
// dataset written by the test, through the real actor runtime.

namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t records_per_shard = 125;
constexpr std::uint64_t shards = 2;

std::uint8_t pixel(std::uint64_t record, std::size_t i) {
  return static_cast<std::uint8_t>(record * 7 + i * 13);
}

/// Writes two shards of records {image: u8[4,4] zstd, label: u8 raw}.
std::string make_dataset(const std::string& name) {
  return ds::test::write_image_label_dataset("input-" + name, shards, records_per_shard,
                                             [](std::uint64_t record) {
                                               ds::test::image_label made;
                                               for (std::size_t i = 0; i < 16; ++i)
                                                 made.image[i] = pixel(record, i);
                                               made.label = static_cast<std::uint8_t>(record % 10);
                                               return made;
                                             });
}

/// The digest batch_sink must reach for unshuffled batches of 32 (f32 images
/// scaled by 1/255, i64 labels), computed here without the runtime.
std::uint64_t expected_digest(std::size_t batch_size) {
  std::uint64_t digest = 0;
  const auto total = shards * records_per_shard;
  for (std::uint64_t first = 0; first < total; first += batch_size) {
    auto count = std::min<std::uint64_t>(batch_size, total - first);
    std::vector<float> images;
    std::vector<std::int64_t> labels;
    for (auto record = first; record < first + count; ++record) {
      for (std::size_t i = 0; i < 16; ++i)
        images.push_back(static_cast<float>(pixel(record, i)) * static_cast<float>(1.0 / 255));
      labels.push_back(static_cast<std::int64_t>(record % 10));
    }
    digest = ds::xxh64(std::as_bytes(std::span{images}), digest);
    digest = ds::xxh64(std::as_bytes(std::span{labels}), digest);
  }
  return digest;
}

struct pipeline_fixture {
  ds::registry reg;
  ds::memory_pools pools;
  std::unique_ptr<ds::metrics_registry> metrics;  ///< fresh for every run

  pipeline_fixture() { ds::register_builtin_stages(reg); }

  ds::job_result run(const std::string& dataset, const std::vector<std::string>& overrides) {
    auto yaml = "version: 1\nruntime: {window: 8, threads: 2}\nstages:\n"
                "  sample: {actor: sampler, dataset: '" + dataset + "', shuffle: false}\n"
                "  read: {actor: shard_reader, inputs: [sample.out], dataset: '" + dataset + "'}\n"
                "  decode: {actor: decoder, inputs: [read.out], dataset: '" + dataset + "'}\n"
                "  batch: {actor: batcher, inputs: [decode.out], batch_size: 32,"
                " transforms: ['image:scale=0.00392156862745098', 'label:i64']}\n"
                "  check: {actor: batch_sink, inputs: [batch.out]}\n";
    auto plan = ds::plan_pipeline(ds::parse_config(yaml, "test.yaml", overrides), reg);
    metrics = std::make_unique<ds::metrics_registry>();
    ds::job_options options;
    options.pools = &pools;
    options.metrics = metrics.get();
    return ds::run_job(plan, options);
  }

  std::uint64_t sink_counter(const std::string& name) {
    std::uint64_t value = 0;
    metrics->for_each([&](const ds::replica_metrics& m) {
      if (m.stage == "check")
        for (auto [key, v] : m.custom_values())
          if (key == name)
            value = v;
    });
    return value;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(input_pipeline, pipeline_fixture)

BOOST_AUTO_TEST_CASE(batches_hold_exactly_the_records_in_order) {
  auto dataset = make_dataset("exact");
  auto result = run(dataset, {"decode.replicas=1"});
  BOOST_TEST((result.outcome == ds::job_outcome::completed), result.error);
  BOOST_TEST(sink_counter("samples") == shards * records_per_shard);
  BOOST_TEST(sink_counter("batches") == 8u);  // 250 = 7 × 32 + 26
  BOOST_TEST(sink_counter("batch_digest") == expected_digest(32));
}

BOOST_AUTO_TEST_CASE(three_decoder_replicas_make_the_same_batches_as_one) {
  auto dataset = make_dataset("replicas");
  auto one = run(dataset, {"decode.replicas=1", "sample.shuffle=true", "sample.epochs=2"});
  BOOST_TEST((one.outcome == ds::job_outcome::completed), one.error);
  auto digest_one = sink_counter("batch_digest");
  auto three = run(dataset, {"decode.replicas=3", "sample.shuffle=true", "sample.epochs=2"});
  BOOST_TEST((three.outcome == ds::job_outcome::completed), three.error);
  BOOST_TEST(sink_counter("batch_digest") == digest_one);
  BOOST_TEST(sink_counter("samples") == 2 * shards * records_per_shard);
}

/// Flips one stored byte of record 7 of the first shard.
void corrupt_record_7(const std::string& dataset) {
  auto path = dataset + "/part-0.dsshard";
  auto store = ds::data::make_local_storage();
  ds::data::shard_reader reader{store, path};
  auto where = reader.location(7);
  std::fstream file{path, std::ios::in | std::ios::out | std::ios::binary};
  file.seekg(static_cast<std::streamoff>(where.offset + where.length / 2));
  char byte = 0;
  file.read(&byte, 1);
  byte = static_cast<char>(byte ^ 0x10);
  file.seekp(static_cast<std::streamoff>(where.offset + where.length / 2));
  file.write(&byte, 1);
}

BOOST_AUTO_TEST_CASE(a_corrupt_record_stops_the_run_naming_shard_and_record) {
  auto dataset = make_dataset("corrupt-fail");
  corrupt_record_7(dataset);
  auto result = run(dataset, {"decode.on_corrupt=fail"});
  BOOST_TEST((result.outcome == ds::job_outcome::failed));
  BOOST_TEST(result.error.find("part-0.dsshard") != std::string::npos, result.error);
  BOOST_TEST(result.error.find("record 7") != std::string::npos, result.error);
}

BOOST_AUTO_TEST_CASE(a_skipped_corrupt_record_is_reported_and_the_rest_arrive) {
  auto dataset = make_dataset("corrupt-skip");
  corrupt_record_7(dataset);
  auto result = run(dataset, {"decode.on_corrupt=skip", "decode.replicas=2"});
  BOOST_TEST((result.outcome == ds::job_outcome::completed), result.error);
  BOOST_REQUIRE(result.skipped_items.size() == 1u);
  BOOST_TEST(result.skipped_items[0].find("record 7") != std::string::npos, result.skipped_items[0]);
  BOOST_TEST(sink_counter("samples") == shards * records_per_shard - 1);
}

BOOST_AUTO_TEST_CASE(a_missing_dataset_says_how_to_make_it) {
  auto result = run("/nonexistent/dsflow-dataset", {});
  BOOST_TEST((result.outcome == ds::job_outcome::failed));
  BOOST_TEST(result.error.find("ds-pack") != std::string::npos, result.error);
}

BOOST_AUTO_TEST_SUITE_END()
