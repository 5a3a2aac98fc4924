#include <map>
#include <sstream>

#include "config/config_loader.hpp"
#include "config/suggest.hpp"
#include "config/value_check.hpp"

namespace ds {

namespace {

/// "{in: [a.out, b.out]}": bindings grouped by input port, in port order.
std::string render_inputs(const stage_plan& stage) {
  std::string text;
  for (const auto& port : stage.type->schema.inputs) {
    std::vector<std::string> sources;
    for (const auto& binding : stage.inputs)
      if (binding.port == port.name)
        sources.push_back(binding.from_stage + "." + binding.from_port);
    text += (text.empty() ? "" : ", ") + port.name + ": [" + join_names(sources) + "]";
  }
  return "{" + text + "}";
}

void describe_stage(std::ostringstream& out, const stage_plan& stage) {
  out << "  " << stage.name << ":  # " << stage.origin.describe() << '\n'
      << "    actor: " << stage.type->schema.name << '\n';
  if (!stage.inputs.empty())
    out << "    inputs: " << render_inputs(stage) << '\n';
  out << "    replicas: " << stage.replicas << (stage.replicas_auto ? "  # auto" : "") << '\n'
      << "    device: " << stage.device << '\n';
  if (stage.rank)
    out << "    rank: " << *stage.rank << '\n';
  out << "    window: " << stage.window << '\n'
      << "    supervision: {max_restarts: " << stage.supervision.max_restarts
      << ", backoff_ms: " << stage.supervision.backoff_ms << "}\n";
  for (const auto& [key, value] : stage.config.values())
    out << "    " << key << ": " << render_value(value.data) << "  # " << value.origin.describe()
        << '\n';
}

} // namespace

std::string describe_plan(const pipeline_plan& plan) {
  std::ostringstream out;
  out << "# plan of " << plan.file << "; stages in start order, producers first\n"
      << "version: " << plan.version << '\n';
  if (!plan.plugins.empty())
    out << "plugins: [" << join_names(plan.plugins) << "]\n";
  out << "runtime:\n";
  for (const auto& param : plan.params)
    out << "  " << param.key.substr(param.key.find('.') + 1) << ": " << param.value << "  # "
        << param.origin.describe() << '\n';
  out << "stages:\n";
  for (const auto& stage : plan.stages)
    describe_stage(out, stage);
  return out.str();
}

} // namespace ds
