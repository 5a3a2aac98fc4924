#include <algorithm>
#include <bit>
#include <cstring>
#include <optional>
#include <string>

#include "builtin_codecs.hpp"
#include "huffman_table.hpp"

namespace ds::codecs {
namespace {

using namespace huffman;

/// The low two header bits; the next three hold the padding bit count.
enum class frame_mode : std::uint8_t { shared = 0, embedded = 1, stored = 2 };

constexpr std::uint8_t mode_mask = 0x03;
constexpr unsigned padding_shift = 2;
constexpr std::uint8_t reserved_mask = 0xE0;

status corrupt(std::string what) {
  return {errc::corrupt_data, "huffman-v1: " + std::move(what)};
}

status parse_dictionary(std::span<const std::byte> dictionary, code_lengths& lengths) {
  if (dictionary.size() != dictionary_size || dictionary[0] != dictionary_version)
    return corrupt("dictionary of " + std::to_string(dictionary.size())
                   + " bytes is not a version-1 code-length table (129 bytes)");
  return unpack_lengths(dictionary.subspan(1), lengths);
}

/// Bits needed to code `counts` with `lengths`, or nothing when a present
/// symbol has no code in them.
std::optional<std::uint64_t> coded_bits(const frequencies& counts, const code_lengths& lengths) {
  std::uint64_t bits = 0;
  for (std::size_t symbol = 0; symbol < alphabet_size; ++symbol) {
    if (counts[symbol] > 0 && lengths[symbol] == 0)
      return std::nullopt;
    bits += counts[symbol] * lengths[symbol];
  }
  return bits;
}

void write_bitstream(std::span<const std::byte> in, const code_lengths& lengths,
                     std::vector<std::byte>& out) {
  const auto canonical = canonical_codes(lengths);
  std::array<std::uint16_t, alphabet_size> stream_codes{};
  for (std::size_t symbol = 0; symbol < alphabet_size; ++symbol)
    stream_codes[symbol] = reverse_bits(canonical[symbol], lengths[symbol]);
  std::uint64_t pending = 0;
  unsigned pending_bits = 0;
  for (auto value : in) {
    const auto symbol = std::to_integer<std::uint8_t>(value);
    pending |= std::uint64_t{stream_codes[symbol]} << pending_bits;
    pending_bits += lengths[symbol];
    if (pending_bits >= 32) {
      for (int byte = 0; byte < 4; ++byte, pending >>= 8)
        out.push_back(static_cast<std::byte>(pending & 0xFF));
      pending_bits -= 32;
    }
  }
  for (; pending_bits > 0; pending_bits = pending_bits > 8 ? pending_bits - 8 : 0, pending >>= 8)
    out.push_back(static_cast<std::byte>(pending & 0xFF));
}

std::byte header(frame_mode mode, std::uint64_t bits) {
  const auto padding = static_cast<unsigned>((8 - bits % 8) % 8);
  return static_cast<std::byte>(static_cast<unsigned>(mode) | (padding << padding_shift));
}

std::uint64_t load_le64(const unsigned char* data) noexcept {
  std::uint64_t value;
  std::memcpy(&value, data, sizeof value);
  if constexpr (std::endian::native == std::endian::big)
    value = __builtin_bswap64(value);
  return value;
}

/// Decodes exactly out.size() symbols that must use exactly `total_bits` of `payload`.
status decode_bitstream(const decode_table& table, std::span<const std::byte> payload,
                        std::uint64_t total_bits, std::span<std::byte> out) {
  const auto* data = reinterpret_cast<const unsigned char*>(payload.data());
  const std::size_t size = payload.size();
  auto* target = reinterpret_cast<unsigned char*>(out.data());
  const std::size_t count = out.size();
  const auto* entries = table.entries.data();
  constexpr std::uint64_t window_mask = (std::uint64_t{1} << max_code_bits) - 1;
  std::size_t produced = 0;
  std::uint64_t position = 0;
  // Hot loop: one in-bounds 8-byte load holds at least 57 unread bits, enough
  // for four 12-bit codes; a missing code is checked once per four symbols.
  if (size >= 8) {
    const std::size_t last_load = size - 8;
    while (count - produced >= 4 && (position >> 3) <= last_load) {
      std::uint64_t bits = load_le64(data + (position >> 3)) >> (position & 7);
      unsigned missing = 0;
      for (int step = 0; step < 4; ++step) {
        const std::uint16_t entry = entries[bits & window_mask];
        const unsigned length = entry >> 8;
        missing |= length == 0;
        target[produced++] = static_cast<unsigned char>(entry);
        bits >>= length;
        position += length;
      }
      if (missing)
        return corrupt("a bit pattern before bit " + std::to_string(position)
                       + " matches no code");
    }
  }
  // Tail: the last bytes, and the last symbols, one load per symbol. Loads
  // near the end come from a zero-padded copy so nothing past the input is
  // read; a code that runs into the padding overshoots total_bits below.
  std::array<unsigned char, 16> padded{};
  const std::size_t padded_start = size > 8 ? size - 8 : 0;
  std::copy(data + padded_start, data + size, padded.begin());
  while (produced < count) {
    const std::size_t byte = position >> 3;
    if (byte >= size)
      return corrupt("truncated: the stream of " + std::to_string(total_bits) + " bits ends after "
                     + std::to_string(produced) + " of " + std::to_string(count) + " symbols");
    const std::uint64_t bits = (byte + 8 <= size ? load_le64(data + byte)
                                                 : load_le64(padded.data() + (byte - padded_start)))
                               >> (position & 7);
    const std::uint16_t entry = entries[bits & window_mask];
    const unsigned length = entry >> 8;
    if (length == 0)
      return corrupt("the bit pattern at bit " + std::to_string(position) + " matches no code");
    target[produced++] = static_cast<unsigned char>(entry);
    position += length;
  }
  if (position > total_bits)
    return corrupt("truncated: " + std::to_string(count) + " symbols need "
                   + std::to_string(position) + " bits, the stream has "
                   + std::to_string(total_bits));
  if (position < total_bits)
    return corrupt(std::to_string(total_bits - position) + " trailing bits after "
                   + std::to_string(count) + " symbols");
  return status::ok();
}

/// Decoding tables built from dictionaries, per thread: a field's records all
/// share one dictionary, so building its 4096-entry table once pays off.
/// Entries are matched on the dictionary bytes, never on its address, which a
/// freed and reloaded dictionary may reuse.
class table_cache {
public:
  status find(std::span<const std::byte> dictionary, const decode_table*& table) {
    for (auto& entry : entries_)
      if (entry.used && dictionary.size() == entry.dictionary.size()
          && std::memcmp(dictionary.data(), entry.dictionary.data(), dictionary.size()) == 0) {
        table = &entry.table;
        return status::ok();
      }
    code_lengths lengths;
    if (auto checked = parse_dictionary(dictionary, lengths); !checked)
      return checked;
    auto& victim = entries_[next_victim_];
    next_victim_ = (next_victim_ + 1) % entries_.size();
    std::copy(dictionary.begin(), dictionary.end(), victim.dictionary.begin());
    build_decode_table(lengths, victim.table);
    victim.used = true;
    table = &victim.table;
    return status::ok();
  }

private:
  struct entry {
    bool used = false;
    std::array<std::byte, dictionary_size> dictionary{};
    decode_table table;
  };
  std::array<entry, 4> entries_{};
  std::size_t next_victim_ = 0;
};

/// Our canonical Huffman coder over bytes (docs/codecs.md, "huffman-v1").
class huffman_v1 final : public codec {
public:
  std::string_view name() const noexcept override { return "huffman-v1"; }
  codec_id id() const noexcept override { return codec_id::huffman; }

