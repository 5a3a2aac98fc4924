#include "config/validate_stage.hpp"

#include <algorithm>
#include <thread>

#include "config/runtime_params.hpp"
#include "config/suggest.hpp"
#include "config/value_check.hpp"

namespace ds {

namespace {

key_spec spec_of(std::string name, value_type type) {
  key_spec spec;
  spec.name = std::move(name);
  spec.type = type;
  return spec;
}

bool is_valid_stage_name(const std::string& name) {
  auto lower_or_underscore = [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; };
  return !name.empty() && lower_or_underscore(name.front())
         && std::all_of(name.begin(), name.end(), [&](char c) {
              return lower_or_underscore(c) || (c >= '0' && c <= '9');
            });
}

bool is_valid_device(const std::string& device) {
  if (device == "cpu" || device == "auto")
    return true;
  auto index = std::string_view{device}.substr(std::min<std::size_t>(5, device.size()));
  return device.starts_with("cuda:") && !index.empty()
         && index.find_first_not_of("0123456789") == std::string_view::npos;
}

class stage_reader {
public:
  stage_reader(const std::string& name, const config_node& node, const registry& reg,
               const runtime_settings& runtime, diagnostics& out)
    : path_("stages." + name), node_(node), reg_(reg), out_(out) {
    entry_.plan.name = name;
    entry_.plan.config = stage_config{name};
    entry_.plan.window = runtime.window;
    entry_.plan.supervision = runtime.supervision;
  }

  stage_entry read(const value_origin& declared_at) {
    entry_.plan.origin = declared_at;
    if (!is_valid_stage_name(entry_.plan.name))
      report(out_, declared_at, path_,
             "invalid stage name '" + entry_.plan.name
               + "': use lowercase letters, digits and '_', not starting with a digit");
    if (!node_.is_map()) {
      report(out_, node_.origin, path_,
             "expected a map with 'actor' and the stage's keys, got " + node_.describe_kind());
      return std::move(entry_);
    }
    read_actor();
    for (const auto& key : node_.entries)
      read_key(key);
    if (entry_.plan.type != nullptr)
      fill_defaults();
    return std::move(entry_);
  }

private:
  void read_actor() {
    const auto* actor = node_.find("actor");
    if (actor == nullptr) {
      report(out_, entry_.plan.origin, path_,
             "missing required key 'actor' (the stage type; ds-run --list-actors lists them)");
      return;
    }
    auto name = read_value(*actor, spec_of("actor", value_type::string), path_ + ".actor", out_);
    if (!name)
      return;
    const auto& actor_name = std::get<std::string>(*name);
    entry_.plan.type = reg_.find(actor_name);
    if (entry_.plan.type == nullptr)
      report(out_, actor->origin, path_ + ".actor",
             "unknown actor '" + actor_name + "'" + did_you_mean(actor_name, reg_.names())
               + " (ds-run --list-actors lists them)");
  }

  void read_key(const map_entry& key) {
    auto key_path = join_path(path_, key.key);
    if (key.key == "actor")
      return;
    if (key.key == "inputs")
      entry_.inputs = &key.value;
    else if (key.key == "replicas")
      read_replicas(key.value, key_path);
    else if (key.key == "device")
      read_device(key.value, key_path);
    else if (key.key == "rank")
      read_rank(key.value, key_path);
    else if (key.key == "window")
      read_int(key.value, runtime_knob_spec("runtime.window"), key_path, entry_.plan.window);
    else if (key.key == "supervision")
      read_supervision(key.value, key_path);
    else if (entry_.plan.type != nullptr)
      read_schema_key(key, key_path);
  }

  void read_schema_key(const map_entry& key, const std::string& key_path) {
    const auto& schema = entry_.plan.type->schema;
    const auto* spec = schema.find_key(key.key);
    if (spec == nullptr) {
      auto known = reserved_stage_keys();
      for (const auto& declared : schema.keys)
        known.push_back(declared.name);
      report(out_, key.key_origin, key_path,
             "unknown key '" + key.key + "' for actor '" + schema.name + "'"
               + did_you_mean(key.key, known));
      return;
    }
    if (auto value = read_value(key.value, *spec, key_path, out_))
      entry_.plan.config.set(key.key, config_value{std::move(*value), key.value.origin});
  }

