#pragma once
/// All parameters of a model in one flat float32 buffer, gradients in a second buffer of the
/// same layout, and the gradient buckets that reduction works on.
///
/// Layout: layers are stored in REVERSE order — the last layer's floats start at offset 0 —
/// so that buckets, which are filled from the last layer backwards (the order backward
/// finishes them), are contiguous and ascending: bucket 0 is the first range of the buffer and
/// is ready first. Within its slice a layer chooses its own layout (see each layer's header).
///
/// Buckets: walking layers from last to first, each layer with parameters joins the open
/// bucket; the bucket closes once it holds at least `bucket_bytes`. A layer is never split
/// across buckets (its gradients become final all at once), so a single layer larger than
/// `bucket_bytes` makes a bucket of its own size. Layers without parameters belong to no
/// bucket. A bucket's gradients are final when the backward of its lowest-index layer returns.
///
/// A parameter shared by two layers (a tied embedding) lives in the slice of the earlier layer
/// only. The later layer writes its gradient there first (overwriting) and the owner then
/// accumulates into it, so the rule above still holds: that gradient is final when the owner's
/// backward returns, and the owner's bucket is reported no sooner.
///
/// Not thread-safe; the buffers are owned here and never reallocated after construction, so
/// spans and pointers into them stay valid for the object's lifetime (including moves).

#include <cstddef>
#include <span>
#include <vector>

namespace ds::nn {

/// A contiguous range [offset, offset + size) of floats in the flat buffers.
struct slice {
  std::size_t offset = 0;
  std::size_t size = 0;
};

/// One gradient bucket: its range of the flat buffers and the layers it covers,
/// [first_layer, last_layer] in layer index order (parameterless layers inside are harmless).
struct bucket {
  slice range;
  std::size_t first_layer = 0;
  std::size_t last_layer = 0;
};

/// PyTorch DDP's default: large enough to amortize a collective, small enough to overlap.
inline constexpr std::size_t default_bucket_bytes = 25u << 20;

class parameter_store {
public:
  /// Returned by bucket lookups for a layer without parameters.
  static constexpr std::size_t no_bucket = static_cast<std::size_t>(-1);

  /// `layer_sizes[l]` is the number of floats of layer l (0 for parameterless layers). Values
  /// and gradients start zeroed. Throws std::invalid_argument if `bucket_bytes` is 0 or no
  /// layer has parameters.
  parameter_store(std::span<const std::size_t> layer_sizes, std::size_t bucket_bytes);

  std::span<float> values() noexcept { return values_; }
  std::span<const float> values() const noexcept { return values_; }
  std::span<float> gradients() noexcept { return gradients_; }
  std::span<const float> gradients() const noexcept { return gradients_; }

  std::size_t layer_count() const noexcept { return layers_.size(); }

  /// Where layer `layer` lives in both buffers (size 0 for a parameterless layer).
  slice layer_slice(std::size_t layer) const { return layers_.at(layer); }

  /// The bucket table, in ready order (bucket 0 covers the last layers and offset 0).
  std::span<const bucket> buckets() const noexcept { return buckets_; }

  /// The bucket holding `layer`'s parameters, or `no_bucket`.
  std::size_t bucket_of(std::size_t layer) const { return bucket_of_.at(layer); }

  /// The bucket whose gradients become final when `layer`'s backward returns, or `no_bucket`.
  std::size_t bucket_completed_by(std::size_t layer) const;

private:
  std::vector<slice> layers_;
  std::vector<std::size_t> bucket_of_;
  std::vector<bucket> buckets_;
  std::vector<float> values_;
  std::vector<float> gradients_;
};

} // namespace ds::nn
