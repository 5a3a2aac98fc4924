#include "config/suggest.hpp"

#include <algorithm>
#include <numeric>

namespace ds {

std::size_t edit_distance(std::string_view lhs, std::string_view rhs) {
  // One row of the dynamic-programming table is enough.
  std::vector<std::size_t> row(rhs.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= lhs.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= rhs.size(); ++j) {
      std::size_t above = row[j];
      std::size_t replace = diagonal + (lhs[i - 1] == rhs[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, replace});
      diagonal = above;
    }
  }
  return row[rhs.size()];
}

std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates) {
  const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  std::optional<std::string> best;
  std::size_t best_distance = limit + 1;
  for (const auto& candidate : candidates) {
    auto distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  auto match = closest_match(word, candidates);
  return match ? "; did you mean '" + *match + "'?" : std::string{};
}

std::string join_names(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) {
    if (!text.empty())
      text += ", ";
    text += name;
  }
  return text;
}

} // namespace ds
