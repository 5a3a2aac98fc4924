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
  std::vector<std::pair<std::string, tensor>> fields;

  std::string_view type_name() const noexcept override { return type; }
  std::size_t payload_bytes() const noexcept override;
};

/// Gradients of one bucket of parameters, emitted as backward finishes them.
struct grad_bucket final : message {
  static constexpr const char* type = "grad_bucket";
  std::uint64_t step = 0;
  std::uint32_t bucket = 0;
  std::uint32_t replica = 0;
  tensor grads;

  std::string_view type_name() const noexcept override { return type; }
  std::size_t payload_bytes() const noexcept override { return grads.nbytes(); }
};

/// Updated parameters for one bucket, sent back to the compute replicas.
struct param_update final : message {
  static constexpr const char* type = "param_update";
  std::uint64_t step = 0;
  std::uint32_t bucket = 0;
  tensor params;

  std::string_view type_name() const noexcept override { return type; }
  std::size_t payload_bytes() const noexcept override { return params.nbytes(); }
};

} // namespace ds
