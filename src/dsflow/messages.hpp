#pragma once
/// The message types of DESIGN.md. Each holds handles to its payload only.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "dsflow/buffer.hpp"
#include "dsflow/message.hpp"
#include "dsflow/tensor.hpp"

namespace ds {

/// Opaque bytes with their xxh64 digest (synthetic data, tests, benchmarks).
struct blob final : message {
  static constexpr const char* type = "blob";
  buffer bytes;
  std::uint64_t digest = 0;

  blob(buffer b, std::uint64_t d) : bytes(std::move(b)), digest(d) {}
  std::string_view type_name() const noexcept override { return type; }
  std::size_t payload_bytes() const noexcept override { return bytes.size(); }
};

/// Which record the pipeline needs next: the sampler's decision.
struct sample_ref final : message {
  static constexpr const char* type = "sample_ref";
  std::uint32_t epoch = 0;
  std::uint64_t sequence = 0;
  std::uint32_t shard = 0;
  std::uint64_t record = 0;

  std::string_view type_name() const noexcept override { return type; }
};

/// A record's bytes as stored in its shard: every field still encoded with
/// its codec, followed by the record's checksum (docs/shard-format.md).
struct record final : message {
  static constexpr const char* type = "record";
  std::uint32_t epoch = 0;
  std::uint64_t sequence = 0;  ///< the sampler's sequence number (`sample_ref::sequence`)
  std::uint32_t shard = 0;
  std::uint64_t index = 0;  ///< record number within the shard
  buffer bytes;

  std::string_view type_name() const noexcept override { return type; }
  std::size_t payload_bytes() const noexcept override { return bytes.size(); }
};

/// A decoded record: named fields as tensors.
struct sample final : message {
  static constexpr const char* type = "sample";
  std::uint32_t epoch = 0;
  std::uint64_t sequence = 0;  ///< the sampler's sequence number (`sample_ref::sequence`)
  std::uint32_t shard = 0;
  std::uint64_t index = 0;  ///< record number within the shard
  std::vector<std::pair<std::string, tensor>> fields;

  std::string_view type_name() const noexcept override { return type; }
  std::size_t payload_bytes() const noexcept override;
};

/// A training batch: one tensor per field, leading dimension = batch size.
struct batch final : message {
  static constexpr const char* type = "batch";
  std::uint64_t step = 0;
  std::uint32_t epoch = 0;
  /// The sampler sequence number after the batch's last sample: where a run
  /// resumed after this batch continues.
  std::uint64_t sequence_end = 0;
  std::vector<std::pair<std::string, tensor>> fields;

  std::string_view type_name() const noexcept override { return type; }
  std::size_t payload_bytes() const noexcept override;
};

/// Gradients of one bucket of parameters, emitted as backward finishes them.
/// A reduced bucket (from `grad_reducer`) has the same shape: its gradients
/// are the mean over the batches it reduced, and `step` is the last of them.
struct grad_bucket final : message {
  static constexpr const char* type = "grad_bucket";
  std::uint64_t step = 0;          ///< the batch's step
  std::uint64_t update = 0;        ///< the optimizer step it feeds, counted from 0 in this run
  std::uint32_t epoch = 0;
  std::uint64_t sequence_end = 0;  ///< as `batch::sequence_end`
  std::uint32_t bucket = 0;
  std::uint32_t bucket_count = 0;  ///< buckets of the model
  std::uint32_t replica = 0;       ///< compute replica that made it
  std::uint32_t group_size = 1;    ///< batches reduced into one optimizer step
  std::uint32_t batches = 1;       ///< batches summed into this bucket so far
  std::uint64_t samples = 0;       ///< rows in those batches
  double loss = 0.0;               ///< mean training loss over those batches
  tensor grads;

  std::string_view type_name() const noexcept override { return type; }
  std::size_t payload_bytes() const noexcept override { return grads.nbytes(); }
};

/// Updated parameters for one bucket, sent back to the compute replicas.
struct param_update final : message {
  static constexpr const char* type = "param_update";
  std::uint64_t update = 0;        ///< optimizer steps applied (1 after the first)
  std::uint32_t bucket = 0;
  std::uint32_t bucket_count = 0;
  tensor params;

  std::string_view type_name() const noexcept override { return type; }
  std::size_t payload_bytes() const noexcept override { return params.nbytes(); }
};

/// A consistent snapshot of training, taken by the optimizer between two
/// updates: what the evaluator scores and the checkpointer writes.
struct train_state final : message {
  static constexpr const char* type = "train_state";
  std::uint64_t updates = 0;        ///< optimizer steps applied
  std::uint64_t next_step = 0;      ///< the batch step a continued run starts at
  std::uint64_t sequence_end = 0;   ///< the sampler sequence a continued run starts at
  std::uint32_t epoch = 0;          ///< epoch of the last batch reduced
  std::uint32_t epochs_done = 0;    ///< epochs whose every batch is in `params`
  bool epoch_end = false;           ///< taken because epoch `epochs_done - 1` ended
  bool final = false;               ///< the optimizer's last snapshot of the run
  std::uint64_t samples = 0;        ///< training samples seen
  double loss = 0.0;                ///< mean training loss since the previous snapshot
  std::string model;                ///< the model spec (`compute.model`)
  std::string optimizer;            ///< the optimizer's settings, as text
  tensor params;
  std::vector<tensor> optimizer_moments;  ///< per kind: SGD 1 (velocity), Adam 2

  std::string_view type_name() const noexcept override { return type; }
  std::size_t payload_bytes() const noexcept override;
};

} // namespace ds
