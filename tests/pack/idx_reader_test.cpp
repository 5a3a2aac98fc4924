#define BOOST_TEST_MODULE idx_reader
#include <boost/test/unit_test.hpp>

#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "idx_reader.hpp"
#include "../support/test_text.hpp"

namespace fs = std::filesystem;
using ds::pack::read_idx;

namespace {

/// A fresh temporary folder per test process.
fs::path temp_folder() {
  auto dir = fs::temp_directory_path() / ("dsflow-idx-test-" + std::to_string(getpid()));
  fs::create_directories(dir);
  return dir;
}

std::string idx_bytes(std::uint8_t type, const std::vector<std::uint32_t>& dims,
                      const std::string& data) {
  std::string out{'\0', '\0', static_cast<char>(type), static_cast<char>(dims.size())};
  for (auto dim : dims)
    for (int shift = 24; shift >= 0; shift -= 8)
      out += static_cast<char>((dim >> shift) & 0xff);
  return out + data;
}

std::string write_gzip(const std::string& name, const std::string& bytes) {
  auto path = (temp_folder() / name).string();
  gzFile file = gzopen(path.c_str(), "wb");
  BOOST_REQUIRE(file != nullptr);
  BOOST_REQUIRE_EQUAL(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())),
                      static_cast<int>(bytes.size()));
  BOOST_REQUIRE_EQUAL(gzclose(file), Z_OK);
  return path;
}

std::string write_plain(const std::string& name, const std::string& bytes) {
  auto path = (temp_folder() / name).string();
  std::ofstream{path, std::ios::binary} << bytes;
  return path;
}

/// Runs `read_idx` and returns its error message ("" when it succeeded).
std::string read_error(const std::string& path, std::optional<int> rank = std::nullopt) {
  try {
    read_idx(path, rank);
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  return "";
}

using ds::test::contains;

} // namespace

BOOST_AUTO_TEST_CASE(a_gzip_idx3_file_reads_back_its_dimensions_and_bytes) {
  std::string pixels;
  for (int i = 0; i < 2 * 3 * 4; ++i)
    pixels += static_cast<char>(i * 10);
  auto path = write_gzip("images.gz", idx_bytes(0x08, {2, 3, 4}, pixels));
  auto array = read_idx(path, 3);
  BOOST_TEST(array.dims == (std::vector<std::int64_t>{2, 3, 4}), boost::test_tools::per_element());
  BOOST_TEST(array.count() == 2);
  BOOST_TEST(array.record_size() == 12u);
  BOOST_TEST(array.record_shape() == (std::vector<std::int64_t>{3, 4}),
             boost::test_tools::per_element());
  BOOST_REQUIRE_EQUAL(array.data.size(), pixels.size());
  for (std::size_t i = 0; i < pixels.size(); ++i)
    BOOST_TEST(std::to_integer<int>(array.data[i]) == static_cast<unsigned char>(pixels[i]));
}

BOOST_AUTO_TEST_CASE(an_uncompressed_idx1_file_reads_too) {
  auto path = write_plain("labels", idx_bytes(0x08, {3}, std::string{"\x01\x02\x09"}));
  auto array = read_idx(path, 1);
  BOOST_TEST(array.count() == 3);
  BOOST_TEST(array.record_shape().empty());
  BOOST_TEST(std::to_integer<int>(array.data[2]) == 9);
}

BOOST_AUTO_TEST_CASE(a_file_of_another_rank_is_named_with_both_magics) {
  auto path = write_gzip("labels-as-images.gz", idx_bytes(0x08, {3}, "abc"));
  auto error = read_error(path, 3);
  BOOST_TEST(contains(error, path));
  BOOST_TEST(contains(error, "0x00000801"));
  BOOST_TEST(contains(error, "0x00000803"));
}

BOOST_AUTO_TEST_CASE(a_non_byte_element_type_is_refused) {
  auto path = write_gzip("floats.gz", idx_bytes(0x0d, {1}, "abcd"));
  auto error = read_error(path);
  BOOST_TEST(contains(error, path));
  BOOST_TEST(contains(error, "element type 0x0000000d"));
}

BOOST_AUTO_TEST_CASE(a_file_without_the_two_zero_bytes_is_not_idx) {
  auto path = write_plain("text.txt", "hello world");
  auto error = read_error(path);
  BOOST_TEST(contains(error, path));
  BOOST_TEST(contains(error, "not an IDX file"));
}

BOOST_AUTO_TEST_CASE(truncated_data_and_trailing_bytes_are_both_errors) {
  auto short_path = write_gzip("short.gz", idx_bytes(0x08, {2, 2}, "abc"));
  BOOST_TEST(contains(read_error(short_path), "truncated data (3 of 4 bytes"));
  auto long_path = write_gzip("long.gz", idx_bytes(0x08, {2, 2}, "abcde"));
  BOOST_TEST(contains(read_error(long_path), "trailing bytes"));
  auto header_path = write_gzip("header.gz", idx_bytes(0x08, {2, 2}, "").substr(0, 6));
  BOOST_TEST(contains(read_error(header_path), "truncated header"));
}

BOOST_AUTO_TEST_CASE(a_zero_dimension_is_an_error) {
  auto path = write_gzip("zero.gz", idx_bytes(0x08, {0, 2}, ""));
  BOOST_TEST(contains(read_error(path), "dimension 1 is zero"));
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_named) {
  auto path = (temp_folder() / "missing.gz").string();
  auto error = read_error(path);
  BOOST_TEST(contains(error, path));
  BOOST_TEST(contains(error, "cannot open"));
}
