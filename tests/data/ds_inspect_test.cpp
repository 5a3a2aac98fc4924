#define BOOST_TEST_MODULE ds_inspect
#include <boost/test/unit_test.hpp>

#include <filesystem>

#include "process_runner.hpp"
#include "shard_test_support.hpp"
#include "../support/test_text.hpp"

using ds::test::run_process;

namespace {

const std::string ds_inspect = DS_INSPECT_PATH;
const std::string vectors = SHARD_VECTORS_DIR;

using ds::test::contains;

} // namespace

BOOST_AUTO_TEST_CASE(good_shards_pass_and_their_fields_are_listed) {
  auto result = run_process({ds_inspect, vectors + "/mixed.dsshard", vectors + "/matrix.dsshard",
                             vectors + "/empty.dsshard"});
  BOOST_TEST(result.exit_code == 0, result.err);
  BOOST_TEST(contains(result.out, "version 1, 5 records, 549 bytes"));
  BOOST_TEST(contains(result.out, "image: u8 [4,4,1] raw (width 4, height 4, channels 1"));
  BOOST_TEST(contains(result.out, "tokens: i32 [-1,2] raw"));
  BOOST_TEST(contains(result.out, "dictionary 4 bytes"));
  BOOST_TEST(contains(result.out, "5 of 5 records verified"));
  BOOST_TEST(contains(result.out, "per codec"));
}

BOOST_AUTO_TEST_CASE(a_bad_record_is_listed_and_the_others_still_checked) {
  auto result = run_process({ds_inspect, vectors + "/broken-record-3-bitflip.dsshard",
                             vectors + "/broken-version-2.dsshard", vectors + "/mixed.dsshard"});
  BOOST_TEST(result.exit_code == 1);
  BOOST_TEST(contains(result.err, "broken-record-3-bitflip.dsshard: record 3: checksum mismatch"));
  BOOST_TEST(contains(result.err, "broken-version-2.dsshard: version 2"));
  BOOST_TEST(contains(result.err, "2 problems in 3 shards"));
  BOOST_TEST(contains(result.out, "4 of 5 records verified"));
  BOOST_TEST(contains(result.out, "5 of 5 records verified"));
}

BOOST_AUTO_TEST_CASE(a_folder_means_its_shards) {
  auto result = run_process({ds_inspect, vectors});
  BOOST_TEST(result.exit_code == 1);  // the folder holds the broken vectors too
  BOOST_TEST(contains(result.out, "mixed.dsshard"));
  BOOST_TEST(contains(result.err, "not a dsflow shard"));
  BOOST_TEST(contains(result.err, "no DSINDEX magic"));
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_with_2) {
  BOOST_TEST(run_process({ds_inspect}).exit_code == 2);
  BOOST_TEST(run_process({ds_inspect, "--frobnicate"}).exit_code == 2);
  auto missing = run_process({ds_inspect, vectors + "/missing.dsshard"});
  BOOST_TEST(missing.exit_code == 2);
  BOOST_TEST(contains(missing.err, "missing.dsshard: no such file or folder"));
}

BOOST_AUTO_TEST_CASE(encoded_fields_are_decoded_and_counted_per_codec) {
  if (ds::codecs::find_codec(ds::codecs::codec_id::zstd) == nullptr) {
    BOOST_TEST_MESSAGE("zstd is not built in: skipped");
    return;
  }
  auto path = ds::test::scratch_folder("ds-inspect-test") / "z.dsshard";
  auto text = ds::test::make_field("text", ds::dtype::u8, {-1}, ds::codecs::codec_id::zstd);
  ds::test::write_shard(path, {text}, {{ds::test::to_bytes(std::string(3000, 'x'))},
                                       {ds::test::to_bytes(std::string_view{"y"})}});
  auto result = run_process({ds_inspect, path.string()});
  BOOST_TEST(result.exit_code == 0, result.err);
  BOOST_TEST(contains(result.out, "text: u8 [-1] zstd"));
  BOOST_TEST(contains(result.out, "    zstd "));
  BOOST_TEST(contains(result.out, "    raw "));  // the one-byte value is stored raw
}
