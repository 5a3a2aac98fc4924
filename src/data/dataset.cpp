#include "data/dataset.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>

#include "data/shard_header.hpp"

namespace ds::data {

namespace {

namespace fs = std::filesystem;

std::vector<std::string> list_shards(const std::string& folder) {
  std::vector<std::string> paths;
  std::error_code error;
  for (fs::directory_iterator it{folder, error}, end; !error && it != end; it.increment(error))
    if (it->path().extension() == ".dsshard" && it->is_regular_file())
      paths.push_back(it->path().string());
  if (error)
    throw shard_error{"dataset " + folder + ": cannot list the folder: " + error.message()};
  std::sort(paths.begin(), paths.end());
  return paths;
}

/// What differs between two fields that must agree, or an empty string.
/// Only what decoding a value needs must match: level, quality, lossless and
/// the dictionary only shaped the encoding, and each shard carries its own.
std::string difference(const field_spec& a, const field_spec& b) {
  if (a.name != b.name)
    return "is named '" + b.name + "', not '" + a.name + "'";
  if (a.type != b.type)
    return "has dtype " + std::string{to_string(b.type)} + ", not "
           + std::string{to_string(a.type)};
  if (a.shape != b.shape)
    return "has shape " + shape_to_string(b.shape) + ", not " + shape_to_string(a.shape);
  if (a.codec != b.codec)
    return "has codec id " + std::to_string(static_cast<unsigned>(b.codec)) + ", not "
           + std::to_string(static_cast<unsigned>(a.codec));
  if (a.params.width != b.params.width || a.params.height != b.params.height
      || a.params.channels != b.params.channels)
    return "has another image geometry";
  return {};
}

} // namespace

dataset::dataset(std::shared_ptr<storage> store, std::string folder)
  : store_(std::move(store)), folder_(std::move(folder)) {
  auto paths = list_shards(folder_);
  if (paths.empty())
    throw shard_error{"dataset " + folder_ + ": no *.dsshard file in the folder"};
  shards_.reserve(paths.size());
  for (auto& path : paths) {
    shards_.emplace_back(store_, path);
    const auto& first = shards_.front();
    const auto& shard = shards_.back();
    if (shard.fields().size() != first.fields().size())
      throw shard_error{"dataset " + folder_ + ": " + shard.path() + " has "
                        + std::to_string(shard.fields().size()) + " fields but " + first.path()
                        + " has " + std::to_string(first.fields().size())
                        + "; every shard of a dataset has the same fields"};
    for (std::size_t i = 0; i < shard.fields().size(); ++i)
      if (auto problem = difference(first.fields()[i], shard.fields()[i]); !problem.empty())
        throw shard_error{"dataset " + folder_ + ": field " + std::to_string(i) + " of "
                          + shard.path() + " " + problem + " as in " + first.path()
                          + "; every shard of a dataset has the same fields"};
    starts_.push_back(total_);
    total_ += shard.record_count();
  }
}

std::pair<std::uint32_t, std::uint64_t> dataset::locate(std::uint64_t index) const {
  if (index >= total_)
    throw shard_error{"dataset " + folder_ + ": record " + std::to_string(index)
                      + " out of range (the dataset has " + std::to_string(total_) + " records)"};
  // The last shard starting at or before `index`: empty shards share their
  // start with the next one and are skipped this way.
  auto after = std::upper_bound(starts_.begin(), starts_.end(), index);
  auto shard = static_cast<std::size_t>(after - starts_.begin()) - 1;
  return {static_cast<std::uint32_t>(shard), index - starts_[shard]};
}

std::shared_ptr<const dataset> open_local_dataset(const std::string& folder) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const dataset>> opened;
  std::error_code error;
  auto canonical = fs::canonical(folder, error);
  if (error)
    throw shard_error{"dataset " + folder + ": " + error.message()};
  // Held while opening, so concurrent first users open the headers once.
  std::lock_guard guard{mutex};
  auto& slot = opened[canonical.string()];
  if (!slot)
    slot = std::make_shared<const dataset>(make_local_storage(), canonical.string());
  return slot;
}

} // namespace ds::data
