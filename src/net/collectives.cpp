#include "net/collectives.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace ds::net {
namespace {

/// One contiguous piece of the buffer that travels as one message.
struct piece {
  std::size_t offset = 0;  ///< in elements (floats for allreduce, bytes for broadcast)
  std::size_t length = 0;
  int step = 0;
};

/// The completions of one collective call; handlers (on the transport's thread) fill it,
/// the calling thread waits on it. Shared with the handlers, so a call that throws leaves
/// nothing dangling.
struct call_state {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::optional<completion>> received;
  std::size_t sends_pending = 0;
  std::optional<net_error> send_error;
  /// Set when any rank is declared lost: every rank takes part, so the call cannot finish.
  std::optional<net_error> lost;
};

/// The point-to-point side of a ring collective: receives from `left` (posted ahead, taken in
/// order), sends to `right`, one tag. Receive i lands in `destinations[i]` when that is set
/// (`recv_into`), else in a block of `pool`.
class ring_link {
public:
  ring_link(transport& net, const char* kind, std::uint64_t op_id, int left, int right,
            memory_pool& pool, const collective_options& options, std::vector<buffer> destinations)
      : net_(net), left_(left), right_(right), pool_(pool), options_(options),
        state_(std::make_shared<call_state>()), destinations_(std::move(destinations)) {
    if (op_id > max_collective_op)
      throw net_error(net_errc::invalid_argument,
                      std::string(kind) + ": op id " + std::to_string(op_id)
                        + " is above max_collective_op (2^61 - 1)");
    tag_ = collective_tag_bit | op_id;
    what_ = std::string(kind) + " op " + std::to_string(op_id) + " (rank " + std::to_string(net.rank())
            + " of " + std::to_string(net.world_size()) + ")";
    state_->received.resize(destinations_.size());
    watcher_ = net_.watch_losses([state = state_](const net_error& lost) {
      std::lock_guard guard{state->mutex};
      if (!state->lost)
        state->lost = lost;
      state->changed.notify_all();
    });
    post_receives(0);
  }

  ~ring_link() { net_.unwatch_losses(watcher_); }
  ring_link(const ring_link&) = delete;
  ring_link& operator=(const ring_link&) = delete;

  /// The `index`-th message from `left`, of `bytes` bytes; throws naming the peer.
  buffer take(std::size_t index, std::size_t bytes) {
    post_receives(index);
    std::unique_lock lock{state_->mutex};
    auto& slot = state_->received[index];
    if (!wait(lock, [&] { return slot.has_value() || state_->send_error || state_->lost; })) {
      throw net_error(net_errc::closed,
                      what_ + ": nothing from rank " + std::to_string(left_) + " for "
                        + std::to_string(options_.timeout.count()) + " ms (message "
                        + std::to_string(index + 1) + " of " + std::to_string(state_->received.size())
                        + ")",
                      left_, tag_);
    }
    throw_if_failed();
    completion done = std::move(*slot);
    slot.reset();
    lock.unlock();
    if (!done.ok())
      throw net_error(done.error->code(),
                      what_ + ": receive from rank " + std::to_string(left_) + " failed: "
                        + done.error->what(),
                      left_, tag_, done.error->fabric_code());
    if (done.payload.size() != bytes)
      throw net_error(net_errc::invalid_argument,
                      what_ + ": rank " + std::to_string(left_) + " sent "
                        + std::to_string(done.payload.size()) + " bytes where "
                        + std::to_string(bytes)
                        + " were expected (do all ranks pass the same size and op id?)",
                      left_, tag_);
    return std::move(done.payload);
  }

  void send(buffer payload) {
    {
      std::lock_guard guard{state_->mutex};
      throw_if_failed();
      ++state_->sends_pending;
    }
    auto state = state_;
    auto what = what_;
    int right = right_;
    net_.send(right_, tag_, std::move(payload), [state, what, right](completion done) {
      std::lock_guard guard{state->mutex};
      --state->sends_pending;
      if (!done.ok() && !state->send_error)
        state->send_error = net_error(done.error->code(),
                                      what + ": send to rank " + std::to_string(right)
                                        + " failed: " + done.error->what(),
                                      right, done.tag, done.error->fabric_code());
      state->changed.notify_all();
    });
  }

