// Input: channels selector u8 (0: gray, 1: RGB, 2+: RGBA), width-1 u8,
// height-1 u8, frame. Images stay small so each input decodes in microseconds.

#include <vector>

#include "codec.hpp"
#include "fuzz_params.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3)
    return 0;
  ds::codecs::codec_params params;
  params.channels = data[0] == 0 ? 1 : data[0] == 1 ? 3 : 4;
  params.width = data[1] + 1u;
  params.height = data[2] + 1u;
  std::vector<std::byte> decoded(std::size_t{params.width} * params.height * params.channels);
  ds::fuzz::require_ok_or_corrupt(
    ds::codecs::find_codec("webp")->decode(std::as_bytes(std::span(data + 3, size - 3)), params,
                                           decoded),
    "webp");
  return 0;
}
