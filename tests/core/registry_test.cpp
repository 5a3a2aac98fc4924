#define BOOST_TEST_MODULE registry
#include <boost/test/unit_test.hpp>

#include "dsflow/registry.hpp"

namespace {

class pass_through final : public ds::stage {
public:
  void process(const ds::item& in, ds::emitter& out) override { out.emit(0, in.payload); }
};

ds::stage_factory make_pass_through() {
  return [] { return std::make_unique<pass_through>(); };
}

ds::stage_schema schema_with_ports(std::string name, std::string in_type, std::string out_type) {
  return ds::schema_builder(std::move(name), "test stage")
    .input("in", std::move(in_type), "")
    .output("out", std::move(out_type), "");
}

std::string invalid_argument_of(auto&& add) {
  try {
    add();
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "no error";
}

} // namespace

BOOST_AUTO_TEST_CASE(a_new_registry_knows_the_message_types_of_the_design) {
  ds::registry reg;
  for (const char* type : {"blob", "sample_ref", "record", "sample", "batch", "grad_bucket",
                           "param_update", "train_state"}) {
    BOOST_TEST(reg.has_message_type(type), type);
    BOOST_TEST(!reg.message_types().find(type)->second.empty(), type);
  }
  BOOST_TEST(reg.message_types().size() == 8u);
  BOOST_TEST(reg.names().empty());
}

BOOST_AUTO_TEST_CASE(an_added_stage_type_is_found_with_its_origin) {
  ds::registry reg;
  reg.add(schema_with_ports("copy", "blob", "blob"), make_pass_through());
  reg.set_origin("/opt/plugins/libx.so");
  reg.add(schema_with_ports("another", "batch", "batch"), make_pass_through());
  BOOST_TEST(reg.find("copy")->origin == "builtin");
  BOOST_TEST(reg.find("another")->origin == "/opt/plugins/libx.so");
  BOOST_TEST(reg.find("copy")->make() != nullptr);
  BOOST_TEST(reg.find("nothing") == nullptr);
  BOOST_TEST(reg.names() == (std::vector<std::string>{"another", "copy"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_duplicate_stage_name_is_refused_naming_both_origins) {
  ds::registry reg;
  reg.add(schema_with_ports("copy", "blob", "blob"), make_pass_through());
  reg.set_origin("/opt/plugins/libx.so");
  auto text = invalid_argument_of(
    [&] { reg.add(schema_with_ports("copy", "blob", "blob"), make_pass_through()); });
  BOOST_TEST(text == "stage type 'copy' is already registered by builtin (registered again by "
                     "/opt/plugins/libx.so)");
}

BOOST_AUTO_TEST_CASE(a_port_of_unknown_message_type_is_refused_listing_the_known_types) {
  ds::registry reg;
  auto text = invalid_argument_of(
    [&] { reg.add(schema_with_ports("embed", "blob", "token_ids"), make_pass_through()); });
  BOOST_TEST(text == "stage type 'embed' (builtin): output port 'out' carries unknown message type "
                     "'token_ids'; known types: batch, blob, grad_bucket, param_update, record, "
                     "sample, sample_ref, train_state");
  BOOST_TEST(reg.find("embed") == nullptr);
}

BOOST_AUTO_TEST_CASE(a_plugin_message_type_makes_its_ports_valid) {
  ds::registry reg;
  reg.add_message_type("token_ids", "token ids of one text");
  reg.add_message_type("token_ids", "a second registration is ignored");
  BOOST_TEST(reg.message_types().find("token_ids")->second == "token ids of one text");
  BOOST_CHECK_NO_THROW(reg.add(schema_with_ports("embed", "blob", "token_ids"), make_pass_through()));
}

BOOST_AUTO_TEST_CASE(a_stage_type_without_a_factory_is_refused) {
  ds::registry reg;
  BOOST_CHECK_THROW(reg.add(schema_with_ports("copy", "blob", "blob"), nullptr),
                    std::invalid_argument);
}
