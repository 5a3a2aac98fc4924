#include "cli.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <stdexcept>
#include <string_view>

namespace ds::pack {

const char* const usage_text = R"(ds-pack: turns datasets into dsflow shards.

usage:
  ds-pack fashion-mnist --out DIR [--in FOLDER] [options]
      Reads train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz and their
      t10k-* pair from FOLDER (default /usr/share/datasets/fashion-mnist) and
      writes DIR/train/ and DIR/test/ with fields image (u8 [rows, cols]) and
      label (u8 []).
  ds-pack text --in PATH... --out DIR [--window N] [--val-fraction F] [options]
      PATHs are files or folders (a folder: every regular file not ending in
      .dat or .u8, in name order). Fortunes are separated by lines holding only
      '%'; each becomes one record of field text (u8 [-1]), bytes kept exactly;
      fortunes holding only whitespace are skipped and counted. With --window N
      the fortunes, joined by '\n', are cut into non-overlapping windows of N
      bytes (u8 [N]; the partial last window is dropped). Every k-th record,
      k = round(1 / F), goes to DIR/val/, the rest to DIR/train/.
  ds-pack idx --images FILE --labels FILE --out DIR [options]
      Any u8 IDX pair with equal record counts, into DIR/train/. The image
      field's kind is image when a record is 2-D, or 3-D with 1, 3 or 4
      channels last; otherwise other.

options:
  --out DIR            output folder; stale *.dsshard files in its split
                       folders are removed
  --in PATH...         input folder (fashion-mnist) or files/folders (text);
                       takes every argument up to the next option
  --window N           text: N-byte windows instead of one record per fortune
  --val-fraction F     text: fraction of records for val/, 0 to 0.5 (default
                       0.05; 0 writes no val/)
  --shards N           shards per split (default: one per ~64 MiB of raw
                       data, at least 1, at most one per record); records are
                       split contiguously and evenly
  --codec [FIELD=]C    C is auto, zstd, webp, huffman or raw (default auto:
                       each field's codec is chosen by trial-encoding a sample
                       of ~512 records of the first split); FIELD= limits it to
                       one field; repeatable. A codec that cannot encode a
                       field (webp for a non-image field) is an error.
  --level L            zstd level, 1 to 19 (default 3)
  --allow-lossy        let lossy codecs (webp lossy) be used; without it every
                       codec is lossless
  --quality Q          webp lossy quality, 0 to 100 (default 90; needs
                       --allow-lossy)
  --seed S             seed for the sample the codec choice sees (default 0)
  --limit N            only the first N records of each split (text: of the
                       records before the val split), for tests and quick runs
  --report-json FILE   also write the choices and the compression report as JSON
  --help               this text

ds-pack prints each field's codec and why (every candidate's stored/raw ratio
and encode/decode MB/s on the sample), writes the shards, reads all of them
back (decode speed; lossless fields are compared with the input), and prints
per split and field: records, raw and stored bytes, ratio, encode MB/s (while
packing) and decode MB/s (read-back pass), then totals and the time taken.

exit codes: 0 ok, 1 failure (I/O, bad input; the message names the file),
2 usage error (bad option, or a codec that cannot encode a field).
)";

namespace {

template <class Number>
Number parse_number(std::string_view flag, std::string_view text, Number low, Number high) {
  Number value{};
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || value < low || value > high)
    throw std::invalid_argument(std::string{flag} + ": '" + std::string{text}
                                + "' is not a number from " + std::to_string(low) + " to "
                                + std::to_string(high));
  return value;
}

void add_codec(std::string_view text, pack_options& options) {
  auto equals = text.find('=');
  std::string field{equals == std::string_view::npos ? "" : text.substr(0, equals)};
  std::string name{equals == std::string_view::npos ? text : text.substr(equals + 1)};
  if (std::find(std::begin(codec_choices), std::end(codec_choices), name)
      == std::end(codec_choices))
    throw std::invalid_argument("--codec: unknown codec '" + name
                                + "' (auto, zstd, webp, huffman, raw)");
  options.codecs[field] = name;
}

