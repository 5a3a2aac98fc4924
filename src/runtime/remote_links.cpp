// The actor at each end of a cross-rank link: frames out, frames in, credits both ways.

#include "runtime/remote_links.hpp"

#include <exception>
#include <mutex>

#include "net/transport.hpp"
#include "runtime/message_wire.hpp"

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ds::buffer)

namespace ds::runtime {

/// Where the transport's handlers deliver an end's completions; `close` empties it.
struct link_gate {
  std::mutex mutex;
  caf::actor end;  ///< null once closed
};

/// What an end needs to post operations; fixed once the end exists.
struct link_end_info {
  bool outbound = false;
  std::uint64_t tag = 0;
  int peer = 0;
  caf::actor local;         ///< the producer (outbound end) or consumer (inbound end)
  std::uint32_t index = 0;  ///< the producer's route, or the consumer's inbound link
  std::string edge;         ///< "read.out → decode (rank 0 → rank 1)", for errors
  net::transport* net = nullptr;
  memory_pool* pool = nullptr;
  caf::actor job;
  std::shared_ptr<link_gate> gate;
};

namespace {

using end_info = link_end_info;
using link_recv_atom = caf::atom_constant<caf::atom("linkrecv")>;
using link_fail_atom = caf::atom_constant<caf::atom("linkfail")>;

/// Forwards a completion to the end's actor unless the links are closed.
void forward(const std::shared_ptr<link_gate>& gate, net::completion done) {
  std::lock_guard lock{gate->mutex};
  if (!gate->end)
    return;
  if (done.ok())
    caf::anon_send(gate->end, link_recv_atom::value, std::move(done.payload));
  else
    caf::anon_send(gate->end, link_fail_atom::value, std::string{done.error->what()});
}

void post_receive(const end_info& info) {
  info.net->recv(info.peer, info.tag, *info.pool,
                 [gate = info.gate](net::completion done) { forward(gate, std::move(done)); });
}

void send_frame(const end_info& info, outgoing_frame frame) {
  auto on_sent = [gate = info.gate](net::completion done) {
    if (!done.ok())
      forward(gate, std::move(done));
  };
  info.net->send(info.peer, info.tag, std::move(frame.header), on_sent);
  for (auto& payload : frame.payloads)
    info.net->send(info.peer, info.tag, std::move(payload), on_sent);
}

struct end_state {
  std::shared_ptr<const end_info> info;
  // An inbound end between an items header and the last of its payloads.
  buffer header;
  std::uint32_t payloads_missing = 0;
  std::vector<buffer> payloads;
  bool failed = false;
};

using end_actor = caf::stateful_actor<end_state>;

/// A frame header arrived on the items side. For items, post a receive per payload, then one
/// for the next header (a link's messages complete in the order they were sent, so the order
/// of the posts decides which message is which); the end of stream is the link's last frame.
void on_inbound_frame(end_actor* self, buffer frame) {
  auto& st = self->state;
  const auto& info = *st.info;
  auto header = read_frame_header(frame.bytes());
  switch (header.kind) {
    case frame_kind::items:
      if (header.payload_count == 0) {
        self->send(info.local, item_atom::value, info.index, decode_items(frame.bytes(), {}));
      } else {
        st.header = std::move(frame);
        st.payloads_missing = header.payload_count;
        for (std::uint32_t i = 0; i < header.payload_count; ++i)
          post_receive(info);
      }
      post_receive(info);
      break;
    case frame_kind::end:
      self->send(info.local, eos_atom::value, info.index, header.cut);
      break;  // the last frame of the link: nothing more to receive
    case frame_kind::credit:
      throw wire_error("a credit frame arrived on the items side");
  }
}

void on_received(end_actor* self, buffer frame) {
  auto& st = self->state;
  const auto& info = *st.info;
  if (info.outbound) {  // credits the consumer returned
    auto header = read_frame_header(frame.bytes());
    if (header.kind != frame_kind::credit)
      throw wire_error("an items frame arrived on the credit side");
    self->send(info.local, credit_atom::value, info.index, header.credits);
    post_receive(info);
  } else if (st.payloads_missing > 0) {
    st.payloads.push_back(std::move(frame));
    if (--st.payloads_missing == 0) {
      auto items = decode_items(st.header.bytes(), std::move(st.payloads));
      st.payloads = {};
      st.header = {};
      self->send(info.local, item_atom::value, info.index, std::move(items));
    }
  } else {
    on_inbound_frame(self, std::move(frame));
  }
}

/// Runs one event; a failure stops the job naming the edge (the link's state is lost).
template <class Event>
void guarded(end_actor* self, Event&& event) {
  auto& st = self->state;
  if (st.failed)
    return;
  try {
    event();
  } catch (const std::exception& e) {
    st.failed = true;
    self->send(st.info->job, fatal_atom::value,
               "cross-rank edge " + st.info->edge + ": " + e.what());
  }
}

caf::behavior link_end(end_actor* self, std::shared_ptr<const end_info> info) {
  self->state.info = std::move(info);
  return {
    [=](item_atom, flow::inbound_id, std::vector<item>& items) {
      guarded(self, [&] { send_frame(*self->state.info, encode_items(items, *self->state.info->pool)); });
    },
    [=](eos_atom, flow::inbound_id, bool cut) {
      guarded(self, [&] { send_frame(*self->state.info, encode_end(cut, *self->state.info->pool)); });
    },
    [=](credit_atom, flow::route_id, std::uint32_t count) {
      guarded(self, [&] { send_frame(*self->state.info, encode_credit(count, *self->state.info->pool)); });
    },
    [=](link_recv_atom, buffer& frame) {
      guarded(self, [&] { on_received(self, std::move(frame)); });
    },
    [=](link_fail_atom, const std::string& what) {
      guarded(self, [&] { throw std::runtime_error(what); });
    },
  };
}

} // namespace

remote_links::remote_links(caf::actor_system& system, net::transport& net, memory_pool& pool,
                           caf::actor job)
  : system_(system), net_(net), pool_(pool), job_(std::move(job)) {}

remote_links::~remote_links() {
  close();
}

caf::actor remote_links::add_outbound(std::uint64_t link, int peer, caf::actor producer,
                                      flow::route_id route, std::string edge) {
  return add_end(true, link, peer, std::move(producer), route, std::move(edge));
}

caf::actor remote_links::add_inbound(std::uint64_t link, int peer, caf::actor consumer,
                                     flow::inbound_id inbound, std::string edge) {
  return add_end(false, link, peer, std::move(consumer), inbound, std::move(edge));
}

caf::actor remote_links::add_end(bool outbound, std::uint64_t link, int peer, caf::actor local,
                                 std::uint32_t index, std::string edge) {
  auto info = std::make_shared<end_info>();
  info->outbound = outbound;
  info->tag = link_tag_bit | link;
  info->peer = peer;
  info->local = std::move(local);
  info->index = index;
  info->edge = std::move(edge);
  info->net = &net_;
  info->pool = &pool_;
  info->job = job_;
  info->gate = std::make_shared<link_gate>();
  auto end = system_.spawn(link_end, std::shared_ptr<const end_info>{info});
  info->gate->end = end;
  ends_.push_back(std::move(info));
  actors_.push_back(end);
  return end;
}

void remote_links::start() {
  for (const auto& info : ends_)
    post_receive(*info);
}

void remote_links::close() {
  for (const auto& info : ends_) {
    std::lock_guard lock{info->gate->mutex};
    info->gate->end = nullptr;
  }
}

} // namespace ds::runtime
