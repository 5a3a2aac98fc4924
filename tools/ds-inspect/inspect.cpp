#include "inspect.hpp"

#include <iomanip>
#include <map>
#include <ostream>
#include <sstream>
#include <vector>

#include "codec.hpp"
#include "data/shard_header.hpp"
#include "data/shard_reader.hpp"

namespace ds::inspect {

namespace {

struct byte_counts {
  std::uint64_t raw = 0;
  std::uint64_t stored = 0;
};

std::string codec_name(codecs::codec_id id) {
  if (const auto* codec = codecs::find_codec(id))
    return std::string{codec->name()};
  return "codec " + std::to_string(static_cast<unsigned>(id));
}

void print_columns(std::ostream& out, const std::string& title) {
  out << "  " << std::left << std::setw(18) << title << std::right << std::setw(14) << "raw bytes"
      << std::setw(14) << "stored bytes" << std::setw(13) << "stored/raw" << '\n';
}

void print_counts(std::ostream& out, const std::string& name, const byte_counts& counts) {
  // The ratio goes through its own stream so `fixed` does not stick to `out`.
  std::ostringstream ratio;
  // stored/raw, as ds-pack reports it: smaller is better.
  ratio << std::fixed << std::setprecision(4)
        << (counts.raw == 0 ? 1.0 : static_cast<double>(counts.stored) / static_cast<double>(counts.raw));
  out << "    " << std::left << std::setw(16) << name << std::right << std::setw(14) << counts.raw
      << std::setw(14) << counts.stored << std::setw(13) << ratio.str() << '\n';
}

void print_schema(std::ostream& out, const std::vector<data::field_spec>& fields) {
  out << "  fields:\n";
  for (const auto& field : fields) {
    const auto& p = field.params;
    out << "    " << field.name << ": " << to_string(field.type) << ' '
        << data::shape_to_string(field.shape) << ' ' << codec_name(field.codec)
        << " (width " << p.width << ", height " << p.height << ", channels " << p.channels
        << ", level " << p.level << ", quality " << p.quality << ", lossless " << p.lossless
        << "), dictionary " << field.dictionary.size() << " bytes\n";
  }
}

/// Decodes one entry when its codec is built in, so a shard whose checksums
/// hold but whose payload a codec rejects (a writer bug) is still reported.
std::string decode_problem(const data::field_spec& field, const data::encoded_field& entry,
                           std::vector<std::byte>& scratch) {
  if (entry.codec == codecs::codec_id::raw)
    return {};
  const auto* codec = codecs::find_codec(entry.codec);
  if (codec == nullptr)
    return {};
  auto params = field.params;
  params.dictionary = field.dictionary;
  scratch.resize(entry.raw_size);
  if (auto status = codec->decode(entry.stored, params, scratch); !status)
    return "field '" + field.name + "': " + std::string{codec->name()}
           + " does not decode it to " + std::to_string(entry.raw_size) + " bytes: "
           + status.to_string();
  return {};
}

} // namespace

std::uint64_t inspect_shard(const std::shared_ptr<data::storage>& store, const std::string& path,
                            std::ostream& out, std::ostream& problems) {
  std::unique_ptr<data::shard_reader> reader;
  try {
    reader = std::make_unique<data::shard_reader>(store, path);
  } catch (const std::exception& error) {
    problems << error.what() << '\n';
    return 1;
  }
  const auto& fields = reader->fields();
  out << path << "\n  version " << data::shard_version << ", " << reader->record_count()
      << " records, " << store->size(path) << " bytes\n";
  print_schema(out, fields);

  std::vector<byte_counts> per_field(fields.size());
  std::map<std::string, byte_counts> per_codec;
  std::uint64_t bad = 0;
  std::vector<std::byte> bytes;
  std::vector<std::byte> decoded;
  for (std::uint64_t i = 0; i < reader->record_count(); ++i) {
    try {
      bytes.resize(reader->location(i).length);
      reader->read_record(i, bytes);
      auto entries = reader->parse_record(i, bytes);
      for (std::size_t f = 0; f < fields.size(); ++f) {
        if (auto problem = decode_problem(fields[f], entries[f], decoded); !problem.empty())
          throw data::shard_error{path + ": record " + std::to_string(i) + ": " + problem};
        per_field[f].raw += entries[f].raw_size;
        per_field[f].stored += entries[f].stored.size();
        auto& codec = per_codec[codec_name(entries[f].codec)];
        codec.raw += entries[f].raw_size;
        codec.stored += entries[f].stored.size();
      }
    } catch (const std::exception& error) {
      problems << error.what() << '\n';
      ++bad;
    }
  }

  print_columns(out, "per field");
  for (std::size_t f = 0; f < fields.size(); ++f)
    print_counts(out, fields[f].name, per_field[f]);
  print_columns(out, "per codec");
  for (const auto& [name, counts] : per_codec)
    print_counts(out, name, counts);
  out << "  " << reader->record_count() - bad << " of " << reader->record_count()
      << " records verified\n";
  return bad;
}

} // namespace ds::inspect