/// Options that only one source takes.
void check_source_options(const pack_command& cmd, bool saw_window, bool saw_fraction) {
  auto refuse = [&](bool present, const char* flag, const char* source) {
    if (present && cmd.source != source)
      throw std::invalid_argument(std::string{flag} + " applies only to 'ds-pack " + source + "'");
  };
  refuse(saw_window, "--window", "text");
  refuse(saw_fraction, "--val-fraction", "text");
  refuse(!cmd.images.empty(), "--images", "idx");
  refuse(!cmd.labels.empty(), "--labels", "idx");
  if (cmd.source == "idx" && !cmd.inputs.empty())
    throw std::invalid_argument("--in does not apply to 'ds-pack idx' (use --images and --labels)");
  if (cmd.out.empty())
    throw std::invalid_argument("--out DIR is required");
  if (cmd.source == "text" && cmd.inputs.empty())
    throw std::invalid_argument("ds-pack text needs --in PATH...");
  if (cmd.source == "fashion-mnist" && cmd.inputs.size() > 1)
    throw std::invalid_argument("ds-pack fashion-mnist takes one --in folder");
  if (cmd.source == "idx" && (cmd.images.empty() || cmd.labels.empty()))
    throw std::invalid_argument("ds-pack idx needs --images FILE and --labels FILE");
}

} // namespace

pack_command parse_command_line(int argc, char** argv) {
  pack_command cmd;
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (std::find(args.begin(), args.end(), "--help") != args.end()
      || std::find(args.begin(), args.end(), "-h") != args.end()) {
    cmd.help = true;
    return cmd;
  }
  if (args.empty())
    throw std::invalid_argument("no source given (fashion-mnist, text or idx)");
  cmd.source = args.front();
  if (cmd.source != "fashion-mnist" && cmd.source != "text" && cmd.source != "idx")
    throw std::invalid_argument("unknown source '" + cmd.source + "' (fashion-mnist, text, idx)");
  bool saw_window = false;
  bool saw_fraction = false;
  bool saw_quality = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    auto flag = args[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= args.size())
        throw std::invalid_argument(std::string{flag} + " needs a value");
      return args[++i];
    };
    if (flag == "--out") {
      cmd.out = value();
    } else if (flag == "--in") {
      auto first = cmd.inputs.size();
      while (i + 1 < args.size() && !args[i + 1].starts_with("--"))
        cmd.inputs.emplace_back(args[++i]);
      if (cmd.inputs.size() == first)
        throw std::invalid_argument("--in needs at least one path");
    } else if (flag == "--images") {
      cmd.images = value();
    } else if (flag == "--labels") {
      cmd.labels = value();
    } else if (flag == "--window") {
      saw_window = true;
      cmd.window = parse_number<std::size_t>(flag, value(), 1, std::size_t{1} << 30);
    } else if (flag == "--val-fraction") {
      saw_fraction = true;
      cmd.val_fraction = parse_number<double>(flag, value(), 0.0, 0.5);
    } else if (flag == "--shards") {
      cmd.options.shards = parse_number<std::uint32_t>(flag, value(), 1, 1u << 20);
    } else if (flag == "--codec") {
      add_codec(value(), cmd.options);
    } else if (flag == "--level") {
      cmd.options.zstd_level = parse_number<int>(flag, value(), 1, 19);
    } else if (flag == "--quality") {
      saw_quality = true;
      cmd.options.webp_quality = parse_number<float>(flag, value(), 0.0f, 100.0f);
    } else if (flag == "--allow-lossy") {
      cmd.options.allow_lossy = true;
    } else if (flag == "--seed") {
      cmd.options.seed = parse_number<std::uint64_t>(flag, value(), 0, UINT64_MAX);
    } else if (flag == "--limit") {
      cmd.limit = parse_number<std::uint64_t>(flag, value(), 1, UINT64_MAX);
    } else if (flag == "--report-json") {
      cmd.report_json = value();
    } else {
      throw std::invalid_argument("unknown option '" + std::string{flag} + "'");
    }
  }
  if (saw_quality && !cmd.options.allow_lossy)
    throw std::invalid_argument("--quality sets lossy webp quality: it needs --allow-lossy");
  check_source_options(cmd, saw_window, saw_fraction);
  return cmd;
}

} // namespace ds::pack
