// Input: flags u8 (bit 0: use the shared dictionary), decoded size u16 LE, frame.
// Also encodes the frame bytes as data and checks they round-trip.

#include <algorithm>
#include <string_view>
#include <vector>

#include "codec.hpp"
#include "fuzz_params.hpp"

namespace {

const std::vector<std::byte>& shared_dictionary() {
  static const std::vector<std::byte> dictionary = [] {
    constexpr std::string_view text = "the quick brown fox jumps over the lazy dog; "
                                      "THE FIVE BOXING WIZARDS JUMP QUICKLY 0123456789\n";
    const std::vector<std::span<const std::byte>> samples{
      std::as_bytes(std::span(text.data(), text.size()))};
    std::vector<std::byte> trained;
    if (!ds::codecs::find_codec("huffman-v1")->train(samples, {}, trained))
      std::abort();
    return trained;
  }();
  return dictionary;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3)
    return 0;
  const auto& huffman = *ds::codecs::find_codec("huffman-v1");
  ds::codecs::codec_params params;
  if (data[0] & 1)
    params.dictionary = shared_dictionary();
  const auto frame = std::as_bytes(std::span(data + 3, size - 3));
  std::vector<std::byte> decoded(ds::fuzz::read_u16(data + 1));
  ds::fuzz::require_ok_or_corrupt(huffman.decode(frame, params, decoded), "huffman-v1");
  std::vector<std::byte> encoded;
  if (!huffman.encode(frame, params, encoded))
    std::abort();
  std::vector<std::byte> round_trip(frame.size());
  if (!huffman.decode(encoded, params, round_trip)
      || !std::equal(round_trip.begin(), round_trip.end(), frame.begin()))
    std::abort();
  return 0;
}
