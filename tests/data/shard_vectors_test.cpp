#define BOOST_TEST_MODULE shard_vectors
#include <boost/test/unit_test.hpp>

#include <set>

#include "data/shard_reader.hpp"
#include "shard_test_support.hpp"
#include "shard_vectors.hpp"
#include "../support/test_text.hpp"

using namespace ds::data;
using namespace ds::test;
namespace fs = std::filesystem;

namespace {

const fs::path vectors_folder = SHARD_VECTORS_DIR;

using ds::test::contains;

/// The shard_error of opening `name` and reading every record, or "".
std::string problem_of(const std::string& name) {
  try {
    shard_reader reader{make_local_storage(), (vectors_folder / name).string()};
    for (std::uint64_t i = 0; i < reader.record_count(); ++i) {
      std::vector<std::byte> bytes(reader.location(i).length);
      reader.read_record(i, bytes);
      reader.parse_record(i, bytes);
    }
  } catch (const shard_error& error) {
    return error.what();
  }
  return {};
}

} // namespace

BOOST_AUTO_TEST_CASE(the_checked_in_vectors_are_what_the_writer_writes_today) {
  std::set<std::string> generated;
  for (const auto& vector : make_shard_vectors(scratch_folder("vectors-test"))) {
    generated.insert(vector.name);
    BOOST_TEST_CONTEXT(vector.name << " (rebuild with make_shard_vectors after a version bump)") {
      BOOST_TEST((read_file(vectors_folder / vector.name) == vector.bytes));
      auto description = read_file(fs::path{vectors_folder / vector.name}.replace_extension(".txt"));
      BOOST_TEST((description == to_bytes(vector.description)));
    }
  }
  for (const auto& entry : fs::directory_iterator{vectors_folder})
    if (entry.path().extension() == ".dsshard")
      BOOST_TEST(generated.count(entry.path().filename().string()) == 1u,
                 entry.path() << " is not built by make_shard_vectors");
}

BOOST_AUTO_TEST_CASE(good_vectors_read_completely) {
  BOOST_TEST(problem_of("mixed.dsshard") == "");
  BOOST_TEST(problem_of("matrix.dsshard") == "");
  BOOST_TEST(problem_of("empty.dsshard") == "");
}

BOOST_AUTO_TEST_CASE(broken_vectors_are_refused_saying_why) {
  BOOST_TEST(contains(problem_of("broken-truncated-header.dsshard"), "truncated: 20 bytes"));
  BOOST_TEST(contains(problem_of("broken-bad-magic.dsshard"), "not a dsflow shard"));
  BOOST_TEST(contains(problem_of("broken-version-2.dsshard"),
                      "version 2, this dsflow reads version 1"));
  BOOST_TEST(contains(problem_of("broken-record-3-bitflip.dsshard"),
                      "broken-record-3-bitflip.dsshard: record 3: checksum mismatch"));
  BOOST_TEST(contains(problem_of("broken-truncated-index.dsshard"), "no DSINDEX magic"));
}
