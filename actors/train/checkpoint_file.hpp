#pragma once
/// The checkpoint file: a train_state on disk, written atomically and checked on reading.
///
/// Layout of DIR/checkpoint.dsckpt (little-endian):
///   "DSCKPT01"                          magic and version
///   u64 n, n bytes                      metadata, one `key=value` per line
///   u64 k, then k times: u64 m, m f32   parameters, then the optimizer moments
///   u64                                 xxh64 of every byte before it
/// It is written to a temporary file in DIR, flushed, then renamed over the old one, so a
/// crash leaves either the previous checkpoint or the new one, never a mix.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "dsflow/messages.hpp"

namespace ds::actors {

/// A checkpoint as read back.
struct saved_training {
  std::string model;
  std::string optimizer;
  std::uint64_t updates = 0;
  std::uint64_t next_step = 0;
  std::uint64_t sequence_end = 0;
  std::uint32_t epoch = 0;
  std::uint32_t epochs_done = 0;
  std::uint64_t samples = 0;
  std::vector<float> params;
  std::vector<std::vector<float>> moments;
};

/// DIR/checkpoint.dsckpt.
std::string checkpoint_path(const std::string& dir);

/// Writes `state` into `dir` (created if missing). Throws std::runtime_error naming the
/// file and the system error.
void write_checkpoint(const std::string& dir, const train_state& state);

/// Reads and verifies the checkpoint in `dir`. Throws std::runtime_error naming the file and
/// what is wrong (missing, truncated, bad magic, checksum mismatch, bad metadata).
saved_training read_checkpoint(const std::string& dir);

/// Copies the saved parameters into `params`; throws std::runtime_error naming the file when
/// their counts differ.
void load_parameters(const saved_training& saved, const std::string& dir, std::span<float> params);

/// Throws std::runtime_error when `saved` was made by another model or optimizer than the one
/// configured, naming both, so a checkpoint is never loaded into a model it does not fit.
void check_checkpoint_matches(const saved_training& saved, const std::string& dir,
                              const std::string& model, const std::string& optimizer);

} // namespace ds::actors
