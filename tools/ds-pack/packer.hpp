#pragma once
/// Choosing each field's codec and writing a dataset's splits as shards.

#include <cstdint>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "column.hpp"
#include "data/shard_format.hpp"
#include "report.hpp"
#include "selection.hpp"

namespace ds::pack {

/// One field of every record: what the shard schema says, and how the codec
/// choice sees it.
struct field_plan {
  std::string name;
  std::vector<std::int64_t> shape;  ///< u8 elements; -1 marks a varying dimension
  codecs::field_kind kind = codecs::field_kind::other;
  codecs::codec_params base;        ///< image geometry for webp
};

/// One split (e.g. "train"): one column per field, all of the same length.
struct split {
  std::string name;  ///< also the folder under the output folder
  std::vector<column> columns;

  std::uint64_t records() const noexcept { return columns.empty() ? 0 : columns.front().size(); }
};

/// Codec names users give; "auto" lets `choose_codec` decide.
inline constexpr const char* codec_choices[] = {"auto", "zstd", "webp", "huffman", "raw"};

struct pack_options {
  /// Codec per field name ("auto", "zstd", "webp", "huffman", "raw"); the key
  /// "" applies to every field not named. Missing: "auto".
  std::map<std::string, std::string> codecs;
  int zstd_level = 3;
  float webp_quality = 90.0f;  ///< used only with `allow_lossy`
  bool allow_lossy = false;
  std::uint64_t seed = 0;      ///< picks the records the choice samples
  std::uint32_t shards = 0;    ///< per split; 0: one per ~64 MiB of raw data
  std::size_t sample_records = 512;
};

/// Picks each field's codec on a sample of the first split's records, writes
/// every split to `out_dir/<split>/part-NNNNN.dsshard` (removing stale shards
/// there first), then reads everything back, decodes it (timed) and compares
/// it with the input where the codec is lossless. Prints each field's choice
/// to `log` as soon as it is made. Fills `report` (choices, rows, splits).
/// Throws `std::runtime_error` naming the field, file or record on failure;
/// `std::invalid_argument` for a codec that cannot encode a field.
void pack(const std::string& out_dir, const std::vector<field_plan>& fields,
          const std::vector<split>& splits, const pack_options& options, std::ostream& log,
          pack_report& report);

} // namespace ds::pack
