#include "cpu/cpu_features.hpp"

#include <algorithm>
#include <thread>
#include <utility>

namespace ds::kernels {

const cpu_features& host_cpu_features() noexcept {
  static const cpu_features features = [] {
    cpu_features f;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    f.avx2 = __builtin_cpu_supports("avx2");
    f.fma = __builtin_cpu_supports("fma");
    f.avx512f = __builtin_cpu_supports("avx512f");
#endif
    f.logical_cores = std::max(1u, std::thread::hardware_concurrency());
    return f;
  }();
  return features;
}

std::string describe(const cpu_features& features) {
  std::string text;
  for (auto [present, name] : {std::pair{features.avx2, "avx2"}, std::pair{features.fma, "fma"},
                               std::pair{features.avx512f, "avx512f"}})
    if (present)
      text += std::string(text.empty() ? "" : " ") + name;
  if (text.empty())
    text = "scalar";
  return text + ", " + std::to_string(features.logical_cores) + " cores";
}

} // namespace ds::kernels
