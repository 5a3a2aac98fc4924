#include "launch/coordinator.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>

#include "dsflow/logger.hpp"
#include "launch/job_token.hpp"
#include "launch/launch_error.hpp"
#include "launch/wire.hpp"

namespace ds::launch {

namespace {

using std::chrono::milliseconds;
using wire::kind;

enum class peer_state { pending, joined, left, lost };

struct connection {
  fd_handle fd;
  std::string peer;  ///< host:port
  frame_reader reader{wire::max_hello_bytes};
  int rank = -1;
  peer_state state = peer_state::pending;
  launch_clock::time_point accepted;
  launch_clock::time_point last_heard;
  wire::bytes address;
  bool closed = false;
};

/// How long a connection may stay silent before its hello.
constexpr milliseconds hello_timeout{10000};
/// A rank that does not drain its socket for this long is treated as gone.
constexpr milliseconds send_timeout{2000};

void set_send_timeout(int fd) {
  timeval tv{};
  tv.tv_sec = send_timeout.count() / 1000;
  tv.tv_usec = static_cast<suseconds_t>((send_timeout.count() % 1000) * 1000);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

bool send(connection& c, kind type, const wire::bytes& payload = {}) {
  if (c.closed)
    return false;
  return send_frame(c.fd.get(), static_cast<std::uint8_t>(type), payload);
}

} // namespace

std::string describe_ranks(const std::vector<int>& ranks) {
  std::string text = ranks.size() == 1 ? "rank " : "ranks ";
  for (std::size_t i = 0; i < ranks.size(); ++i) {
    if (i > 0)
      text += i + 1 == ranks.size() ? " and " : ", ";
    text += std::to_string(ranks[i]);
  }
  return text;
}

struct coordinator::state {
  coordinator_options options;
  fd_handle listener;
  fd_handle wake_read;
  fd_handle wake_write;
  logger log{"coordinator"};
  launch_clock::time_point started = launch_clock::now();
  launch_clock::time_point next_heartbeat;
  bool running = false;  ///< the table went out; heartbeats from here on
  bool finished = false;  ///< the rendezvous failed; the loop ends
  std::vector<std::unique_ptr<connection>> connections;
  std::vector<connection*> by_rank;
  std::map<std::uint64_t, std::set<int>> barrier_arrivals;

  mutable std::mutex mutex;  ///< guards what other threads see or ask for below
  std::condition_variable changed;
  bool stop_requested = false;
  bool stopped = false;
  std::vector<std::pair<int, std::string>> fail_requests;
  std::set<int> gone;  ///< ranks other than 0 that left or were lost
  std::set<int> joined_ranks;

  void wake() {
    char byte = 1;
    [[maybe_unused]] auto n = ::write(wake_write.get(), &byte, 1);
  }