  /// Waits until every send finished (the receiver has the bytes).
  void finish_sends() {
    std::unique_lock lock{state_->mutex};
    if (!wait(lock, [&] { return state_->sends_pending == 0 || state_->send_error || state_->lost; }))
      throw net_error(net_errc::closed,
                      what_ + ": " + std::to_string(state_->sends_pending) + " sends to rank "
                        + std::to_string(right_) + " unfinished after "
                        + std::to_string(options_.timeout.count()) + " ms",
                      right_, tag_);
    throw_if_failed();
  }

private:
  /// Waits (the mutex held in `lock`) until `ready()` or the timeout; false on timeout. Polls
  /// for `options_.spin` before it blocks (see `collective_options::spin`).
  template <class Ready>
  bool wait(std::unique_lock<std::mutex>& lock, Ready ready) {
    for (auto until = std::chrono::steady_clock::now() + options_.spin;
         !ready() && std::chrono::steady_clock::now() < until;) {
      lock.unlock();
      std::this_thread::yield();
      lock.lock();
    }
    return state_->changed.wait_for(lock, options_.timeout, ready);
  }

  /// Throws the first failure: a lost rank, else a failed send. Call with the mutex held.
  void throw_if_failed() const {
    if (state_->lost)
      throw net_error(net_errc::peer_failed, what_ + ": " + state_->lost->what(),
                      state_->lost->peer(), tag_);
    if (state_->send_error)
      throw *state_->send_error;
  }

  void post_receives(std::size_t from) {
    const auto end = std::min(state_->received.size(), from + std::max<std::size_t>(1, options_.receive_window));
    for (; posted_ < end; ++posted_) {
      auto state = state_;
      std::size_t index = posted_;
      auto on_done = [state, index](completion done) {
        std::lock_guard guard{state->mutex};
        state->received[index] = std::move(done);
        state->changed.notify_all();
      };
      if (destinations_[index])
        net_.recv_into(left_, tag_, destinations_[index], std::move(on_done));
      else
        net_.recv(left_, tag_, pool_, std::move(on_done));
    }
  }

  transport& net_;
  int left_;
  int right_;
  memory_pool& pool_;
  collective_options options_;
  std::shared_ptr<call_state> state_;
  std::uint64_t tag_ = 0;
  std::string what_;
  std::vector<buffer> destinations_;
  std::uint64_t watcher_ = 0;
  std::size_t posted_ = 0;
};

/// Segments of `length` elements at `offset`, at most `segment` each (none when empty).
void add_segments(std::vector<piece>& out, std::size_t offset, std::size_t length,
                  std::size_t segment, int step) {
  for (std::size_t at = 0; at < length; at += segment)
    out.push_back({offset + at, std::min(segment, length - at), step});
}

} // namespace

void allreduce_sum(transport& net, const buffer& data, std::uint64_t op_id, memory_pool& pool,
                   const collective_options& options) {
  const int n = net.world_size();
  const int rank = net.rank();
  if (op_id > max_collective_op)
    throw net_error(net_errc::invalid_argument,
                    "allreduce: op id " + std::to_string(op_id) + " is above max_collective_op");
  if (data.size() % sizeof(float) != 0)
    throw net_error(net_errc::invalid_argument,
                    "allreduce: a buffer of " + std::to_string(data.size())
                      + " bytes does not hold whole floats");
  if (n <= 1 || data.empty())
    return;
  const std::size_t count = data.size() / sizeof(float);
  const std::size_t base = count / static_cast<std::size_t>(n);
  const std::size_t extra = count % static_cast<std::size_t>(n);
  auto chunk_offset = [&](int c) {
    auto uc = static_cast<std::size_t>(c);
    return uc * base + std::min(uc, extra);
  };
  auto chunk_length = [&](int c) { return base + (static_cast<std::size_t>(c) < extra ? 1 : 0); };
  auto wrap = [n](int c) { return ((c % n) + n) % n; };
  const std::size_t segment = std::max<std::size_t>(1, options.segment_bytes / sizeof(float));
  auto slice = [&](const piece& p) { return data.slice(p.offset * sizeof(float), p.length * sizeof(float)); };

  // Step s (0 .. 2n-3): reduce-scatter for s < n-1, allgather after. At step s this rank
  // receives chunk (rank - s - 1) in reduce-scatter and (rank - t) in allgather (t = s - n + 1),
  // which is the chunk it sends at step s + 1.
  const int steps = 2 * (n - 1);
  auto received_chunk = [&](int s) { return s < n - 1 ? wrap(rank - s - 1) : wrap(rank - (s - n + 1)); };
  std::vector<piece> incoming;
  for (int s = 0; s < steps; ++s) {
    int c = received_chunk(s);
    add_segments(incoming, chunk_offset(c), chunk_length(c), segment, s);
  }
  // Reduce-scatter pieces land in pool blocks and are added into `data`; allgather pieces
  // (final sums) land straight in `data`. Writing there before the sends of the same range
  // have finished is safe: a final sum reaches this rank only after every rank, the right
  // neighbour first, has read this rank's contribution to it.
  std::vector<buffer> destinations;
  for (const auto& p : incoming)
    destinations.push_back(p.step < n - 1 ? buffer{} : slice(p));

  auto* sums = reinterpret_cast<float*>(data.data());
  ring_link link{net, "allreduce", op_id, wrap(rank - 1), wrap(rank + 1), pool, options,
                 std::move(destinations)};
  std::vector<piece> first;
  add_segments(first, chunk_offset(rank), chunk_length(rank), segment, 0);
  for (const auto& p : first)
    link.send(slice(p));

  for (std::size_t index = 0; index < incoming.size(); ++index) {
    const auto& p = incoming[index];
    buffer got = link.take(index, p.length * sizeof(float));
    if (p.step < n - 1) {
      const auto* values = reinterpret_cast<const float*>(got.data());
      float* into = sums + p.offset;
      for (std::size_t i = 0; i < p.length; ++i)
        into[i] += values[i];
      link.send(slice(p));
    } else if (p.step < steps - 1) {
      link.send(std::move(got));  // forward the final sums as they landed
    }
  }
  link.finish_sends();
}

