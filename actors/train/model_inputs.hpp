#pragma once
/// A batch's fields as a model reads them: float inputs and int32 labels.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "dsflow/tensor.hpp"
#include "nn/model_spec.hpp"

namespace ds::actors {

/// Which batch fields feed a model.
struct input_fields {
  std::string input = "image";  ///< the model's input; f32 rows of input_size() floats
  std::string label = "label";  ///< class labels (classify); ignored for next_token
};

/// The inputs and labels of one batch. Fields that already have the model's types are read
/// where they lie (no copy); others are converted into storage this object reuses.
///   classify:   x = `input` (f32 [B, ...], input_size floats per row), labels = `label`
///               (i32, or u8/i64 converted), one per row.
///   next_token: `input` holds token windows [B, T+1] (u8, i32 or i64): x = the first T
///               tokens as floats, labels = the last T (each position predicts the next).
class model_inputs {
public:
  /// Throws std::invalid_argument naming the field and what does not fit.
  void load(nn::model_task task, const input_fields& names, std::size_t input_size,
            const std::vector<std::pair<std::string, tensor>>& fields);

  const float* x() const noexcept { return x_; }
  const std::int32_t* labels() const noexcept { return labels_; }
  std::size_t rows() const noexcept { return rows_; }
  /// Labels per row: 1 for classify, T for next_token.
  std::size_t labels_per_row() const noexcept { return labels_per_row_; }

private:
  const float* x_ = nullptr;
  const std::int32_t* labels_ = nullptr;
  std::size_t rows_ = 0;
  std::size_t labels_per_row_ = 1;
  std::vector<float> x_storage_;
  std::vector<std::int32_t> label_storage_;
};

} // namespace ds::actors
