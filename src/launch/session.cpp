#include "launch/session.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "dsflow/logger.hpp"
#include "launch/coordinator.hpp"
#include "launch/launch_error.hpp"
#include "launch/tcp.hpp"
#include "launch/wire.hpp"

namespace ds::launch {

namespace {

using std::chrono::milliseconds;
using wire::kind;

/// After connecting, how much longer than the rendezvous timeout a rank waits for the
/// table: the coordinator's own deadline should fire first and name the missing ranks.
milliseconds table_grace(milliseconds timeout) {
  return std::max(milliseconds(2000), timeout / 10);
}

} // namespace

struct session::state {
  session_options options;
  std::vector<std::vector<std::byte>> addresses;
  std::unique_ptr<coordinator> server;  ///< rank 0 only
  fd_handle socket;
  frame_reader reader{wire::max_message_bytes};
  fd_handle wake_read;
  fd_handle wake_write;
  std::thread thread;
  logger log{"launch"};

  std::mutex send_mutex;  ///< one writer at a time on `socket`
  mutable std::mutex mutex;
  std::condition_variable changed;
  std::vector<peer_loss> losses;
  std::vector<std::function<void(int, const std::string&)>> callbacks;
  std::set<std::uint64_t> barriers_done;
  std::map<std::uint64_t, std::vector<std::byte>> broadcasts;
  std::uint64_t next_collective = 0;
  bool stopping = false;
  bool ended = false;  ///< finish or fail was called

  bool send(kind type, const wire::bytes& payload = {}) {
    std::lock_guard guard{send_mutex};
    return socket && send_frame(socket.get(), static_cast<std::uint8_t>(type), payload);
  }

  void lose(int rank, std::string why) {
    std::vector<std::function<void(int, const std::string&)>> to_call;
    {
      std::lock_guard guard{mutex};
      if (stopping)
        return;
      for (const auto& loss : losses)
        if (loss.rank == rank)
          return;
      losses.push_back({rank, why});
      to_call = callbacks;
    }
    changed.notify_all();
    log.error(why);
    for (auto& callback : to_call)
      callback(rank, why);
  }

  void run();
  /// From here on nothing is reported lost: this rank is leaving on its own.
  void begin_stop() {
    std::lock_guard guard{mutex};
    stopping = true;
  }
  void stop_thread() {
    begin_stop();
    char byte = 1;
    [[maybe_unused]] auto n = ::write(wake_write.get(), &byte, 1);
    if (thread.joinable())
      thread.join();
    std::lock_guard guard{send_mutex};
    socket.reset();
  }