void allreduce_sum(transport& net, std::span<float> data, std::uint64_t op_id, memory_pool& pool,
                   const collective_options& options) {
  if (op_id > max_collective_op)
    throw net_error(net_errc::invalid_argument,
                    "allreduce: op id " + std::to_string(op_id) + " is above max_collective_op");
  if (net.world_size() <= 1 || data.empty())
    return;
  // Sends are slices of the working copy, which no one else writes while they are in flight.
  buffer work = pool.allocate(data.size_bytes());
  std::memcpy(work.data(), data.data(), data.size_bytes());
  allreduce_sum(net, work, op_id, pool, options);
  std::memcpy(data.data(), work.data(), data.size_bytes());
}

void broadcast(transport& net, std::span<std::byte> data, int root, std::uint64_t op_id,
               memory_pool& pool, const collective_options& options) {
  const int n = net.world_size();
  const int rank = net.rank();
  if (root < 0 || root >= std::max(n, 1))
    throw net_error(net_errc::invalid_argument,
                    "broadcast: root " + std::to_string(root) + " is not a rank of this job (world size "
                      + std::to_string(n) + ")");
  if (op_id > max_collective_op)
    throw net_error(net_errc::invalid_argument,
                    "broadcast: op id " + std::to_string(op_id) + " is above max_collective_op");
  if (n <= 1 || data.empty())
    return;
  const int position = (rank - root + n) % n;  // distance from the root along the ring
  std::vector<piece> pieces;
  add_segments(pieces, 0, data.size(), std::max<std::size_t>(1, options.segment_bytes), 0);
  ring_link link{net, "broadcast", op_id, (rank - 1 + n) % n, (rank + 1) % n, pool, options,
                 std::vector<buffer>(position == 0 ? 0 : pieces.size())};
  if (position == 0) {
    buffer copy = pool.allocate(data.size());
    std::memcpy(copy.data(), data.data(), data.size());
    for (const auto& p : pieces)
      link.send(copy.slice(p.offset, p.length));
  } else {
    for (std::size_t index = 0; index < pieces.size(); ++index) {
      const auto& p = pieces[index];
      buffer got = link.take(index, p.length);
      std::memcpy(data.data() + p.offset, got.data(), p.length);
      if (position < n - 1)
        link.send(std::move(got));
    }
  }
  link.finish_sends();
}

namespace {
std::mutex registry_mutex;
std::shared_ptr<transport> registered;
} // namespace

std::shared_ptr<transport> process_transport() {
  std::lock_guard guard{registry_mutex};
  return registered;
}

void set_process_transport(std::shared_ptr<transport> net) {
  std::lock_guard guard{registry_mutex};
  registered = std::move(net);
}

} // namespace ds::net
