#pragma once
/// The built-in codec instances, one per codec file; find_codec is their only user.

#include "codec.hpp"

namespace ds::codecs {

const codec& raw_codec() noexcept;
const codec& zstd_codec() noexcept;
const codec& webp_codec() noexcept;
const codec& huffman_codec() noexcept;

} // namespace ds::codecs
