#include "net/fabric_objects.hpp"

#include <rdma/fabric.h>
#include <rdma/fi_cm.h>
#include <rdma/fi_domain.h>
#include <rdma/fi_endpoint.h>
#include <rdma/fi_errno.h>

#include <cstdlib>
#include <cstring>
#include <memory>

#include "net/fabric_wire.hpp"
#include "net/fi_check.hpp"

namespace ds::net {

namespace {

/// The memory-registration modes we handle; a provider needing others is not offered.
constexpr std::uint64_t supported_mr_mode =
  FI_MR_LOCAL | FI_MR_VIRT_ADDR | FI_MR_ALLOCATED | FI_MR_PROV_KEY;

struct info_deleter {
  void operator()(fi_info* info) const noexcept { fi_freeinfo(info); }
};

char* duplicate(const std::string& text) {
  auto* copy = static_cast<char*>(std::malloc(text.size() + 1));  // fi_freeinfo frees it
  if (copy == nullptr)
    throw std::bad_alloc();
  std::memcpy(copy, text.c_str(), text.size() + 1);
  return copy;
}

void close_fid(fid* object) noexcept {
  if (object != nullptr)
    fi_close(object);
}

} // namespace

fabric_objects::fabric_objects(const fabric_request& request) : provider_(request.provider) {
  std::unique_ptr<fi_info, info_deleter> hints{fi_allocinfo()};
  if (!hints)
    throw std::bad_alloc();
  hints->caps = FI_TAGGED | FI_MSG | FI_RMA | FI_DIRECTED_RECV;
  hints->mode = FI_CONTEXT | FI_CONTEXT2;  // every operation carries an fi_context2
  hints->ep_attr->type = FI_EP_RDM;
  hints->domain_attr->mr_mode = static_cast<int>(supported_mr_mode);
  hints->domain_attr->threading = FI_THREAD_DOMAIN;  // one progress thread makes every call
  hints->tx_attr->msg_order = FI_ORDER_SAS;          // per-tag order needs send-after-send
  hints->rx_attr->msg_order = FI_ORDER_SAS;
  hints->fabric_attr->prov_name = duplicate(request.provider);
  if (!request.domain.empty())
    hints->domain_attr->name = duplicate(request.domain);

  auto found = fi_getinfo(FI_VERSION(1, 17), nullptr, nullptr, 0, hints.get(), &info_);
  if (found < 0) {
    std::string detail = "no RDM endpoint with tagged messages, RMA and directed receives";
    if (!request.domain.empty())
      detail += " on domain " + request.domain;
    // libfabric filters by FI_PROVIDER too, so an explicit provider can vanish.
    if (const char* filter = std::getenv("FI_PROVIDER"); filter != nullptr && *filter != '\0')
      detail += std::string("; FI_PROVIDER=") + filter + " in the environment also filters providers";
    throw fi_error(found, "fi_getinfo", provider_, __FILE__, __LINE__, -1, net_error::no_tag,
                   detail);
  }
  try {
    if (info_->fabric_attr->prov_name != nullptr)
      provider_ = info_->fabric_attr->prov_name;
    if (info_->domain_attr->name != nullptr)
      domain_name_ = info_->domain_attr->name;
    mr_mode_ = static_cast<std::uint64_t>(info_->domain_attr->mr_mode);
    inject_size_ = info_->tx_attr->inject_size;
    max_message_size_ = info_->ep_attr->max_msg_size;
    if (inject_size_ < sizeof(wire::rma_descriptor))
      throw fi_error(-FI_ENOSYS, "fi_getinfo", provider_, __FILE__, __LINE__, -1,
                     net_error::no_tag,
                     "inject size " + std::to_string(inject_size_) + " is below the "
                       + std::to_string(sizeof(wire::rma_descriptor))
                       + " bytes a transfer descriptor needs");

    if (info_->domain_attr->cq_data_size < 1)
      throw fi_error(-FI_ENOSYS, "fi_getinfo", provider_, __FILE__, __LINE__, -1,
                     net_error::no_tag,
                     "no remote CQ data, which marks transfer descriptors");

    DS_FI_CHECK(provider_, fi_fabric(info_->fabric_attr, &fabric_, nullptr));
    DS_FI_CHECK(provider_, fi_domain(fabric_, info_, &domain_, nullptr));

    fi_cq_attr cq_attr{};
    cq_attr.format = FI_CQ_FORMAT_TAGGED;
    cq_attr.wait_obj = FI_WAIT_NONE;  // the progress thread polls
    DS_FI_CHECK(provider_, fi_cq_open(domain_, &cq_attr, &cq_, nullptr));

    fi_av_attr av_attr{};
    av_attr.type = FI_AV_UNSPEC;
    DS_FI_CHECK(provider_, fi_av_open(domain_, &av_attr, &av_, nullptr));

    DS_FI_CHECK(provider_, fi_endpoint(domain_, info_, &ep_, nullptr));
    DS_FI_CHECK(provider_, fi_ep_bind(ep_, &av_->fid, 0));
    DS_FI_CHECK(provider_, fi_ep_bind(ep_, &cq_->fid, FI_TRANSMIT | FI_RECV));
    DS_FI_CHECK(provider_, fi_enable(ep_));
  } catch (...) {
    close_all();
    throw;
  }
}

fabric_objects::~fabric_objects() {
  close_all();
}

void fabric_objects::close_endpoint() noexcept {
  close_fid(ep_ ? &ep_->fid : nullptr);
  ep_ = nullptr;
}

void fabric_objects::close_all() noexcept {
  close_endpoint();
  close_fid(av_ ? &av_->fid : nullptr);
  close_fid(cq_ ? &cq_->fid : nullptr);
  close_fid(domain_ ? &domain_->fid : nullptr);
  close_fid(fabric_ ? &fabric_->fid : nullptr);
  av_ = nullptr;
  cq_ = nullptr;
  domain_ = nullptr;
  fabric_ = nullptr;
  if (info_ != nullptr)
    fi_freeinfo(info_);
  info_ = nullptr;
}

std::vector<std::byte> fabric_objects::endpoint_name() const {
  std::vector<std::byte> name(64);
  auto length = name.size();
  auto code = fi_getname(&ep_->fid, name.data(), &length);
  if (code == -FI_ETOOSMALL) {
    name.resize(length);
    code = fi_getname(&ep_->fid, name.data(), &length);
  }
  fi_check(code, "fi_getname", provider_, __FILE__, __LINE__);
  name.resize(length);
  return name;
}

bool fabric_objects::needs_local_registration() const noexcept {
  return (mr_mode_ & FI_MR_LOCAL) != 0;
}

bool fabric_objects::virtual_addresses() const noexcept {
  return (mr_mode_ & FI_MR_VIRT_ADDR) != 0;
}

bool fabric_objects::provider_keys() const noexcept {
  return (mr_mode_ & FI_MR_PROV_KEY) != 0;
}

bool fabric_provider_available(const fabric_request& request, std::string* why) {
  try {
    fabric_objects probe{request};
    return true;
  } catch (const std::exception& error) {
    if (why != nullptr)
      *why = error.what();
    return false;
  }
}

} // namespace ds::net
