#pragma once
/// "Did you mean" for misspelt keys, stage names, actors and ports.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ds {

/// Levenshtein distance (insert, delete, replace each cost 1).
std::size_t edit_distance(std::string_view lhs, std::string_view rhs);

/// The candidate closest to `word`, if it is close enough to be a typo: at most
/// 2 edits, or a third of the word's length for long words. Ties go to the
/// earlier candidate so suggestions follow file/declaration order.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates);

/// "; did you mean 'x'?" or "" when nothing is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

/// "a, b, c" for listing the valid choices.
std::string join_names(const std::vector<std::string>& names);

} // namespace ds
