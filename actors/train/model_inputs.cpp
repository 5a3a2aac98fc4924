#include "train/model_inputs.hpp"

#include <stdexcept>

namespace ds::actors {
namespace {

const tensor& field_named(const std::vector<std::pair<std::string, tensor>>& fields,
                          const std::string& name) {
  std::string have;
  for (const auto& [field, values] : fields) {
    if (field == name)
      return values;
    have += (have.empty() ? "" : ", ") + field;
  }
  throw std::invalid_argument("the batch has no field '" + name + "' (it has " + have + ")");
}

/// Element `i` of an integer tensor as int64.
std::int64_t integer_at(const tensor& t, std::size_t i) {
  switch (t.type()) {
    case dtype::u8: return t.data<std::uint8_t>()[i];
    case dtype::i32: return t.data<std::int32_t>()[i];
    case dtype::i64: return t.data<std::int64_t>()[i];
    default: break;
  }
  throw std::logic_error("integer_at: not an integer tensor");
}

bool is_integer(dtype type) {
  return type == dtype::u8 || type == dtype::i32 || type == dtype::i64;
}

void require_rows(const tensor& t, const std::string& name) {
  if (t.rank() == 0 || t.shape()[0] <= 0 || !t.is_contiguous())
    throw std::invalid_argument("field '" + name + "' must be a contiguous tensor with a batch "
                                "dimension");
}

} // namespace

void model_inputs::load(nn::model_task task, const input_fields& names, std::size_t input_size,
                        const std::vector<std::pair<std::string, tensor>>& fields) {
  const auto& input = field_named(fields, names.input);
  require_rows(input, names.input);
  rows_ = static_cast<std::size_t>(input.shape()[0]);
  const auto per_row = static_cast<std::size_t>(input.numel()) / rows_;
  if (task == nn::model_task::next_token) {
    if (!is_integer(input.type()))
      throw std::invalid_argument("field '" + names.input + "' holds " + std::string(to_string(input.type()))
                                  + "; a language model reads token ids (u8, i32 or i64)");
    if (per_row != input_size + 1)
      throw std::invalid_argument("field '" + names.input + "' has windows of "
                                  + std::to_string(per_row) + " tokens; the model's context "
                                  + std::to_string(input_size) + " needs "
                                  + std::to_string(input_size + 1));
    labels_per_row_ = input_size;
    x_storage_.resize(rows_ * input_size);
    label_storage_.resize(rows_ * input_size);
    for (std::size_t r = 0; r < rows_; ++r)
      for (std::size_t t = 0; t < input_size; ++t) {
        x_storage_[r * input_size + t] = static_cast<float>(integer_at(input, r * per_row + t));
        label_storage_[r * input_size + t] =
          static_cast<std::int32_t>(integer_at(input, r * per_row + t + 1));
      }
    x_ = x_storage_.data();
    labels_ = label_storage_.data();
    return;
  }
  if (input.type() != dtype::f32)
    throw std::invalid_argument("field '" + names.input + "' holds "
                                + std::string(to_string(input.type()))
                                + "; the model reads f32 (add a batcher transform such as '"
                                + names.input + ":scale=0.00392156862745098')");
  if (per_row != input_size)
    throw std::invalid_argument("field '" + names.input + "' has " + std::to_string(per_row)
                                + " values per sample; the model takes " + std::to_string(input_size));
  x_ = input.data<float>();
  const auto& label = field_named(fields, names.label);
  require_rows(label, names.label);
  if (static_cast<std::size_t>(label.numel()) != rows_)
    throw std::invalid_argument("field '" + names.label + "' has "
                                + std::to_string(label.numel()) + " values for " + std::to_string(rows_)
                                + " samples; a classifier takes one label per sample");
  if (!is_integer(label.type()))
    throw std::invalid_argument("field '" + names.label + "' holds "
                                + std::string(to_string(label.type())) + "; labels are integers");
  labels_per_row_ = 1;
  if (label.type() == dtype::i32) {
    labels_ = label.data<std::int32_t>();
    return;
  }
  label_storage_.resize(rows_);
  for (std::size_t r = 0; r < rows_; ++r)
    label_storage_[r] = static_cast<std::int32_t>(integer_at(label, r));
  labels_ = label_storage_.data();
}

} // namespace ds::actors