  /// Waits until `ready()` (under `mutex`), a loss, or the timeout; throws on the latter two.
  /// Returns false when `stop_waiting` (polled every 100 ms, under `mutex`) says to give up.
  template <class Ready>
  bool wait_for(const char* what, milliseconds timeout, Ready ready,
                const std::function<bool()>& stop_waiting = {}) {
    const auto deadline = launch_clock::now() + timeout;
    std::unique_lock lock{mutex};
    for (;;) {
      auto slice = std::min<launch_clock::duration>(deadline - launch_clock::now(), milliseconds(100));
      bool done = changed.wait_for(lock, slice, [&] { return ready() || !losses.empty(); });
      if (!losses.empty())
        throw launch_error(std::string(what) + " failed: " + losses.front().why);
      if (done)
        return true;
      if (launch_clock::now() >= deadline)
        throw launch_error(std::string(what) + " timed out after " + describe_seconds(timeout)
                           + " on rank " + std::to_string(options.rank));
      if (stop_waiting && stop_waiting())
        return false;
    }
  }
};

void session::state::run() {
  auto interval = options.heartbeat_interval;
  auto last_heard = launch_clock::now();
  auto next_heartbeat = last_heard + interval;
  for (;;) {
    {
      std::lock_guard guard{mutex};
      if (stopping)
        return;
    }
    auto wake_at = std::min(next_heartbeat, last_heard + options.heartbeat_timeout);
    pollfd fds[2] = {{socket.get(), POLLIN, 0}, {wake_read.get(), POLLIN, 0}};
    int ready = ::poll(fds, 2, poll_timeout_ms(wake_at) + 1);
    if (ready > 0 && fds[1].revents != 0)
      continue;  // told to stop
    if (ready > 0 && fds[0].revents != 0) {
      bool open = reader.read_available(socket.get());
      try {
        while (auto f = reader.next()) {
          last_heard = launch_clock::now();
          wire::reader in{f->payload};
          switch (static_cast<kind>(f->type)) {
            case kind::peer_lost: {
              int rank = static_cast<int>(in.u32());
              lose(rank, in.text());
              break;
            }
            case kind::barrier_done: {
              auto seq = in.u64();
              {
                std::lock_guard guard{mutex};
                barriers_done.insert(seq);
              }
              changed.notify_all();
              break;
            }
            case kind::broadcast: {
              auto seq = in.u64();
              in.u32();
              auto data = in.blob();
              {
                std::lock_guard guard{mutex};
                broadcasts[seq] = std::move(data);
              }
              changed.notify_all();
              break;
            }
            default:
              break;  // heartbeats, and anything newer than this version
          }
        }
      } catch (const launch_error& e) {
        lose(0, std::string("rank 0 (the coordinator) sent a malformed message: ") + e.what());
        return;
      }
      if (!open) {
        lose(0, "rank 0 (the coordinator) died (its connection closed)");
        return;
      }
    }
    auto now = launch_clock::now();
    if (now >= next_heartbeat) {
      if (!send(kind::heartbeat)) {
        lose(0, "rank 0 (the coordinator) died (its connection closed)");
        return;
      }
      next_heartbeat = now + interval;
    }
    auto silent = std::chrono::duration_cast<milliseconds>(now - last_heard);
    if (silent > options.heartbeat_timeout) {
      lose(0, "rank 0 (the coordinator) stopped responding (nothing heard for "
                + describe_seconds(silent) + ")");
      return;
    }
  }
}

session::session(std::unique_ptr<state> s) : state_(std::move(s)) {}

session::~session() {
  fail("its session ended before it finished");
}

std::unique_ptr<session> session::join(session_options options) {
  if (options.world_size < 1 || options.rank < 0 || options.rank >= options.world_size)
    throw launch_error("rank " + std::to_string(options.rank) + " is outside world size "
                       + std::to_string(options.world_size));
  if (options.address.size() > wire::max_address_bytes)
    throw launch_error("the endpoint address is over 64 KiB");
  auto s = std::make_unique<state>();
  s->options = std::move(options);
  const auto& o = s->options;
  if (o.world_size == 1) {
    s->addresses = {o.address};
    s->ended = true;
    return std::unique_ptr<session>(new session(std::move(s)));
  }
  if (o.heartbeat_timeout <= o.heartbeat_interval)
    throw launch_error("the heartbeat timeout (" + describe_seconds(o.heartbeat_timeout)
                       + ") must be longer than the heartbeat interval ("
                       + describe_seconds(o.heartbeat_interval) + ")");
  if (o.job_token.empty() && o.rank == 0)
    throw launch_error("no job token: set DS_JOB_TOKEN to the same secret on every rank");
  const auto started = launch_clock::now();
  auto where = parse_host_port(o.coordinator, "coordinator");
  if (o.rank == 0) {
    s->server = std::make_unique<coordinator>(
      listen_on(where),
      coordinator_options{o.world_size, o.job_token, o.rendezvous_timeout, o.heartbeat_interval,
                          o.heartbeat_timeout});
    s->log.info("coordinator listening on port " + std::to_string(where.port) + " for "
                + std::to_string(o.world_size) + " ranks");
  }
  s->socket = connect_until(where, started + o.rendezvous_timeout);
  wire::hello hello;
  hello.rank = static_cast<std::uint32_t>(o.rank);
  hello.world_size = static_cast<std::uint32_t>(o.world_size);
  hello.token = o.job_token;
  hello.address = o.address;
  if (!s->send(kind::hello, wire::encode_hello(hello)))
    throw launch_error("the coordinator at " + where.text() + " closed the connection");
  const auto deadline = launch_clock::now() + o.rendezvous_timeout + table_grace(o.rendezvous_timeout);
  bool closed = false;
  auto reply = read_frame_until(s->socket.get(), s->reader, deadline, closed);
  if (!reply && closed)
    throw launch_error("the coordinator at " + where.text() + " closed the connection during the rendezvous");
  if (!reply)
    throw launch_error("no address table from the coordinator at " + where.text() + " within "
                       + describe_seconds(std::chrono::duration_cast<milliseconds>(launch_clock::now() - started)));
  wire::reader in{reply->payload};
  switch (static_cast<kind>(reply->type)) {
    case kind::refused:
      throw launch_error("the coordinator at " + where.text() + " refused rank "
                         + std::to_string(o.rank) + ": " + in.text());
    case kind::aborted:
      throw launch_error(in.text());
    case kind::table:
      s->addresses = wire::decode_table(reply->payload);
      break;
    default:
      throw launch_error("unexpected reply from the coordinator at " + where.text());
  }
  if (static_cast<int>(s->addresses.size()) != o.world_size)
    throw launch_error("the coordinator's address table has " + std::to_string(s->addresses.size())
                       + " ranks, not " + std::to_string(o.world_size));
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0)
    throw launch_error("cannot create a pipe");
  s->wake_read = fd_handle{pipe_fds[0]};
  s->wake_write = fd_handle{pipe_fds[1]};
  s->log.debug("rank " + std::to_string(o.rank) + " of " + std::to_string(o.world_size) + " joined");
  s->thread = std::thread([raw = s.get()] { raw->run(); });
  return std::unique_ptr<session>(new session(std::move(s)));
}

