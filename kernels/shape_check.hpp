#pragma once
/// The one way kernel setup functions reject a shape: `std::invalid_argument` whose message
/// names the op, the offending dimension, the rule it broke and the value it had, e.g.
/// "conv2d_forward: kernel_h must be <= padded input height 6 (got 7)".

#include <string_view>

namespace ds::kernels {

/// Throws `std::invalid_argument` unless `ok`. Thread-safe.
void require(bool ok, std::string_view op_name, std::string_view dimension,
             std::string_view rule, double value);

} // namespace ds::kernels
