#include <algorithm>
#include <array>
#include <memory>
#include <string>

#include <zdict.h>
#include <zstd.h>

#include "builtin_codecs.hpp"
#include "checksum.hpp"

/// Runs a zstd call whose size_t result lands in `result`; on a zstd error,
/// returns `code` from the enclosing function naming the call, file:line and
/// ZSTD_getErrorName. The one place zstd codes become ds::status.
#define DS_ZSTD_CHECK(result, call, code)                                                     \
  do {                                                                                        \
    (result) = (call);                                                                        \
    if (ZSTD_isError(result))                                                                 \
      return zstd_failure((code), #call, (result), __FILE__, __LINE__);                      \
  } while (false)

namespace ds::codecs {

namespace {

status zstd_failure(errc code, const char* call, std::size_t result, const char* file, int line) {
  return {code, std::string("zstd: ") + call + " failed at " + file + ":" + std::to_string(line)
                  + ": " + ZSTD_getErrorName(result)};
}

struct cctx_deleter {
  void operator()(ZSTD_CCtx* context) const noexcept { ZSTD_freeCCtx(context); }
};
struct dctx_deleter {
  void operator()(ZSTD_DCtx* context) const noexcept { ZSTD_freeDCtx(context); }
};
struct cdict_deleter {
  void operator()(ZSTD_CDict* dictionary) const noexcept { ZSTD_freeCDict(dictionary); }
};
struct ddict_deleter {
  void operator()(ZSTD_DDict* dictionary) const noexcept { ZSTD_freeDDict(dictionary); }
};

/// Identifies a dictionary without hashing all of it on every record: the
/// head holds ZDICT's random dictionary ID and entropy tables, the tail the
/// most recent content, so two different dictionaries of one size that agree
/// on both are not a practical concern. Cost: ~100 ns per call.
struct dictionary_key {
  std::size_t size = 0;
  std::uint64_t fingerprint = 0;
  int level = 0;
  bool operator==(const dictionary_key&) const = default;
};

dictionary_key key_of(std::span<const std::byte> dictionary, int level) {
  constexpr std::size_t edge = 512;
  std::uint64_t fingerprint = xxh64(dictionary.first(std::min(edge, dictionary.size())));
  if (dictionary.size() > edge)
    fingerprint = xxh64(dictionary.last(std::min(edge, dictionary.size() - edge)), fingerprint);
  return {dictionary.size(), fingerprint, level};
}

/// A few digested dictionaries per thread: records of a field share one, and
/// digesting a 100 KiB dictionary costs far more than decoding a record.
template <class Digest, class Deleter>
class digest_cache {
public:
  template <class Create>
  Digest* find(const dictionary_key& key, Create create) {
    for (auto& entry : entries_)
      if (entry.digest && entry.key == key)
        return entry.digest.get();
    auto& victim = entries_[next_victim_];
    next_victim_ = (next_victim_ + 1) % entries_.size();
    victim.digest.reset(create());
    victim.key = key;
    return victim.digest.get();
  }

private:
  struct entry {
    dictionary_key key;
    std::unique_ptr<Digest, Deleter> digest;
  };
  std::array<entry, 4> entries_{};
  std::size_t next_victim_ = 0;
};

status corrupt(std::string what) {
  return {errc::corrupt_data, "zstd: " + std::move(what)};
}

/// Zstandard frames, optionally with a ZDICT dictionary trained per field.
class zstd final : public codec {
public:
  std::string_view name() const noexcept override { return "zstd"; }
  codec_id id() const noexcept override { return codec_id::zstd; }

  status train(const std::vector<std::span<const std::byte>>& samples, const codec_params&,
               std::vector<std::byte>& dictionary) const override {
    dictionary.clear();
    std::vector<std::byte> joined;
    std::vector<std::size_t> sizes;
    for (auto sample : samples) {
      joined.insert(joined.end(), sample.begin(), sample.end());
      sizes.push_back(sample.size());
    }
    // Small dictionaries: on 784-byte Fashion-MNIST images 2-8 KiB save as
    // much as 98 KiB (most of the gain is the entropy tables), and selection
    // counts the dictionary against the sample (docs/codecs.md).
    constexpr std::size_t max_capacity = 8192;
    const std::size_t capacity = std::min(max_capacity, joined.size() / 16);
    if (capacity < 256) // ZDICT_DICTSIZE_MIN: too little to learn from
      return status::ok();
    dictionary.resize(capacity);
    const std::size_t trained = ZDICT_trainFromBuffer(dictionary.data(), capacity, joined.data(),
                                                      sizes.data(),
                                                      static_cast<unsigned>(sizes.size()));
    // Too few or too uniform samples make ZDICT fail; frames then go without
    // a dictionary, which is correct, only larger.
    dictionary.resize(ZDICT_isError(trained) ? 0 : trained);
    return status::ok();
  }

  status encode(std::span<const std::byte> in, const codec_params& params,
                std::vector<std::byte>& out) const override {
    if (params.level < 1 || params.level > ZSTD_maxCLevel())
      return {errc::invalid_argument, "zstd: level " + std::to_string(params.level)
                                        + " is outside 1.." + std::to_string(ZSTD_maxCLevel())};
    static thread_local std::unique_ptr<ZSTD_CCtx, cctx_deleter> context{ZSTD_createCCtx()};
    const std::size_t old_size = out.size();
    const std::size_t bound = ZSTD_compressBound(in.size());
    out.resize(old_size + bound);
    // Whichever way this returns, `out` keeps only what was there plus a whole frame.
    struct trim_on_exit {
      std::vector<std::byte>& out;
      std::size_t size;
      ~trim_on_exit() { out.resize(size); }
    } trim{out, old_size};
    std::size_t written = 0;
    if (params.dictionary.empty()) {
      DS_ZSTD_CHECK(written, ZSTD_compressCCtx(context.get(), out.data() + old_size, bound,
                                               in.data(), in.size(), params.level),
                    errc::internal);
    } else {
      static thread_local digest_cache<ZSTD_CDict, cdict_deleter> cache;
      auto* digest = cache.find(key_of(params.dictionary, params.level), [&] {
        return ZSTD_createCDict(params.dictionary.data(), params.dictionary.size(), params.level);
      });
      if (digest == nullptr)
        return {errc::invalid_argument, "zstd: ZSTD_createCDict rejected the dictionary of "
                                          + std::to_string(params.dictionary.size()) + " bytes"};
      DS_ZSTD_CHECK(written, ZSTD_compress_usingCDict(context.get(), out.data() + old_size, bound,
                                                      in.data(), in.size(), digest),
                    errc::internal);
    }
    trim.size = old_size + written;
    return status::ok();
  }

  status decode(std::span<const std::byte> in, const codec_params& params,
                std::span<std::byte> out) const override {
    const auto content_size = ZSTD_getFrameContentSize(in.data(), in.size());
    if (content_size == ZSTD_CONTENTSIZE_ERROR)
      return corrupt("input of " + std::to_string(in.size()) + " bytes is not a zstd frame");
    if (content_size == ZSTD_CONTENTSIZE_UNKNOWN)
      return corrupt("frame does not state its content size");
    if (content_size != out.size())
      return corrupt("frame holds " + std::to_string(content_size)
                     + " bytes but the record expects " + std::to_string(out.size()));
    std::size_t frame_size = 0;
    DS_ZSTD_CHECK(frame_size, ZSTD_findFrameCompressedSize(in.data(), in.size()),
                  errc::corrupt_data);
    if (frame_size != in.size())
      return corrupt(std::to_string(in.size() - frame_size) + " bytes after the frame");
    static thread_local std::unique_ptr<ZSTD_DCtx, dctx_deleter> context{ZSTD_createDCtx()};
    // zstd wants a valid pointer even for an empty destination.
    std::byte empty_target;
    void* target = out.empty() ? &empty_target : out.data();
    std::size_t written = 0;
    if (params.dictionary.empty()) {
      DS_ZSTD_CHECK(written,
                    ZSTD_decompressDCtx(context.get(), target, out.size(), in.data(), in.size()),
                    errc::corrupt_data);
    } else {
      static thread_local digest_cache<ZSTD_DDict, ddict_deleter> cache;
      auto* digest = cache.find(key_of(params.dictionary, 0), [&] {
        return ZSTD_createDDict(params.dictionary.data(), params.dictionary.size());
      });
      if (digest == nullptr)
        return corrupt("ZSTD_createDDict rejected the dictionary of "
                       + std::to_string(params.dictionary.size()) + " bytes");
      DS_ZSTD_CHECK(written,
                    ZSTD_decompress_usingDDict(context.get(), target, out.size(), in.data(),
                                               in.size(), digest),
                    errc::corrupt_data);
    }
    if (written != out.size())
      return corrupt("frame decoded to " + std::to_string(written) + " bytes, expected "
                     + std::to_string(out.size()));
    return status::ok();
  }
};

} // namespace

const codec& zstd_codec() noexcept {
  static const zstd instance;
  return instance;
}

} // namespace ds::codecs
