#include "codec.hpp"

#include <array>

#include "builtin_codecs.hpp"

namespace ds::codecs {

status codec::train(const std::vector<std::span<const std::byte>>& samples,
                    const codec_params& params, std::vector<std::byte>& dictionary) const {
  (void) samples;
  (void) params;
  dictionary.clear();
  return status::ok();
}

namespace {

// A function-local array instead of a static registry object: a static library
// may drop self-registering translation units, an explicit list cannot be lost.
const std::array<const codec*, 4>& builtin_codecs() noexcept {
  static const std::array<const codec*, 4> all{&raw_codec(), &zstd_codec(), &webp_codec(),
                                               &huffman_codec()};
  return all;
}

} // namespace

const codec* find_codec(codec_id id) noexcept {
  for (const auto* candidate : builtin_codecs())
    if (candidate->id() == id)
      return candidate;
  return nullptr;
}

const codec* find_codec(std::string_view name) noexcept {
  for (const auto* candidate : builtin_codecs())
    if (candidate->name() == name)
      return candidate;
  return nullptr;
}

} // namespace ds::codecs
