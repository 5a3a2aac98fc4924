#pragma once
/// Writing JSON by hand: string literals and numbers (the metrics lines, tool reports).

#include <string>
#include <string_view>

namespace ds {

/// Appends `text` as a JSON string literal; bytes >= 0x80 pass through as UTF-8.
void append_json_string(std::string& out, std::string_view text);

/// Appends `value`; JSON has no NaN or infinity, so those become null.
void append_json_number(std::string& out, double value);

} // namespace ds