  status train(const std::vector<std::span<const std::byte>>& samples, const codec_params&,
               std::vector<std::byte>& dictionary) const override {
    // +1 smoothing keeps every byte value encodable with the shared table.
    frequencies counts;
    counts.fill(1);
    for (auto sample : samples)
      for (auto value : sample)
        ++counts[std::to_integer<std::uint8_t>(value)];
    code_lengths lengths;
    if (auto built = limited_code_lengths(counts, max_code_bits, lengths); !built)
      return built;
    dictionary.clear();
    dictionary.push_back(dictionary_version);
    pack_lengths(lengths, dictionary);
    return status::ok();
  }

  status encode(std::span<const std::byte> in, const codec_params& params,
                std::vector<std::byte>& out) const override {
    frequencies counts{};
    for (auto value : in)
      ++counts[std::to_integer<std::uint8_t>(value)];
    const std::uint64_t stored_size = 1 + in.size();
    std::uint64_t best_size = stored_size;
    frame_mode best = frame_mode::stored;
    code_lengths shared_lengths{};
    std::uint64_t best_bits = 0;
    if (!params.dictionary.empty()) {
      if (auto parsed = parse_dictionary(params.dictionary, shared_lengths); !parsed)
        return {errc::invalid_argument, parsed.message()};
      if (auto bits = coded_bits(counts, shared_lengths); bits && 1 + (*bits + 7) / 8 < best_size) {
        best_size = 1 + (*bits + 7) / 8;
        best_bits = *bits;
        best = frame_mode::shared;
      }
    }
    code_lengths own_lengths{};
    // An embedded table costs 128 bytes, so it is only worth building when the
    // best frame so far is larger than that.
    if (best_size > 1 + packed_table_size) {
      if (auto built = limited_code_lengths(counts, max_code_bits, own_lengths); !built)
        return built;
      const std::uint64_t bits = *coded_bits(counts, own_lengths);
      if (1 + packed_table_size + (bits + 7) / 8 < best_size) {
        best_bits = bits;
        best = frame_mode::embedded;
      }
    }
    switch (best) {
      case frame_mode::stored:
        out.push_back(header(frame_mode::stored, 0));
        out.insert(out.end(), in.begin(), in.end());
        break;
      case frame_mode::shared:
        out.push_back(header(frame_mode::shared, best_bits));
        write_bitstream(in, shared_lengths, out);
        break;
      case frame_mode::embedded:
        out.push_back(header(frame_mode::embedded, best_bits));
        pack_lengths(own_lengths, out);
        write_bitstream(in, own_lengths, out);
        break;
    }
    return status::ok();
  }

