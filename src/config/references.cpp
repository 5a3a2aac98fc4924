#include "config/references.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>

#include "config/suggest.hpp"

namespace ds {

namespace {

constexpr std::string_view env_prefix = "env:";

/// One `${...}` inside a scalar: [begin, end) spans the braces, `body` what is between.
struct reference {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string body;
};

class resolver {
public:
  resolver(config_node& root, diagnostics& out) : root_(root), out_(out) {}

  /// Resolves every reference below `node`; false when one of them failed
  /// (already reported), so callers do not copy an unresolved value.
  bool resolve_tree(config_node& node, const std::string& path) {
    if (auto found = finished_.find(path); found != finished_.end())
      return found->second;
    active_.push_back(path);
    bool ok = true;
    switch (node.type) {
      case config_node::kind::null:
        break;
      case config_node::kind::scalar:
        ok = resolve_scalar(node, path);
        break;
      case config_node::kind::sequence:
        for (std::size_t i = 0; i < node.items.size(); ++i)
          ok = resolve_tree(node.items[i], join_path(path, std::to_string(i))) && ok;
        break;
      case config_node::kind::map:
        for (auto& entry : node.entries)
          ok = resolve_tree(entry.value, join_path(path, entry.key)) && ok;
        break;
    }
    active_.pop_back();
    finished_[path] = ok;
    return ok;
  }

private:
  bool resolve_scalar(config_node& node, const std::string& path) {
    auto references = find_references(node, path);
    if (!references)
      return false;
    if (references->empty())
      return true;
    const auto& first = references->front();
    if (references->size() == 1 && first.begin == 0 && first.end == node.text.size()) {
      // A lone reference takes the referenced node's type, but the position
      // stays where the reference is written: that is what the user must edit.
      auto value = evaluate(first.body, node, path);
      if (!value)
        return false;
      auto origin = node.origin;
      node = std::move(*value);
      node.origin = std::move(origin);
      return true;
    }
    std::string text;
    std::size_t copied = 0;
    for (const auto& ref : *references) {
      auto value = evaluate(ref.body, node, path);
      if (!value)
        return false;
      if (!value->is_scalar()) {
        report(out_, node.origin, path,
               "cannot insert '${" + ref.body + "}' into text: it is " + value->describe_kind());
        return false;
      }
      text.append(node.text, copied, ref.begin - copied).append(value->text);
      copied = ref.end;
    }
    node.text = text.append(node.text, copied);
    node.quoted = true;
    return true;
  }

  std::optional<std::vector<reference>> find_references(const config_node& node,
                                                        const std::string& path) {
    std::vector<reference> result;
    const auto& text = node.text;
    for (auto begin = text.find("${"); begin != std::string::npos;
         begin = text.find("${", begin)) {
      auto close = text.find('}', begin);
      if (close == std::string::npos) {
        report(out_, node.origin, path,
               "unterminated reference in '" + text + "': missing '}'");
        return std::nullopt;
      }
      result.push_back(reference{begin, close + 1, text.substr(begin + 2, close - begin - 2)});
      begin = close + 1;
    }
    return result;
  }

  std::optional<config_node> evaluate(const std::string& body, const config_node& from,
                                      const std::string& path) {
    if (body.starts_with(env_prefix))
      return read_environment(body.substr(env_prefix.size()), from, path);
    const auto* target = lookup(body, from, path);
    if (target == nullptr)
      return std::nullopt;
    return *target;
  }

  std::optional<config_node> read_environment(const std::string& spec, const config_node& from,
                                              const std::string& path) {
    auto comma = spec.find(',');
    auto name = spec.substr(0, comma);
    config_node value;
    value.type = config_node::kind::scalar;
    if (const char* text = std::getenv(name.c_str()))
      value.text = text;
    else if (comma != std::string::npos)
      value.text = spec.substr(comma + 1);
    else {
      report(out_, from.origin, path,
             "environment variable '" + name + "' is not set; write '${env:" + name
               + ",default}' to give a default");
      return std::nullopt;
    }
    return value;
  }

  /// The fully resolved node at `target_path`, or nullptr after reporting why not.
  const config_node* lookup(const std::string& target_path, const config_node& from,
                            const std::string& path) {
    config_node* node = &root_;
    std::string walked;
    std::size_t start = 0;
    for (;;) {
      auto dot = target_path.find('.', start);
      auto key = target_path.substr(start, dot - start);
      // A reference may lead through another one (${a.b} where a is ${c}).
      if (node->is_scalar() && !resolve_step(*node, walked, from, path))
        return nullptr;
      auto* child = find_child(*node, key);
      if (child == nullptr) {
        auto where = walked.empty() ? std::string{"the top level"} : "'" + walked + "'";
        report(out_, from.origin, path,
               "unknown reference '${" + target_path + "}': " + where + " has no key '" + key
                 + "'" + did_you_mean(key, node->keys()));
        return nullptr;
      }
      node = child;
      walked = join_path(walked, key);
      if (dot == std::string::npos)
        break;
      start = dot + 1;
    }
    return resolve_step(*node, walked, from, path) ? node : nullptr;
  }

  bool resolve_step(config_node& node, const std::string& node_path, const config_node& from,
                    const std::string& path) {
    auto active = std::find(active_.begin(), active_.end(), node_path);
    if (active != active_.end()) {
      std::string chain;
      for (; active != active_.end(); ++active)
        chain += *active + " -> ";
      report(out_, from.origin, path, "reference cycle: " + chain + node_path);
      return false;
    }
    return resolve_tree(node, node_path);
  }

  static config_node* find_child(config_node& node, const std::string& key) {
    if (node.is_map())
      return node.find(key);
    if (node.is_sequence() && !key.empty()
        && key.find_first_not_of("0123456789") == std::string::npos) {
      auto index = std::stoul(key);
      return index < node.items.size() ? &node.items[index] : nullptr;
    }
    return nullptr;
  }

  config_node& root_;
  diagnostics& out_;
  std::vector<std::string> active_;         ///< paths being resolved, outermost first
  std::map<std::string, bool> finished_;    ///< path → resolved without error
};

} // namespace

void resolve_references(config_node& root, diagnostics& out) {
  resolver{root, out}.resolve_tree(root, "");
}

} // namespace ds
