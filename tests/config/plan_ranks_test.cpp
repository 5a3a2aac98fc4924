#define BOOST_TEST_MODULE plan_ranks
#include <boost/test/unit_test.hpp>

#include "config/plan_ranks.hpp"
#include "config_test_support.hpp"

// `rank:` places a stage on one rank. The planner refuses placements where an ordered stage
// could not see one whole numbered stream, whatever the job's size.

using namespace ds;
using namespace ds::testing;

namespace {

/// gen → work → order → out, with the first three stages' extra keys.
std::string pipeline(const std::string& gen, const std::string& work, const std::string& order) {
  return "version: 1\n"
         "stages:\n"
         "  gen: {actor: synthetic_source" + gen + "}\n"
         "  work: {actor: transform, inputs: [gen.out]" + work + "}\n"
         "  order: {actor: reorder, inputs: [work.out]" + order + "}\n"
         "  out: {actor: sink, inputs: [order.out]}\n";
}

bool has_error(const std::vector<std::string>& errors, const std::string& text) {
  for (const auto& e : errors)
    if (e.find(text) != std::string::npos)
      return true;
  return false;
}

} // namespace

BOOST_AUTO_TEST_CASE(rank_is_read_and_shown) {
  auto plan = plan_text(pipeline(", rank: 0", "", ", rank: 1"));
  BOOST_TEST(plan.find("gen")->rank.value() == 0u);
  BOOST_TEST(!plan.find("work")->rank.has_value());
  BOOST_TEST(plan.find("order")->rank.value() == 1u);
  BOOST_TEST(describe_plan(plan).find("    rank: 1\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_rank_must_be_a_non_negative_integer) {
  auto errors = plan_errors(pipeline(", rank: -1", "", ""));
  BOOST_TEST(has_error(errors, "stages.gen.rank"), errors.front());
  errors = plan_errors(pipeline(", rank: first", "", ""));
  BOOST_TEST(has_error(errors, "stages.gen.rank"), errors.front());
}

BOOST_AUTO_TEST_CASE(pinned_source_spread_over_ranks_and_gathered_on_one_is_whole) {
  // gen on rank 0, work on every rank, order on rank 1: order sees the whole stream.
  BOOST_CHECK_NO_THROW(plan_text(pipeline(", rank: 0", "", ", rank: 1")));
  // Nothing pinned: each rank has its own whole stream.
  BOOST_CHECK_NO_THROW(plan_text(pipeline("", "", "")));
  // Everything pinned, on different ranks: the whole stream moves.
  BOOST_CHECK_NO_THROW(plan_text(pipeline(", rank: 0", ", rank: 1", ", rank: 0")));
}

BOOST_AUTO_TEST_CASE(an_ordered_stage_on_every_rank_cannot_read_a_split_stream) {
  auto errors = plan_errors(pipeline(", rank: 0", "", ""));
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  BOOST_TEST(has_error(errors, "p.yaml:5:3: stages.order: stage 'order' needs its input in order: "
                               "it runs on every rank, but its input comes from 'gen' (rank 0) "
                               "spread over the ranks"),
             errors.front());
}

BOOST_AUTO_TEST_CASE(an_ordered_stage_on_one_rank_cannot_mix_every_ranks_numbering) {
  auto errors = plan_errors(pipeline("", "", ", rank: 0"));
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  BOOST_TEST(has_error(errors, "stage 'order' needs its input in order: it runs on rank 0, but its "
                               "input mixes the streams of every rank's copy of 'work'"),
             errors.front());
}

BOOST_AUTO_TEST_CASE(a_rank_outside_the_job_is_refused_naming_the_stage) {
  auto plan = plan_text(pipeline(", rank: 0", "", ", rank: 3"));
  BOOST_CHECK_NO_THROW(check_ranks_fit(plan, 4));
  auto errors = errors_of([&] { check_ranks_fit(plan, 2); });
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  BOOST_TEST(has_error(errors, "stages.order.rank: stage 'order' is placed on rank 3, but the job "
                               "has 2 ranks (0 to 1)"),
             errors.front());
}
