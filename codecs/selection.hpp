#pragma once
/// Choosing a codec per field by trial-encoding a sample of its records.

#include <cstdint>
#include <string>
#include <vector>

#include "codec.hpp"

namespace ds::codecs {

/// What a field holds decides which codecs are tried.
enum class field_kind : std::uint8_t {
  text,   ///< huffman, zstd
  image,  ///< webp lossless (and lossy when allowed), zstd
  other,  ///< zstd, raw
};

/// How one candidate did on the sample.
struct candidate_result {
  std::string codec_name;
  codec_params params;         ///< dictionary not set (see codec_choice::dictionary)
  std::uint64_t raw_bytes = 0;
  std::uint64_t stored_bytes = 0;  ///< including the dictionary
  double encode_mb_per_s = 0;
  double decode_mb_per_s = 0;
  double score = 0;            ///< lower is better; see choose_codec
  std::string rejected;        ///< why it could not be used, empty otherwise
};

struct codec_choice {
  codec_id id = codec_id::raw;
  /// The winner's parameters; `params.dictionary` is left empty because a
  /// span into `dictionary` would dangle when the choice is copied: point it
  /// at `dictionary` before encoding.
  codec_params params;
  std::vector<std::byte> dictionary;
  std::vector<candidate_result> candidates;  ///< every codec tried, for the report
  std::string reason;                        ///< one line: why this one won
};

struct selection_options {
  bool allow_lossy = false;
  int zstd_level = 3;
  float webp_quality = 90.0f;
  /// The objective (docs/codecs.md, "Selection"): lower wins,
  ///   score = stored_bytes / raw_bytes + decode_weight × 100 / decode_MB_per_s
  /// where stored_bytes includes the dictionary and decode MB/s counts raw
  /// bytes produced per second on one thread. With 0.05, a codec decoding at
  /// 100 MB/s pays 0.05 of ratio, one at 1000 MB/s pays 0.005.
  double decode_weight = 0.05;
};

/// Trial-encodes `samples` (a few hundred records of the field) with each
/// candidate codec of `kind`, decodes them back to measure speed and (for
/// lossless codecs) verify the round trip, and picks the lowest score; ties go
/// to the earlier candidate. `base` carries the image geometry. A candidate
/// that fails (bad geometry, a round-trip mismatch) is kept in
/// `choice.candidates` with `rejected` set. Returns `errc::unsupported`
/// listing every rejection only when no candidate works. Takes ~20 ms per
/// candidate and step (timing repeats small samples); any thread may call it.
status choose_codec(field_kind kind, const std::vector<std::span<const std::byte>>& samples,
                    const codec_params& base, const selection_options& options,
                    codec_choice& choice);

} // namespace ds::codecs