  void fill_defaults() {
    for (const auto& spec : entry_.plan.type->schema.keys) {
      if (node_.find(spec.name) != nullptr)
        continue;
      if (spec.default_value)
        entry_.plan.config.set(spec.name, config_value{*spec.default_value, value_origin{}});
      else
        report(out_, entry_.plan.origin, path_,
               "missing required key '" + spec.name + "' (" + std::string{to_string(spec.type)}
                 + ": " + spec.doc + ")");
    }
  }

  void read_replicas(const config_node& node, const std::string& key_path) {
    auto& plan = entry_.plan;
    if (node.is_scalar() && node.text == "auto") {
      plan.replicas_auto = true;
      plan.replicas = std::max(1u, std::thread::hardware_concurrency());
    } else {
      key_spec spec = spec_of("replicas", value_type::integer);
      spec.min = 1;
      spec.max = 1024;
      if (!read_int(node, spec, key_path, plan.replicas))
        return;
    }
    if (plan.type == nullptr || (plan.replicas == 1 && !plan.replicas_auto))
      return;
    if (!plan.type->schema.replicable)
      report(out_, node.origin, key_path,
             "actor '" + plan.type->schema.name + "' cannot run as several replicas");
    else if (plan.type->schema.is_source())
      report(out_, node.origin, key_path,
             "actor '" + plan.type->schema.name
               + "' is a source: sources run as one replica (they number the stream)");
    else if (plan.type->schema.ordered_input)
      report(out_, node.origin, key_path,
             "actor '" + plan.type->schema.name
               + "' has ordered input: ordered stages run as one replica");
  }

  void read_device(const config_node& node, const std::string& key_path) {
    auto device = read_value(node, spec_of("device", value_type::string), key_path, out_);
    if (!device)
      return;
    auto& text = std::get<std::string>(*device);
    if (!is_valid_device(text)) {
      report(out_, node.origin, key_path,
             "invalid device '" + text + "': expected cpu, cuda:N or auto");
      return;
    }
    entry_.plan.device = std::move(text);
  }

  void read_rank(const config_node& node, const std::string& key_path) {
    key_spec spec = spec_of("rank", value_type::integer);
    spec.min = 0;
    spec.max = 65535;
    std::uint32_t rank = 0;
    if (read_int(node, spec, key_path, rank))
      entry_.plan.rank = rank;
  }

  void read_supervision(const config_node& node, const std::string& key_path) {
    if (!node.is_map()) {
      report(out_, node.origin, key_path,
             "expected a map such as {max_restarts: 3, backoff_ms: 50}, got "
               + node.describe_kind());
      return;
    }
    auto& policy = entry_.plan.supervision;
    for (const auto& key : node.entries) {
      auto child_path = join_path(key_path, key.key);
      if (key.key == "max_restarts")
        read_int(key.value, runtime_knob_spec("runtime.supervision.max_restarts"), child_path,
                 policy.max_restarts);
      else if (key.key == "backoff_ms")
        read_int(key.value, runtime_knob_spec("runtime.supervision.backoff_ms"), child_path,
                 policy.backoff_ms);
      else
        report(out_, key.key_origin, child_path,
               "unknown key '" + key.key + "'"
                 + did_you_mean(key.key, {"max_restarts", "backoff_ms"}));
    }
  }

  template <class Integer>
  bool read_int(const config_node& node, const key_spec& spec, const std::string& key_path,
                Integer& target) {
    auto value = read_value(node, spec, key_path, out_);
    if (value)
      target = static_cast<Integer>(std::get<std::int64_t>(*value));
    return value.has_value();
  }

  std::string path_;
  const config_node& node_;
  const registry& reg_;
  diagnostics& out_;
  stage_entry entry_;
};

} // namespace

stage_entry read_stage(const std::string& name, const value_origin& declared_at,
                       const config_node& node, const registry& reg,
                       const runtime_settings& runtime, diagnostics& out) {
  return stage_reader{name, node, reg, runtime, out}.read(declared_at);
}

} // namespace ds
