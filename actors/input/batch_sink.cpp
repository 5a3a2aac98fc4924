#include "input/batch_sink.hpp"

#include <cstdio>
#include <stdexcept>

#include "checksum.hpp"
#include "dsflow/messages.hpp"

namespace ds::actors {

stage_schema batch_sink::schema() {
  return schema_builder("batch_sink", "Counts batches and fingerprints their contents.")
    .input("in", "batch", "batches, in step order")
    .key_int("expect_batches", -1, -1, 1e15, "fail at the end unless exactly this many arrived; -1 = any")
    .key_int("expect_samples", -1, -1, 1e15, "fail at the end unless exactly this many samples arrived; -1 = any")
    .ordered_input();
}

void batch_sink::open(context& ctx) {
  expect_batches_ = ctx.config().get_int("expect_batches");
  expect_samples_ = ctx.config().get_int("expect_samples");
  batches_ = &ctx.metrics().custom("batches");
  samples_ = &ctx.metrics().custom("samples");
  digest_ = &ctx.metrics().custom("batch_digest");
  log_ = &ctx.log();
}

void batch_sink::process(const item& in, emitter&) {
  const auto& b = message_as<batch>(in.payload);
  auto digest = digest_->value();
  for (const auto& [name, t] : b.fields) {
    if (!t.is_contiguous())
      throw std::logic_error("batch field '" + name + "' is not contiguous");
    digest = xxh64({t.data<std::byte>(), t.nbytes()}, digest);
  }
  digest_->set(digest);
  batches_->add();
  if (!b.fields.empty() && !b.fields.front().second.shape().empty())
    samples_->add(static_cast<std::uint64_t>(b.fields.front().second.shape().front()));
}

void batch_sink::close(emitter&) {
  auto check = [](const char* what, std::int64_t expected, std::uint64_t got) {
    if (expected >= 0 && got != static_cast<std::uint64_t>(expected))
      throw std::runtime_error("expected " + std::to_string(expected) + " " + what + ", received "
                               + std::to_string(got));
  };
  check("batches", expect_batches_, batches_->value());
  check("samples", expect_samples_, samples_->value());
  char digest[32];
  std::snprintf(digest, sizeof digest, "%016llx", static_cast<unsigned long long>(digest_->value()));
  log_->info(std::to_string(batches_->value()) + " batches, " + std::to_string(samples_->value())
             + " samples, digest " + digest);
}

} // namespace ds::actors
