#include "synthetic_source.hpp"

#include <cstring>
#include <thread>

#include "checksum.hpp"
#include "dsflow/messages.hpp"

namespace ds::actors {

void fill_pattern(std::span<std::byte> bytes, std::uint64_t seed, std::uint64_t seq) noexcept {
  // splitmix64: cheap, and every item differs from its neighbours.
  std::uint64_t state = seed ^ (seq * 0x9E3779B97F4A7C15ull);
  std::size_t offset = 0;
  while (offset < bytes.size()) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    auto n = std::min<std::size_t>(sizeof z, bytes.size() - offset);
    std::memcpy(bytes.data() + offset, &z, n);
    offset += n;
  }
}

stage_schema synthetic_source::schema() {
  return schema_builder("synthetic_source",
                        "Emits `count` blobs of `size` bytes with their xxh64 digest.")
    .output("out", "blob", "the generated blobs, numbered 0..count-1")
    .key_int("count", 1000, 0, 1e15, "number of items to emit")
    .key_int("size", 1024, 0, 1 << 30, "payload bytes per item")
    .key_int("seed", 1, 0, 9.2e18, "seed of the payload pattern")
    .key_string("fill", "pattern", {"pattern", "none"},
                "`pattern`: deterministic bytes + digest; `none`: leave the pool's bytes (digest 0), for benchmarks")
    .key_number("rate", 0.0, 0, 1e9, "items per second; 0 = as fast as credits allow");
}

void synthetic_source::open(context& ctx) {
  const auto& cfg = ctx.config();
  pool_ = &ctx.pools().host();
  out_ = ctx.output("out");
  count_ = static_cast<std::uint64_t>(cfg.get_int("count"));
  size_ = static_cast<std::uint64_t>(cfg.get_int("size"));
  seed_ = static_cast<std::uint64_t>(cfg.get_int("seed"));
  fill_ = cfg.get_string("fill") == "pattern";
  rate_ = cfg.get_number("rate");
  started_ = std::chrono::steady_clock::now();
  ctx.declare_total_items(count_);
}

bool synthetic_source::produce(emitter& out) {
  if (produced_ >= count_)
    return false;
  if (rate_ > 0) {
    // Holds this source's thread until the item is due; meant for tests and demos.
    auto due = started_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(static_cast<double>(produced_) / rate_));
    std::this_thread::sleep_until(due);
  }
  auto bytes = pool_->allocate(size_);
  std::uint64_t digest = 0;
  if (fill_) {
    fill_pattern(bytes.bytes(), seed_, produced_);
    digest = xxh64(bytes.bytes());
  }
  out.emit(out_, std::make_shared<blob>(std::move(bytes), digest));
  return ++produced_ < count_;
}

} // namespace ds::actors
