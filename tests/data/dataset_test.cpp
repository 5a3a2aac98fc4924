#define BOOST_TEST_MODULE dataset
#include <boost/test/unit_test.hpp>

#include "data/dataset.hpp"
#include "shard_test_support.hpp"

using namespace ds;
using namespace ds::data;
using namespace ds::test;

namespace {

void labels_shard(const std::filesystem::path& path, int count, field_spec field) {
  std::vector<std::vector<std::vector<std::byte>>> records;
  for (int i = 0; i < count; ++i)
    records.push_back({to_bytes(std::vector<std::int32_t>{i})});
  write_shard(path, {std::move(field)}, records);
}

field_spec label() {
  return make_field("label", dtype::i32, {});
}

} // namespace

BOOST_AUTO_TEST_CASE(records_are_numbered_across_shards_in_name_order) {
  auto folder = scratch_folder("dataset-test");
  labels_shard(folder / "b.dsshard", 3, label());
  labels_shard(folder / "a.dsshard", 2, label());
  labels_shard(folder / "c.dsshard", 0, label());
  labels_shard(folder / "d.dsshard", 4, label());
  write_file(folder / "notes.txt", to_bytes(std::string_view{"not a shard"}));
  dataset data{make_local_storage(), folder.string()};
  BOOST_TEST(data.shards().size() == 4u);
  BOOST_TEST(data.record_count() == 9u);
  BOOST_TEST(data.fields()[0].name == "label");
  using place = std::pair<std::uint32_t, std::uint64_t>;
  BOOST_TEST((data.locate(0) == place{0, 0}));
  BOOST_TEST((data.locate(1) == place{0, 1}));
  BOOST_TEST((data.locate(2) == place{1, 0}));
  BOOST_TEST((data.locate(4) == place{1, 2}));
  BOOST_TEST((data.locate(5) == place{3, 0}));  // c.dsshard is empty
  BOOST_TEST((data.locate(8) == place{3, 3}));
  BOOST_TEST(contains(error_of<shard_error>([&] { data.locate(9); }), "record 9 out of range"));
}

BOOST_AUTO_TEST_CASE(shards_that_disagree_on_a_field_are_named) {
  auto folder = scratch_folder("dataset-test-mismatch");
  labels_shard(folder / "a.dsshard", 1, label());
  labels_shard(folder / "b.dsshard", 1, make_field("label", dtype::i32, {1}));
  auto message = error_of<shard_error>([&] { dataset{make_local_storage(), folder.string()}; });
  BOOST_TEST(contains(message, "field 0 of " + (folder / "b.dsshard").string()));
  BOOST_TEST(contains(message, "has shape [1], not []"));
  BOOST_TEST(contains(message, (folder / "a.dsshard").string()));
}

BOOST_AUTO_TEST_CASE(dictionaries_may_differ_per_shard) {
  auto folder = scratch_folder("dataset-test-dictionary");
  auto with_table = label();
  with_table.dictionary = to_bytes(std::string_view{"table"});
  labels_shard(folder / "a.dsshard", 1, label());
  labels_shard(folder / "b.dsshard", 1, with_table);
  dataset data{make_local_storage(), folder.string()};
  BOOST_TEST(data.shards()[1].fields()[0].dictionary.size() == 5u);
}

BOOST_AUTO_TEST_CASE(a_folder_without_shards_is_refused) {
  auto folder = scratch_folder("dataset-test-none");
  BOOST_TEST(contains(error_of<shard_error>([&] { dataset{make_local_storage(), folder.string()}; }),
                      "no *.dsshard file"));
  BOOST_TEST(contains(error_of<shard_error>([&] { open_local_dataset(folder.string() + "/missing"); }),
                      "missing"));
}

BOOST_AUTO_TEST_CASE(a_local_dataset_is_opened_once_per_folder) {
  auto folder = scratch_folder("dataset-test-cache");
  labels_shard(folder / "a.dsshard", 2, label());
  auto first = open_local_dataset(folder.string());
  auto again = open_local_dataset(folder.string() + "/./");
  BOOST_TEST(first.get() == again.get());
  BOOST_TEST(first->record_count() == 2u);
}
