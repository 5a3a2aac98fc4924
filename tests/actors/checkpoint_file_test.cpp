#define BOOST_TEST_MODULE checkpoint_file
#include <boost/test/unit_test.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "dsflow/memory.hpp"
#include "train/checkpoint_file.hpp"

namespace fs = std::filesystem;

namespace {

ds::tensor floats(ds::memory_pool& pool, std::vector<float> values) {
  auto storage = pool.allocate(values.size() * sizeof(float));
  std::memcpy(storage.data(), values.data(), values.size() * sizeof(float));
  return ds::tensor{std::move(storage), ds::dtype::f32, {static_cast<std::int64_t>(values.size())}};
}

struct fixture {
  ds::memory_pools pools;
  std::string dir = (fs::temp_directory_path() / ("dsflow-ckpt-" + std::to_string(getpid()))).string();
  ds::train_state state;

  fixture() {
    fs::remove_all(dir);
    state.updates = 12;
    state.next_step = 13;
    state.sequence_end = 416;
    state.epoch = 1;
    state.epochs_done = 1;
    state.samples = 416;
    state.model = "mlp sizes=4,3,2";
    state.optimizer = "adamw";
    state.params = floats(pools.host(), {1.5f, -2.0f, 0.25f});
    state.optimizer_moments = {floats(pools.host(), {0.1f, 0.2f, 0.3f}),
                               floats(pools.host(), {1e-3f, 2e-3f, 3e-3f})};
  }

  std::string file_bytes() {
    std::ifstream in{ds::actors::checkpoint_path(dir), std::ios::binary};
    return {std::istreambuf_iterator<char>(in), {}};
  }
  void write_bytes(const std::string& bytes) {
    std::ofstream out{ds::actors::checkpoint_path(dir), std::ios::binary | std::ios::trunc};
    out << bytes;
  }
  std::string read_error() {
    try {
      ds::actors::read_checkpoint(dir);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(checkpoint_file, fixture)

BOOST_AUTO_TEST_CASE(what_is_written_reads_back_exactly) {
  ds::actors::write_checkpoint(dir, state);
  auto saved = ds::actors::read_checkpoint(dir);
  BOOST_TEST(saved.model == state.model);
  BOOST_TEST(saved.optimizer == "adamw");
  BOOST_TEST(saved.updates == 12u);
  BOOST_TEST(saved.next_step == 13u);
  BOOST_TEST(saved.sequence_end == 416u);
  BOOST_TEST(saved.epoch == 1u);
  BOOST_TEST(saved.samples == 416u);
  BOOST_TEST(saved.params == std::vector<float>({1.5f, -2.0f, 0.25f}), boost::test_tools::per_element());
  BOOST_REQUIRE(saved.moments.size() == 2u);
  BOOST_TEST(saved.moments[1] == std::vector<float>({1e-3f, 2e-3f, 3e-3f}), boost::test_tools::per_element());
  BOOST_TEST(!fs::exists(ds::actors::checkpoint_path(dir) + ".tmp"));
}

BOOST_AUTO_TEST_CASE(every_truncation_and_every_flipped_byte_is_refused_naming_the_file) {
  ds::actors::write_checkpoint(dir, state);
  const auto good = file_bytes();
  for (std::size_t length = 0; length < good.size(); ++length) {
    write_bytes(good.substr(0, length));
    auto error = read_error();
    BOOST_TEST(error.find("checkpoint.dsckpt") != std::string::npos, "length " << length << ": " << error);
  }
  for (std::size_t at = 0; at < good.size(); ++at) {
    auto bad = good;
    bad[at] = static_cast<char>(bad[at] ^ 0x04);
    write_bytes(bad);
    BOOST_TEST(!read_error().empty(), "byte " << at);
  }
}

BOOST_AUTO_TEST_CASE(a_missing_checkpoint_says_what_was_expected) {
  auto error = read_error();
  BOOST_TEST(error.find("cannot open") != std::string::npos, error);
  BOOST_TEST(error.find("checkpointer") != std::string::npos, error);
}

BOOST_AUTO_TEST_CASE(another_model_or_optimizer_is_refused_naming_both) {
  ds::actors::write_checkpoint(dir, state);
  auto saved = ds::actors::read_checkpoint(dir);
  BOOST_CHECK_NO_THROW(ds::actors::check_checkpoint_matches(saved, dir, state.model, "adamw"));
  BOOST_CHECK_EXCEPTION(ds::actors::check_checkpoint_matches(saved, dir, "mlp sizes=4,5,2", "adamw"),
                        std::runtime_error, [](const std::runtime_error& e) {
                          std::string text = e.what();
                          return text.find("mlp sizes=4,3,2") != std::string::npos
                                 && text.find("mlp sizes=4,5,2") != std::string::npos;
                        });
  BOOST_CHECK_THROW(ds::actors::check_checkpoint_matches(saved, dir, state.model, "sgd"),
                    std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()
