#define BOOST_TEST_MODULE storage
#include <boost/test/unit_test.hpp>

#include "data/fault_injecting_storage.hpp"
#include "data/memory_storage.hpp"
#include "shard_test_support.hpp"

using namespace ds::data;
using namespace ds::test;
namespace fs = std::filesystem;

namespace {

std::string text(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::string sample_file() {
  auto path = scratch_folder("storage-test") / "file.bin";
  write_file(path, to_bytes(std::string_view{"0123456789"}));
  return path.string();
}

} // namespace

BOOST_AUTO_TEST_CASE(local_storage_reads_ranges_and_sizes) {
  auto path = sample_file();
  auto store = make_local_storage();
  BOOST_TEST(store->size(path) == 10u);
  std::vector<std::byte> out(4);
  store->read(path, 3, out);
  BOOST_TEST(text(out) == "3456");
  store->will_need(path, 0, 10);
}

BOOST_AUTO_TEST_CASE(local_storage_keeps_a_file_open_after_first_use) {
  auto path = sample_file();
  auto store = make_local_storage();
  BOOST_TEST(store->size(path) == 10u);
  fs::remove(path);  // the cached descriptor still reads the unlinked file
  std::vector<std::byte> out(2);
  store->read(path, 0, out);
  BOOST_TEST(text(out) == "01");
}

BOOST_AUTO_TEST_CASE(local_storage_errors_name_file_range_and_cause) {
  auto path = sample_file();
  auto store = make_local_storage();
  std::vector<std::byte> out(4);
  auto message = error_of<storage_error>([&] { store->read(path, 8, out); });
  BOOST_TEST(contains(message, path + " (offset 8, length 4)"));
  BOOST_TEST(contains(message, "end of file after 2 bytes"));
  message = error_of<storage_error>([&] { store->size(path + ".missing"); });
  BOOST_TEST(contains(message, path + ".missing: No such file or directory"));
}

BOOST_AUTO_TEST_CASE(memory_storage_refuses_reads_past_the_end) {
  memory_storage store;
  store.put("a", to_bytes(std::string_view{"abc"}));
  std::vector<std::byte> out(2);
  store.read("a", 1, out);
  BOOST_TEST(text(out) == "bc");
  BOOST_TEST(contains(error_of<storage_error>([&] { store.read("a", 2, out); }), "a (offset 2, length 2)"));
  BOOST_TEST(contains(error_of<storage_error>([&] { store.size("b"); }), "cannot open b"));
}

BOOST_AUTO_TEST_CASE(fault_injection_flips_truncates_and_fails_until_healed) {
  auto inner = std::make_shared<memory_storage>();
  inner->put("a", to_bytes(std::string_view{"abcdef"}));
  fault_injecting_storage store{inner};
  std::vector<std::byte> out(6);

  store.flip_bit("a", 2, 0);
  store.read("a", 0, out);
  BOOST_TEST(text(out) == "abbdef");  // 'c' ^ 1
  std::vector<std::byte> tail(3);
  store.read("a", 3, tail);
  BOOST_TEST(text(tail) == "def");  // the flip lies outside this range

  store.truncate("a", 4);
  BOOST_TEST(store.size("a") == 4u);
  BOOST_TEST(contains(error_of<storage_error>([&] { store.read("a", 3, tail); }), "truncated to 4 bytes"));

  store.fail_reads("a", true);
  BOOST_TEST(contains(error_of<storage_error>([&] { store.size("a"); }), "a: injected failure"));
  store.fail_reads("a", false);
  BOOST_TEST(store.size("a") == 4u);

  store.heal();
  store.read("a", 0, out);
  BOOST_TEST(text(out) == "abcdef");
  BOOST_TEST(store.read_count() == 3u);
  BOOST_TEST(store.bytes_read() == 15u);
}
