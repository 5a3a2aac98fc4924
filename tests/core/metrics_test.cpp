#define BOOST_TEST_MODULE metrics
#include <boost/test/unit_test.hpp>

// property_tree still includes the deprecated boost/bind.hpp; keep its placeholders quiet.
#define BOOST_BIND_GLOBAL_PLACEHOLDERS
#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include <sstream>
#include <thread>

#include "dsflow/metrics.hpp"

namespace pt = boost::property_tree;

namespace {

std::vector<pt::ptree> parse_lines(const std::string& text) {
  std::vector<pt::ptree> objects;
  std::istringstream lines{text};
  for (std::string line; std::getline(lines, line);) {
    std::istringstream json{line};
    pt::ptree object;
    pt::read_json(json, object);
    objects.push_back(object);
  }
  return objects;
}

} // namespace

BOOST_AUTO_TEST_CASE(each_replica_becomes_one_json_object_per_line) {
  ds::metrics_registry registry;
  auto& decode0 = registry.add_replica("decode", "decode#0", 0);
  auto& decode1 = registry.add_replica("decode", "decode#1", 1);
  decode0.items_in.add(10);
  decode0.items_out.add(9);
  decode0.items_failed.add();
  decode0.bytes_in.add(4096);
  decode0.busy_ns.add(1'500'000'000);
  decode0.blocked_ns.set(250'000'000);
  decode0.queue_depth.set(3);
  decode0.custom("cache_hits").add(7);
  decode0.set_result("accuracy", 0.875);
  decode1.restarts.add(2);

  auto text = registry.to_json_lines(12.5);
  BOOST_TEST(std::count(text.begin(), text.end(), '\n') == 2);
  auto objects = parse_lines(text);
  BOOST_REQUIRE(objects.size() == 2u);
  const auto& first = objects[0];
  BOOST_TEST(first.get<double>("time_s") == 12.5);
  BOOST_TEST(first.get<std::string>("stage") == "decode");
  BOOST_TEST(first.get<std::string>("actor") == "decode#0");
  BOOST_TEST(first.get<int>("replica") == 0);
  BOOST_TEST(first.get<int>("items_in") == 10);
  BOOST_TEST(first.get<int>("items_out") == 9);
  BOOST_TEST(first.get<int>("items_failed") == 1);
  BOOST_TEST(first.get<int>("bytes_in") == 4096);
  BOOST_TEST(first.get<int>("bytes_out") == 0);
  BOOST_TEST(first.get<double>("busy_s") == 1.5);
  BOOST_TEST(first.get<double>("idle_s") == 0.0);
  BOOST_TEST(first.get<double>("blocked_s") == 0.25);
  BOOST_TEST(first.get<int>("queue_depth") == 3);
  BOOST_TEST(first.get<int>("custom.cache_hits") == 7);
  BOOST_TEST(first.get<double>("results.accuracy") == 0.875);
  BOOST_TEST(objects[1].get<int>("restarts") == 2);
  BOOST_TEST(objects[1].get<int>("replica") == 1);
}

BOOST_AUTO_TEST_CASE(keys_appear_in_the_documented_order) {
  ds::metrics_registry registry;
  registry.add_replica("s", "s#0", 0);
  auto text = registry.to_json_lines(1);
  const char* keys[] = {"time_s", "stage", "actor", "replica", "items_in", "items_out",
                        "items_failed", "bytes_in", "bytes_out", "busy_s", "idle_s",
                        "blocked_s", "queue_depth", "restarts", "custom", "results"};
  std::size_t at = 0;
  for (const char* key : keys) {
    auto found = text.find('"' + std::string(key) + "\":", at);
    BOOST_TEST(found != std::string::npos, key);
    at = found;
  }
  BOOST_TEST(text.ends_with("\"custom\":{},\"results\":{}}\n"));
}

BOOST_AUTO_TEST_CASE(names_are_escaped_as_json_strings) {
  ds::metrics_registry registry;
  auto nasty = std::string("a\"b\\c\nd\te\x01") + "\xc3\xa9";
  auto& m = registry.add_replica(nasty, "act", 0);
  m.custom(nasty).add(1);
  auto text = registry.to_json_lines(0);
  BOOST_TEST(text.find("\"a\\\"b\\\\c\\nd\\te\\u0001\xc3\xa9\"") != std::string::npos, text);
  auto objects = parse_lines(text);
  BOOST_REQUIRE(objects.size() == 1u);
  BOOST_TEST(objects[0].get<std::string>("stage") == nasty);
}

BOOST_AUTO_TEST_CASE(a_time_that_is_not_finite_becomes_null) {
  ds::metrics_registry registry;
  registry.add_replica("s", "s#0", 0);
  auto text = registry.to_json_lines(std::numeric_limits<double>::quiet_NaN());
  BOOST_TEST(text.starts_with("{\"time_s\":null,"));
}

BOOST_AUTO_TEST_CASE(custom_counters_are_created_once_and_readable_while_counting) {
  ds::metrics_registry registry;
  auto& m = registry.add_replica("s", "s#0", 0);
  auto& hits = m.custom("hits");
  BOOST_TEST(&m.custom("hits") == &hits);
  std::thread reader{[&] {
    for (int i = 0; i < 1000; ++i)
      (void) registry.to_json_lines(0);
  }};
  for (int i = 0; i < 1000; ++i)
    hits.add();
  reader.join();
  BOOST_TEST(m.custom_values().at(0).second == 1000u);
}
