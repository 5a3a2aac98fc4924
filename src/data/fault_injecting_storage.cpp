#include "data/fault_injecting_storage.hpp"

#include <algorithm>

namespace ds::data {

namespace {

storage_error injected(const std::string& object) {
  return storage_error{"cannot read " + object + ": injected failure"};
}

} // namespace

fault_injecting_storage::fault_injecting_storage(std::shared_ptr<storage> inner)
  : inner_(std::move(inner)) {
}

void fault_injecting_storage::flip_bit(const std::string& object, std::uint64_t offset, int bit) {
  std::lock_guard guard{mutex_};
  faults_[object].flips.emplace_back(offset, bit & 7);
}

void fault_injecting_storage::truncate(const std::string& object, std::uint64_t size) {
  std::lock_guard guard{mutex_};
  auto& limit = faults_[object].size_limit;
  limit = std::min(limit, size);
}

void fault_injecting_storage::fail_reads(const std::string& object, bool fail) {
  std::lock_guard guard{mutex_};
  faults_[object].failing = fail;
}

void fault_injecting_storage::heal() {
  std::lock_guard guard{mutex_};
  faults_.clear();
}

std::uint64_t fault_injecting_storage::read_count() const {
  std::lock_guard guard{mutex_};
  return read_count_;
}

std::uint64_t fault_injecting_storage::bytes_read() const {
  std::lock_guard guard{mutex_};
  return bytes_read_;
}

fault_injecting_storage::faults
fault_injecting_storage::faults_of(const std::string& object) const {
  std::lock_guard guard{mutex_};
  auto found = faults_.find(object);
  return found == faults_.end() ? faults{} : found->second;
}

std::uint64_t fault_injecting_storage::size(const std::string& object) {
  auto active = faults_of(object);
  if (active.failing)
    throw injected(object);
  return std::min(inner_->size(object), active.size_limit);
}

void fault_injecting_storage::read(const std::string& object, std::uint64_t offset,
                                   std::span<std::byte> out) {
  auto active = faults_of(object);
  if (active.failing)
    throw injected(object);
  if (offset > active.size_limit || out.size() > active.size_limit - offset)
    throw storage_error{"short read of " + object + " (offset " + std::to_string(offset)
                        + ", length " + std::to_string(out.size()) + "): truncated to "
                        + std::to_string(active.size_limit) + " bytes"};
  inner_->read(object, offset, out);
  for (auto [at, bit] : active.flips)
    if (at >= offset && at - offset < out.size())
      out[at - offset] ^= static_cast<std::byte>(1u << bit);
  std::lock_guard guard{mutex_};
  ++read_count_;
  bytes_read_ += out.size();
}

void fault_injecting_storage::will_need(const std::string& object, std::uint64_t offset,
                                        std::uint64_t length) {
  inner_->will_need(object, offset, length);
}

} // namespace ds::data
