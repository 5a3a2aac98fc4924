#define BOOST_TEST_MODULE stage_config
#include <boost/test/unit_test.hpp>

#include "dsflow/stage_config.hpp"

namespace {

ds::stage_config decode_config() {
  ds::stage_config config{"decode"};
  config.set("verify", {true, {}});
  config.set("threads", {std::int64_t{4}, {}});
  config.set("scale", {0.25, {}});
  ds::value_origin from_file{ds::value_origin::source::config_file, "job.yaml", 12, 5};
  config.set("layout", {std::string("nhwc"), from_file});
  config.set("fields", {std::vector<std::string>{"image", "label"}, {}});
  return config;
}

std::string out_of_range_of(auto&& get) {
  try {
    get();
  } catch (const std::out_of_range& error) {
    return error.what();
  }
  return "no error";
}

} // namespace

BOOST_AUTO_TEST_CASE(getters_return_the_typed_values) {
  auto config = decode_config();
  BOOST_TEST(config.stage_name() == "decode");
  BOOST_TEST(config.get_bool("verify"));
  BOOST_TEST(config.get_int("threads") == 4);
  BOOST_TEST(config.get_number("scale") == 0.25);
  BOOST_TEST(config.get_string("layout") == "nhwc");
  BOOST_TEST(config.get_string_list("fields").size() == 2u);
  BOOST_TEST(config.values().size() == 5u);
  BOOST_TEST(config.find("layout")->origin.line == 12);
  BOOST_TEST(config.find("nothing") == nullptr);
}

BOOST_AUTO_TEST_CASE(get_number_accepts_an_integer) {
  auto config = decode_config();
  BOOST_TEST(config.get_number("threads") == 4.0);
}

BOOST_AUTO_TEST_CASE(set_replaces_an_earlier_value) {
  auto config = decode_config();
  config.set("threads", {std::int64_t{8}, {}});
  BOOST_TEST(config.get_int("threads") == 8);
}

BOOST_AUTO_TEST_CASE(a_wrong_type_names_the_stage_the_key_and_where_the_value_came_from) {
  auto config = decode_config();
  BOOST_TEST(out_of_range_of([&] { config.get_int("layout"); })
             == "stage 'decode': config key 'layout' is of type string (from job.yaml:12:5), "
                "expected integer");
  BOOST_CHECK_THROW(config.get_int("scale"), std::out_of_range);
  BOOST_CHECK_THROW(config.get_bool("threads"), std::out_of_range);
}

BOOST_AUTO_TEST_CASE(a_missing_key_names_the_stage_and_the_key) {
  auto config = decode_config();
  BOOST_TEST(out_of_range_of([&] { config.get_bool("fast"); })
             == "stage 'decode': no config key 'fast' (the stage reads a key its schema does not "
                "declare)");
}

BOOST_AUTO_TEST_CASE(origins_describe_where_a_value_came_from) {
  using source = ds::value_origin::source;
  BOOST_TEST(ds::value_origin{}.describe() == "default");
  BOOST_TEST((ds::value_origin{source::config_file, "a.yaml", 3, 7}.describe()) == "a.yaml:3:7");
  BOOST_TEST((ds::value_origin{source::config_file, "a.yaml", 3, 0}.describe()) == "a.yaml:3");
  BOOST_TEST((ds::value_origin{source::config_file, "a.yaml", 0, 0}.describe()) == "a.yaml");
  BOOST_TEST((ds::value_origin{source::command_line, "decode.threads=8", 0, 0}.describe())
             == "command line 'decode.threads=8'");
  BOOST_TEST((ds::value_origin{source::environment, "DS_THREADS", 0, 0}.describe())
             == "env DS_THREADS");
}
