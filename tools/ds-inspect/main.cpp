// ds-inspect: shows a shard's header, schema and sizes, and verifies every record.
//
//   ds-inspect SHARD...   (a folder means its *.dsshard files)
//
// Exit 0 when every record of every shard checks out, 1 when any does not (each
// bad record listed on stderr: file, record, reason), 2 on usage errors.

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "data/storage.hpp"
#include "inspect.hpp"

namespace fs = std::filesystem;

namespace {

constexpr const char* usage = "usage: ds-inspect SHARD...  (files, or folders of *.dsshard)\n";

/// The shards named on the command line, folders expanded; an empty result
/// with a message in `error` on a usage error.
std::vector<std::string> shard_paths(const std::vector<std::string>& args, std::string& error) {
  std::vector<std::string> paths;
  for (const auto& arg : args) {
    std::error_code code;
    if (fs::is_directory(arg, code)) {
      std::vector<std::string> found;
      for (const auto& entry : fs::directory_iterator{arg, code})
        if (entry.path().extension() == ".dsshard")
          found.push_back(entry.path().string());
      std::sort(found.begin(), found.end());
      if (found.empty()) {
        error = arg + ": no *.dsshard file in this folder";
        return {};
      }
      paths.insert(paths.end(), found.begin(), found.end());
    } else if (fs::exists(arg, code)) {
      paths.push_back(arg);
    } else {
      error = arg + ": no such file or folder";
      return {};
    }
  }
  return paths;
}

} // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << usage;
    return 2;
  }
  for (const auto& arg : args) {
    if (arg == "-h" || arg == "--help") {
      std::cout << usage;
      return 0;
    }
    if (arg.starts_with("-")) {
      std::cerr << "ds-inspect: unknown option " << arg << '\n' << usage;
      return 2;
    }
  }
  std::string error;
  auto paths = shard_paths(args, error);
  if (paths.empty()) {
    std::cerr << "ds-inspect: " << error << '\n';
    return 2;
  }
  auto store = ds::data::make_local_storage();
  std::uint64_t bad = 0;
  for (const auto& path : paths)
    bad += ds::inspect::inspect_shard(store, path, std::cout, std::cerr);
  if (bad > 0) {
    std::cerr << "ds-inspect: " << bad << " problem" << (bad == 1 ? "" : "s") << " in "
              << paths.size() << " shard" << (paths.size() == 1 ? "" : "s") << '\n';
    return 1;
  }
  return 0;
}
