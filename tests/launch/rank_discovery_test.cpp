#define BOOST_TEST_MODULE rank_discovery
#include <boost/test/unit_test.hpp>

#include <map>

#include "launch/launch_error.hpp"
#include "launch/rank_discovery.hpp"
#include "../support/test_text.hpp"

using ds::launch::discover_rank;
using ds::launch::launch_error;
using ds::launch::rank_flags;
using ds::test::contains;
using ds::test::error_of;

namespace {

using environment = std::map<std::string, std::string>;

ds::launch::env_reader reader_of(const environment& env) {
  return [&env](const char* name) -> const char* {
    auto found = env.find(name);
    return found == env.end() ? nullptr : found->second.c_str();
  };
}

ds::launch::rank_info discover(const environment& env, const rank_flags& flags = {}) {
  return discover_rank(flags, reader_of(env));
}

std::string error_for(const environment& env, const rank_flags& flags = {}) {
  return error_of<launch_error>([&] { discover(env, flags); });
}

const environment all_sources{
  {"DS_RANK", "1"}, {"DS_WORLD_SIZE", "2"}, {"DS_COORDINATOR", "node01:29500"},
  {"OMPI_COMM_WORLD_RANK", "3"}, {"OMPI_COMM_WORLD_SIZE", "4"},
  {"SLURM_PROCID", "5"}, {"SLURM_NTASKS", "8"},
};

} // namespace

BOOST_AUTO_TEST_CASE(no_source_means_one_rank) {
  auto info = discover({});
  BOOST_TEST(info.rank == 0);
  BOOST_TEST(info.world_size == 1);
  BOOST_TEST(info.source == "default");
  BOOST_TEST(info.coordinator.empty());
}

BOOST_AUTO_TEST_CASE(flags_win_over_every_variable) {
  auto info = discover(all_sources, {"0", "3", "host:1"});
  BOOST_TEST(info.rank == 0);
  BOOST_TEST(info.world_size == 3);
  BOOST_TEST(info.coordinator == "host:1");
  BOOST_TEST(info.source == "command line");
}

BOOST_AUTO_TEST_CASE(ds_variables_win_over_open_mpi_and_slurm) {
  auto info = discover(all_sources);
  BOOST_TEST(info.rank == 1);
  BOOST_TEST(info.world_size == 2);
  BOOST_TEST(info.coordinator == "node01:29500");
  BOOST_TEST(info.source == "DS_RANK");
}

BOOST_AUTO_TEST_CASE(open_mpi_wins_over_slurm_and_takes_the_coordinator_from_the_environment) {
  auto env = all_sources;
  env.erase("DS_RANK");
  env.erase("DS_WORLD_SIZE");
  auto info = discover(env);
  BOOST_TEST(info.rank == 3);
  BOOST_TEST(info.world_size == 4);
  BOOST_TEST(info.source == "Open MPI");
  BOOST_TEST(info.coordinator == "node01:29500");
}

BOOST_AUTO_TEST_CASE(slurm_is_the_last_source_and_the_coordinator_flag_beats_the_variable) {
  environment env{{"SLURM_PROCID", "5"}, {"SLURM_NTASKS", "8"}, {"DS_COORDINATOR", "a:1"}};
  auto info = discover(env, {std::nullopt, std::nullopt, "b:2"});
  BOOST_TEST(info.rank == 5);
  BOOST_TEST(info.world_size == 8);
  BOOST_TEST(info.source == "Slurm");
  BOOST_TEST(info.coordinator == "b:2");
}

BOOST_AUTO_TEST_CASE(a_single_rank_needs_no_coordinator) {
  auto info = discover({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "1"}});
  BOOST_TEST(info.world_size == 1);
  BOOST_TEST(info.coordinator.empty());
}

BOOST_AUTO_TEST_CASE(a_rank_at_or_above_the_world_size_is_refused_naming_both_variables) {
  auto message = error_for({{"DS_RANK", "2"}, {"DS_WORLD_SIZE", "2"}, {"DS_COORDINATOR", "h:1"}});
  BOOST_TEST(contains(message, "DS_RANK=2 is not below DS_WORLD_SIZE=2"), message);
  message = error_for({}, {"4", "4", "h:1"});
  BOOST_TEST(contains(message, "--rank=4 is not below --world-size=4"), message);
}

BOOST_AUTO_TEST_CASE(a_value_that_is_not_a_number_is_refused_naming_its_variable) {
  auto message = error_for({{"OMPI_COMM_WORLD_RANK", "one"}, {"OMPI_COMM_WORLD_SIZE", "2"}});
  BOOST_TEST(contains(message, "OMPI_COMM_WORLD_RANK='one' is not a whole number"), message);
  message = error_for({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "4x"}});
  BOOST_TEST(contains(message, "SLURM_NTASKS='4x' is not a whole number"), message);
  message = error_for({{"DS_RANK", "-1"}, {"DS_WORLD_SIZE", "2"}});
  BOOST_TEST(contains(message, "DS_RANK=-1 must be at least 0"), message);
  message = error_for({{"DS_RANK", "0"}, {"DS_WORLD_SIZE", "0"}});
  BOOST_TEST(contains(message, "DS_WORLD_SIZE=0 must be at least 1"), message);
}

BOOST_AUTO_TEST_CASE(half_a_source_is_refused_naming_the_missing_half) {
  auto message = error_for({{"DS_RANK", "0"}});
  BOOST_TEST(contains(message, "DS_RANK is set but DS_WORLD_SIZE is not"), message);
  message = error_for({}, {std::nullopt, "2", std::nullopt});
  BOOST_TEST(contains(message, "--world-size is set but --rank is not"), message);
}

BOOST_AUTO_TEST_CASE(a_missing_coordinator_says_what_to_set_for_each_launcher) {
  auto message = error_for({{"DS_RANK", "0"}, {"DS_WORLD_SIZE", "2"}});
  BOOST_TEST(contains(message, "no coordinator is known: set DS_COORDINATOR=HOST:PORT"), message);
  message = error_for({{"OMPI_COMM_WORLD_RANK", "1"}, {"OMPI_COMM_WORLD_SIZE", "2"}});
  BOOST_TEST(contains(message, "Open MPI says rank 1 of 2"), message);
  BOOST_TEST(contains(message, "export DS_COORDINATOR=HOST:PORT"), message);
  BOOST_TEST(contains(message, "mpirun -x DS_COORDINATOR"), message);
  message = error_for({{"SLURM_PROCID", "3"}, {"SLURM_NTASKS", "4"}});
  BOOST_TEST(contains(message, "Slurm says rank 3 of 4 (SLURM_PROCID, SLURM_NTASKS)"), message);
  BOOST_TEST(contains(message, "before srun"), message);
  message = error_for({}, {"0", "2", std::nullopt});
  BOOST_TEST(contains(message, "--coordinator HOST:PORT"), message);
}

BOOST_AUTO_TEST_CASE(a_malformed_coordinator_is_refused_naming_where_it_came_from) {
  auto message = error_for({{"DS_RANK", "0"}, {"DS_WORLD_SIZE", "2"}, {"DS_COORDINATOR", "node01"}});
  BOOST_TEST(contains(message, "DS_COORDINATOR='node01' has no port"), message);
  message = error_for({}, {"0", "2", "node01:99999"});
  BOOST_TEST(contains(message, "--coordinator='node01:99999' has no valid port"), message);
}
