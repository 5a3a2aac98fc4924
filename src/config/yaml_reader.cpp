#include "config/yaml_reader.hpp"

#include <yaml-cpp/yaml.h>

namespace ds {

namespace {

/// Converts a yaml-cpp tree, stamping each node with an origin made by `locate`.
template <class Locate>
class converter {
public:
  converter(Locate locate, diagnostics& out) : locate_(std::move(locate)), out_(out) {}

  config_node convert(const YAML::Node& node, const std::string& path) {
    config_node result;
    result.origin = locate_(node.Mark());
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        break;
      case YAML::NodeType::Scalar:
        result.type = config_node::kind::scalar;
        result.text = node.Scalar();
        // yaml-cpp tags plain scalars "?" and quoted ones "!"; an explicit
        // !!str also makes a string.
        result.quoted = node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str";
        break;
      case YAML::NodeType::Sequence:
        result.type = config_node::kind::sequence;
        for (std::size_t i = 0; i < node.size(); ++i)
          result.items.push_back(convert(node[i], join_path(path, std::to_string(i))));
        break;
      case YAML::NodeType::Map:
        result.type = config_node::kind::map;
        for (const auto& pair : node)
          convert_entry(result, pair.first, pair.second, path);
        break;
    }
    return result;
  }

private:
  void convert_entry(config_node& map, const YAML::Node& key, const YAML::Node& value,
                     const std::string& path) {
    auto key_origin = locate_(key.Mark());
    if (!key.IsScalar()) {
      report(out_, key_origin, path, "a map key must be a name, not a list or a map");
      return;
    }
    const auto& name = key.Scalar();
    auto child_path = join_path(path, name);
    if (const auto* first = map.find_entry(name)) {
      // yaml-cpp keeps both; silently taking one would hide a mistake.
      report(out_, key_origin, child_path,
             "duplicate key '" + name + "' (first set at line " + std::to_string(first->key_origin.line)
               + ")");
      return;
    }
    auto converted = convert(value, child_path);
    // yaml-cpp puts an empty value at the next token, often on a later line;
    // the key is where the user has to add the value.
    if (converted.is_null())
      converted.origin = key_origin;
    map.add(name, key_origin, std::move(converted));
  }

  Locate locate_;
  diagnostics& out_;
};

template <class Locate>
std::optional<config_node> parse(const std::string& text, Locate locate, const std::string& path,
                                 diagnostics& out) {
  try {
    auto root = YAML::Load(text);
    return converter<Locate>{locate, out}.convert(root, path);
  } catch (const YAML::Exception& error) {
    report(out, locate(error.mark), path, "YAML syntax error: " + error.msg);
    return std::nullopt;
  }
}

} // namespace

std::optional<config_node> read_yaml(const std::string& text, const std::string& file,
                                     diagnostics& out) {
  auto locate = [&file](const YAML::Mark& mark) {
    value_origin origin;
    origin.from = value_origin::source::config_file;
    origin.file = file;
    // yaml-cpp marks are 0-based and -1 when unknown; ours are 1-based, 0 when unknown.
    origin.line = mark.is_null() ? 0 : mark.line + 1;
    origin.column = mark.is_null() ? 0 : mark.column + 1;
    return origin;
  };
  return parse(text, locate, "", out);
}

std::optional<config_node> read_yaml_value(const std::string& value_text,
                                           const std::string& override_text,
                                           const std::string& key_path, diagnostics& out) {
  auto locate = [&override_text](const YAML::Mark&) {
    value_origin origin;
    origin.from = value_origin::source::command_line;
    origin.file = override_text;
    return origin;
  };
  return parse(value_text, locate, key_path, out);
}

} // namespace ds
