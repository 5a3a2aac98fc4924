#include "config/value_check.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "config/suggest.hpp"

namespace ds {

namespace {

/// Shortest text that reads back as `number`, with ".0" so it reads as a number.
std::string render_number(double number) {
  char buffer[32];
  auto [end, errc] = std::to_chars(buffer, buffer + sizeof buffer, number);
  std::string text(buffer, end);
  if (text.find_first_not_of("-0123456789") == std::string::npos)
    text += ".0";
  return text;
}

/// Bounds are usually integral; 1e9 reads better as 1000000000 there.
std::string render_bound(double bound) {
  if (bound == std::trunc(bound) && std::abs(bound) < 1e15)
    return std::to_string(static_cast<std::int64_t>(bound));
  return render_number(bound);
}

template <class Number>
std::optional<Number> parse_whole(const std::string& text) {
  Number result{};
  auto begin = text.data();
  if (!text.empty() && text.front() == '+')
    ++begin;  // YAML allows "+5"; from_chars does not
  auto [end, errc] = std::from_chars(begin, text.data() + text.size(), result);
  if (errc != std::errc{} || end != text.data() + text.size() || begin == end)
    return std::nullopt;
  return result;
}

std::optional<bool> parse_bool(const std::string& text) {
  // YAML 1.2 core schema spellings; yes/no/on/off are too easy to mistype.
  if (text == "true" || text == "True" || text == "TRUE")
    return true;
  if (text == "false" || text == "False" || text == "FALSE")
    return false;
  return std::nullopt;
}

bool in_range(double number, const key_spec& spec) {
  return (!spec.min || number >= *spec.min) && (!spec.max || number <= *spec.max);
}

class value_reader {
public:
  value_reader(const config_node& node, const key_spec& spec, const std::string& key_path,
               diagnostics& out)
    : node_(node), spec_(spec), key_path_(key_path), out_(out) {}

  std::optional<value_data> read() {
    switch (spec_.type) {
      case value_type::boolean: return read_bool();
      case value_type::integer: return read_integer();
      case value_type::number: return read_number();
      case value_type::string: return read_string();
      case value_type::string_list: return read_string_list();
    }
    return std::nullopt;
  }

private:
  std::optional<value_data> read_bool() {
    auto value = node_.is_scalar() && !node_.quoted ? parse_bool(node_.text) : std::nullopt;
    if (!value)
      return fail("expected true or false");
    return *value;
  }

  std::optional<value_data> read_integer() {
    auto value = plain_text() ? parse_whole<std::int64_t>(node_.text) : std::nullopt;
    if (!value)
      return fail("expected an integer");
    if (!check_range(static_cast<double>(*value)))
      return std::nullopt;
    return *value;
  }

  std::optional<value_data> read_number() {
    auto value = plain_text() ? parse_whole<double>(node_.text) : std::nullopt;
    if (!value || !std::isfinite(*value))
      return fail("expected a number");
    if (!check_range(*value))
      return std::nullopt;
    return *value;
  }

  std::optional<value_data> read_string() {
    if (!node_.is_scalar())
      return fail("expected a string");
    const auto& choices = spec_.choices;
    if (!choices.empty() && std::find(choices.begin(), choices.end(), node_.text) == choices.end()) {
      report(out_, node_.origin, key_path_,
             "'" + node_.text + "' is not one of " + join_names(choices)
               + did_you_mean(node_.text, choices));
      return std::nullopt;
    }
    return node_.text;
  }

  std::optional<value_data> read_string_list() {
    if (!node_.is_sequence())
      return fail("expected a list of strings such as [a, b]");
    std::vector<std::string> items;
    bool ok = true;
    for (std::size_t i = 0; i < node_.items.size(); ++i) {
      const auto& item = node_.items[i];
      if (item.is_scalar()) {
        items.push_back(item.text);
        continue;
      }
      report(out_, item.origin, join_path(key_path_, std::to_string(i)),
             "expected a string, got " + item.describe_kind());
      ok = false;
    }
    if (!ok)
      return std::nullopt;
    return items;
  }

  bool plain_text() const { return node_.is_scalar() && !node_.quoted; }

  bool check_range(double number) {
    if (in_range(number, spec_))
      return true;
    report(out_, node_.origin, key_path_,
           "value " + node_.text + " is out of range " + render_range(spec_));
    return false;
  }

  std::nullopt_t fail(const std::string& expected) {
    report(out_, node_.origin, key_path_, expected + ", got " + node_.describe_kind());
    return std::nullopt;
  }

  const config_node& node_;
  const key_spec& spec_;
  const std::string& key_path_;
  diagnostics& out_;
};

} // namespace

std::optional<value_data> read_value(const config_node& node, const key_spec& spec,
                                     const std::string& key_path, diagnostics& out) {
  return value_reader{node, spec, key_path, out}.read();
}

std::string render_value(const value_data& value) {
  struct renderer {
    std::string operator()(bool flag) const { return flag ? "true" : "false"; }
    std::string operator()(std::int64_t number) const { return std::to_string(number); }
    std::string operator()(double number) const { return render_number(number); }
    std::string operator()(const std::string& text) const { return text.empty() ? "\"\"" : text; }
    std::string operator()(const std::vector<std::string>& items) const {
      // Appending avoids GCC 12's false -Wrestrict on "literal" + std::string.
      return std::string{"["}.append(join_names(items)).append("]");
    }
  };
  return std::visit(renderer{}, value);
}

std::string render_range(const key_spec& spec) {
  if (spec.min && spec.max)
    return std::string{"["}.append(render_bound(*spec.min)).append(", ").append(
      render_bound(*spec.max)).append("]");
  if (spec.min)
    return ">= " + render_bound(*spec.min);
  if (spec.max)
    return "<= " + render_bound(*spec.max);
  return {};
}

} // namespace ds
