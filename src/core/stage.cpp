#include "dsflow/stage.hpp"

#include <stdexcept>

namespace ds {

port_id context::output(std::string_view port) const {
  std::string declared;
  for (std::size_t index = 0; index < schema_.outputs.size(); ++index) {
    const auto& name = schema_.outputs[index].name;
    if (name == port)
      return static_cast<port_id>(index);
    declared += declared.empty() ? "" : ", ";
    declared += name;
  }
  throw std::invalid_argument("stage '" + stage_name() + "' has no output port '"
                              + std::string(port) + "'; "
                              + (declared.empty() ? "it declares no outputs"
                                                  : "its outputs are: " + declared));
}

void source::process(const item&, emitter&) {
  throw std::logic_error("a source stage received an input item: sources have no inputs, "
                         "so the planner connected an edge into one");
}

} // namespace ds
