#pragma once
/// What `ds-pack` chose and measured: the console table and the JSON file.

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "selection.hpp"

namespace ds::pack {

/// Why a field got its codec.
struct field_choice {
  std::string field;
  std::string kind;             ///< "text", "image", "other"
  std::string codec;            ///< the codec's stable name, e.g. "huffman-v1"
  bool lossy = false;
  bool forced = false;          ///< named by --codec rather than chosen
  std::string reason;           ///< choose_codec's one line, or why it was forced
  std::uint64_t dictionary_bytes = 0;
  std::vector<codecs::candidate_result> candidates;  ///< empty when forced
};

/// One field of one split, as written and read back.
struct field_figures {
  std::string split;
  std::string field;
  std::string codec;
  std::uint64_t records = 0;
  std::uint64_t raw_bytes = 0;
  std::uint64_t stored_bytes = 0;  ///< field payloads as the shard writer counts them
  /// Values the writer stored raw because the codec did not shrink them.
  std::uint64_t kept_raw = 0;
  double encode_seconds = 0;       ///< codec encode time while packing
  double decode_seconds = 0;       ///< codec decode time of the read-back pass
};

struct split_summary {
  std::string name;
  std::string folder;
  std::uint64_t records = 0;
  std::uint32_t shards = 0;
  std::uint64_t file_bytes = 0;  ///< shard files on disk, headers and index included
};

struct pack_report {
  std::string command;               ///< e.g. "fashion-mnist"
  std::vector<std::string> inputs;   ///< files read
  std::vector<field_choice> choices;
  std::vector<field_figures> rows;
  std::vector<split_summary> splits;
  std::vector<std::string> notes;    ///< e.g. empty fortunes skipped, bytes dropped
  double seconds = 0;                ///< wall time of the whole run
};

/// One choice as lines: the winner and reason, then each candidate's ratio and speeds.
void print_choice(std::ostream& out, const field_choice& choice);
/// The compression table (per split and field, then totals), splits, notes and time.
void print_report(std::ostream& out, const pack_report& report);
/// The same figures as JSON; throws `std::runtime_error` naming `path` when it cannot be written.
void write_report_json(const std::string& path, const pack_report& report);

} // namespace ds::pack
