/// An example plugin: one custom stage, `uppercase`, registered through the
/// plugin entry point. docs/ takes its "writing a custom actor" code from here.

// [doc:includes]
#include <algorithm>
#include <stdexcept>

#include "checksum.hpp"
#include "dsflow/messages.hpp"
#include "dsflow/plugin.hpp"
#include "dsflow/registry.hpp"
// [end:includes]

namespace {

/// ASCII-uppercases the bytes of each blob into a new blob with its own digest.
class uppercase final : public ds::stage {
public:
// [doc:schema]
  static ds::stage_schema schema() {
    return ds::schema_builder("uppercase", "ASCII-uppercases the bytes of each blob")
      .input("in", ds::blob::type, "blobs to convert")
      .output("out", ds::blob::type, "the converted blobs, digest recomputed")
      .key_bool("skip_empty", true, "drop empty blobs instead of forwarding them");
  }
// [end:schema]

// [doc:open]
  void open(ds::context& ctx) override {
    pool_ = &ctx.pools().host();
    out_ = ctx.output("out");
    skip_empty_ = ctx.config().get_bool("skip_empty");
    empty_dropped_ = &ctx.metrics().custom("empty_dropped");
  }
// [end:open]

// [doc:process]
  void process(const ds::item& in, ds::emitter& out) override {
    const auto& input = ds::message_as<ds::blob>(in.payload);
    if (input.bytes.empty() && skip_empty_) {
      empty_dropped_->add();
      return;
    }
    // Reading the bytes on the CPU needs host-visible memory.
    if (input.bytes.kind() == ds::memory_kind::device)
      throw std::invalid_argument("uppercase: blob in device memory; copy it to the host first");
    // Blobs are immutable once emitted, so the result goes into a new buffer.
    auto converted = pool_->allocate(input.bytes.size());
    std::ranges::transform(input.bytes.bytes(), converted.data(), [](std::byte b) {
      auto c = std::to_integer<unsigned char>(b);
      return c >= 'a' && c <= 'z' ? static_cast<std::byte>(c - 'a' + 'A') : b;
    });
    auto digest = ds::xxh64(converted.bytes());
    out.emit(out_, std::make_shared<const ds::blob>(std::move(converted), digest));
  }
// [end:process]

private:
// [doc:members]
  ds::memory_pool* pool_ = nullptr;
  ds::port_id out_ = 0;
  bool skip_empty_ = true;
  ds::counter* empty_dropped_ = nullptr;
// [end:members]
};

// [doc:register]
void register_example_stages(ds::registry& reg) {
  ds::add_stage<uppercase>(reg);
}
// [end:register]

} // namespace

// [doc:entry_point]
DSFLOW_PLUGIN("example", register_example_stages)
// [end:entry_point]
