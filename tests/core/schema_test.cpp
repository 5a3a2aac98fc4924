#define BOOST_TEST_MODULE schema
#include <boost/test/unit_test.hpp>

#include <limits>

#include "dsflow/schema.hpp"

namespace {

constexpr double no_limit = std::numeric_limits<double>::infinity();

/// A stage author's usual form: one expression converted on return.
ds::stage_schema decode_schema() {
  return ds::schema_builder("decode", "decodes records")
    .input("in", "record", "compressed records")
    .output("out", "sample", "decoded samples")
    .ordered_input()
    .replicable(true)
    .key_bool("verify", true, "check checksums")
    .key_int("threads", 2, 1, 64, "worker threads")
    .key_number("scale", 0.5, 0, 1, "scale factor")
    .key_string("layout", "nchw", {"nchw", "nhwc"}, "tensor layout")
    .key_string_list("fields", std::nullopt, "fields to decode");
}

std::string logic_error_of(auto&& make) {
  try {
    make();
  } catch (const std::logic_error& error) {
    return error.what();
  }
  return "no error";
}

} // namespace

BOOST_AUTO_TEST_CASE(the_builder_declares_ports_keys_and_typed_defaults) {
  auto schema = decode_schema();
  BOOST_TEST(schema.name == "decode");
  BOOST_TEST(schema.ordered_input);
  BOOST_TEST(!schema.is_source());
  BOOST_TEST(schema.find_input("in")->message_type == "record");
  BOOST_TEST(schema.find_output("out")->message_type == "sample");
  BOOST_TEST(schema.find_input("out") == nullptr);
  BOOST_TEST(schema.find_key("missing") == nullptr);

  const auto* threads = schema.find_key("threads");
  BOOST_REQUIRE(threads != nullptr);
  BOOST_TEST((threads->type == ds::value_type::integer));
  BOOST_TEST(std::get<std::int64_t>(*threads->default_value) == 2);
  BOOST_TEST(*threads->min == 1.0);
  BOOST_TEST(std::get<double>(*schema.find_key("scale")->default_value) == 0.5);
  BOOST_TEST(std::get<bool>(*schema.find_key("verify")->default_value));
  BOOST_TEST(schema.find_key("layout")->choices.size() == 2u);
  BOOST_TEST(!schema.find_key("fields")->default_value.has_value());
}

BOOST_AUTO_TEST_CASE(a_schema_without_inputs_is_a_source) {
  ds::stage_schema schema = ds::schema_builder("read", "reads shards")
                              .output("out", "record", "records")
                              .replicable(false);
  BOOST_TEST(schema.is_source());
  BOOST_TEST(!schema.replicable);
}

BOOST_AUTO_TEST_CASE(a_duplicate_key_is_refused_naming_stage_and_key) {
  auto text = logic_error_of([] {
    ds::stage_schema s = ds::schema_builder("s", "")
                           .key_bool("fast", false, "")
                           .key_int("fast", 1, 0, 9, "");
  });
  BOOST_TEST(text == "stage 's': invalid schema: duplicate key 'fast'");
}

BOOST_AUTO_TEST_CASE(a_key_the_runtime_reserves_is_refused) {
  auto text = logic_error_of([] {
    ds::stage_schema s = ds::schema_builder("s", "").key_int("window", 1, 0, 9, "");
  });
  BOOST_TEST(text == "stage 's': invalid schema: key 'window' is reserved for the runtime");
}

BOOST_AUTO_TEST_CASE(a_duplicate_port_is_refused) {
  auto text = logic_error_of([] {
    ds::stage_schema s = ds::schema_builder("s", "").output("out", "blob", "").output("out", "blob", "");
  });
  BOOST_TEST(text == "stage 's': invalid schema: duplicate output port 'out'");
}

BOOST_AUTO_TEST_CASE(a_default_out_of_range_is_refused) {
  auto text = logic_error_of([] {
    ds::stage_schema s = ds::schema_builder("s", "").key_int("depth", 100, 1, 64, "");
  });
  BOOST_TEST(text == "stage 's': invalid schema: key 'depth' default 100 is outside [1, 64]");
  BOOST_CHECK_THROW(ds::schema_builder("s", "").key_number("p", -0.1, 0, no_limit, "").build(),
                    std::logic_error);
  BOOST_CHECK_THROW(ds::schema_builder("s", "").key_int("n", 1, 5, 2, "").build(),
                    std::logic_error);
  BOOST_CHECK_NO_THROW(ds::schema_builder("s", "").key_number("p", 1e9, 0, no_limit, "").build());
}

BOOST_AUTO_TEST_CASE(a_string_default_outside_its_choices_is_refused) {
  auto text = logic_error_of([] {
    ds::stage_schema s = ds::schema_builder("s", "").key_string("codec", "lz4", {"zstd", "raw"}, "");
  });
  BOOST_TEST(text == "stage 's': invalid schema: key 'codec' default 'lz4' is not one of its choices");
}

BOOST_AUTO_TEST_CASE(value_types_have_names) {
  BOOST_TEST(ds::to_string(ds::value_type::string_list) == "string_list");
  BOOST_TEST(ds::to_string(ds::value_type::integer) == "integer");
}

BOOST_AUTO_TEST_CASE(a_feedback_input_needs_a_regular_one_and_unordered_input) {
  auto only_feedback = logic_error_of([] {
    ds::stage_schema s = ds::schema_builder("s", "").feedback_input("back", "blob", "");
  });
  BOOST_TEST(only_feedback
             == "stage 's': invalid schema: a stage needs a regular input besides its feedback inputs");
  auto ordered = logic_error_of([] {
    ds::stage_schema s = ds::schema_builder("s", "")
                           .input("in", "blob", "")
                           .feedback_input("back", "blob", "")
                           .ordered_input();
  });
  BOOST_TEST(ordered == "stage 's': invalid schema: a feedback input cannot be combined with ordered input");
}
