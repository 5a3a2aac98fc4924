#include "text_source.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

namespace ds::pack {

namespace fs = std::filesystem;

namespace {

bool is_separator(std::string_view line) {
  return line == "%" || line == "%\r";
}

bool is_blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  });
}

bool is_index_file(const fs::path& path) {
  auto extension = path.extension();
  return extension == ".dat" || extension == ".u8";
}

} // namespace

std::vector<std::string> list_text_files(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const auto& path : paths) {
    std::error_code error;
    if (fs::is_regular_file(path, error)) {
      files.push_back(path);
      continue;
    }
    if (!fs::is_directory(path, error))
      throw std::runtime_error(path + ": no such file or folder");
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator{path})
      if (entry.is_regular_file() && !is_index_file(entry.path()))
        found.push_back(entry.path().string());
    if (found.empty())
      throw std::runtime_error(path + ": folder holds no text file (only .dat/.u8 or none)");
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

std::string read_text_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  std::ostringstream content;
  if (!in || !(content << in.rdbuf()) || in.bad())
    throw std::runtime_error(path + ": cannot read");
  return std::move(content).str();
}

fortune_split split_fortunes(std::string_view content) {
  fortune_split result;
  auto finish = [&](std::string_view text) {
    if (!text.empty() && text.back() == '\n')
      text.remove_suffix(1);
    if (is_blank(text))
      ++result.empty;
    else
      result.fortunes.emplace_back(text);
  };
  std::size_t start = 0;  // first byte of the current fortune
  std::size_t line = 0;   // first byte of the current line
  while (line < content.size()) {
    auto end = content.find('\n', line);
    auto next = end == std::string_view::npos ? content.size() : end + 1;
    auto text = content.substr(line, (end == std::string_view::npos ? content.size() : end) - line);
    if (is_separator(text)) {
      finish(content.substr(start, line - start));
      start = next;
    }
    line = next;
  }
  // A file that ends with a separator has no fortune after it; one that does
  // not ends with its last fortune.
  if (start < content.size())
    finish(content.substr(start));
  return result;
}

window_split cut_windows(const std::vector<std::string>& texts, std::size_t size) {
  std::string corpus;
  for (const auto& text : texts) {
    if (!corpus.empty())
      corpus += '\n';
    corpus += text;
  }
  window_split result;
  std::size_t full = corpus.size() / size;
  result.windows.reserve(full);
  for (std::size_t i = 0; i < full; ++i)
    result.windows.push_back(corpus.substr(i * size, size));
  result.dropped_bytes = corpus.size() - full * size;
  return result;
}

} // namespace ds::pack
