#pragma once
/// The libfabric objects of one endpoint, opened and closed as a unit.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

struct fi_info;
struct fid_fabric;
struct fid_domain;
struct fid_av;
struct fid_cq;
struct fid_ep;

namespace ds::net {

/// What `fabric_objects` asks of a provider.
struct fabric_request {
  std::string provider;  ///< e.g. "tcp;ofi_rxm", "shm"; never empty here
  std::string domain;    ///< e.g. "lo"; empty: the provider's first domain
};

/// Fabric, domain, address vector, completion queue and an enabled RDM
/// endpoint with tagged messages, RMA reads and directed receives, ordered
/// send-after-send. Opening throws `net_error` naming the failed call and the
/// provider (`fi_getinfo ... -FI_ENODATA` when the provider is missing or
/// cannot do what we need). Not thread-safe: the owner serializes all use
/// (FI_THREAD_DOMAIN).
class fabric_objects {
public:
  explicit fabric_objects(const fabric_request& request);
  ~fabric_objects();
  fabric_objects(const fabric_objects&) = delete;
  fabric_objects& operator=(const fabric_objects&) = delete;

  /// The provider's own name for what it is, e.g. "tcp;ofi_rxm".
  const std::string& provider() const noexcept { return provider_; }
  const std::string& domain_name() const noexcept { return domain_name_; }
  std::vector<std::byte> endpoint_name() const;

  std::uint64_t mr_mode() const noexcept { return mr_mode_; }
  bool needs_local_registration() const noexcept;
  bool virtual_addresses() const noexcept;
  bool provider_keys() const noexcept;
  std::size_t inject_size() const noexcept { return inject_size_; }
  std::size_t max_message_size() const noexcept { return max_message_size_; }

  fid_domain* domain() const noexcept { return domain_; }
  fid_av* av() const noexcept { return av_; }
  fid_cq* cq() const noexcept { return cq_; }
  fid_ep* ep() const noexcept { return ep_; }

  /// Closes the endpoint early (cancelling what is posted on it); the rest
  /// closes in the destructor. Idempotent.
  void close_endpoint() noexcept;

private:
  void close_all() noexcept;

  std::string provider_;
  std::string domain_name_;
  std::uint64_t mr_mode_ = 0;
  std::size_t inject_size_ = 0;
  std::size_t max_message_size_ = 0;
  fi_info* info_ = nullptr;
  fid_fabric* fabric_ = nullptr;
  fid_domain* domain_ = nullptr;
  fid_av* av_ = nullptr;
  fid_cq* cq_ = nullptr;
  fid_ep* ep_ = nullptr;
};

/// Whether `provider` offers what `fabric_objects` needs on this machine; when
/// not, `why` (if given) receives the error text.
bool fabric_provider_available(const fabric_request& request, std::string* why = nullptr);

} // namespace ds::net
