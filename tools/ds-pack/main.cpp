// ds-pack: turns Fashion-MNIST, fortune text and IDX files into dsflow shards.

#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "cli.hpp"
#include "idx_reader.hpp"
#include "packer.hpp"
#include "report.hpp"
#include "text_source.hpp"

namespace {

using namespace ds::pack;

/// Exit codes, also listed in `ds-pack --help`.
enum exit_code : int {
  exit_ok = 0,
  exit_failure = 1,
  exit_usage = 2,
};

const char* const default_fashion_mnist = "/usr/share/datasets/fashion-mnist";

/// The image field of an IDX images file: an image for webp when a record is
/// 2-D, or 3-D with a channel count webp knows; any other shape is plain bytes.
field_plan image_field(const idx_array& images) {
  field_plan field{"image", images.record_shape(), ds::codecs::field_kind::other, {}};
  const auto& shape = field.shape;
  bool gray = shape.size() == 2;
  bool color = shape.size() == 3 && (shape[2] == 1 || shape[2] == 3 || shape[2] == 4);
  if (gray || color) {
    field.kind = ds::codecs::field_kind::image;
    field.base.height = static_cast<std::uint32_t>(shape[0]);
    field.base.width = static_cast<std::uint32_t>(shape[1]);
    field.base.channels = gray ? 1 : static_cast<std::uint32_t>(shape[2]);
  }
  return field;
}

/// An images and a labels file as one split; their record counts must agree.
split idx_split(std::string name, const std::string& images_path, const std::string& labels_path,
                idx_array& images, idx_array& labels, std::optional<std::uint64_t> limit,
                std::vector<std::string>& notes) {
  if (images.count() != labels.count())
    throw std::runtime_error(images_path + " holds " + std::to_string(images.count())
                             + " records but " + labels_path + " holds "
                             + std::to_string(labels.count()) + ": the counts must be equal");
  auto keep = static_cast<std::uint64_t>(images.count());
  if (limit && *limit < keep) {
    notes.push_back("--limit: the first " + std::to_string(*limit) + " of " + std::to_string(keep)
                    + " " + name + " records packed");
    keep = *limit;
  }
  split part{std::move(name), {}};
  images.data.resize(keep * images.record_size());
  labels.data.resize(keep * labels.record_size());
  part.columns.emplace_back(std::move(images.data), images.record_size());
  part.columns.emplace_back(std::move(labels.data), labels.record_size());
  return part;
}

std::vector<field_plan> idx_fields(const idx_array& images, const idx_array& labels) {
  return {image_field(images),
          field_plan{"label", labels.record_shape(), ds::codecs::field_kind::other, {}}};
}

void load_fashion_mnist(const pack_command& cmd, std::vector<field_plan>& fields,
                        std::vector<split>& splits, pack_report& report) {
  std::filesystem::path folder{cmd.inputs.empty() ? default_fashion_mnist : cmd.inputs.front()};
  for (auto [name, prefix] : {std::pair{"train", "train"}, std::pair{"test", "t10k"}}) {
    auto images_path = (folder / (std::string{prefix} + "-images-idx3-ubyte.gz")).string();
    auto labels_path = (folder / (std::string{prefix} + "-labels-idx1-ubyte.gz")).string();
    auto images = read_idx(images_path, 3);
    auto labels = read_idx(labels_path, 1);
    if (fields.empty())
      fields = idx_fields(images, labels);
    else if (images.record_shape() != fields.front().shape)
      throw std::runtime_error(images_path + ": images differ in size from the train images");
    splits.push_back(
      idx_split(name, images_path, labels_path, images, labels, cmd.limit, report.notes));
    report.inputs.insert(report.inputs.end(), {images_path, labels_path});
  }
}

void load_idx(const pack_command& cmd, std::vector<field_plan>& fields,
              std::vector<split>& splits, pack_report& report) {
  auto images = read_idx(cmd.images);
  auto labels = read_idx(cmd.labels);
  fields = idx_fields(images, labels);
  splits.push_back(
    idx_split("train", cmd.images, cmd.labels, images, labels, cmd.limit, report.notes));
  report.inputs = {cmd.images, cmd.labels};
}

void load_text(const pack_command& cmd, std::vector<field_plan>& fields,
               std::vector<split>& splits, pack_report& report) {
  std::vector<std::string> records;
  std::uint64_t empty = 0;
  report.inputs = list_text_files(cmd.inputs);
  for (const auto& path : report.inputs) {
    auto found = split_fortunes(read_text_file(path));
    empty += found.empty;
    for (auto& fortune : found.fortunes)
      records.push_back(std::move(fortune));
  }
  report.notes.push_back(std::to_string(records.size()) + " fortunes read from "
                         + std::to_string(report.inputs.size()) + " file(s); "
                         + std::to_string(empty) + " empty fortune(s) skipped");
  std::int64_t width = -1;
  if (cmd.window) {
    auto windows = cut_windows(records, *cmd.window);
    records = std::move(windows.windows);
    width = static_cast<std::int64_t>(*cmd.window);
    report.notes.push_back(std::to_string(records.size()) + " windows of " + std::to_string(width)
                           + " bytes; the last " + std::to_string(windows.dropped_bytes)
                           + " byte(s) of the corpus did not fill a window and were dropped");
  }
  if (cmd.limit && records.size() > *cmd.limit) {
    report.notes.push_back("--limit: the first " + std::to_string(*cmd.limit) + " of "
                           + std::to_string(records.size()) + " records packed");
    records.resize(*cmd.limit);
  }
  if (records.empty())
    throw std::runtime_error(cmd.inputs.front() + ": no text record found");
  fields = {field_plan{"text", {width}, ds::codecs::field_kind::text, {}}};
  // Every k-th record to val: deterministic, disjoint from train, and spread
  // over every input file rather than taken from the last one.
  std::uint64_t every = cmd.val_fraction > 0 ? std::llround(1.0 / cmd.val_fraction) : 0;
  split train{"train", {column{}}};
  split val{"val", {column{}}};
  for (std::uint64_t i = 0; i < records.size(); ++i)
    (every > 0 && (i + 1) % every == 0 ? val : train).columns.front().push(records[i]);
  splits.push_back(std::move(train));
  if (val.records() > 0)
    splits.push_back(std::move(val));
  else
    report.notes.push_back("no val split written: --val-fraction selects none of the "
                           + std::to_string(records.size()) + " records");
}

int run(const pack_command& cmd) {
  auto start = std::chrono::steady_clock::now();
  pack_report report;
  report.command = cmd.source;
  std::vector<field_plan> fields;
  std::vector<split> splits;
  if (cmd.source == "fashion-mnist")
    load_fashion_mnist(cmd, fields, splits, report);
  else if (cmd.source == "text")
    load_text(cmd, fields, splits, report);
  else
    load_idx(cmd, fields, splits, report);
  pack(cmd.out, fields, splits, cmd.options, std::cout, report);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  print_report(std::cout, report);
  if (!cmd.report_json.empty())
    write_report_json(cmd.report_json, report);
  return exit_ok;
}

} // namespace

int main(int argc, char** argv) {
  pack_command cmd;
  try {
    cmd = parse_command_line(argc, argv);
  } catch (const std::invalid_argument& error) {
    std::cerr << "ds-pack: " << error.what() << "\n(see ds-pack --help)\n";
    return exit_usage;
  }
  if (cmd.help) {
    std::cout << usage_text;
    return exit_ok;
  }
  try {
    return run(cmd);
  } catch (const std::invalid_argument& error) {
    std::cerr << "ds-pack: " << error.what() << '\n';
    return exit_usage;
  } catch (const std::exception& error) {
    std::cerr << "ds-pack: " << error.what() << '\n';
    return exit_failure;
  }
}
