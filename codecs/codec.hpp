#pragma once
/// The codec interface: stable names, bounded encode/decode, explicit errors.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "status.hpp"

namespace ds::codecs {

/// Stored in every shard; never reuse a number for another encoding.
enum class codec_id : std::uint8_t { raw = 0, zstd = 1, webp = 2, huffman = 3 };

/// What an encoder or decoder needs to know beyond the bytes.
struct codec_params {
  /// Image geometry for `webp` (channels 1 = gray, 3 = RGB, 4 = RGBA); 0 otherwise.
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::uint32_t channels = 0;
  int level = 3;            ///< zstd level (1..19)
  float quality = 90.0f;    ///< webp lossy quality (0..100)
  bool lossless = true;     ///< webp: lossless unless the user allowed lossy
  /// A trained dictionary shared by every record of a field (zstd: a ZDICT
  /// dictionary; huffman: the code-length table). Empty = none.
  std::span<const std::byte> dictionary;
};

/// One encoding. Implementations are stateless and thread-safe: any thread may
/// call any member at any time (scratch state such as zstd contexts and
/// decoding tables is kept per thread). The framing of each codec is specified
/// in docs/codecs.md.
///
/// `decode` writes exactly `out.size()` bytes (the record stores each field's
/// raw size) and returns `errc::corrupt_data` naming the problem for malformed
/// input; it never reads or writes out of bounds, whatever the input.
class codec {
public:
  virtual ~codec() = default;
  /// Stable name, changed whenever the encoding changes ("huffman-v1").
  virtual std::string_view name() const noexcept = 0;
  virtual codec_id id() const noexcept = 0;
  /// Whether decode(encode(x)) may differ from x.
  virtual bool lossy(const codec_params& params) const noexcept { (void) params; return false; }
  /// Builds the field dictionary from sample records, replacing `dictionary`;
  /// codecs without one leave it empty and return ok. Samples too few or too
  /// small to learn from also give an empty dictionary and ok (encode then
  /// works without one); an error means the parameters are unusable.
  virtual status train(const std::vector<std::span<const std::byte>>& samples,
                       const codec_params& params, std::vector<std::byte>& dictionary) const;
  /// Appends the encoding of `in` to `out`; `params.dictionary` must come
  /// from this codec's `train`. Returns invalid_argument for parameters the
  /// codec cannot use, internal for a library failure; `out` is unchanged then.
  virtual status encode(std::span<const std::byte> in, const codec_params& params,
                        std::vector<std::byte>& out) const = 0;
  /// Decodes `in` into exactly `out.size()` bytes.
  virtual status decode(std::span<const std::byte> in, const codec_params& params,
                        std::span<std::byte> out) const = 0;
};

/// The codec with this id, or null for an id no codec has (a corrupt shard).
const codec* find_codec(codec_id id) noexcept;
/// The codec with this stable name ("zstd", "webp", "huffman-v1", "raw"), or null.
const codec* find_codec(std::string_view name) noexcept;

} // namespace ds::codecs
