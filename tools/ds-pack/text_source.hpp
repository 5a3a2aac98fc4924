#pragma once
/// Turning fortune files into text records.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ds::pack {

/// The input files named by `paths`: a file stands for itself; a folder for
/// every regular file in it (links followed) whose name does not end in
/// `.dat` or `.u8` (fortune's index files and its duplicate links), in name
/// order. Throws `std::runtime_error` naming a path that does not exist or a
/// folder without such a file.
std::vector<std::string> list_text_files(const std::vector<std::string>& paths);

/// The bytes of `path`; throws `std::runtime_error` naming it when it cannot be read.
std::string read_text_file(const std::string& path);

/// The fortunes of one file and how many were empty.
struct fortune_split {
  std::vector<std::string> fortunes;
  std::uint64_t empty = 0;  ///< fortunes holding only whitespace, left out
};

/// Splits `content` at lines that hold only `%` (a trailing `\r` allowed).
/// A fortune is the bytes of the lines between two separators, kept exactly
/// (no transcoding, inner whitespace kept) except the newline that ends its
/// last line, which belongs to the separator. Fortunes holding only
/// whitespace are counted in `empty` and left out.
fortune_split split_fortunes(std::string_view content);

/// Windows of one corpus and what did not fill a whole window.
struct window_split {
  std::vector<std::string> windows;
  std::uint64_t dropped_bytes = 0;  ///< the last, partial window
};

/// Joins `texts` with `\n` into one corpus and cuts it into non-overlapping
/// windows of exactly `size` bytes (`size` > 0), dropping the partial tail.
window_split cut_windows(const std::vector<std::string>& texts, std::size_t size);

} // namespace ds::pack
