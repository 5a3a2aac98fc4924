// The receive side of the libfabric protocol: posted receives per (peer, tag),
// in-order delivery, RMA reads of large payloads and their acks. Runs on the
// progress thread only, like everything in `engine` but `submit`.
#include <rdma/fi_endpoint.h>
#include <rdma/fi_errno.h>
#include <rdma/fi_rma.h>
#include <rdma/fi_tagged.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "net/fabric_engine.hpp"
#include "net/fi_check.hpp"

namespace ds::net {

// ---- Receiving --------------------------------------------------------------------------

void libfabric_transport::engine::start_recv(int peer, std::uint64_t tag, memory_pool* pool,
                                             buffer destination, completion_handler on_done) {
  if (auto lost = lost_peers_.find(peer); lost != lost_peers_.end()) {
    call(on_done, {peer, tag, {}, lost_peer_error("recv", peer, tag, lost->second)});
    return;
  }
  auto slot = std::make_unique<recv_op>();
  slot->peer = peer;
  slot->tag = tag;
  slot->pool = pool;
  slot->destination = std::move(destination);
  slot->on_done = std::move(on_done);
  match_key key{peer, tag};
  receive_queues_[key].slots.push_back(std::move(slot));
  deliver(key);
}

void libfabric_transport::engine::deliver(const match_key& key) {
  for (;;) {
    auto found = receive_queues_.find(key);
    if (found == receive_queues_.end())
      return;
    auto& queue = found->second;
    std::vector<std::unique_ptr<recv_op>> ready;
    while (!queue.slots.empty() && queue.slots.front()->finished) {
      ready.push_back(std::move(queue.slots.front()));
      queue.slots.pop_front();
      --queue.posted;
    }
    // Post receives ahead, up to receive_depth unmatched ones.
    bool prepared_all = true;
    while (queue.posted < queue.slots.size() && queue.in_flight < options_.receive_depth) {
      auto* slot = queue.slots[queue.posted].get();
      ++queue.posted;
      if (slot->error) {  // failed before it was posted (its peer was declared lost)
        slot->finished = true;
        prepared_all = false;
        continue;
      }
      void* descriptor = nullptr;
      try {
        slot->landing = slot->pool->allocate(options_.eager_threshold);
        if (fabric_->needs_local_registration())
          descriptor = lookup(slot->landing).descriptor;
      } catch (const std::exception& error) {
        slot->error = net_error(net_errc::fabric,
                                "fi_trecv (provider " + provider() + ", "
                                  + describe_peer_tag(slot->peer, slot->tag)
                                  + "): no receive buffer: " + error.what(),
                                slot->peer, slot->tag);
        slot->finished = true;
        prepared_all = false;
        continue;
      }
      ++queue.in_flight;
      auto address = peer_addresses_[static_cast<std::size_t>(key.first)];
      posts_.push_back({"fi_trecv",
                        [this, slot, descriptor, address] {
                          return fi_trecv(fabric_->ep(), slot->landing.data(),
                                          options_.eager_threshold, descriptor, address,
                                          slot->tag, 0, slot);
                        },
                        [this, slot](ssize_t code) {
                          slot->error = DS_FI_ERROR(provider(), "fi_trecv", code, slot->peer,
                                                    slot->tag, "");
                          slot->landing = {};
                          slot->finished = true;
                          match_key key{slot->peer, slot->tag};
                          --receive_queues_[key].in_flight;
                          deliver(key);
                        }});
    }
    if (queue.slots.empty())
      receive_queues_.erase(found);
    for (auto& slot : ready) {
      if (!slot->error)
        counters_.bytes_received += slot->payload.size();
      completion done{slot->peer, slot->tag, std::move(slot->payload), std::move(slot->error)};
      auto on_done = std::move(slot->on_done);
      slot.reset();
      call(on_done, std::move(done));
    }
    if (prepared_all)
      return;
  }
}

void libfabric_transport::engine::on_matched(recv_op& slot, const fi_cq_tagged_entry& entry) {
  match_key key{slot.peer, slot.tag};
  --receive_queues_[key].in_flight;
  bool is_descriptor =
    (entry.flags & FI_REMOTE_CQ_DATA) != 0 && entry.data == wire::descriptor_data;
  if (slot.error) {  // its peer was declared lost while the receive was posted
    slot.landing = {};
    slot.finished = true;
  } else if (entry.tag != slot.tag) {
    slot.landing = {};
    slot.error = net_error(net_errc::fabric,
                           "fi_trecv (provider " + provider() + ", "
                             + describe_peer_tag(slot.peer, slot.tag) + "): matched a message "
                             + "with tag " + std::to_string(entry.tag),
                           slot.peer, slot.tag);
    slot.finished = true;
  } else if (!is_descriptor) {
    if (!slot.destination) {
      slot.payload = slot.landing.slice(0, entry.len);
    } else if (slot.destination.size() != entry.len) {
      slot.error = wrong_size(slot, entry.len);
    } else {
      std::memcpy(slot.destination.data(), slot.landing.data(), entry.len);
      slot.payload = slot.destination;
    }
    slot.landing = {};
    slot.finished = true;
  } else if (entry.len == sizeof(wire::rma_descriptor)) {
    wire::rma_descriptor descriptor{};
    std::memcpy(&descriptor, slot.landing.data(), sizeof descriptor);
    slot.landing = {};
    start_read(slot, descriptor);
  } else {
    slot.landing = {};
    slot.error = net_error(net_errc::fabric,
                           "fi_trecv (provider " + provider() + ", "
                             + describe_peer_tag(slot.peer, slot.tag) + "): a descriptor of "
                             + std::to_string(entry.len) + " bytes instead of "
                             + std::to_string(sizeof(wire::rma_descriptor)),
                           slot.peer, slot.tag);
    slot.finished = true;
  }
  deliver(key);
}

void libfabric_transport::engine::start_read(recv_op& slot, const wire::rma_descriptor& remote) {
  slot.transfer_id = remote.transfer_id;
  if (slot.destination && slot.destination.size() != remote.length) {
    slot.error = wrong_size(slot, remote.length);
    slot.finished = true;
    send_ack(slot.peer, remote.transfer_id, -FI_EMSGSIZE);
    return;
  }
  void* descriptor = nullptr;
  try {
    // recv_into: read straight into the caller's buffer, no copy on this side either.
    slot.payload = slot.destination ? slot.destination : slot.pool->allocate(remote.length);
    if (fabric_->needs_local_registration())
      descriptor = lookup(slot.payload).descriptor;
  } catch (const std::exception& error) {
    slot.payload = {};
    slot.error = net_error(net_errc::fabric,
                           "fi_read (provider " + provider() + ", "
                             + describe_peer_tag(slot.peer, slot.tag) + "): no buffer for "
                             + std::to_string(remote.length) + " bytes: " + error.what(),
                           slot.peer, slot.tag);
    slot.finished = true;
    send_ack(slot.peer, remote.transfer_id, -FI_ENOMEM);
    return;
  }
  auto address = peer_addresses_[static_cast<std::size_t>(slot.peer)];
  auto chunk = std::min<std::uint64_t>(options_.rma_chunk, fabric_->max_message_size());
  auto* parent = &slot;
  for (std::uint64_t offset = 0; offset < remote.length; offset += chunk) {
    auto length = std::min<std::uint64_t>(chunk, remote.length - offset);
    auto op = std::make_unique<read_chunk_op>(parent);
    auto* raw = op.get();
    slot.chunks.push_back(std::move(op));
    ++slot.chunks_left;
    posts_.push_back({"fi_read",
                      [this, raw, parent, offset, length, descriptor, address, remote] {
                        return fi_read(fabric_->ep(), parent->payload.data() + offset, length,
                                       descriptor, address, remote.remote_address + offset,
                                       remote.key, raw);
                      },
                      [this, parent](ssize_t code) {
                        if (!parent->error)
                          parent->error = DS_FI_ERROR(provider(), "fi_read", code, parent->peer,
                                                      parent->tag,
                                                      "reading transfer "
                                                        + std::to_string(parent->transfer_id));
                        on_chunk_finished(*parent);
                      }});
  }
}

void libfabric_transport::engine::on_chunk_finished(recv_op& slot) {
  if (--slot.chunks_left > 0)
    return;
  slot.chunks.clear();
  if (slot.error) {
    slot.payload = {};
    auto code = slot.error->fabric_code();
    send_ack(slot.peer, slot.transfer_id, code != 0 ? code : -FI_EIO);
  } else {
    send_ack(slot.peer, slot.transfer_id, 0);
  }
  slot.finished = true;
  deliver({slot.peer, slot.tag});
}

void libfabric_transport::engine::send_ack(int peer, std::uint64_t transfer_id, int status) {
  wire::rma_ack ack{transfer_id, status, 0};
  auto address = peer_addresses_[static_cast<std::size_t>(peer)];
  posts_.push_back({"fi_tinject",
                    [this, ack, address] {
                      return fi_tinject(fabric_->ep(), &ack, sizeof ack, address, wire::ack);
                    },
                    [this, peer, transfer_id](ssize_t code) {
                      log_.error(DS_FI_ERROR(provider(), "fi_tinject", code, peer, net_error::no_tag,
                                             "the ack of transfer " + std::to_string(transfer_id)
                                               + "; its sender keeps waiting for it")
                                   .what());
                    }});
}

net_error libfabric_transport::engine::wrong_size(const recv_op& slot, std::uint64_t length) const {
  return net_error(net_errc::invalid_argument,
                   "recv_into (provider " + provider() + ", " + describe_peer_tag(slot.peer, slot.tag)
                     + "): " + std::to_string(length) + " bytes arrived for a destination of "
                     + std::to_string(slot.destination.size()),
                   slot.peer, slot.tag);
}

// ---- A peer declared lost ---------------------------------------------------------------

void libfabric_transport::engine::fail_lost_peer(int peer, const std::string& reason) {
  if (peer < 0 || peer >= static_cast<int>(peer_addresses_.size()) || lost_peers_.contains(peer))
    return;
  lost_peers_.emplace(peer, reason);
  // Sends keep their buffers until the provider (or an ack) releases them; only their
  // handlers learn now, and a later completion finds no handler.
  for (auto& [raw, op] : eager_sends_)
    if (op->peer == peer)
      call(std::exchange(op->on_done, {}), {peer, op->tag, {}, lost_peer_error("send", peer, op->tag, reason)});
  for (auto& [id, op] : rma_sends_)
    if (op->peer == peer)
      call(std::exchange(op->on_done, {}), {peer, op->tag, {}, lost_peer_error("send", peer, op->tag, reason)});
  std::vector<match_key> keys;
  for (auto& [key, queue] : receive_queues_) {
    if (key.first != peer)
      continue;
    keys.push_back(key);
    for (std::size_t index = 0; index < queue.slots.size(); ++index) {
      auto& slot = *queue.slots[index];
      if (!slot.error)
        slot.error = lost_peer_error("recv", peer, slot.tag, reason);
      call(std::exchange(slot.on_done, {}), {peer, slot.tag, {}, *slot.error});
      // A posted receive holds its landing buffer until the provider gives it back; the
      // cancel's completion (or a late match) then finishes the slot. A read in progress
      // finishes on its own.
      if (index < queue.posted && !slot.finished && slot.chunks_left == 0)
        fi_cancel(&fabric_->ep()->fid, &slot);
    }
  }
  for (const auto& key : keys)
    deliver(key);
}

} // namespace ds::net
