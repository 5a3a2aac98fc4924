#include "transform.hpp"

#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "checksum.hpp"
#include "dsflow/messages.hpp"

namespace ds::actors {
namespace {

std::set<std::uint64_t> parse_items(const std::vector<std::string>& texts, const char* key) {
  std::set<std::uint64_t> items;
  for (const auto& text : texts) {
    std::size_t used = 0;
    std::uint64_t value = 0;
    try {
      value = std::stoull(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != text.size() || text.empty())
      throw std::invalid_argument(std::string(key) + ": '" + text
                                  + "' is not an item sequence number");
    items.insert(value);
  }
  return items;
}

/// Flaky items fail once per process: a restarted instance must succeed, so
/// the memory of what already failed outlives the instance.
bool first_failure(const std::string& stage, std::uint64_t seq) {
  static std::mutex mutex;
  static std::set<std::pair<std::string, std::uint64_t>> failed;
  std::lock_guard guard{mutex};
  return failed.emplace(stage, seq).second;
}

} // namespace

stage_schema transform::schema() {
  return schema_builder("transform",
                        "Does configurable CPU work per blob and passes it on unchanged.")
    .input("in", "blob", "blobs to work on")
    .output("out", "blob", "the same blobs (same buffers)")
    .key_int("hash_rounds", 0, 0, 1e6, "xxh64 passes over each payload")
    .key_int("spin_us", 0, 0, 1e8, "microseconds of arithmetic per item")
    .key_int("delay_us", 0, 0, 1e8, "microseconds of sleep per item (a slow consumer)")
    .key_string_list("fail_items", std::vector<std::string>{},
                     "sequence numbers whose processing always throws (fault injection)")
    .key_string_list("flaky_items", std::vector<std::string>{},
                     "sequence numbers whose processing throws once per process (fault injection)");
}

void transform::open(context& ctx) {
  const auto& cfg = ctx.config();
  out_ = ctx.output("out");
  hash_rounds_ = cfg.get_int("hash_rounds");
  spin_us_ = cfg.get_int("spin_us");
  delay_us_ = cfg.get_int("delay_us");
  fail_items_ = parse_items(cfg.get_string_list("fail_items"), "fail_items");
  flaky_items_ = parse_items(cfg.get_string_list("flaky_items"), "flaky_items");
  stage_name_ = ctx.stage_name();
  work_result_ = &ctx.metrics().custom("work_result");
}

void transform::process(const item& in, emitter& out) {
  const auto& input = message_as<blob>(in.payload);
  const auto seq = in.key.seq;
  if (fail_items_.contains(seq))
    throw std::runtime_error("injected failure for item " + std::to_string(seq));
  if (flaky_items_.contains(seq) && first_failure(stage_name_, seq))
    throw std::runtime_error("injected transient failure for item " + std::to_string(seq));

  std::uint64_t result = 0;
  for (std::int64_t round = 0; round < hash_rounds_; ++round)
    result = xxh64(input.bytes.bytes(), result);
  if (spin_us_ > 0) {
    auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(spin_us_);
    std::uint64_t x = seq | 1;
    do {
      for (int i = 0; i < 256; ++i)
        x = x * 6364136223846793005ull + 1442695040888963407ull;
    } while (std::chrono::steady_clock::now() < until);
    result ^= x;
  }
  if (delay_us_ > 0)
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us_));
  // Publishing the result keeps the compiler from dropping the work.
  work_result_->set(result);
  out.emit(out_, in.payload);
}

} // namespace ds::actors
