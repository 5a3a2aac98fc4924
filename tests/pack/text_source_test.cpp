#define BOOST_TEST_MODULE text_source
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "text_source.hpp"

namespace fs = std::filesystem;
using namespace ds::pack;
using strings = std::vector<std::string>;

BOOST_AUTO_TEST_CASE(fortunes_are_the_text_between_percent_lines) {
  auto found = split_fortunes("one line\n%\ntwo\nlines\n%\nlast\n%\n");
  BOOST_TEST(found.fortunes == (strings{"one line", "two\nlines", "last"}),
             boost::test_tools::per_element());
  BOOST_TEST(found.empty == 0u);
}

BOOST_AUTO_TEST_CASE(a_percent_inside_a_line_is_text_not_a_separator) {
  auto found = split_fortunes("100% sure\n %\n%%\n%\n");
  BOOST_TEST(found.fortunes == (strings{"100% sure\n %\n%%"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(utf8_and_inner_whitespace_are_kept_byte_for_byte) {
  const std::string text =
    "  Gr\xc3\xbc\xc3\x9f Gott \xe2\x80\x94 \xf0\x9f\x98\x80\n\n\tindented\r";
  auto found = split_fortunes(text + "\n%\n");
  BOOST_REQUIRE_EQUAL(found.fortunes.size(), 1u);
  BOOST_TEST(found.fortunes.front() == text);
}

BOOST_AUTO_TEST_CASE(empty_and_blank_fortunes_are_skipped_and_counted) {
  auto found = split_fortunes("%\na\n%\n%\n  \n\n%\nb\n%\n");
  BOOST_TEST(found.fortunes == (strings{"a", "b"}), boost::test_tools::per_element());
  BOOST_TEST(found.empty == 3u);
}

BOOST_AUTO_TEST_CASE(a_last_fortune_without_separator_or_newline_is_kept) {
  BOOST_TEST(split_fortunes("a\n%\nb").fortunes == (strings{"a", "b"}),
             boost::test_tools::per_element());
  BOOST_TEST(split_fortunes("a\n%\nb\n").fortunes == (strings{"a", "b"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(crlf_separators_are_separators) {
  auto found = split_fortunes("a\r\n%\r\nb\r\n%\r\n");
  BOOST_TEST(found.fortunes == (strings{"a\r", "b\r"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(windows_cut_the_newline_joined_corpus_and_drop_the_tail) {
  // Corpus "abc\nde\nfghij" (12 bytes) in windows of 5: 2 windows, 2 bytes dropped.
  auto cut = cut_windows({"abc", "de", "fghij"}, 5);
  BOOST_TEST(cut.windows == (strings{"abc\nd", "e\nfgh"}), boost::test_tools::per_element());
  BOOST_TEST(cut.dropped_bytes == 2u);
}

BOOST_AUTO_TEST_CASE(a_corpus_shorter_than_one_window_gives_none) {
  auto cut = cut_windows({"ab", "c"}, 8);
  BOOST_TEST(cut.windows.empty());
  BOOST_TEST(cut.dropped_bytes == 4u);
}

BOOST_AUTO_TEST_CASE(windows_are_byte_windows_that_give_the_corpus_back) {
  // A window may end inside a UTF-8 sequence; joined, the windows are the corpus.
  const std::string euro = "\xe2\x82\xac";
  auto cut = cut_windows({euro + euro, euro}, 3);
  std::string joined;
  for (const auto& window : cut.windows)
    joined += window;
  BOOST_TEST(cut.windows.size() == 3u);
  BOOST_TEST(cut.windows[2] == std::string{"\n\xe2\x82"});
  BOOST_TEST(joined == (euro + euro + "\n" + euro).substr(0, 9));
  BOOST_TEST(cut.dropped_bytes == 1u);
}

BOOST_AUTO_TEST_CASE(folders_list_their_text_files_sorted_without_fortune_indexes) {
  auto dir = fs::temp_directory_path() / ("dsflow-text-test-" + std::to_string(getpid()));
  fs::create_directories(dir / "sub");
  for (auto name : {"zeta", "alpha", "alpha.dat", "alpha.u8"})
    std::ofstream{dir / name} << "x\n%\n";
  auto files = list_text_files({(dir / "zeta").string(), dir.string()});
  BOOST_TEST(files == (strings{(dir / "zeta").string(), (dir / "alpha").string(),
                               (dir / "zeta").string()}),
             boost::test_tools::per_element());
  BOOST_CHECK_THROW(list_text_files({(dir / "missing").string()}), std::runtime_error);
  BOOST_CHECK_THROW(list_text_files({(dir / "sub").string()}), std::runtime_error);
  fs::remove_all(dir);
}
