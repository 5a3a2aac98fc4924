#include "dsflow/registry.hpp"

#include <stdexcept>

#include "dsflow/messages.hpp"

namespace ds {

registry::registry() {
  add_message_type(blob::type, "opaque bytes with their xxh64 digest");
  add_message_type(sample_ref::type, "which record comes next: epoch, sequence, shard, record");
  add_message_type(record::type, "a record's stored bytes with per-field codecs and checksum");
  add_message_type(sample::type, "a decoded record: named fields as tensors");
  add_message_type(batch::type, "a training batch: one tensor per field, batch-major");
  add_message_type(grad_bucket::type, "gradients of one bucket of parameters");
  add_message_type(param_update::type, "updated parameters of one bucket");
  add_message_type(train_state::type, "a snapshot of parameters, optimizer state and data position");
}

void registry::add(stage_schema schema, stage_factory make) {
  if (schema.name.empty())
    throw std::invalid_argument("cannot register a stage type with an empty name (from "
                                + origin_ + ")");
  if (!make)
    throw std::invalid_argument("stage type '" + schema.name + "' from " + origin_
                                + " has no factory");
  if (auto found = types_.find(schema.name); found != types_.end())
    throw std::invalid_argument("stage type '" + schema.name + "' is already registered by "
                                + found->second.origin + " (registered again by " + origin_
                                + ")");
  auto check_ports = [&](const std::vector<port_spec>& ports, const char* direction) {
    for (const auto& port : ports) {
      if (has_message_type(port.message_type))
        continue;
      std::string known;
      for (const auto& [name, doc] : message_types_)
        known += (known.empty() ? "" : ", ") + name;
      throw std::invalid_argument("stage type '" + schema.name + "' (" + origin_ + "): "
                                  + direction + " port '" + port.name
                                  + "' carries unknown message type '" + port.message_type
                                  + "'; known types: " + known);
    }
  };
  check_ports(schema.inputs, "input");
  check_ports(schema.outputs, "output");
  auto name = schema.name;
  types_.emplace(std::move(name), stage_type{std::move(schema), std::move(make), origin_});
}

void registry::add_message_type(std::string name, std::string doc) {
  if (name.empty())
    throw std::invalid_argument("cannot register a message type with an empty name (from "
                                + origin_ + ")");
  message_types_.try_emplace(std::move(name), std::move(doc));
}

bool registry::has_message_type(std::string_view name) const {
  return message_types_.find(name) != message_types_.end();
}

const stage_type* registry::find(std::string_view name) const noexcept {
  auto found = types_.find(name);
  return found == types_.end() ? nullptr : &found->second;
}

std::vector<std::string> registry::names() const {
  std::vector<std::string> result;
  result.reserve(types_.size());
  for (const auto& [name, type] : types_)
    result.push_back(name);
  return result;
}

} // namespace ds
