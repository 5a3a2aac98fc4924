#include <algorithm>
#include <string>

#include "builtin_codecs.hpp"

namespace ds::codecs {
namespace {

/// Stores the bytes as they are: the fallback when nothing else pays off.
class raw final : public codec {
public:
  std::string_view name() const noexcept override { return "raw"; }
  codec_id id() const noexcept override { return codec_id::raw; }

  status encode(std::span<const std::byte> in, const codec_params&,
                std::vector<std::byte>& out) const override {
    out.insert(out.end(), in.begin(), in.end());
    return status::ok();
  }

  status decode(std::span<const std::byte> in, const codec_params&,
                std::span<std::byte> out) const override {
    if (in.size() != out.size())
      return {errc::corrupt_data, "raw: stored " + std::to_string(in.size())
                                    + " bytes but the record expects " + std::to_string(out.size())};
    if (!in.empty())
      std::copy(in.begin(), in.end(), out.begin());
    return status::ok();
  }
};

} // namespace

const codec& raw_codec() noexcept {
  static const raw instance;
  return instance;
}

} // namespace ds::codecs
