#include <cstring>
#include <string>

#include <webp/decode.h>
#include <webp/encode.h>

#include "builtin_codecs.hpp"

/// Runs a libwebp call that returns 0/null on failure; then returns `code`
/// from the enclosing function naming the call, file:line and `detail`. The
/// one place libwebp failures become ds::status.
#define DS_WEBP_CHECK(call, code, detail)                                                     \
  do {                                                                                        \
    if (!(call))                                                                              \
      return webp_failure((code), #call, (detail), __FILE__, __LINE__);                       \
  } while (false)

namespace ds::codecs {
namespace {

status webp_failure(errc code, const char* call, const std::string& detail, const char* file,
                    int line) {
  return {code, std::string("webp: ") + call + " failed at " + file + ":" + std::to_string(line)
                  + (detail.empty() ? "" : ": " + detail)};
}

/// Frees what WebPEncode allocated, whichever way encode returns.
struct encoder_state {
  WebPPicture picture;
  WebPMemoryWriter writer;
  encoder_state() {
    WebPPictureInit(&picture);
    WebPMemoryWriterInit(&writer);
  }
  ~encoder_state() {
    WebPPictureFree(&picture);
    WebPMemoryWriterClear(&writer);
  }
  encoder_state(const encoder_state&) = delete;
  encoder_state& operator=(const encoder_state&) = delete;
};

/// Checks the geometry in `params` against a buffer of `size` bytes.
status check_geometry(const codec_params& params, std::size_t size, const char* what) {
  if (params.channels != 1 && params.channels != 3 && params.channels != 4)
    return {errc::invalid_argument, "webp: " + std::to_string(params.channels)
                                      + " channels; only 1 (gray), 3 (RGB), 4 (RGBA) map to WebP"};
  if (params.width == 0 || params.height == 0 || params.width > WEBP_MAX_DIMENSION
      || params.height > WEBP_MAX_DIMENSION)
    return {errc::invalid_argument, "webp: image of " + std::to_string(params.width) + "x"
                                      + std::to_string(params.height)
                                      + " is outside 1..16383 per side"};
  const std::uint64_t expected = std::uint64_t{params.width} * params.height * params.channels;
  if (size != expected)
    return {errc::invalid_argument, std::string("webp: ") + what + " has " + std::to_string(size)
                                      + " bytes, " + std::to_string(params.width) + "x"
                                      + std::to_string(params.height) + "x"
                                      + std::to_string(params.channels) + " needs "
                                      + std::to_string(expected)};
  return status::ok();
}

/// Scratch for gray images, which WebP stores as RGB: one per thread, reused.
std::vector<std::uint8_t>& rgb_scratch(std::size_t size) {
  static thread_local std::vector<std::uint8_t> scratch;
  scratch.resize(size);
  return scratch;
}

/// WebP images (libwebp): lossless by default, lossy with `quality` when the
/// user allowed it. Gray images travel as RGB with equal channels.
class webp final : public codec {
public:
  std::string_view name() const noexcept override { return "webp"; }
  codec_id id() const noexcept override { return codec_id::webp; }
  bool lossy(const codec_params& params) const noexcept override { return !params.lossless; }

  status encode(std::span<const std::byte> in, const codec_params& params,
                std::vector<std::byte>& out) const override {
    if (auto checked = check_geometry(params, in.size(), "input"); !checked)
      return checked;
    WebPConfig config;
    DS_WEBP_CHECK(WebPConfigInit(&config), errc::internal, "");
    config.lossless = params.lossless ? 1 : 0;
    // Lossless: quality is effort; 75 with method 4 is cwebp's default trade-off.
    config.quality = params.lossless ? 75.0f : params.quality;
    config.method = 4;
    config.exact = 1; // keep RGB under transparent pixels: lossless means byte-exact
    DS_WEBP_CHECK(WebPValidateConfig(&config), errc::invalid_argument,
                  "quality " + std::to_string(params.quality) + " is outside 0..100");
    encoder_state state;
    state.picture.width = static_cast<int>(params.width);
    state.picture.height = static_cast<int>(params.height);
    state.picture.use_argb = params.lossless ? 1 : 0;
    state.picture.writer = WebPMemoryWrite;
    state.picture.custom_ptr = &state.writer;
    const auto* pixels = reinterpret_cast<const std::uint8_t*>(in.data());
    const int width = static_cast<int>(params.width);
    if (params.channels == 4) {
      DS_WEBP_CHECK(WebPPictureImportRGBA(&state.picture, pixels, width * 4), errc::internal,
                    "out of memory");
    } else if (params.channels == 3) {
      DS_WEBP_CHECK(WebPPictureImportRGB(&state.picture, pixels, width * 3), errc::internal,
                    "out of memory");
    } else {
      auto& rgb = rgb_scratch(in.size() * 3);
      for (std::size_t pixel = 0; pixel < in.size(); ++pixel)
        std::memset(rgb.data() + 3 * pixel, std::to_integer<int>(in[pixel]), 3);
      DS_WEBP_CHECK(WebPPictureImportRGB(&state.picture, rgb.data(), width * 3), errc::internal,
                    "out of memory");
    }
    DS_WEBP_CHECK(WebPEncode(&config, &state.picture), errc::internal,
                  "encoder error " + std::to_string(state.picture.error_code));
    const auto* encoded = reinterpret_cast<const std::byte*>(state.writer.mem);
    out.insert(out.end(), encoded, encoded + state.writer.size);
    return status::ok();
  }

  status decode(std::span<const std::byte> in, const codec_params& params,
                std::span<std::byte> out) const override {
    if (auto checked = check_geometry(params, out.size(), "output"); !checked)
      return checked;
    const auto* data = reinterpret_cast<const std::uint8_t*>(in.data());
    // libwebp ignores bytes after the RIFF container; a record must not carry any.
    if (in.size() < 12 || std::memcmp(data, "RIFF", 4) != 0
        || std::memcmp(data + 8, "WEBP", 4) != 0)
      return {errc::corrupt_data, "webp: input of " + std::to_string(in.size())
                                    + " bytes is not a RIFF WEBP container"};
    const std::uint64_t riff_size = std::uint64_t{data[4]} | std::uint64_t{data[5]} << 8
                                    | std::uint64_t{data[6]} << 16 | std::uint64_t{data[7]} << 24;
    if (riff_size + 8 != in.size())
      return {errc::corrupt_data, "webp: RIFF header says " + std::to_string(riff_size + 8)
                                    + " bytes, the record holds " + std::to_string(in.size())};
    int width = 0;
    int height = 0;
    DS_WEBP_CHECK(WebPGetInfo(data, in.size(), &width, &height), errc::corrupt_data,
                  "bad WebP header");
    if (static_cast<std::uint32_t>(width) != params.width
        || static_cast<std::uint32_t>(height) != params.height)
      return {errc::corrupt_data, "webp: image is " + std::to_string(width) + "x"
                                    + std::to_string(height) + " but the field is "
                                    + std::to_string(params.width) + "x"
                                    + std::to_string(params.height)};
    auto* target = reinterpret_cast<std::uint8_t*>(out.data());
    const int stride = width * static_cast<int>(params.channels);
    if (params.channels == 4) {
      DS_WEBP_CHECK(WebPDecodeRGBAInto(data, in.size(), target, out.size(), stride),
                    errc::corrupt_data, "bad or truncated bitstream");
    } else if (params.channels == 3) {
      DS_WEBP_CHECK(WebPDecodeRGBInto(data, in.size(), target, out.size(), stride),
                    errc::corrupt_data, "bad or truncated bitstream");
    } else {
      auto& rgb = rgb_scratch(out.size() * 3);
      DS_WEBP_CHECK(WebPDecodeRGBInto(data, in.size(), rgb.data(), rgb.size(), width * 3),
                    errc::corrupt_data, "bad or truncated bitstream");
      // Green carries most of the luma, so it is the best single channel for lossy gray.
      for (std::size_t pixel = 0; pixel < out.size(); ++pixel)
        target[pixel] = rgb[3 * pixel + 1];
    }
    return status::ok();
  }
};

} // namespace

const codec& webp_codec() noexcept {
  static const webp instance;
  return instance;
}

} // namespace ds::codecs
