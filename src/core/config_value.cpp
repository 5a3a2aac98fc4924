#include "dsflow/config_value.hpp"

namespace ds {

std::string value_origin::describe() const {
  std::string text;
  switch (from) {
    case source::schema_default:
      return "default";
    case source::command_line:
      text = "command line '";
      text += file;
      text += '\'';
      return text;
    case source::environment:
      text = "env ";
      text += file;
      return text;
    case source::config_file:
      break;
  }
  text = file;
  if (line > 0) {
    text += ':';
    text += std::to_string(line);
    if (column > 0) {
      text += ':';
      text += std::to_string(column);
    }
  }
  return text;
}

} // namespace ds