  void loop();
  void accept_connections();
  void handle_frame(connection& c, const frame& f);
  void handle_hello(connection& c, const frame& f);
  void refuse(connection& c, const std::string& claimed, const std::string& why);
  void complete_rendezvous();
  void abort_rendezvous(const std::string& why);
  void on_closed(connection& c);
  void declare_lost(connection& c, const std::string& why);
  void check_barrier(std::uint64_t seq);
  void check_timers();
  void mark_gone(int rank);
  void close(connection& c) {
    c.closed = true;
    c.fd.reset();
  }
  std::vector<connection*> live() {
    std::vector<connection*> result;
    for (auto* c : by_rank)
      if (c != nullptr && c->state == peer_state::joined && !c->closed)
        result.push_back(c);
    return result;
  }
};

coordinator::coordinator(fd_handle listener, coordinator_options options)
  : state_(std::make_unique<state>()) {
  if (options.world_size < 1)
    throw launch_error("coordinator: world size must be at least 1");
  if (options.job_token.empty())
    throw launch_error("coordinator: no job token; set DS_JOB_TOKEN to the same secret on every rank");
  if (options.heartbeat_timeout <= options.heartbeat_interval)
    throw launch_error("the heartbeat timeout must be longer than the heartbeat interval");
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0)
    throw launch_error("coordinator: cannot create a pipe");
  state_->wake_read = fd_handle{pipe_fds[0]};
  state_->wake_write = fd_handle{pipe_fds[1]};
  state_->options = std::move(options);
  state_->listener = std::move(listener);
  // accept_connections() takes every waiting connection, then must find none and return.
  ::fcntl(state_->listener.get(), F_SETFL, ::fcntl(state_->listener.get(), F_GETFL) | O_NONBLOCK);
  state_->by_rank.assign(static_cast<std::size_t>(state_->options.world_size), nullptr);
  thread_ = std::thread([s = state_.get()] { s->loop(); });
}

coordinator::~coordinator() {
  stop();
}

void coordinator::stop() {
  {
    std::lock_guard guard{state_->mutex};
    state_->stop_requested = true;
  }
  state_->wake();
  if (thread_.joinable())
    thread_.join();
}

void coordinator::fail_and_stop(int rank, std::string why) {
  {
    std::lock_guard guard{state_->mutex};
    state_->fail_requests.emplace_back(rank, std::move(why));
    state_->stop_requested = true;
  }
  state_->wake();
  if (thread_.joinable())
    thread_.join();
}

bool coordinator::wait_others_gone(const std::function<bool()>& stop_waiting) {
  std::unique_lock lock{state_->mutex};
  for (;;) {
    if (static_cast<int>(state_->gone.size()) >= state_->options.world_size - 1)
      return true;
    if (state_->stopped || (stop_waiting && stop_waiting()))
      return false;
    state_->changed.wait_for(lock, milliseconds(100));
  }
}

std::vector<int> coordinator::ranks_still_running() const {
  std::lock_guard guard{state_->mutex};
  std::vector<int> result;
  for (int rank = 1; rank < state_->options.world_size; ++rank)
    if (!state_->gone.contains(rank))
      result.push_back(rank);
  return result;
}

void coordinator::state::mark_gone(int rank) {
  if (rank == 0)
    return;
  {
    std::lock_guard guard{mutex};
    gone.insert(rank);
  }
  changed.notify_all();
}

void coordinator::state::loop() {
  for (;;) {
    std::vector<std::pair<int, std::string>> failures;
    bool stopping = false;
    {
      std::lock_guard guard{mutex};
      stopping = stop_requested;
      failures.swap(fail_requests);
    }
    if (stopping) {
      for (auto& [rank, why] : failures) {
        log.debug(why + "; telling the other ranks");
        for (auto* c : live())
          if (c->rank != rank)
            send(*c, kind::peer_lost,
                 wire::writer{}.u32(static_cast<std::uint32_t>(rank)).text(why).take());
      }
      break;
    }
    std::vector<pollfd> fds;
    fds.push_back({wake_read.get(), POLLIN, 0});
    fds.push_back({listener.get(), POLLIN, 0});
    for (auto& c : connections)
      fds.push_back({c->fd.get(), POLLIN, 0});
    int ready = ::poll(fds.data(), fds.size(), 50);  // timers are checked at least 20x/s
    if (ready > 0) {
      if (fds[0].revents != 0) {
        char drain[64];
        while (::read(wake_read.get(), drain, sizeof drain) > 0) {
        }
      }
      if (fds[1].revents != 0)
        accept_connections();
      // Connections accepted just now are past the end of `fds`; they are read next round.
      for (std::size_t i = 2; i < fds.size(); ++i) {
        auto& c = *connections[i - 2];
        if (fds[i].revents == 0 || c.closed)
          continue;
        bool open = c.reader.read_available(c.fd.get());
        try {
          while (!c.closed) {
            auto f = c.reader.next();
            if (!f)
              break;
            c.last_heard = launch_clock::now();
            handle_frame(c, *f);
          }
        } catch (const launch_error& e) {
          if (c.state == peer_state::pending)
            refuse(c, "", e.what());
          else
            declare_lost(c, "rank " + std::to_string(c.rank) + " sent a malformed message ("
                              + e.what() + ")");
        }
        if (!open && !c.closed)
          on_closed(c);
      }
    }
    check_timers();
    std::erase_if(connections, [this](const std::unique_ptr<connection>& c) {
      if (!c->closed)
        return false;
      for (auto*& slot : by_rank)
        if (slot == c.get())
          slot = nullptr;
      return true;
    });
    if (finished)
      break;
  }
  for (auto& c : connections)
    close(*c);
  listener.reset();
  {
    std::lock_guard guard{mutex};
    stopped = true;
  }
  changed.notify_all();
}

void coordinator::state::accept_connections() {
  for (;;) {
    int fd = ::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0)
      return;
    // Reads use MSG_DONTWAIT after poll; writes block, bounded by the send timeout.
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    set_send_timeout(fd);
    auto c = std::make_unique<connection>();
    c->fd = fd_handle{fd};
    c->peer = peer_name(fd);
    c->accepted = c->last_heard = launch_clock::now();
    log.debug("connection from " + c->peer);
    connections.push_back(std::move(c));
  }
}

