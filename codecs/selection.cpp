#include "selection.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <string>

namespace ds::codecs {
namespace {

struct candidate {
  const codec* implementation;
  codec_params params;
};

std::vector<candidate> candidates_for(field_kind kind, const codec_params& base,
                                      const selection_options& options) {
  auto with = [&](codec_id id, auto adjust) {
    codec_params params = base;
    params.dictionary = {};
    params.level = options.zstd_level;
    params.quality = options.webp_quality;
    params.lossless = true;
    adjust(params);
    return candidate{find_codec(id), params};
  };
  auto as_is = [](codec_params&) {};
  switch (kind) {
    case field_kind::text:
      return {with(codec_id::huffman, as_is), with(codec_id::zstd, as_is)};
    case field_kind::image: {
      std::vector<candidate> result{with(codec_id::webp, as_is)};
      if (options.allow_lossy)
        result.push_back(with(codec_id::webp, [](codec_params& params) { params.lossless = false; }));
      result.push_back(with(codec_id::zstd, as_is));
      return result;
    }
    case field_kind::other:
      break;
  }
  return {with(codec_id::zstd, as_is), with(codec_id::raw, as_is)};
}

/// "webp-lossy(q90)" and the like: one codec name can stand for several candidates.
std::string label(const candidate_result& result) {
  if (result.codec_name == "webp")
    return result.params.lossless ? "webp-lossless"
                                  : "webp-lossy(q" + std::to_string(static_cast<int>(
                                                       result.params.quality))
                                      + ")";
  if (result.codec_name == "zstd")
    return "zstd-" + std::to_string(result.params.level);
  return result.codec_name;
}

/// Runs `round` until the sample has been processed for at least 20 ms, so
/// that a few hundred tiny records still give a stable figure; returns MB/s.
template <class Round>
status measure(std::uint64_t bytes_per_round, Round round, double& mb_per_s) {
  using clock = std::chrono::steady_clock;
  constexpr auto min_time = std::chrono::milliseconds(20);
  std::uint64_t rounds = 0;
  const auto start = clock::now();
  auto elapsed = clock::duration::zero();
  do {
    if (auto done = round(); !done)
      return done;
    ++rounds;
    elapsed = clock::now() - start;
  } while (elapsed < min_time && rounds < 100000);
  const double seconds = std::chrono::duration<double>(elapsed).count();
  mb_per_s = seconds > 0 ? static_cast<double>(bytes_per_round * rounds) / seconds / 1e6 : 0;
  return status::ok();
}

/// Fills `result` for one candidate; a failure goes to `result.rejected`.
void evaluate(const candidate& tried, const std::vector<std::span<const std::byte>>& samples,
              const selection_options& options, candidate_result& result,
              std::vector<std::byte>& dictionary) {
  const codec& implementation = *tried.implementation;
  result.codec_name = implementation.name();
  result.params = tried.params;
  for (auto sample : samples)
    result.raw_bytes += sample.size();
  auto reject = [&](const std::string& why) { result.rejected = label(result) + ": " + why; };
  if (auto trained = implementation.train(samples, tried.params, dictionary); !trained)
    return reject("training failed: " + trained.to_string());
  codec_params params = tried.params;
  params.dictionary = dictionary;
  std::vector<std::vector<std::byte>> encoded(samples.size());
  auto encode_all = [&]() -> status {
    for (std::size_t index = 0; index < samples.size(); ++index) {
      encoded[index].clear();
      if (auto done = implementation.encode(samples[index], params, encoded[index]); !done)
        return done;
    }
    return status::ok();
  };
  if (auto done = measure(result.raw_bytes, encode_all, result.encode_mb_per_s); !done)
    return reject("encode failed: " + done.to_string());
  result.stored_bytes = dictionary.size();
  for (const auto& frame : encoded)
    result.stored_bytes += frame.size();
  std::vector<std::vector<std::byte>> decoded(samples.size());
  for (std::size_t index = 0; index < samples.size(); ++index)
    decoded[index].resize(samples[index].size());
  auto decode_all = [&]() -> status {
    for (std::size_t index = 0; index < samples.size(); ++index)
      if (auto done = implementation.decode(encoded[index], params, decoded[index]); !done)
        return done;
    return status::ok();
  };
  if (auto done = measure(result.raw_bytes, decode_all, result.decode_mb_per_s); !done)
    return reject("decode failed: " + done.to_string());
  if (!implementation.lossy(params))
    for (std::size_t index = 0; index < samples.size(); ++index)
      if (!std::equal(samples[index].begin(), samples[index].end(), decoded[index].begin()))
        return reject("round trip of sample " + std::to_string(index) + " differs");
  const double ratio = result.raw_bytes > 0 ? static_cast<double>(result.stored_bytes)
                                                / static_cast<double>(result.raw_bytes)
                                            : 1.0;
  const double penalty = result.decode_mb_per_s > 0
                           ? options.decode_weight * 100.0 / result.decode_mb_per_s
                           : 0.0;
  result.score = ratio + penalty;
}

std::string summary(const candidate_result& result) {
  const double ratio = result.raw_bytes > 0 ? static_cast<double>(result.stored_bytes)
                                                / static_cast<double>(result.raw_bytes)
                                            : 1.0;
  char text[96];
  std::snprintf(text, sizeof text, "%.2f of raw at %.0f MB/s decode", ratio,
                result.decode_mb_per_s);
  return text;
}

} // namespace

status choose_codec(field_kind kind, const std::vector<std::span<const std::byte>>& samples,
                    const codec_params& base, const selection_options& options,
                    codec_choice& choice) {
  choice = codec_choice{};
  std::size_t best = std::numeric_limits<std::size_t>::max();
  std::size_t runner_up = best;
  for (const auto& tried : candidates_for(kind, base, options)) {
    candidate_result result;
    std::vector<std::byte> dictionary;
    evaluate(tried, samples, options, result, dictionary);
    choice.candidates.push_back(result);
    if (!result.rejected.empty())
      continue;
    const std::size_t index = choice.candidates.size() - 1;
    if (best == std::numeric_limits<std::size_t>::max()
        || result.score < choice.candidates[best].score) {
      runner_up = best;
      best = index;
      choice.id = tried.implementation->id();
      choice.params = tried.params;
      choice.dictionary = std::move(dictionary);
    } else if (runner_up == std::numeric_limits<std::size_t>::max()
               || result.score < choice.candidates[runner_up].score) {
      runner_up = index;
    }
  }
  if (best == std::numeric_limits<std::size_t>::max()) {
    std::string why = "no codec could store this field:";
    for (const auto& result : choice.candidates)
      why += " " + result.rejected + ";";
    why.pop_back();
    return {errc::unsupported, why};
  }
  const auto& winner = choice.candidates[best];
  choice.reason = label(winner) + ": " + summary(winner);
  if (runner_up != std::numeric_limits<std::size_t>::max()) {
    const auto& other = choice.candidates[runner_up];
    char scores[64];
    std::snprintf(scores, sizeof scores, ": score %.3f < %.3f", winner.score, other.score);
    choice.reason += " beats " + label(other) + " (" + summary(other) + ")" + scores;
  } else {
    char score[32];
    std::snprintf(score, sizeof score, ": score %.3f", winner.score);
    choice.reason += std::string(", the only candidate that worked") + score;
  }
  return status::ok();
}

} // namespace ds::codecs
