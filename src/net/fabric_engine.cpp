#include "net/fabric_engine.hpp"

#include <rdma/fi_cm.h>
#include <rdma/fi_domain.h>
#include <rdma/fi_endpoint.h>
#include <rdma/fi_errno.h>
#include <rdma/fi_rma.h>
#include <rdma/fi_tagged.h>

#include <algorithm>
#include <cstring>
#include <future>

#include "net/fi_check.hpp"

namespace ds::net {

namespace {

/// Ack receives kept posted; each takes one ack, then is posted again.
constexpr std::size_t ack_receive_count = 64;
/// Empty polls before the idle progress thread starts to sleep.
constexpr int spin_polls = 64;

template <class Map, class Key>
auto take(Map& map, const Key& key) {
  auto node = map.extract(key);
  return std::move(node.mapped());
}

} // namespace

libfabric_transport::engine::engine(libfabric_options options)
  : options_(std::move(options)), log_("net"), control_pool_(make_host_allocator()) {
  options_.provider = resolve_provider(options_.provider);
  if (options_.eager_threshold < sizeof(wire::rma_descriptor))
    throw net_error(net_errc::invalid_argument,
                    "libfabric_transport: eager_threshold " + std::to_string(options_.eager_threshold)
                      + " is below the " + std::to_string(sizeof(wire::rma_descriptor))
                      + " bytes a receive needs for a transfer descriptor");
  if (options_.receive_depth == 0 || options_.rma_chunk == 0)
    throw net_error(net_errc::invalid_argument,
                    "libfabric_transport: receive_depth and rma_chunk must be at least 1");
  fabric_ = std::make_unique<fabric_objects>(fabric_request{options_.provider, options_.domain});
  cache_ = std::make_unique<registration_cache>(fabric_->domain(), fabric_->provider(),
                                                fabric_->virtual_addresses(),
                                                fabric_->provider_keys());
  address_ = wire::encode({fabric_->provider(), options_.eager_threshold, fabric_->endpoint_name()});
  for (std::size_t index = 0; index < ack_receive_count; ++index) {
    auto op = std::make_unique<ack_recv_op>();
    op->landing = control_pool_.allocate(sizeof(wire::rma_ack));
    post_ack_receive(*op);
    ack_receives_.push_back(std::move(op));
  }
  log_.debug("opened provider " + fabric_->provider() + " on domain " + fabric_->domain_name());
  thread_ = std::thread([this] { run(); });
}

libfabric_transport::engine::~engine() {
  {
    std::lock_guard guard{mutex_};
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

// ---- Any thread -------------------------------------------------------------------------

void libfabric_transport::engine::submit(submission task) {
  {
    std::lock_guard guard{mutex_};
    submissions_.push_back(std::move(task));
  }
  wake_.notify_one();
}

void libfabric_transport::engine::add_peers(std::vector<std::vector<std::byte>> addresses) {
  std::promise<void> added;
  auto result = added.get_future();
  submit({[&] {
            if (world_size_.load() > 0)
              throw net_error(net_errc::invalid_argument,
                              "add_peers: peers were added already; a transport joins one job");
            std::vector<fi_addr_t> inserted;
            int own_rank = -1;
            for (std::size_t rank = 0; rank < addresses.size(); ++rank) {
              auto address = wire::decode(addresses[rank], rank);
              auto peer = static_cast<int>(rank);
              if (address.provider != fabric_->provider())
                throw net_error(net_errc::invalid_argument,
                                "add_peers: rank " + std::to_string(rank) + " uses provider "
                                  + address.provider + ", this rank " + fabric_->provider(),
                                peer);
              if (address.eager_threshold != options_.eager_threshold)
                throw net_error(net_errc::invalid_argument,
                                "add_peers: rank " + std::to_string(rank) + " uses eager threshold "
                                  + std::to_string(address.eager_threshold) + ", this rank "
                                  + std::to_string(options_.eager_threshold),
                                peer);
              if (addresses[rank] == address_) {
                if (own_rank >= 0)
                  throw net_error(net_errc::invalid_argument,
                                  "add_peers: this rank's address is listed twice (ranks "
                                    + std::to_string(own_rank) + " and " + std::to_string(rank)
                                    + ")");
                own_rank = peer;
              }
              fi_addr_t fabric_address = FI_ADDR_UNSPEC;
              auto count = fi_av_insert(fabric_->av(), address.raw.data(), 1, &fabric_address, 0,
                                        nullptr);
              if (count != 1)
                throw DS_FI_ERROR(provider(), "fi_av_insert", count < 0 ? count : -FI_EINVAL, peer,
                                  net_error::no_tag, "inserted " + std::to_string(count) + " of 1");
              inserted.push_back(fabric_address);
            }
            if (own_rank < 0)
              throw net_error(net_errc::invalid_argument,
                              "add_peers: this rank's own address is not among the "
                                + std::to_string(addresses.size()) + " addresses");
            peer_addresses_ = std::move(inserted);
            rank_ = own_rank;
            world_size_ = static_cast<int>(peer_addresses_.size());
            added.set_value();
          },
          [&](const net_error& error) { added.set_exception(std::make_exception_ptr(error)); }});
  result.get();
}

void libfabric_transport::engine::send(int peer, std::uint64_t tag, buffer payload,
                                       completion_handler on_done) {
  check_peer_and_tag("send", peer, tag, world_size());
  submit({[this, peer, tag, payload, on_done] { start_send(peer, tag, payload, on_done); },
          [this, peer, tag, on_done](const net_error& error) {
            call(on_done, {peer, tag, {},
                           net_error(error.code(),
                                     "send (" + describe_peer_tag(peer, tag) + "): " + error.what(),
                                     peer, tag, error.fabric_code())});
          }});
}

void libfabric_transport::engine::recv(int peer, std::uint64_t tag, memory_pool& pool,
                                       completion_handler on_done) {
  check_peer_and_tag("recv", peer, tag, world_size());
  submit({[this, peer, tag, &pool, on_done] { start_recv(peer, tag, &pool, {}, on_done); },
          [this, peer, tag, on_done](const net_error& error) {
            call(on_done, {peer, tag, {},
                           net_error(error.code(),
                                     "recv (" + describe_peer_tag(peer, tag) + "): " + error.what(),
                                     peer, tag, error.fabric_code())});
          }});
}

void libfabric_transport::engine::recv_into(int peer, std::uint64_t tag, buffer destination,
                                            completion_handler on_done) {
  check_peer_and_tag("recv_into", peer, tag, world_size());
  // The landing buffer of an eager message comes from the engine's own pool.
  submit({[this, peer, tag, destination, on_done] {
            start_recv(peer, tag, &control_pool_, destination, on_done);
          },
          [this, peer, tag, on_done](const net_error& error) {
            call(on_done, {peer, tag, {},
                           net_error(error.code(),
                                     "recv_into (" + describe_peer_tag(peer, tag) + "): " + error.what(),
                                     peer, tag, error.fabric_code())});
          }});
}

void libfabric_transport::engine::fail_peer(int peer, const std::string& reason) {
  // Only shutdown fails a submission, and it fails every operation itself.
  submit({[this, peer, reason] { fail_lost_peer(peer, reason); }, [](const net_error&) {}});
}

transport_stats libfabric_transport::engine::stats() const {
  transport_stats stats;
  stats.eager_sends = counters_.eager_sends;
  stats.rma_sends = counters_.rma_sends;
  stats.bytes_sent = counters_.bytes_sent;
  stats.bytes_received = counters_.bytes_received;
  stats.registrations = counters_.registrations;
  stats.registration_hits = counters_.registration_hits;
  stats.eagain_retries = counters_.eagain_retries;
  return stats;
}

// ---- The progress thread ----------------------------------------------------------------

void libfabric_transport::engine::run() noexcept {
  int idle_polls = 0;
  for (;;) {
    std::deque<submission> batch;
    {
      std::lock_guard guard{mutex_};
      if (stopping_)
        break;
      batch.swap(submissions_);
    }
    bool worked = false;
    try {
      worked = run_submissions(batch);
      worked = drain_posts() || worked;
      worked = poll_completions() || worked;
      cache_->close_released();
    } catch (const std::exception& error) {
      // Each step handles its own failures; this is the last line before terminate().
      log_.error(std::string("progress thread: ") + error.what());
    }
    if (worked || !posts_.empty()) {
      idle_polls = 0;
      continue;
    }
    if (++idle_polls < spin_polls) {
      std::this_thread::yield();
      continue;
    }
    // Idle: sleep a little longer each time, up to max_idle_sleep; a submit wakes us.
    auto sleep = std::min<std::chrono::microseconds>(
      options_.max_idle_sleep, std::chrono::microseconds{10 << std::min(idle_polls - spin_polls, 8)});
    std::unique_lock guard{mutex_};
    wake_.wait_for(guard, sleep, [this] { return stopping_ || !submissions_.empty(); });
  }
  shutdown();
}

bool libfabric_transport::engine::run_submissions(std::deque<submission>& batch) {
  for (auto& task : batch) {
    try {
      task.run();
    } catch (const net_error& error) {
      task.fail(error);
    } catch (const std::exception& error) {
      task.fail(net_error(net_errc::fabric, error.what()));
    }
  }
  return !batch.empty();
}

bool libfabric_transport::engine::drain_posts() {
  bool posted = false;
  while (!posts_.empty()) {
    auto& head = posts_.front();
    auto code = head.attempt();
    if (code == -FI_EAGAIN) {
      // The provider wants progress first; the caller polls the queue, then we retry in order.
      ++counters_.eagain_retries;
      return posted;
    }
    auto post = std::move(head);
    posts_.pop_front();
    posted = true;
    if (code < 0)
      post.failed(code);
  }
  return posted;
}

bool libfabric_transport::engine::poll_completions() {
  fi_cq_tagged_entry entries[32];
  auto count = fi_cq_read(fabric_->cq(), entries, std::size(entries));
  if (count > 0) {
    for (ssize_t index = 0; index < count; ++index)
      complete(entries[index]);
    return true;
  }
  if (count == -FI_EAGAIN)
    return false;
  if (count == -FI_EAVAIL) {
    fi_cq_err_entry error{};
    auto read = fi_cq_readerr(fabric_->cq(), &error, 0);
    if (read > 0) {
      complete_with_error(error);
      return true;
    }
    log_.error(DS_FI_ERROR(provider(), "fi_cq_readerr", read, -1, net_error::no_tag, "").what());
    return false;
  }
  log_.error(DS_FI_ERROR(provider(), "fi_cq_read", count, -1, net_error::no_tag, "").what());
  return false;
}

void libfabric_transport::engine::complete(const fi_cq_tagged_entry& entry) {
  auto* op = static_cast<posted_op*>(entry.op_context);
  if (op == nullptr)
    return;
  switch (op->kind) {
    case op_kind::eager_send: {
      auto owned = take(eager_sends_, static_cast<eager_send_op*>(op));
      counters_.bytes_sent += owned->payload.size();
      owned->payload = {};  // released before the handler runs, as documented
      call(owned->on_done, {owned->peer, owned->tag, {}, {}});
      break;
    }
    case op_kind::user_recv:
      on_matched(*static_cast<recv_op*>(op), entry);
      break;
    case op_kind::read_chunk:
      on_chunk_finished(*static_cast<read_chunk_op*>(op)->parent);
      break;
    case op_kind::ack_recv:
      on_ack(*static_cast<ack_recv_op*>(op));
      break;
  }
}

void libfabric_transport::engine::complete_with_error(const fi_cq_err_entry& entry) {
  auto* op = static_cast<posted_op*>(entry.op_context);
  long code = -static_cast<long>(entry.err);
  char text[256] = {};
  std::string detail = fi_cq_strerror(fabric_->cq(), entry.prov_errno, entry.err_data, text,
                                      sizeof text);
  if (entry.err == FI_ETRUNC)
    detail += "; " + std::to_string(entry.olen) + " bytes did not fit";
  if (op == nullptr) {
    log_.error(DS_FI_ERROR(provider(), "fi_cq_readerr", code, -1, net_error::no_tag, detail).what());
    return;
  }
  switch (op->kind) {
    case op_kind::eager_send: {
      auto owned = take(eager_sends_, static_cast<eager_send_op*>(op));
      owned->payload = {};
      call(owned->on_done, {owned->peer, owned->tag, {},
                            DS_FI_ERROR(provider(), "fi_tsend", code, owned->peer, owned->tag,
                                        detail)});
      break;
    }
    case op_kind::user_recv: {
      auto& slot = *static_cast<recv_op*>(op);
      if (entry.err == FI_ETRUNC)
        detail += " (a message longer than eager_threshold "
                  + std::to_string(options_.eager_threshold) + " bytes: do the ranks agree on it?)";
      slot.error = DS_FI_ERROR(provider(), "fi_trecv", code, slot.peer, slot.tag, detail);
      slot.landing = {};
      slot.finished = true;
      match_key key{slot.peer, slot.tag};
      --receive_queues_[key].in_flight;
      deliver(key);
      break;
    }
    case op_kind::read_chunk: {
      auto& slot = *static_cast<read_chunk_op*>(op)->parent;
      if (!slot.error)
        slot.error = DS_FI_ERROR(provider(), "fi_read", code, slot.peer, slot.tag,
                                 detail + "; reading transfer " + std::to_string(slot.transfer_id));
      on_chunk_finished(slot);
      break;
    }
    case op_kind::ack_recv: {
      log_.error(DS_FI_ERROR(provider(), "fi_trecv", code, -1, net_error::no_tag,
                             detail + "; an ack receive")
                   .what());
      if (entry.err != FI_ECANCELED)
        post_ack_receive(*static_cast<ack_recv_op*>(op));
      break;
    }
  }
}

registered_range libfabric_transport::engine::lookup(const buffer& bytes) {
  auto found = cache_->lookup(bytes);
  counters_.registrations = cache_->registrations();
  counters_.registration_hits = cache_->hits();
  return found;
}

// ---- Sending ----------------------------------------------------------------------------

void libfabric_transport::engine::start_send(int peer, std::uint64_t tag, buffer payload,
                                             completion_handler on_done) {
  if (auto lost = lost_peers_.find(peer); lost != lost_peers_.end()) {
    call(on_done, {peer, tag, {}, lost_peer_error("send", peer, tag, lost->second)});
    return;
  }
  auto address = peer_addresses_[static_cast<std::size_t>(peer)];
  auto size = payload.size();
  if (size <= options_.eager_threshold) {
    void* descriptor = nullptr;
    if (fabric_->needs_local_registration())
      descriptor = lookup(payload).descriptor;
    auto op = std::make_unique<eager_send_op>();
    op->peer = peer;
    op->tag = tag;
    op->payload = std::move(payload);
    op->on_done = std::move(on_done);
    auto* raw = op.get();
    eager_sends_.emplace(raw, std::move(op));
    ++counters_.eager_sends;
    posts_.push_back({"fi_tsend",
                      [this, raw, descriptor, address] {
                        return fi_tsend(fabric_->ep(), raw->payload.data(), raw->payload.size(),
                                        descriptor, address, raw->tag, raw);
                      },
                      [this, raw](ssize_t code) {
                        auto owned = take(eager_sends_, raw);
                        owned->payload = {};
                        call(owned->on_done, {owned->peer, owned->tag, {},
                                              DS_FI_ERROR(provider(), "fi_tsend", code, owned->peer,
                                                          owned->tag, "")});
                      }});
    return;
  }
  // Zero-copy: the receiver reads this very buffer, so it stays held until the ack.
  auto registration = lookup(payload);
  auto id = next_transfer_id_++;
  auto op = std::make_unique<rma_send_op>();
  op->peer = peer;
  op->tag = tag;
  op->payload = std::move(payload);
  op->on_done = std::move(on_done);
  rma_sends_.emplace(id, std::move(op));
  ++counters_.rma_sends;
  wire::rma_descriptor descriptor{id, registration.remote_address, size, registration.key};
  posts_.push_back({"fi_tinjectdata",
                    [this, descriptor, address, tag] {
                      return fi_tinjectdata(fabric_->ep(), &descriptor, sizeof descriptor,
                                            wire::descriptor_data, address, tag);
                    },
                    [this, id, peer, tag](ssize_t code) {
                      auto owned = take(rma_sends_, id);
                      owned->payload = {};
                      call(owned->on_done,
                           {peer, tag, {},
                            DS_FI_ERROR(provider(), "fi_tinjectdata", code, peer, tag,
                                        "the descriptor of transfer " + std::to_string(id))});
                    }});
}

void libfabric_transport::engine::post_ack_receive(ack_recv_op& op) {
  void* descriptor = nullptr;
  if (fabric_->needs_local_registration())
    descriptor = lookup(op.landing).descriptor;
  auto* raw = &op;
  posts_.push_back({"fi_trecv",
                    [this, raw, descriptor] {
                      return fi_trecv(fabric_->ep(), raw->landing.data(), sizeof(wire::rma_ack),
                                      descriptor, FI_ADDR_UNSPEC, wire::ack, 0, raw);
                    },
                    [this](ssize_t code) {
                      log_.error(DS_FI_ERROR(provider(), "fi_trecv", code, -1, net_error::no_tag,
                                             "posting an ack receive; one fewer is posted now")
                                   .what());
                    }});
}

void libfabric_transport::engine::on_ack(ack_recv_op& op) {
  wire::rma_ack ack{};
  std::memcpy(&ack, op.landing.data(), sizeof ack);
  post_ack_receive(op);
  auto found = rma_sends_.find(ack.transfer_id);
  if (found == rma_sends_.end()) {
    log_.warn("an ack for transfer " + std::to_string(ack.transfer_id)
              + ", which is not waiting for one (provider " + provider() + ")");
    return;
  }
  auto owned = std::move(found->second);
  rma_sends_.erase(found);
  auto size = owned->payload.size();
  owned->payload = {};  // the receiver has its copy in its own memory now
  completion done{owned->peer, owned->tag, {}, {}};
  if (ack.status != 0)
    done.error = DS_FI_ERROR(provider(), "fi_read", ack.status, owned->peer, owned->tag,
                             "reported by the receiver, which could not read transfer "
                               + std::to_string(ack.transfer_id));
  else
    counters_.bytes_sent += size;
  call(owned->on_done, std::move(done));
}

// ---- Handlers and shutdown --------------------------------------------------------------

void libfabric_transport::engine::call(const completion_handler& handler,
                                       completion done) noexcept {
  if (!handler)
    return;
  try {
    handler(std::move(done));
  } catch (const std::exception& error) {
    log_.error(std::string("a completion handler threw: ") + error.what());
  } catch (...) {
    log_.error("a completion handler threw a non-standard exception");
  }
}

void libfabric_transport::engine::shutdown() noexcept {
  auto closed = [this](int peer, std::uint64_t tag, const char* what) {
    return completion{peer, tag, {},
                      net_error(net_errc::closed,
                                std::string(what) + " (provider " + provider() + ", "
                                  + describe_peer_tag(peer, tag)
                                  + "): the transport shut down before it finished",
                                peer, tag)};
  };
  try {
    std::deque<submission> batch;
    {
      std::lock_guard guard{mutex_};
      batch.swap(submissions_);
    }
    for (auto& task : batch)
      task.fail(net_error(net_errc::closed, "the transport shut down before the operation began"));

    // Closing the endpoint cancels what is posted; only then may buffers go.
    fabric_->close_endpoint();
    posts_.clear();
    std::vector<std::pair<completion_handler, completion>> failed;
    for (auto& [raw, op] : eager_sends_)
      failed.emplace_back(std::move(op->on_done), closed(op->peer, op->tag, "send"));
    for (auto& [id, op] : rma_sends_)
      failed.emplace_back(std::move(op->on_done), closed(op->peer, op->tag, "send"));
    for (auto& [key, queue] : receive_queues_)
      for (auto& slot : queue.slots)
        failed.emplace_back(std::move(slot->on_done), closed(slot->peer, slot->tag, "recv"));
    eager_sends_.clear();
    rma_sends_.clear();
    receive_queues_.clear();
    ack_receives_.clear();
    cache_.reset();  // closes registrations while the domain is still open
    for (auto& [handler, done] : failed)
      call(handler, std::move(done));
  } catch (const std::exception& error) {
    log_.error(std::string("shutting down: ") + error.what());
  }
}

} // namespace ds::net
