#include "input/field_transform.hpp"

#include <charconv>
#include <cstring>
#include <stdexcept>

namespace ds::actors {
namespace {

double parse_number(const std::string& entry, std::string_view text) {
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size())
    throw std::invalid_argument("transform '" + entry + "': '" + std::string(text)
                                + "' is not a number");
  return value;
}

template <class In, class Out>
void convert(const field_transform& t, const std::byte* from, std::byte* to, std::size_t count) {
  const auto* in = reinterpret_cast<const In*>(from);
  auto* out = reinterpret_cast<Out*>(to);
  if (!t.affine()) {
    for (std::size_t i = 0; i < count; ++i)
      out[i] = static_cast<Out>(in[i]);
    return;
  }
  // Single precision math for f32 outputs keeps this loop vectorizable.
  using math = std::conditional_t<std::is_same_v<Out, double>, double, float>;
  const auto a = static_cast<math>(t.scale);
  const auto b = static_cast<math>(t.shift);
  for (std::size_t i = 0; i < count; ++i)
    out[i] = static_cast<Out>(static_cast<math>(in[i]) * a + b);
}

template <class In>
void convert_from(const field_transform& t, dtype out, const std::byte* from, std::byte* to,
                  std::size_t count) {
  switch (out) {
    case dtype::u8: return convert<In, std::uint8_t>(t, from, to, count);
    case dtype::i32: return convert<In, std::int32_t>(t, from, to, count);
    case dtype::i64: return convert<In, std::int64_t>(t, from, to, count);
    case dtype::f32: return convert<In, float>(t, from, to, count);
    case dtype::f64: return convert<In, double>(t, from, to, count);
    default: break;
  }
  throw std::invalid_argument("transform: cannot produce dtype " + std::string(to_string(out)));
}

} // namespace

std::map<std::string, field_transform> parse_transforms(const std::vector<std::string>& entries) {
  std::map<std::string, field_transform> transforms;
  for (const auto& entry : entries) {
    auto colon = entry.find(':');
    if (colon == std::string::npos || colon == 0)
      throw std::invalid_argument("transform '" + entry + "': expected FIELD:OP");
    auto& t = transforms[entry.substr(0, colon)];
    std::string_view op{entry.data() + colon + 1, entry.size() - colon - 1};
    if (op == "f32" || op == "i32" || op == "i64" || op == "f64") {
      t.cast = parse_dtype(op);
    } else if (op.starts_with("scale=")) {
      auto s = parse_number(entry, op.substr(6));
      t.scale *= s;
      t.shift *= s;
    } else if (op.starts_with("normalize=")) {
      auto args = op.substr(10);
      auto comma = args.find(',');
      if (comma == std::string_view::npos)
        throw std::invalid_argument("transform '" + entry + "': normalize needs MEAN,STD");
      auto mean = parse_number(entry, args.substr(0, comma));
      auto std_dev = parse_number(entry, args.substr(comma + 1));
      if (std_dev == 0)
        throw std::invalid_argument("transform '" + entry + "': STD must not be 0");
      t.scale /= std_dev;
      t.shift = (t.shift - mean) / std_dev;
    } else {
      throw std::invalid_argument("transform '" + entry + "': unknown operation '"
                                  + std::string(op) + "' (f32, i32, i64, f64, scale=S, "
                                  "normalize=MEAN,STD)");
    }
  }
  return transforms;
}

dtype output_dtype(const field_transform& transform, dtype in) noexcept {
  if (transform.cast)
    return *transform.cast;
  return transform.affine() ? dtype::f32 : in;
}

void apply_transform(const field_transform& transform, dtype in, const std::byte* from,
                     std::byte* to, std::size_t count) {
  auto out = output_dtype(transform, in);
  if (out == in && !transform.affine()) {
    std::memcpy(to, from, count * size_of(in));
    return;
  }
  switch (in) {
    case dtype::u8: return convert_from<std::uint8_t>(transform, out, from, to, count);
    case dtype::i32: return convert_from<std::int32_t>(transform, out, from, to, count);
    case dtype::i64: return convert_from<std::int64_t>(transform, out, from, to, count);
    case dtype::f32: return convert_from<float>(transform, out, from, to, count);
    case dtype::f64: return convert_from<double>(transform, out, from, to, count);
    default: break;
  }
  throw std::invalid_argument("transform: cannot read dtype " + std::string(to_string(in)));
}

} // namespace ds::actors
