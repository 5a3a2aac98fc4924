#pragma once
/// Per-field transforms of the batcher: a dtype cast and an affine map y = a·x + b.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dsflow/tensor.hpp"

namespace ds::actors {

/// What happens to one field on its way into a batch.
struct field_transform {
  std::optional<dtype> cast;  ///< output dtype; none = keep the input's
  double scale = 1.0;         ///< a
  double shift = 0.0;         ///< b
  bool affine() const noexcept { return scale != 1.0 || shift != 0.0; }
};

/// Parses the batcher's `transforms` list. Each entry is `FIELD:OP`:
///   `f32`, `i32`, `i64`    cast (integers are converted, floats rounded toward zero)
///   `scale=S`              y = S·x (implies f32 unless cast to f64)
///   `normalize=MEAN,STD`   y = (y − MEAN) / STD after the scaling (implies f32)
/// Entries for one field compose in order. Throws `std::invalid_argument`
/// naming the entry and what is wrong.
std::map<std::string, field_transform> parse_transforms(const std::vector<std::string>& entries);

/// Converts `count` elements of `from` (dtype `in`) into `to` (dtype of the
/// transform's output), applying the affine map. Supported inputs: u8, i32,
/// i64, f32, f64. Throws `std::invalid_argument` for other dtypes.
void apply_transform(const field_transform& transform, dtype in, const std::byte* from,
                     std::byte* to, std::size_t count);

/// The dtype a field has after `transform`.
dtype output_dtype(const field_transform& transform, dtype in) noexcept;

} // namespace ds::actors
