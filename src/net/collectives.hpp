#pragma once
/// Collectives over a `transport`: ring allreduce (sum of float32) and broadcast.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "dsflow/memory.hpp"
#include "net/transport.hpp"

namespace ds::net {

/// Tags of collectives: this bit set, the operation id below it. Point-to-point users of
/// the same transport keep their tags below it.
inline constexpr std::uint64_t collective_tag_bit = std::uint64_t{1} << 61;
/// Operation ids go up to this value (the bits of a tag below `collective_tag_bit`).
inline constexpr std::uint64_t max_collective_op = collective_tag_bit - 1;

struct collective_options {
  /// Each chunk is sent in segments of at most this many bytes, so a rank forwards the first
  /// segment of a chunk while the rest is still arriving.
  std::size_t segment_bytes = 1024 * 1024;
  /// Longest wait for any one message (or for the last sends to finish); on expiry the call
  /// throws a `net_error` naming the peer it waited for.
  std::chrono::milliseconds timeout{60000};
  /// Receives posted ahead of the one being processed.
  std::size_t receive_window = 64;
  /// Before it blocks on a message (or on its last sends), the calling thread polls for this
  /// long, yielding its core between polls. Waking a blocked thread cost tens of µs per
  /// message on a 2-core VM (2-rank shm allreduce of 4 KiB: 130 µs blocking, about 35 µs
  /// with a 50 µs spin); zero blocks at once.
  std::chrono::microseconds spin{100};
};

/// Sums `data` element-wise over every rank of `net`, in place: on return every rank holds
/// the same sums (bit for bit: each element is added in the same order on every rank).
///
/// Ring allreduce: the buffer is split into world_size chunks (sizes differ by at most one
/// element), a reduce-scatter of world_size − 1 steps leaves each rank with one fully summed
/// chunk, an allgather of world_size − 1 steps passes those around. Every rank sends only to
/// rank + 1 and receives only from rank − 1, 2 (n − 1) / n × the buffer size each way. Chunks
/// travel in segments of `segment_bytes`; a segment is forwarded as soon as it arrived.
///
/// Every rank must call it with the same `op_id` (≤ `max_collective_op`) and the same
/// `data.size()`. Collectives that run at the same time need distinct ids; successive ones may
/// reuse an id (messages of one sender and tag are matched in order). `pool` supplies the
/// working copy and the receive buffers. The caller's thread blocks; `data` is not read
/// after the call returns or throws.
///
/// Throws `net_error`: `invalid_argument` for a bad id; `peer_failed` as soon as any rank is
/// declared lost (`transport::fail_peer`; every rank takes part, so the call cannot finish),
/// naming that rank and why; otherwise the error of the failed send or receive, or `closed`
/// on timeout, the message naming the operation, this rank and the peer, e.g.
/// `allreduce op 7 (rank 0 of 3): nothing from rank 2 for 60000 ms (message 3 of 8)`.
void allreduce_sum(transport& net, std::span<float> data, std::uint64_t op_id, memory_pool& pool,
                   const collective_options& options = {});

/// The same sum in place on a pool buffer holding the floats (its size a multiple of 4),
/// without the copy in and out of the overload above: sends are slices of `data`, partial
/// sums are added into it, and the final sums of other ranks' chunks are received straight
/// into it (`transport::recv_into`; with libfabric a large one is an RMA read into `data`).
/// No one else may read or write `data` during the call. After a throw its contents are
/// unspecified, and the transport may still write into it until its pending receives end
/// (it holds the block meanwhile). Same ids, errors and blocking as above; also throws
/// `invalid_argument` when the size is not a whole number of floats.
void allreduce_sum(transport& net, const buffer& data, std::uint64_t op_id, memory_pool& pool,
                   const collective_options& options = {});

/// Copies rank `root`'s `data` to every rank's `data` (all ranks pass the same size), along
/// the ring root → root + 1 → …, in segments of `segment_bytes`. Same ids, errors and
/// blocking as `allreduce_sum`.
void broadcast(transport& net, std::span<std::byte> data, int root, std::uint64_t op_id,
               memory_pool& pool, const collective_options& options = {});

/// The process's transport to the other ranks of its job, set by the launcher (`ds-run`
/// sets it after the rendezvous when the world size is above 1). Null when none was set.
/// The grad_reducer reduces across ranks through it.
std::shared_ptr<transport> process_transport();
/// Sets (or, with null, clears) the process's transport. Not thread-safe against concurrent
/// users of the old one: set it before the pipeline starts and clear it after it ended.
void set_process_transport(std::shared_ptr<transport> net);

} // namespace ds::net