int session::rank() const noexcept {
  return state_->options.rank;
}

int session::world_size() const noexcept {
  return state_->options.world_size;
}

const std::vector<std::vector<std::byte>>& session::addresses() const noexcept {
  return state_->addresses;
}

void session::on_peer_lost(std::function<void(int rank, const std::string& why)> callback) {
  std::vector<peer_loss> known;
  {
    std::lock_guard guard{state_->mutex};
    state_->callbacks.push_back(callback);
    known = state_->losses;
  }
  for (const auto& loss : known)
    callback(loss.rank, loss.why);
}

std::vector<peer_loss> session::losses() const {
  std::lock_guard guard{state_->mutex};
  return state_->losses;
}

bool session::barrier(milliseconds timeout, const std::function<bool()>& stop_waiting) {
  if (state_->options.world_size == 1)
    return true;
  std::uint64_t seq = 0;
  {
    std::lock_guard guard{state_->mutex};
    seq = state_->next_collective++;
  }
  if (!state_->send(kind::barrier, wire::writer{}.u64(seq).take()))
    throw launch_error("barrier failed: the coordinator's connection is closed");
  return state_->wait_for("barrier", timeout, [&] { return state_->barriers_done.contains(seq); },
                         stop_waiting);
}

std::vector<std::byte> session::broadcast(int root, std::span<const std::byte> data,
                                          milliseconds timeout) {
  const auto& o = state_->options;
  if (root < 0 || root >= o.world_size)
    throw launch_error("broadcast: root " + std::to_string(root) + " is outside world size "
                       + std::to_string(o.world_size));
  if (o.rank == root && data.size() > wire::max_broadcast_bytes)
    throw launch_error("broadcast: " + std::to_string(data.size()) + " bytes is over the 1 MiB limit");
  if (o.world_size == 1)
    return {data.begin(), data.end()};
  std::uint64_t seq = 0;
  {
    std::lock_guard guard{state_->mutex};
    seq = state_->next_collective++;
  }
  if (o.rank == root
      && !state_->send(kind::broadcast,
                       wire::writer{}.u64(seq).u32(static_cast<std::uint32_t>(root)).blob(data).take()))
    throw launch_error("broadcast failed: the coordinator's connection is closed");
  state_->wait_for("broadcast", timeout, [&] { return state_->broadcasts.contains(seq); });
  std::lock_guard guard{state_->mutex};
  auto result = std::move(state_->broadcasts[seq]);
  state_->broadcasts.erase(seq);
  return result;
}

void session::finish(const std::function<bool()>& stop_waiting) {
  auto& s = *state_;
  if (s.ended)
    return;
  s.ended = true;
  if (s.server) {
    auto running = s.server->ranks_still_running();
    if (!running.empty())
      s.log.info("finished; waiting for " + describe_ranks(running) + " to finish");
    s.server->wait_others_gone(stop_waiting);
    s.begin_stop();  // the coordinator goes first; the own client must not report it lost
    s.server->stop();
    s.stop_thread();
    return;
  }
  // Once the goodbye is out the coordinator may close at once: that close is not a loss.
  s.begin_stop();
  s.send(kind::goodbye, wire::writer{}.u8(1).text("").take());
  s.stop_thread();
}

void session::fail(const std::string& why) {
  auto& s = *state_;
  if (s.ended)
    return;
  s.ended = true;
  if (s.server) {
    s.begin_stop();
    s.server->fail_and_stop(0, "rank 0 failed: " + why);
    s.stop_thread();
    return;
  }
  s.begin_stop();
  s.send(kind::goodbye, wire::writer{}.u8(0).text(why).take());
  s.stop_thread();
}

} // namespace ds::launch
