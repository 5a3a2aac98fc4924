#include <sstream>

#include "config/config_loader.hpp"
#include "config/suggest.hpp"
#include "config/value_check.hpp"

namespace ds {

namespace {

std::string default_text(const key_spec& key) {
  return key.default_value ? render_value(*key.default_value) : std::string{"required"};
}

/// The range or the choices, whichever the key restricts; "" when neither.
std::string allowed_text(const key_spec& key) {
  if (!key.choices.empty())
    return "one of " + join_names(key.choices);
  auto range = render_range(key);
  return range.empty() ? range : "range " + range;
}

std::string order_text(const stage_schema& schema) {
  return schema.ordered_input ? "ordered by key (the stage runs as one replica)" : "any";
}

std::string replicas_text(const stage_schema& schema) {
  return schema.can_replicate() ? "one or more" : "one only";
}

/// Markdown table cells must not contain a bare '|'.
std::string cell(const std::string& text) {
  std::string result;
  for (char c : text) {
    if (c == '|')
      result += '\\';
    result += c;
  }
  return result;
}

void markdown_ports(std::ostringstream& out, const std::vector<port_spec>& ports,
                    const char* direction) {
  for (const auto& port : ports)
    out << "| `" << port.name << "` | " << (port.feedback ? "feedback input" : direction)
        << " | `" << port.message_type << "` | "
        << cell(port.doc) << " |\n";
}

} // namespace

std::string describe_stage_type(const stage_type& type) {
  const auto& schema = type.schema;
  std::ostringstream out;
  out << schema.name << ": " << schema.doc << '\n' << "  from: " << type.origin << '\n';
  out << "  inputs:" << (schema.inputs.empty() ? " none (a source)" : "") << '\n';
  for (const auto& port : schema.inputs)
    out << "    " << port.name << " (" << port.message_type << (port.feedback ? ", feedback" : "")
        << "): " << port.doc << '\n';
  out << "  outputs:" << (schema.outputs.empty() ? " none (a sink)" : "") << '\n';
  for (const auto& port : schema.outputs)
    out << "    " << port.name << " (" << port.message_type << "): " << port.doc << '\n';
  out << "  input order: " << order_text(schema) << '\n'
      << "  replicas: " << replicas_text(schema) << '\n'
      << "  keys:" << (schema.keys.empty() ? " none" : "") << '\n';
  for (const auto& key : schema.keys) {
    auto allowed = allowed_text(key);
    out << "    " << key.name << ": " << to_string(key.type) << ", default " << default_text(key)
        << (allowed.empty() ? "" : ", " + allowed) << '\n'
        << "        " << key.doc << '\n';
  }
  return out.str();
}

std::string stage_type_markdown(const stage_type& type) {
  const auto& schema = type.schema;
  std::ostringstream out;
  out << "### `" << schema.name << "`\n\n" << schema.doc << "\n\n";
  if (!schema.inputs.empty() || !schema.outputs.empty()) {
    out << "| port | direction | message type | description |\n"
        << "| --- | --- | --- | --- |\n";
    markdown_ports(out, schema.inputs, "input");
    markdown_ports(out, schema.outputs, "output");
    out << '\n';
  }
  out << "Input order: " << order_text(schema) << ". Replicas: " << replicas_text(schema)
      << ".\n\n";
  if (schema.keys.empty())
    return out.str() + "No stage keys.\n";
  out << "| key | type | default | allowed | description |\n"
      << "| --- | --- | --- | --- | --- |\n";
  for (const auto& key : schema.keys) {
    auto fallback = cell(default_text(key));
    auto quote = key.default_value ? "`" : "";
    out << "| `" << key.name << "` | " << to_string(key.type) << " | " << quote << fallback
        << quote << " | "
        << cell(allowed_text(key)) << " | " << cell(key.doc) << " |\n";
  }
  return out.str();
}

} // namespace ds
