#define BOOST_TEST_MODULE ds_pack
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "codec.hpp"
#include "data/dataset.hpp"
#include "data/storage.hpp"
#include "idx_reader.hpp"
#include "process_runner.hpp"
#include "../support/test_text.hpp"

namespace fs = std::filesystem;
using ds::test::run_process;

namespace {

const std::string ds_pack = DS_PACK_PATH;
const std::string ds_inspect = DS_INSPECT_PATH;
const std::string fashion_mnist = "/usr/share/datasets/fashion-mnist";
const std::string fortunes = "/usr/share/games/fortunes";

fs::path temp_folder() {
  auto dir = fs::temp_directory_path() / ("dsflow-ds-pack-test-" + std::to_string(getpid()));
  fs::create_directories(dir);
  return dir;
}

using ds::test::contains;

/// Runs ds-pack and requires exit code `expected`, printing its output otherwise.
ds::test::process_result pack(std::vector<std::string> args, int expected = 0) {
  args.insert(args.begin(), ds_pack);
  auto result = run_process(args, {.env = {}, .signals = {}, .timeout = std::chrono::seconds{120}});
  BOOST_TEST_REQUIRE(result.exit_code == expected, "ds-pack exited " << result.exit_code
                                                       << "\nstdout:\n" << result.out
                                                       << "\nstderr:\n" << result.err);
  return result;
}

/// ds-inspect checks every shard of `folders` (checksums, decoding) and must exit 0.
void inspect(const std::vector<fs::path>& folders) {
  std::vector<std::string> args{ds_inspect};
  for (const auto& folder : folders)
    args.push_back(folder.string());
  auto result = run_process(args);
  BOOST_TEST(result.exit_code == 0, "ds-inspect exited " << result.exit_code << "\nstdout:\n"
                                                         << result.out << "\nstderr:\n"
                                                         << result.err);
}

/// Every record of the dataset in `folder`, decoded: one byte string per field.
std::vector<std::vector<std::string>> read_back(const fs::path& folder) {
  ds::data::dataset data{ds::data::make_local_storage(), folder.string()};
  std::vector<std::vector<std::string>> records;
  std::vector<std::byte> bytes;
  for (const auto& shard : data.shards()) {
    for (std::uint64_t record = 0; record < shard.record_count(); ++record) {
      bytes.resize(shard.location(record).length);
      shard.read_record(record, bytes);
      auto fields = shard.parse_record(record, bytes);
      auto& values = records.emplace_back();
      for (std::size_t field = 0; field < fields.size(); ++field) {
        const auto& spec = shard.fields()[field];
        auto params = spec.params;
        params.dictionary = spec.dictionary;
        std::string value(fields[field].raw_size, '\0');
        auto out = std::as_writable_bytes(std::span{value.data(), value.size()});
        auto status = ds::codecs::find_codec(fields[field].codec)->decode(fields[field].stored,
                                                                          params, out);
        BOOST_TEST_REQUIRE(status.is_ok(), shard.path() << " record " << record << ": "
                                                        << status.to_string());
        values.push_back(std::move(value));
      }
    }
  }
  BOOST_TEST(records.size() == data.record_count());
  return records;
}

std::string idx_record(const ds::pack::idx_array& array, std::uint64_t index) {
  auto size = array.record_size();
  return {reinterpret_cast<const char*>(array.data.data()) + index * size, size};
}

/// The fortunes of the fortune folder, parsed here independently of ds-pack:
/// lines up to a "%" line, the last line's newline left out, blank ones skipped.
std::vector<std::string> source_fortunes() {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator{fortunes})
    if (entry.is_regular_file() && entry.path().extension() != ".dat"
        && entry.path().extension() != ".u8")
      files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  std::vector<std::string> result;
  for (const auto& file : files) {
    std::ifstream in{file, std::ios::binary};
    std::string line;
    std::string fortune;
    auto finish = [&] {
      if (fortune.find_first_not_of(" \t\r\n\f\v") != std::string::npos)
        result.push_back(fortune.substr(0, fortune.size() - (fortune.ends_with('\n') ? 1 : 0)));
      fortune.clear();
    };
    while (std::getline(in, line)) {
      if (line == "%" || line == "%\r")
        finish();
      else
        fortune += line + (in.eof() ? "" : "\n");
    }
    finish();
  }
  return result;
}

} // namespace

