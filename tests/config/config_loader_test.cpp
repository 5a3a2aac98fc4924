#define BOOST_TEST_MODULE config_loader
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "config_test_support.hpp"

using namespace ds;
using ds::testing::errors_of;

namespace {

std::vector<std::string> parse_errors(const std::string& text) {
  return errors_of([&] { parse_config(text, "p.yaml", {}); });
}

/// A scratch folder removed at the end of the test.
struct temp_folder {
  temp_folder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ds-config-XXXXXX").string();
    path = mkdtemp(pattern.data());
  }
  ~temp_folder() { std::filesystem::remove_all(path); }
  std::filesystem::path path;
};

} // namespace

BOOST_AUTO_TEST_CASE(a_diagnostic_prints_file_line_column_key_and_message) {
  config_diagnostic diag{"p.yaml", 7, 5, "stages.work.replicass", "unknown key 'replicass'"};
  BOOST_TEST(diag.to_string() == "p.yaml:7:5: stages.work.replicass: unknown key 'replicass'");
}

BOOST_AUTO_TEST_CASE(a_diagnostic_without_position_or_key_leaves_them_out) {
  config_diagnostic diag{"command line", 0, 0, "", "malformed override"};
  BOOST_TEST(diag.to_string() == "command line: malformed override");
}

BOOST_AUTO_TEST_CASE(a_config_error_says_every_diagnostic_one_per_line) {
  config_error error({{"a.yaml", 1, 2, "x", "first"}, {"a.yaml", 3, 4, "y", "second"}});
  BOOST_TEST(std::string{error.what()} == "a.yaml:1:2: x: first\na.yaml:3:4: y: second");
  BOOST_TEST(error.diagnostics().size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_a_config_error_naming_the_file) {
  auto errors = errors_of([] { load_config("/nonexistent/p.yaml", {}); });
  BOOST_TEST(errors == std::vector<std::string>{
                         "/nonexistent/p.yaml: cannot open the config file: No such file or directory"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_file_is_loaded_and_its_plugins_resolve_against_its_folder) {
  temp_folder folder;
  auto file = (folder.path / "p.yaml").string();
  std::ofstream{file} << "version: 1\nplugins: [lib/a.so, /opt/b.so, ../c.so]\nstages: {}\n";
  auto doc = load_config(file, {});
  BOOST_TEST(doc.file() == file);
  auto expected = std::vector<std::string>{(folder.path / "lib/a.so").string(), "/opt/b.so",
                                           (folder.path.parent_path() / "c.so").string()};
  BOOST_TEST(doc.plugin_paths() == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(plugins_that_are_not_a_list_of_paths_are_an_error) {
  auto doc = parse_config("version: 1\nplugins: a.so\n", "p.yaml", {});
  auto errors = errors_of([&] { doc.plugin_paths(); });
  BOOST_TEST(errors == std::vector<std::string>{
                         "p.yaml:2:10: plugins: expected a list of plugin paths, got 'a.so'"},
             boost::test_tools::per_element());
  auto nested = parse_config("version: 1\nplugins: [[a.so]]\n", "p.yaml", {});
  errors = errors_of([&] { nested.plugin_paths(); });
  BOOST_TEST(errors == std::vector<std::string>{
                         "p.yaml:2:11: plugins.0: expected a plugin path, got a list"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_yaml_syntax_error_names_line_and_column) {
  auto errors = parse_errors("version: 1\nstages:\n  gen: [a, b\n");
  BOOST_TEST(errors == std::vector<std::string>{
                         "p.yaml:4:1: YAML syntax error: end of sequence flow not found"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_document_that_is_not_a_map_is_an_error) {
  BOOST_TEST(parse_errors("- a\n- b\n")
               == std::vector<std::string>{"p.yaml:1:1: expected a map with 'version' and "
                                           "'stages' at the top, got a list"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_empty_document_is_an_error) {
  // An empty document has no node to point at, so no position.
  BOOST_TEST(parse_errors("# nothing\n")
               == std::vector<std::string>{"p.yaml: expected a map with 'version' and "
                                           "'stages' at the top, got nothing"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_duplicate_key_is_reported_with_where_it_was_first_set) {
  auto errors = parse_errors("version: 1\nstages:\n  gen:\n    actor: a\n    actor: b\n");
  BOOST_TEST(errors == std::vector<std::string>{
                         "p.yaml:5:5: stages.gen.actor: duplicate key 'actor' (first set at line 4)"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_map_key_that_is_a_list_is_an_error) {
  auto errors = parse_errors("version: 1\n[a, b]: 1\n");
  BOOST_TEST(errors == std::vector<std::string>{
                         "p.yaml:2:1: a map key must be a name, not a list or a map"},
             boost::test_tools::per_element());
}
