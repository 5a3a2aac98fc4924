#pragma once
/// A dataset: the shards of one folder, opened once and shared by the stages.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "data/shard_reader.hpp"

namespace ds::data {

/// Every `*.dsshard` file of a folder, in name order, with one field schema.
/// Shards agree on each field's name, dtype, shape, codec and image geometry;
/// level, quality, lossless and the dictionary may differ per shard, so a
/// decoder takes them from `shards()[shard].fields()`, not from `fields()`.
/// Thread-safe (read-only after construction).
class dataset {
public:
  /// Throws `shard_error` when the folder has no shard, a shard is invalid, or
  /// two shards disagree on their fields (naming both files and the field).
  dataset(std::shared_ptr<storage> store, std::string folder);

  const std::string& folder() const noexcept { return folder_; }
  const std::vector<shard_reader>& shards() const noexcept { return shards_; }
  const std::vector<field_spec>& fields() const noexcept { return shards_.front().fields(); }
  std::uint64_t record_count() const noexcept { return total_; }
  /// (shard, record in shard) of the `index`-th record of the whole dataset,
  /// by binary search; throws `shard_error` past the last record.
  std::pair<std::uint32_t, std::uint64_t> locate(std::uint64_t index) const;
  const std::shared_ptr<storage>& store() const noexcept { return store_; }

private:
  std::shared_ptr<storage> store_;
  std::string folder_;
  std::vector<shard_reader> shards_;
  std::vector<std::uint64_t> starts_;  ///< global index of each shard's first record
  std::uint64_t total_ = 0;
};

/// The process-wide opened dataset of `folder` on local storage (opened on
/// first use), so the sampler, readers and decoders share one set of headers.
/// Keyed by canonical path; thread-safe (first opens are serialised). Throws
/// `shard_error` as the constructor does, or naming a folder that is missing.
std::shared_ptr<const dataset> open_local_dataset(const std::string& folder);

} // namespace ds::data
