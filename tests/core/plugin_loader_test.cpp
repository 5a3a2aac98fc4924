#define BOOST_TEST_MODULE plugin_loader
#include <boost/test/unit_test.hpp>

#include <cstring>
#include <string_view>

#include "checksum.hpp"
#include "core/plugin_loader.hpp"
#include "dsflow/messages.hpp"

// Paths of the libraries built from tools/plugins/example, set by meson.
const std::string example_plugin = DSFLOW_EXAMPLE_PLUGIN;
const std::string bad_abi_plugin = DSFLOW_BAD_ABI_PLUGIN;
const std::string no_entry_plugin = DSFLOW_NO_ENTRY_PLUGIN;
const std::string throwing_plugin = DSFLOW_THROWING_PLUGIN;

namespace {

/// Keeps what a stage emits; the runtime's wrapper is not needed to test a stage.
class collecting_emitter final : public ds::emitter {
public:
  void emit(ds::port_id port, ds::message_ptr msg) override {
    emitted.emplace_back(port, std::move(msg));
  }
  std::vector<std::pair<ds::port_id, ds::message_ptr>> emitted;
};

std::string plugin_error_of(const std::string& path, ds::registry& reg) {
  try {
    ds::load_plugin(path, reg);
  } catch (const ds::plugin_error& error) {
    return error.what();
  }
  return "no error";
}

/// Runs the plugin's `uppercase` stage over `texts` and returns what it emitted.
std::vector<std::pair<ds::port_id, ds::message_ptr>> run_uppercase(
  const std::vector<std::string_view>& texts, bool skip_empty) {
  ds::registry reg;
  ds::load_plugin(example_plugin, reg);
  const auto* type = reg.find("uppercase");
  BOOST_REQUIRE(type != nullptr);

  ds::stage_config config{"upper"};
  config.set("skip_empty", {skip_empty, {}});
  ds::metrics_registry metrics;
  ds::memory_pools pools;
  ds::logger log{"upper#0"};
  ds::context ctx{config, metrics.add_replica("upper", "upper#0", 0), pools, log, {},
                  type->schema};
  auto stage = type->make();
  stage->open(ctx);
  collecting_emitter out;
  std::uint64_t seq = 0;
  for (auto text : texts) {
    auto bytes = pools.host().allocate(text.size());
    if (!text.empty())
      std::memcpy(bytes.data(), text.data(), text.size());
    auto digest = ds::xxh64(bytes.bytes());
    stage->process({{seq++}, std::make_shared<const ds::blob>(std::move(bytes), digest)}, out);
  }
  stage->close(out);
  return out.emitted;
}

std::string text_of(const ds::blob& b) {
  return {reinterpret_cast<const char*>(b.bytes.data()), b.bytes.size()};
}

} // namespace

BOOST_AUTO_TEST_CASE(the_example_plugin_registers_uppercase_with_its_path_as_origin) {
  ds::registry reg;
  ds::load_plugin(example_plugin, reg);
  const auto* type = reg.find("uppercase");
  BOOST_REQUIRE(type != nullptr);
  BOOST_TEST(type->origin == example_plugin);
  BOOST_TEST(type->schema.find_input("in")->message_type == "blob");
  BOOST_TEST(type->schema.find_output("out")->message_type == "blob");
  BOOST_TEST(std::get<bool>(*type->schema.find_key("skip_empty")->default_value));
}

BOOST_AUTO_TEST_CASE(the_loader_restores_the_builtin_origin_afterwards) {
  ds::registry reg;
  ds::load_plugin(example_plugin, reg);
  reg.add(ds::schema_builder("later", "").input("in", "blob", ""),
          [] { return std::unique_ptr<ds::stage>(); });
  BOOST_TEST(reg.find("later")->origin == "builtin");
}

BOOST_AUTO_TEST_CASE(the_uppercase_stage_uppercases_bytes_and_recomputes_the_digest) {
  auto emitted = run_uppercase({"Hello, World! 123", "already UPPER", "\xc3\xa9t\xc3\xa9"}, true);
  BOOST_REQUIRE(emitted.size() == 3u);
  const char* expected[] = {"HELLO, WORLD! 123", "ALREADY UPPER", "\xc3\xa9T\xc3\xa9"};
  for (std::size_t i = 0; i < emitted.size(); ++i) {
    const auto& [port, msg] = emitted[i];
    const auto& out = ds::message_as<ds::blob>(msg);
    BOOST_TEST(port == 0u);
    BOOST_TEST(text_of(out) == expected[i]);
    BOOST_TEST(out.digest == ds::xxh64(out.bytes.bytes()));
  }
}

BOOST_AUTO_TEST_CASE(empty_blobs_are_dropped_unless_skip_empty_is_false) {
  BOOST_TEST(run_uppercase({"", "a", ""}, true).size() == 1u);
  auto kept = run_uppercase({"", "a", ""}, false);
  BOOST_REQUIRE(kept.size() == 3u);
  BOOST_TEST(ds::message_as<ds::blob>(kept[0].second).bytes.empty());
}

BOOST_AUTO_TEST_CASE(a_plugin_built_for_another_abi_is_refused_before_any_of_its_cpp_runs) {
  ds::registry reg;
  // The fixture's register_stages aborts, so reaching it would end the test run.
  BOOST_TEST(plugin_error_of(bad_abi_plugin, reg)
             == "plugin '" + bad_abi_plugin
                  + "' (bad_abi): built for plugin ABI v999, this dsflow has ABI v1; rebuild it "
                    "against this dsflow");
}

BOOST_AUTO_TEST_CASE(a_library_without_the_entry_point_is_refused) {
  ds::registry reg;
  BOOST_TEST(plugin_error_of(no_entry_plugin, reg)
             == "plugin '" + no_entry_plugin
                  + "': no entry point 'dsflow_plugin_entry' (not a dsflow plugin?)");
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_refused_with_the_loader_reason) {
  ds::registry reg;
  const std::string path = "/nonexistent/libnothing.so";
  auto text = plugin_error_of(path, reg);
  BOOST_TEST(text.starts_with("plugin '/nonexistent/libnothing.so': cannot load: "), text);
  BOOST_TEST(text.find("No such file") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(a_plugin_that_throws_while_registering_leaves_the_registry_unchanged) {
  ds::registry reg;
  BOOST_TEST(plugin_error_of(throwing_plugin, reg)
             == "plugin '" + throwing_plugin
                  + "' (throwing): registering its stages failed: cannot find its model file");
  BOOST_TEST(reg.find("half_registered") == nullptr);
  reg.add(ds::schema_builder("later", "").input("in", "blob", ""),
          [] { return std::unique_ptr<ds::stage>(); });
  BOOST_TEST(reg.find("later")->origin == "builtin");
}
