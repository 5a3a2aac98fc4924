#include "packer.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <ostream>
#include <random>
#include <stdexcept>

#include "codec.hpp"
#include "data/shard_reader.hpp"
#include "data/shard_writer.hpp"
#include "data/storage.hpp"

namespace ds::pack {

namespace fs = std::filesystem;

namespace {

using clock_type = std::chrono::steady_clock;

/// Raw data per shard when the user does not ask for a count: large enough
/// that opening a shard is rare, small enough to spread over readers.
constexpr std::uint64_t default_shard_bytes = 64ull << 20;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

const char* to_string(codecs::field_kind kind) {
  switch (kind) {
    case codecs::field_kind::text:
      return "text";
    case codecs::field_kind::image:
      return "image";
    default:
      return "other";
  }
}

/// `count` distinct record numbers below `records`, sorted: a seeded partial
/// Fisher-Yates shuffle, so the same seed samples the same records everywhere
/// (mt19937_64's output is fixed by the standard).
std::vector<std::uint64_t> sample_indices(std::uint64_t records, std::size_t count,
                                          std::uint64_t seed) {
  std::vector<std::uint64_t> indices(records);
  std::iota(indices.begin(), indices.end(), std::uint64_t{0});
  if (records <= count)
    return indices;
  std::mt19937_64 rng{seed};
  for (std::size_t i = 0; i < count; ++i)
    std::swap(indices[i], indices[i + rng() % (records - i)]);
  indices.resize(count);
  std::sort(indices.begin(), indices.end());
  return indices;
}

codecs::codec_id parse_codec(const std::string& name) {
  if (name == "zstd")
    return codecs::codec_id::zstd;
  if (name == "webp")
    return codecs::codec_id::webp;
  if (name == "huffman")
    return codecs::codec_id::huffman;
  return codecs::codec_id::raw;
}

const std::string& codec_request(const pack_options& options, const std::string& field) {
  static const std::string automatic = "auto";
  if (auto named = options.codecs.find(field); named != options.codecs.end())
    return named->second;
  if (auto every = options.codecs.find(""); every != options.codecs.end())
    return every->second;
  return automatic;
}

/// Refuses, before any work, a --codec naming no field or a codec that cannot
/// encode its field.
void check_codec_requests(const std::vector<field_plan>& fields, const pack_options& options) {
  std::string names;
  for (const auto& field : fields)
    names += (names.empty() ? "" : ", ") + field.name;
  for (const auto& [name, codec] : options.codecs)
    if (!name.empty() && std::none_of(fields.begin(), fields.end(),
                                      [&](const field_plan& field) { return field.name == name; }))
      throw std::invalid_argument("--codec " + name + "=" + codec + ": no field '" + name
                                  + "' (fields: " + names + ")");
  for (const auto& field : fields)
    if (codec_request(options, field.name) == "webp" && field.kind != codecs::field_kind::image)
      throw std::invalid_argument("--codec webp cannot encode field '" + field.name + "' ("
                                  + to_string(field.kind) + " data): webp needs an image field");
}

/// A codec the user named, its dictionary trained on the sample.
void force_codec(const field_plan& field, const std::string& name,
                 const std::vector<std::span<const std::byte>>& samples,
                 const pack_options& options, codecs::codec_choice& choice) {
  choice.id = parse_codec(name);
  choice.params = field.base;
  choice.params.level = options.zstd_level;
  choice.params.quality = options.webp_quality;
  choice.params.lossless = !options.allow_lossy;
  const auto* codec = codecs::find_codec(choice.id);
  if (codec == nullptr)
    throw std::runtime_error("codec '" + name + "' is not built into this ds-pack");
  if (auto trained = codec->train(samples, choice.params, choice.dictionary); !trained)
    throw std::runtime_error("field '" + field.name + "': training " + name + " failed: "
                             + trained.to_string());
  choice.reason = "forced by --codec " + name;
}

codecs::codec_choice choose(const field_plan& field, const column& values,
                            const pack_options& options, field_choice& report) {
  std::vector<std::span<const std::byte>> samples;
  for (auto index : sample_indices(values.size(), options.sample_records, options.seed))
    samples.push_back(values.at(index));
  codecs::codec_choice choice;
  const auto& request = codec_request(options, field.name);
  if (request == "auto") {
    codecs::selection_options selection;
    selection.allow_lossy = options.allow_lossy;
    selection.zstd_level = options.zstd_level;
    selection.webp_quality = options.webp_quality;
    if (auto chosen = codecs::choose_codec(field.kind, samples, field.base, selection, choice);
        !chosen)
      throw std::runtime_error("field '" + field.name + "': no codec works: " + chosen.to_string());
  } else {
    force_codec(field, request, samples, options, choice);
  }
  const auto* codec = codecs::find_codec(choice.id);
  report.field = field.name;
  report.kind = to_string(field.kind);
  report.codec = std::string{codec->name()};
  report.lossy = codec->lossy(choice.params);
  report.forced = request != "auto";
  report.reason = choice.reason;
  report.dictionary_bytes = choice.dictionary.size();
  report.candidates = choice.candidates;
  return choice;
}

/// Where the records of shard `shard` of `shards` begin: contiguous, even runs.
std::uint64_t shard_begin(std::uint64_t records, std::uint32_t shards, std::uint32_t shard) {
  return records * shard / shards;
}

std::uint32_t shard_count(const split& part, const pack_options& options) {
  std::uint64_t raw = 0;
  for (const auto& values : part.columns)
    raw += values.total_bytes();
  std::uint64_t wanted = options.shards > 0 ? options.shards
                                            : (raw + default_shard_bytes - 1) / default_shard_bytes;
  return static_cast<std::uint32_t>(std::clamp<std::uint64_t>(wanted, 1, part.records()));
}

std::string shard_name(std::uint32_t shard) {
  char name[32];
  std::snprintf(name, sizeof(name), "part-%05u.dsshard", shard);
  return name;
}

/// Shards of an earlier run would join this run's dataset: remove them.
void remove_stale_shards(const fs::path& folder) {
  for (const auto& entry : fs::directory_iterator{folder})
    if (entry.path().extension() == ".dsshard")
      fs::remove(entry.path());
}

/// The codec, and its parameters with the field's dictionary attached.
struct field_codec {
  const codecs::codec* codec = nullptr;
  codecs::codec_params params;
  bool lossy = false;
};

std::vector<field_codec> bind_codecs(const std::vector<data::field_spec>& specs) {
  std::vector<field_codec> result;
  for (const auto& spec : specs) {
    field_codec entry;
    entry.codec = codecs::find_codec(spec.codec);
    entry.params = spec.params;
    entry.params.dictionary = spec.dictionary;
    entry.lossy = entry.codec->lossy(entry.params);
    result.push_back(entry);
  }
  return result;
}

/// Encodes field `field` of records [first, end) once more, timed: the writer
/// encodes every field of a record inside `add`, so this is what gives each
/// field its own encode speed. One timer around the loop, so that the clock's
/// cost does not swamp one-byte values.
void time_encode(const split& part, std::size_t field, const field_codec& codec,
                 std::uint64_t first, std::uint64_t end, const std::string& path,
                 field_figures& row) {
  std::vector<std::byte> scratch;
  auto start = clock_type::now();
  for (auto record = first; record < end; ++record) {
    scratch.clear();
    if (auto encoded = codec.codec->encode(part.columns[field].at(record), codec.params, scratch);
        !encoded)
      throw std::runtime_error(path + ": record " + std::to_string(record - first) + ", field '"
                               + row.field + "': " + encoded.to_string());
  }
  row.encode_seconds += seconds_since(start);
}

/// Writes one split; returns its shard files. Adds encode time and sizes to `rows`.
std::vector<std::string> write_split(const fs::path& folder, const split& part,
                                     const std::vector<data::field_spec>& specs,
                                     const pack_options& options,
                                     std::vector<field_figures>& rows) {
  fs::create_directories(folder);
  remove_stale_shards(folder);
  auto codecs = bind_codecs(specs);
  auto shards = shard_count(part, options);
  std::vector<std::string> paths;
  std::vector<std::span<const std::byte>> values(specs.size());
  for (std::uint32_t shard = 0; shard < shards; ++shard) {
    paths.push_back((folder / shard_name(shard)).string());
    auto first = shard_begin(part.records(), shards, shard);
    auto end = shard_begin(part.records(), shards, shard + 1);
    for (std::size_t field = 0; field < specs.size(); ++field)
      time_encode(part, field, codecs[field], first, end, paths.back(), rows[field]);
    data::shard_writer writer{paths.back(), specs};
    for (auto record = first; record < end; ++record) {
      for (std::size_t field = 0; field < specs.size(); ++field)
        values[field] = part.columns[field].at(record);
      writer.add(values);
    }
    writer.finish();
    for (std::size_t field = 0; field < specs.size(); ++field) {
      rows[field].raw_bytes += writer.raw_bytes()[field];
      rows[field].stored_bytes += writer.stored_bytes()[field];
    }
  }
  for (auto& row : rows)
    row.records = part.records();
  return paths;
}

/// Every record of one shard, read and split into its still-encoded fields.
struct shard_contents {
  std::vector<std::vector<std::byte>> bytes;  ///< what `fields` point into
  std::vector<std::vector<data::encoded_field>> fields;
};

shard_contents read_shard(const data::shard_reader& reader) {
  shard_contents contents;
  contents.bytes.resize(reader.record_count());
  for (std::uint64_t record = 0; record < reader.record_count(); ++record) {
    contents.bytes[record].resize(reader.location(record).length);
    reader.read_record(record, contents.bytes[record]);
    contents.fields.push_back(reader.parse_record(record, contents.bytes[record]));
  }
  return contents;
}

/// Reads every record of `paths` back and decodes each field, one timed loop
/// per field and shard; then compares lossless fields with the input.
void verify_split(const std::vector<std::string>& paths, const split& part,
                  std::vector<field_figures>& rows) {
  auto store = data::make_local_storage();
  std::uint64_t first = 0;  // the split's number of the shard's first record
  std::vector<data::encoded_field> values;
  std::vector<std::byte> decoded;
  std::vector<std::uint64_t> ends;
  for (const auto& path : paths) {
    data::shard_reader reader{store, path};
    auto codecs = bind_codecs(reader.fields());
    auto contents = read_shard(reader);
    for (std::size_t field = 0; field < reader.fields().size(); ++field) {
      auto where = [&](std::uint64_t record) {
        return path + ": record " + std::to_string(record) + ", field '"
               + reader.fields()[field].name + "'";
      };
      // Gathered first, so that the timed loop walks one array rather than
      // one small allocation per record (which dominates one-byte labels).
      values.clear();
      ends.clear();
      std::uint64_t total = 0;
      for (const auto& fields : contents.fields) {
        values.push_back(fields[field]);
        ends.push_back(total += fields[field].raw_size);
      }
      decoded.resize(total);
      auto start = clock_type::now();
      for (std::uint64_t record = 0; record < values.size(); ++record) {
        const auto& value = values[record];
        // The writer keeps a value raw where its codec did not shrink it, so
        // each value names the codec to decode it with.
        const auto* codec = value.codec == reader.fields()[field].codec
                              ? codecs[field].codec : codecs::find_codec(value.codec);
        auto begin = record == 0 ? 0 : ends[record - 1];
        if (auto result = codec->decode(value.stored, codecs[field].params,
                                        std::span{decoded}.subspan(begin, value.raw_size));
            !result)
          throw std::runtime_error(where(record) + " does not decode: " + result.to_string());
      }
      rows[field].decode_seconds += seconds_since(start);
      for (std::uint64_t record = 0; record < values.size(); ++record) {
        if (values[record].codec != reader.fields()[field].codec)
          ++rows[field].kept_raw;
        if (codecs[field].lossy)
          continue;
        auto begin = record == 0 ? 0 : ends[record - 1];
        auto source = part.columns[field].at(first + record);
        if (ends[record] - begin != source.size()
            || !std::equal(source.begin(), source.end(), decoded.begin() + begin))
          throw std::runtime_error(where(record) + " decodes to other bytes than were packed");
      }
    }
    first += reader.record_count();
  }
  if (first != part.records())
    throw std::runtime_error(paths.front() + ": the split's shards hold " + std::to_string(first)
                             + " records, " + std::to_string(part.records()) + " were packed");
}

} // namespace

void pack(const std::string& out_dir, const std::vector<field_plan>& fields,
          const std::vector<split>& splits, const pack_options& options, std::ostream& log,
          pack_report& report) {
  if (splits.empty())
    throw std::invalid_argument("nothing to pack: no split");
  for (const auto& part : splits)
    if (part.records() == 0)
      throw std::invalid_argument("split '" + part.name + "' has no records");
  check_codec_requests(fields, options);
  std::vector<data::field_spec> specs;
  for (std::size_t field = 0; field < fields.size(); ++field) {
    field_choice chosen;
    auto choice = choose(fields[field], splits.front().columns[field], options, chosen);
    print_choice(log, chosen);
    log.flush();
    report.choices.push_back(std::move(chosen));
    data::field_spec spec;
    spec.name = fields[field].name;
    spec.type = dtype::u8;
    spec.shape = fields[field].shape;
    spec.codec = choice.id;
    spec.params = choice.params;
    spec.params.dictionary = {};  // the shard stores the dictionary beside the params
    spec.dictionary = std::move(choice.dictionary);
    specs.push_back(std::move(spec));
  }
  for (const auto& part : splits) {
    std::vector<field_figures> rows(fields.size());
    for (std::size_t field = 0; field < fields.size(); ++field) {
      rows[field].split = part.name;
      rows[field].field = fields[field].name;
      rows[field].codec = report.choices[field].codec;
    }
    auto folder = fs::path{out_dir} / part.name;
    auto paths = write_split(folder, part, specs, options, rows);
    verify_split(paths, part, rows);
    split_summary summary{part.name, folder.string(), part.records(),
                          static_cast<std::uint32_t>(paths.size()), 0};
    for (const auto& path : paths)
      summary.file_bytes += fs::file_size(path);
    report.splits.push_back(std::move(summary));
    report.rows.insert(report.rows.end(), rows.begin(), rows.end());
  }
}

} // namespace ds::pack
