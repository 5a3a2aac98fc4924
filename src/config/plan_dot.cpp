#include <sstream>

#include "config/config_loader.hpp"

namespace ds {

namespace {

/// A Graphviz double-quoted string; "\n" stays a Graphviz line break.
std::string quoted(const std::string& text) {
  std::string result = "\"";
  for (char c : text) {
    if (c == '"')
      result += '\\';
    result += c;
  }
  return result + '"';
}

} // namespace

std::string plan_to_dot(const pipeline_plan& plan) {
  std::ostringstream out;
  out << "digraph pipeline {\n"
      << "  rankdir=LR;\n"
      << "  node [shape=box];\n";
  for (const auto& stage : plan.stages)
    out << "  " << quoted(stage.name) << " [label="
        << quoted(stage.name + "\\n" + stage.type->schema.name + " ×"
                  + (stage.replicas_auto ? std::string{"auto"} : std::to_string(stage.replicas))
                  + (stage.rank ? "\\nrank " + std::to_string(*stage.rank) : std::string{}))
        << "];\n";
  for (const auto& stage : plan.stages)
    for (const auto& binding : stage.inputs)
      out << "  " << quoted(binding.from_stage) << " -> " << quoted(stage.name)
          << " [label=" << quoted(binding.from_port + ":" + binding.message_type)
          << (binding.feedback ? ", style=dashed, constraint=false" : "") << "];\n";
  out << "}\n";
  return out.str();
}

} // namespace ds
