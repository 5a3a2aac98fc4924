#pragma once
/// The progress thread of `libfabric_transport` and the protocol it runs.

#include <rdma/fabric.h>
#include <rdma/fi_eq.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "dsflow/logger.hpp"
#include "net/fabric_objects.hpp"
#include "net/fabric_wire.hpp"
#include "net/libfabric_transport.hpp"
#include "net/registration_cache.hpp"

namespace ds::net {

/// Owns the fabric objects and the one thread that touches them.
///
/// Every member below `mutex_`'s group is used by the progress thread only;
/// other threads reach it through `submit`, which queues a task and wakes it.
class libfabric_transport::engine {
public:
  explicit engine(libfabric_options options);
  ~engine();

  std::vector<std::byte> local_address() const { return address_; }
  void add_peers(std::vector<std::vector<std::byte>> addresses_by_rank);
  int rank() const noexcept { return rank_.load(); }
  int world_size() const noexcept { return world_size_.load(); }
  void send(int peer, std::uint64_t tag, buffer payload, completion_handler on_done);
  void recv(int peer, std::uint64_t tag, memory_pool& pool, completion_handler on_done);
  void recv_into(int peer, std::uint64_t tag, buffer destination, completion_handler on_done);
  /// Queues `fail_lost_peer` for the progress thread.
  void fail_peer(int peer, const std::string& reason);
  transport_stats stats() const;
  const std::string& provider() const noexcept { return fabric_->provider(); }

private:
  enum class op_kind : std::uint8_t { eager_send, user_recv, read_chunk, ack_recv };

  /// Every posted operation starts with the fi_context2 its provider may use;
  /// the context pointer given to libfabric is the op itself.
  struct posted_op {
    explicit posted_op(op_kind op) : kind(op) {}
    fi_context2 context{};
    op_kind kind;
  };
  struct eager_send_op : posted_op {
    eager_send_op() : posted_op(op_kind::eager_send) {}
    int peer = -1;
    std::uint64_t tag = 0;
    buffer payload;
    completion_handler on_done;
  };
  /// A large send waiting for the receiver's ack (nothing of it is posted).
  struct rma_send_op {
    int peer = -1;
    std::uint64_t tag = 0;
    buffer payload;  ///< held until the ack: the receiver reads from it
    completion_handler on_done;
  };
  struct recv_op;
  struct read_chunk_op : posted_op {
    explicit read_chunk_op(recv_op* slot) : posted_op(op_kind::read_chunk), parent(slot) {}
    recv_op* parent;
  };
  /// One `recv` call: its posted receive, then possibly its RMA read.
  struct recv_op : posted_op {
    recv_op() : posted_op(op_kind::user_recv) {}
    int peer = -1;
    std::uint64_t tag = 0;
    memory_pool* pool = nullptr;
    buffer destination;  ///< set by `recv_into`: the payload lands here, not in the pool
    completion_handler on_done;
    buffer landing;   ///< eager_threshold bytes: an eager payload or a descriptor lands here
    buffer payload;   ///< what the handler gets
    std::optional<net_error> error;
    bool finished = false;
    std::uint64_t transfer_id = 0;
    std::size_t chunks_left = 0;
    std::vector<std::unique_ptr<read_chunk_op>> chunks;
  };
  struct ack_recv_op : posted_op {
    ack_recv_op() : posted_op(op_kind::ack_recv) {}
    buffer landing;
  };
  using match_key = std::pair<int, std::uint64_t>;
  /// The `recv` calls of one (peer, tag), in call order; the first `posted`
  /// have a receive posted (or done), of which `in_flight` are not matched yet.
  struct receive_queue {
    std::deque<std::unique_ptr<recv_op>> slots;
    std::size_t posted = 0;
    std::size_t in_flight = 0;
  };

  struct submission {
    std::function<void()> run;
    std::function<void(const net_error&)> fail;
  };
  struct pending_post {
    const char* call;
    std::function<ssize_t()> attempt;
    std::function<void(ssize_t)> failed;
  };

  void submit(submission task);
  void run() noexcept;
  bool run_submissions(std::deque<submission>& batch);
  bool drain_posts();
  bool poll_completions();
  void complete(const fi_cq_tagged_entry& entry);
  void complete_with_error(const fi_cq_err_entry& entry);
  void shutdown() noexcept;
  /// The cache's registration of `bytes`, counted in the stats.
  registered_range lookup(const buffer& bytes);

  void start_send(int peer, std::uint64_t tag, buffer payload, completion_handler on_done);
  void start_recv(int peer, std::uint64_t tag, memory_pool* pool, buffer destination,
                  completion_handler on_done);
  /// A message of `length` bytes matched `slot`'s receive: where its payload goes (the
  /// destination of `recv_into`, else a block of the pool), or nothing when the slot failed.
  buffer payload_for(recv_op& slot, std::size_t length);
  /// Every handler waiting on `peer` learns now that it was declared lost; posted receives
  /// are cancelled, and ops stay until the provider has let go of their buffers.
  void fail_lost_peer(int peer, const std::string& reason);
  /// The error of a `recv_into` whose message has another size than its destination.
  net_error wrong_size(const recv_op& slot, std::uint64_t length) const;
  void post_receives(const match_key& key);
  void on_matched(recv_op& slot, const fi_cq_tagged_entry& entry);
  void start_read(recv_op& slot, const wire::rma_descriptor& descriptor);
  void on_chunk_finished(recv_op& slot);
  void send_ack(int peer, std::uint64_t transfer_id, int status);
  void post_ack_receive(ack_recv_op& op);
  void on_ack(ack_recv_op& op);
  void deliver(const match_key& key);
  void call(const completion_handler& handler, completion done) noexcept;
  net_error error_of(const char* call, long code, int peer, std::uint64_t tag,
                     const std::string& detail = {}) const;

  libfabric_options options_;
  logger log_;
  std::unique_ptr<fabric_objects> fabric_;
  std::unique_ptr<registration_cache> cache_;
  memory_pool control_pool_;
  std::vector<std::byte> address_;
  std::atomic<int> rank_{-1};
  std::atomic<int> world_size_{0};

  struct counters {
    std::atomic<std::uint64_t> eager_sends{0}, rma_sends{0}, bytes_sent{0}, bytes_received{0},
      registrations{0}, registration_hits{0}, eagain_retries{0};
  } counters_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<submission> submissions_;
  bool stopping_ = false;

  // Progress thread only.
  std::vector<fi_addr_t> peer_addresses_;
  std::deque<pending_post> posts_;
  std::unordered_map<eager_send_op*, std::unique_ptr<eager_send_op>> eager_sends_;
  std::unordered_map<std::uint64_t, std::unique_ptr<rma_send_op>> rma_sends_;
  std::uint64_t next_transfer_id_ = 1;
  std::map<match_key, receive_queue> receive_queues_;
  std::vector<std::unique_ptr<ack_recv_op>> ack_receives_;
  std::map<int, std::string> lost_peers_;  ///< rank → why it was declared lost

  std::thread thread_;
};

} // namespace ds::net