  status decode(std::span<const std::byte> in, const codec_params& params,
                std::span<std::byte> out) const override {
    if (in.empty())
      return corrupt("empty frame (no header byte)");
    const auto head = std::to_integer<std::uint8_t>(in[0]);
    const unsigned padding = (head >> padding_shift) & 0x07;
    if ((head & reserved_mask) != 0 || (head & mode_mask) > 2)
      return corrupt("unknown frame header 0x" + hex(head));
    auto payload = in.subspan(1);
    const decode_table* table = nullptr;
    switch (static_cast<frame_mode>(head & mode_mask)) {
      case frame_mode::stored:
        if (padding != 0 || payload.size() != out.size())
          return corrupt("stored frame holds " + std::to_string(payload.size())
                         + " bytes but the record expects " + std::to_string(out.size()));
        std::copy(payload.begin(), payload.end(), out.begin());
        return status::ok();
      case frame_mode::shared: {
        if (params.dictionary.empty())
          return corrupt("frame uses the field's shared table but no dictionary was given");
        static thread_local table_cache cache;
        if (auto found = cache.find(params.dictionary, table); !found)
          return found;
        break;
      }
      case frame_mode::embedded: {
        if (payload.size() < packed_table_size)
          return corrupt("truncated: embedded table needs 128 bytes, frame has "
                         + std::to_string(payload.size()));
        code_lengths lengths;
        if (auto unpacked = unpack_lengths(payload.first(packed_table_size), lengths); !unpacked)
          return unpacked;
        static thread_local decode_table own_table;
        build_decode_table(lengths, own_table);
        table = &own_table;
        payload = payload.subspan(packed_table_size);
        break;
      }
    }
    if (payload.empty() && padding != 0)
      return corrupt("empty bitstream with " + std::to_string(padding) + " padding bits");
    if (padding != 0 && (std::to_integer<unsigned>(payload.back()) >> (8 - padding)) != 0)
      return corrupt("padding bits are not zero");
    return decode_bitstream(*table, payload, payload.size() * 8 - padding, out);
  }

private:
  static std::string hex(std::uint8_t value) {
    constexpr char digits[] = "0123456789abcdef";
    return {digits[value >> 4], digits[value & 0x0F]};
  }
};

} // namespace

const codec& huffman_codec() noexcept {
  static const huffman_v1 instance;
  return instance;
}

} // namespace ds::codecs
