#include "net/registration_cache.hpp"

#include <rdma/fabric.h>
#include <rdma/fi_domain.h>

#include "dsflow/memory.hpp"
#include "net/fi_check.hpp"

namespace ds::net {

registration_cache::registration_cache(fid_domain* domain, std::string provider,
                                       bool virtual_addresses, bool provider_keys)
  : domain_(domain), provider_(std::move(provider)), virtual_addresses_(virtual_addresses),
    provider_keys_(provider_keys) {
  listener_id_ = add_block_free_listener([this](const void* block, std::size_t) {
    std::lock_guard guard{mutex_};
    auto found = entries_.find(static_cast<const std::byte*>(block));
    if (found == entries_.end())
      return;
    try {
      released_.push_back(found->second.region);
    } catch (...) {
      // Out of memory: keep the entry; a stale registration of freed
      // memory is safer than closing it from a foreign thread.
      return;
    }
    entries_.erase(found);
  });
}

registration_cache::~registration_cache() {
  remove_block_free_listener(listener_id_);
  close_released();
  for (auto& [base, cached] : entries_)
    fi_close(&cached.region->fid);
}

registered_range registration_cache::lookup(const buffer& payload) {
  if (payload.kind() == memory_kind::device)
    throw net_error(net_errc::invalid_argument,
                    "fi_mr_reg (provider " + provider_ + "): device memory (cuda:"
                      + std::to_string(payload.device())
                      + ") needs FI_HMEM registration, which this transport does not do yet");
  auto block = payload.block();
  if (block.empty())
    throw net_error(net_errc::invalid_argument,
                    "fi_mr_reg (provider " + provider_ + "): the buffer has no pool block");
  std::unique_lock guard{mutex_};
  auto found = entries_.find(block.data());
  if (found != entries_.end() && found->second.size >= block.size()) {
    ++hits_;
  } else {
    if (found != entries_.end()) {  // same address, larger block than before
      released_.push_back(found->second.region);
      entries_.erase(found);
    }
    guard.unlock();  // registration may be slow; the listener must not wait on it
    fid_mr* region = nullptr;
    auto requested_key = provider_keys_ ? 0 : next_requested_key_++;
    DS_FI_CHECK(provider_,
                fi_mr_reg(domain_, block.data(), block.size(),
                          FI_SEND | FI_RECV | FI_READ | FI_WRITE | FI_REMOTE_READ
                            | FI_REMOTE_WRITE,
                          0, requested_key, 0, &region, nullptr));
    ++registrations_;
    guard.lock();
    found = entries_.emplace(block.data(), entry{region, block.size()}).first;
  }
  auto* region = found->second.region;
  auto offset = static_cast<std::uint64_t>(payload.data() - block.data());
  return {fi_mr_desc(region), fi_mr_key(region),
          virtual_addresses_ ? reinterpret_cast<std::uint64_t>(payload.data()) : offset};
}

void registration_cache::close_released() noexcept {
  std::vector<fid_mr*> closing;
  {
    std::lock_guard guard{mutex_};
    closing.swap(released_);
  }
  for (auto* region : closing)
    fi_close(&region->fid);
}

} // namespace ds::net