void coordinator::state::handle_frame(connection& c, const frame& f) {
  auto type = static_cast<kind>(f.type);
  if (c.state == peer_state::pending) {
    if (type != kind::hello)
      refuse(c, "", "expected a rendezvous hello first");
    else
      handle_hello(c, f);
    return;
  }
  if (c.state != peer_state::joined)
    return;
  wire::reader in{f.payload};
  switch (type) {
    case kind::heartbeat:
      break;
    case kind::goodbye: {
      bool ok = in.u8() != 0;
      auto why = in.text();
      if (!ok) {
        declare_lost(c, "rank " + std::to_string(c.rank) + " failed: " + why);
        return;
      }
      log.debug("rank " + std::to_string(c.rank) + " finished");
      c.state = peer_state::left;
      close(c);
      mark_gone(c.rank);
      break;
    }
    case kind::barrier: {
      auto seq = in.u64();
      barrier_arrivals[seq].insert(c.rank);
      check_barrier(seq);
      break;
    }
    case kind::broadcast: {
      auto seq = in.u64();
      auto root = in.u32();
      auto data = in.blob();
      if (static_cast<int>(root) != c.rank || data.size() > wire::max_broadcast_bytes)
        throw launch_error("bad broadcast");
      auto payload = wire::writer{}.u64(seq).u32(root).blob(data).take();
      for (auto* other : live())
        send(*other, kind::broadcast, payload);
      break;
    }
    default:
      throw launch_error("unexpected message type " + std::to_string(f.type));
  }
}

void coordinator::state::refuse(connection& c, const std::string& claimed, const std::string& why) {
  log.warn("refused a connection from " + c.peer + claimed + ": " + why);
  send(c, kind::refused, wire::writer{}.text(why).take());
  close(c);
}

void coordinator::state::handle_hello(connection& c, const frame& f) {
  wire::hello hello;
  try {
    hello = wire::decode_hello(f.payload);
  } catch (const launch_error& e) {
    refuse(c, "", e.what());
    return;
  }
  const std::string claimed = " (claiming rank " + std::to_string(hello.rank) + ")";
  if (hello.token.empty()) {
    refuse(c, claimed, "no job token (set DS_JOB_TOKEN to the job's token on every rank)");
    return;
  }
  if (!tokens_equal(options.job_token, hello.token)) {
    refuse(c, claimed, "wrong job token (DS_JOB_TOKEN differs from rank 0's)");
    return;
  }
  const int world = options.world_size;
  if (static_cast<int>(hello.world_size) != world) {
    refuse(c, claimed, "world size " + std::to_string(hello.world_size)
                         + " differs from rank 0's " + std::to_string(world));
    return;
  }
  if (hello.rank >= static_cast<std::uint32_t>(world)) {
    refuse(c, claimed, "rank " + std::to_string(hello.rank) + " is not below the world size "
                         + std::to_string(world));
    return;
  }
  if (hello.address.size() > wire::max_address_bytes) {
    refuse(c, claimed, "endpoint address too long");
    return;
  }
  const int rank = static_cast<int>(hello.rank);
  if (auto* holder = by_rank[hello.rank]; holder != nullptr && holder != &c) {
    refuse(c, claimed, "rank " + std::to_string(rank) + " already joined from " + holder->peer);
    return;
  }
  if (running) {
    refuse(c, claimed, "the rendezvous is over (all " + std::to_string(world) + " ranks joined)");
    return;
  }
  c.rank = rank;
  c.state = peer_state::joined;
  c.reader.set_max_payload(wire::max_message_bytes);
  by_rank[hello.rank] = &c;
  c.address = std::move(hello.address);
  {
    std::lock_guard guard{mutex};
    joined_ranks.insert(rank);
  }
  auto joined = std::count_if(by_rank.begin(), by_rank.end(), [](auto* p) { return p != nullptr; });
  log.debug("rank " + std::to_string(rank) + " joined from " + c.peer + " (" + std::to_string(joined)
            + " of " + std::to_string(world) + ")");
  if (joined == world)
    complete_rendezvous();
}

