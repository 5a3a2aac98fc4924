#include "sink.hpp"

#include <stdexcept>

#include "checksum.hpp"
#include "dsflow/messages.hpp"

namespace ds::actors {

stage_schema sink::schema() {
  return schema_builder("sink", "Counts blobs and checks their order and checksums.")
    .input("in", "blob", "blobs, delivered in sequence order")
    .key_bool("verify_checksums", true, "recompute each blob's xxh64 and compare (digest 0 = unchecked)")
    .key_int("expect_count", -1, -1, 1e15, "fail at the end unless exactly this many arrived; -1 = any")
    .ordered_input();
}

void sink::open(context& ctx) {
  verify_ = ctx.config().get_bool("verify_checksums");
  expect_count_ = ctx.config().get_int("expect_count");
  received_ = &ctx.metrics().custom("received");
  checked_ = &ctx.metrics().custom("checksums_verified");
  log_ = &ctx.log();
}

void sink::process(const item& in, emitter&) {
  if (last_ && !(*last_ < in.key))
    throw std::logic_error("item " + std::to_string(in.key.seq) + "." + std::to_string(in.key.part)
                           + " arrived after " + std::to_string(last_->seq) + "."
                           + std::to_string(last_->part));
  const auto& data = message_as<blob>(in.payload);
  if (verify_ && data.digest != 0) {
    if (xxh64(data.bytes.bytes()) != data.digest)
      throw std::runtime_error("checksum mismatch in item " + std::to_string(in.key.seq));
    checked_->add();
  }
  last_ = in.key;
  received_->add();
}

void sink::close(emitter&) {
  auto received = received_->value();
  if (expect_count_ >= 0 && received != static_cast<std::uint64_t>(expect_count_))
    throw std::runtime_error("expected " + std::to_string(expect_count_) + " items, received "
                             + std::to_string(received));
  log_->debug("received " + std::to_string(received) + " items");
}

} // namespace ds::actors