BOOST_AUTO_TEST_CASE(fashion_mnist_packs_losslessly_into_train_and_test) {
  auto out = temp_folder() / "fm";
  auto json = temp_folder() / "fm.json";
  auto result = pack({"fashion-mnist", "--in", fashion_mnist, "--out", out.string(), "--limit",
                      "300", "--shards", "2", "--report-json", json.string()});
  BOOST_TEST(contains(result.out, "field 'image' (image)"));
  BOOST_TEST(contains(result.out, "field 'label' (other)"));
  BOOST_TEST(contains(result.out, "total"));
  for (auto [split, prefix] : {std::pair{"train", "train"}, std::pair{"test", "t10k"}}) {
    auto images = ds::pack::read_idx(fashion_mnist + "/" + prefix + "-images-idx3-ubyte.gz", 3);
    auto labels = ds::pack::read_idx(fashion_mnist + "/" + prefix + "-labels-idx1-ubyte.gz", 1);
    ds::data::dataset data{ds::data::make_local_storage(), (out / split).string()};
    BOOST_TEST(data.shards().size() == 2u);
    BOOST_REQUIRE_EQUAL(data.fields().size(), 2u);
    BOOST_TEST(data.fields()[0].name == "image");
    BOOST_TEST(data.fields()[0].shape == (std::vector<std::int64_t>{28, 28}),
               boost::test_tools::per_element());
    BOOST_TEST(data.fields()[1].name == "label");
    BOOST_TEST(data.fields()[1].shape.empty());
    auto records = read_back(out / split);
    BOOST_REQUIRE_EQUAL(records.size(), 300u);
    for (std::uint64_t i = 0; i < records.size(); ++i) {
      BOOST_TEST_REQUIRE(records[i][0] == idx_record(images, i), split << " image " << i);
      BOOST_TEST_REQUIRE(records[i][1] == idx_record(labels, i), split << " label " << i);
    }
  }
  inspect({out / "train", out / "test"});
  std::ifstream report{json};
  std::stringstream text;
  text << report.rdbuf();
  BOOST_TEST(contains(text.str(), "\"command\": \"fashion-mnist\""));
  BOOST_TEST(contains(text.str(), "\"decode_mb_per_s\""));
}

BOOST_AUTO_TEST_CASE(fortunes_pack_byte_for_byte_with_every_twentieth_in_val) {
  auto out = temp_folder() / "text";
  pack({"text", "--in", fortunes, "--out", out.string(), "--limit", "200"});
  auto expected = source_fortunes();
  BOOST_REQUIRE_GE(expected.size(), 200u);
  auto train = read_back(out / "train");
  auto val = read_back(out / "val");
  BOOST_REQUIRE_EQUAL(train.size(), 190u);
  BOOST_REQUIRE_EQUAL(val.size(), 10u);
  std::size_t next_train = 0;
  std::size_t next_val = 0;
  for (std::size_t i = 0; i < 200; ++i) {
    const auto& got = (i + 1) % 20 == 0 ? val[next_val++] : train[next_train++];
    BOOST_TEST_REQUIRE(got.front() == expected[i], "fortune " << i);
  }
  inspect({out / "train", out / "val"});
}

BOOST_AUTO_TEST_CASE(windows_are_fixed_slices_of_the_joined_fortunes) {
  auto out = temp_folder() / "windows";
  pack({"text", "--in", fortunes, "--out", out.string(), "--window", "129", "--limit", "100",
        "--val-fraction", "0"});
  BOOST_TEST(!fs::exists(out / "val"));
  std::string corpus;
  for (const auto& fortune : source_fortunes()) {
    corpus += (corpus.empty() ? "" : "\n") + fortune;
    if (corpus.size() > 100 * 129)
      break;
  }
  auto windows = read_back(out / "train");
  BOOST_REQUIRE_EQUAL(windows.size(), 100u);
  for (std::size_t i = 0; i < windows.size(); ++i)
    BOOST_TEST_REQUIRE(windows[i].front() == corpus.substr(i * 129, 129), "window " << i);
  inspect({out / "train"});
}

BOOST_AUTO_TEST_CASE(a_missing_input_fails_with_exit_1_naming_the_file) {
  auto missing = (temp_folder() / "no-such-folder").string();
  auto result = pack({"fashion-mnist", "--in", missing, "--out", (temp_folder() / "x").string()},
                     1);
  BOOST_TEST(contains(result.err, missing + "/train-images-idx3-ubyte.gz"));
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2) {
  auto out = (temp_folder() / "usage").string();
  BOOST_TEST(contains(pack({"text", "--out", out, "--bogus"}, 2).err, "--bogus"));
  BOOST_TEST(contains(pack({"pictures", "--out", out}, 2).err, "pictures"));
  BOOST_TEST(contains(pack({"text", "--in", fortunes, "--out", out, "--quality", "50"}, 2).err,
                      "--allow-lossy"));
  auto webp_text =
    pack({"text", "--in", fortunes, "--out", out, "--limit", "50", "--codec", "webp"}, 2);
  BOOST_TEST(contains(webp_text.err, "field 'text'"));
  BOOST_TEST(contains(pack({"--help"}).out, "--report-json"));
}