void coordinator::state::complete_rendezvous() {
  std::vector<wire::bytes> addresses;
  for (auto* c : by_rank)
    addresses.push_back(c->address);
  auto table = wire::encode_table(addresses);
  running = true;
  auto now = launch_clock::now();
  for (auto* c : by_rank) {
    c->last_heard = now;
    if (!send(*c, kind::table, table))
      declare_lost(*c, "rank " + std::to_string(c->rank) + " died (its connection closed during the rendezvous)");
  }
  next_heartbeat = now + options.heartbeat_interval;
  log.info("all " + std::to_string(options.world_size) + " ranks joined in "
           + describe_seconds(std::chrono::duration_cast<milliseconds>(now - started)));
}

void coordinator::state::abort_rendezvous(const std::string& why) {
  log.debug(why);  // every joined rank reports it
  for (auto* c : by_rank)
    if (c != nullptr && !c->closed)
      send(*c, kind::aborted, wire::writer{}.text(why).take());
  finished = true;
}

void coordinator::state::on_closed(connection& c) {
  if (c.state == peer_state::joined && !running) {
    // It may come back (a retry after a network hiccup); until then it has not arrived.
    log.warn("rank " + std::to_string(c.rank) + " (" + c.peer
             + ") disconnected before every rank had joined");
    by_rank[static_cast<std::size_t>(c.rank)] = nullptr;
    {
      std::lock_guard guard{mutex};
      joined_ranks.erase(c.rank);
    }
    close(c);
    return;
  }
  if (c.state == peer_state::joined) {
    declare_lost(c, "rank " + std::to_string(c.rank)
                      + " died (its connection to the coordinator closed without a goodbye)");
    return;
  }
  close(c);
}

void coordinator::state::declare_lost(connection& c, const std::string& why) {
  if (c.state != peer_state::joined) {
    close(c);
    return;
  }
  c.state = peer_state::lost;
  close(c);
  // Every rank's session logs the loss as an error; here only what the coordinator did.
  log.debug(why + "; telling the other ranks");
  auto payload = wire::writer{}.u32(static_cast<std::uint32_t>(c.rank)).text(why).take();
  for (auto* other : live())
    send(*other, kind::peer_lost, payload);
  mark_gone(c.rank);
}

void coordinator::state::check_barrier(std::uint64_t seq) {
  auto& arrived = barrier_arrivals[seq];
  auto waiting = live();
  for (auto* c : waiting)
    if (!arrived.contains(c->rank))
      return;
  auto payload = wire::writer{}.u64(seq).take();
  for (auto* c : waiting)
    send(*c, kind::barrier_done, payload);
  barrier_arrivals.erase(seq);
}

void coordinator::state::check_timers() {
  auto now = launch_clock::now();
  for (auto& c : connections)
    if (c->state == peer_state::pending && !c->closed && now - c->accepted > hello_timeout)
      refuse(*c, "", "no hello within " + describe_seconds(hello_timeout));
  if (!running) {
    if (now - started < options.rendezvous_timeout)
      return;
    std::vector<int> missing;
    for (int rank = 0; rank < options.world_size; ++rank)
      if (by_rank[static_cast<std::size_t>(rank)] == nullptr)
        missing.push_back(rank);
    abort_rendezvous("rendezvous timed out after " + describe_seconds(options.rendezvous_timeout)
                     + ": " + describe_ranks(missing) + " never arrived ("
                     + std::to_string(options.world_size - static_cast<int>(missing.size())) + " of "
                     + std::to_string(options.world_size) + " joined)");
    return;
  }
  if (now >= next_heartbeat) {
    for (auto* c : live())
      if (!send(*c, kind::heartbeat))
        declare_lost(*c, "rank " + std::to_string(c->rank)
                           + " stopped responding (it does not read from its connection)");
    next_heartbeat = now + options.heartbeat_interval;
  }
  for (auto* c : live()) {
    auto silent = std::chrono::duration_cast<milliseconds>(now - c->last_heard);
    if (silent > options.heartbeat_timeout)
      declare_lost(*c, "rank " + std::to_string(c->rank) + " stopped responding (no heartbeat for "
                         + describe_seconds(silent) + ")");
  }
}

} // namespace ds::launch
