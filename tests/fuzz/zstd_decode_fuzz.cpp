// Input: flags u8 (bit 0: use the dictionary), decoded size u16 LE, frame.

#include <string_view>
#include <vector>

#include "codec.hpp"
#include "fuzz_params.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3)
    return 0;
  // Bytes that are not a ZDICT dictionary are a raw-content one to zstd,
  // which is enough to drive the dictionary path of the decoder.
  static constexpr std::string_view dictionary = "the quick brown fox jumps over the lazy dog; "
                                                 "THE FIVE BOXING WIZARDS JUMP QUICKLY 0123456789";
  ds::codecs::codec_params params;
  if (data[0] & 1)
    params.dictionary = std::as_bytes(std::span(dictionary.data(), dictionary.size()));
  std::vector<std::byte> decoded(ds::fuzz::read_u16(data + 1));
  ds::fuzz::require_ok_or_corrupt(
    ds::codecs::find_codec("zstd")->decode(std::as_bytes(std::span(data + 3, size - 3)), params,
                                           decoded),
    "zstd");
  return 0;
}
