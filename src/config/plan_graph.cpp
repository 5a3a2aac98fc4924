#include "config/plan_graph.hpp"

#include <algorithm>
#include <set>

#include "config/suggest.hpp"

namespace ds {

namespace {

/// Checks and binds the `inputs:` of each stage, recording which ports took part.
class input_binder {
public:
  input_binder(std::vector<stage_entry>& entries, diagnostics& out)
    : entries_(entries), out_(out) {
    for (const auto& entry : entries_)
      names_.push_back(entry.plan.name);
  }

  void bind_all() {
    for (auto& entry : entries_)
      bind_stage(entry);
    for (const auto& entry : entries_)
      check_connected(entry);
  }

private:
  void bind_stage(stage_entry& entry) {
    const auto* type = entry.plan.type;
    const auto* inputs = entry.inputs;
    if (inputs == nullptr || inputs->is_null())
      return;
    if (type == nullptr) {
      // The actor is unknown (already reported), so its ports cannot be checked.
      mark_consumed(*inputs);
      return;
    }
    const auto path = "stages." + entry.plan.name + ".inputs";
    const auto& ports = type->schema.inputs;
    if (ports.empty()) {
      mark_consumed(*inputs);
      report(out_, inputs->origin, path,
             "stage '" + entry.plan.name + "' is a source (actor '" + type->schema.name
               + "' has no input ports) and takes no inputs");
    } else if (inputs->is_sequence()) {
      if (ports.size() == 1)
        bind_list(entry, ports.front(), *inputs, path);
      else {
        mark_consumed(*inputs);
        report(out_, inputs->origin, path,
               "a list binds to the single input port, but actor '" + type->schema.name
                 + "' has ports " + join_names(port_names(ports))
                 + "; write a map such as {" + ports.front().name + ": stage.port}");
      }
    } else if (inputs->is_map()) {
      for (const auto& key : inputs->entries)
        bind_port(entry, key, path);
    } else {
      report(out_, inputs->origin, path,
             "expected a list [stage.port, ...] or a map {port: stage.port}, got "
               + inputs->describe_kind());
    }
  }

  /// Counts what a rejected `inputs:` reads, so a mistake there is not
  /// reported a second time as the producer's port being unconnected.
  void mark_consumed(const config_node& inputs) {
    if (inputs.is_scalar()) {
      auto dot = inputs.text.find('.');
      if (dot != std::string::npos)
        consumed_.insert({inputs.text.substr(0, dot), inputs.text.substr(dot + 1)});
    }
    for (const auto& item : inputs.items)
      mark_consumed(item);
    for (const auto& key : inputs.entries)
      mark_consumed(key.value);
  }

  void bind_port(stage_entry& entry, const map_entry& key, const std::string& path) {
    const auto& schema = entry.plan.type->schema;
    const auto* port = schema.find_input(key.key);
    if (port == nullptr) {
      mark_consumed(key.value);
      report(out_, key.key_origin, path,
             "unknown input port '" + key.key + "'" + did_you_mean(key.key, port_names(schema.inputs))
               + " (actor '" + schema.name + "' has " + join_names(port_names(schema.inputs))
               + ")");
      return;
    }
    if (key.value.is_sequence())
      bind_list(entry, *port, key.value, path);
    else
      bind_one(entry, *port, key.value, path);
  }

  void bind_list(stage_entry& entry, const port_spec& port, const config_node& list,
                 const std::string& path) {
    for (const auto& item : list.items)
      bind_one(entry, port, item, path);
  }

  void bind_one(stage_entry& entry, const port_spec& port, const config_node& ref,
                const std::string& path) {
    attempted_.insert({entry.plan.name, port.name});
    auto dot = ref.text.find('.');
    if (!ref.is_scalar() || dot == 0 || dot == std::string::npos || dot + 1 == ref.text.size()
        || ref.text.find('.', dot + 1) != std::string::npos) {
      report(out_, ref.origin, path, "expected 'stage.port', got " + ref.describe_kind());
      return;
    }
    auto from_stage = ref.text.substr(0, dot);
    auto from_port = ref.text.substr(dot + 1);
    auto producer = std::find(names_.begin(), names_.end(), from_stage);
    if (producer == names_.end()) {
      report(out_, ref.origin, path,
             "unknown stage '" + from_stage + "'" + did_you_mean(from_stage, names_));
      return;
    }
    const auto* producer_type = entries_[producer - names_.begin()].plan.type;
    std::string message_type;
    // An unknown actor is already reported; its ports cannot be checked.
    if (producer_type != nullptr) {
      const auto& outputs = producer_type->schema.outputs;
      const auto* output = producer_type->schema.find_output(from_port);
      if (output == nullptr) {
        auto has = outputs.empty() ? std::string{"no output ports"}
                                   : "output ports " + join_names(port_names(outputs));
        report(out_, ref.origin, path,
               "stage '" + from_stage + "' has no output port '" + from_port + "'"
                 + did_you_mean(from_port, port_names(outputs)) + " (actor '"
                 + producer_type->schema.name + "' has " + has + ")");
        return;
      }
      consumed_.insert({from_stage, from_port});
      if (output->message_type != port.message_type) {
        report(out_, ref.origin, path,
               "port '" + ref.text + "' carries '" + output->message_type + "' but '"
                 + entry.plan.name + "." + port.name + "' expects '" + port.message_type + "'");
        return;
      }
      message_type = output->message_type;
    }
    entry.plan.inputs.push_back(
      input_binding{port.name, from_stage, from_port, message_type, port.feedback});
  }

  void check_connected(const stage_entry& entry) {
    if (entry.plan.type == nullptr)
      return;
    const auto& name = entry.plan.name;
    const auto& path = "stages." + name;
    for (const auto& port : entry.plan.type->schema.inputs)
      if (!attempted_.contains({name, port.name}))
        report(out_, entry.plan.origin, path,
               "unconnected input port '" + name + "." + port.name + "' (expects '"
                 + port.message_type + "')");
    for (const auto& port : entry.plan.type->schema.outputs)
      if (!consumed_.contains({name, port.name}))
        report(out_, entry.plan.origin, path,
               "output port '" + name + "." + port.name + "' is not connected");
  }

  static std::vector<std::string> port_names(const std::vector<port_spec>& ports) {
    std::vector<std::string> names;
    for (const auto& port : ports)
      names.push_back(port.name);
    return names;
  }

  std::vector<stage_entry>& entries_;
  diagnostics& out_;
  std::vector<std::string> names_;  ///< stage names in file order
  std::set<std::pair<std::string, std::string>> attempted_;  ///< input ports given a binding
  std::set<std::pair<std::string, std::string>> consumed_;   ///< output ports someone reads
};

/// Kahn's algorithm taking the earliest stage in file order among the ready
/// ones, so the order is stable. Feedback edges are left out: they close a
/// loop on purpose. A cycle is reported, taken out, and sorting
/// goes on, so every independent cycle is found in one run.
class topological_sorter {
public:
  topological_sorter(const std::vector<stage_entry>& entries, diagnostics& out)
    : entries_(entries), out_(out), successors_(entries.size()), predecessors_(entries.size()),
      missing_inputs_(entries.size(), 0), placed_(entries.size(), false) {
    for (std::size_t consumer = 0; consumer < entries.size(); ++consumer)
      for (const auto& binding : entries[consumer].plan.inputs) {
        if (binding.feedback)
          continue;  // a loop's closing edge: the producer comes later in the order
        auto producer = index_of(binding.from_stage);
        successors_[producer].push_back(consumer);
        predecessors_[consumer].push_back(producer);
        ++missing_inputs_[consumer];
      }
  }

  std::vector<std::size_t> sort() {
    std::set<std::size_t> ready;
    for (std::size_t i = 0; i < entries_.size(); ++i)
      if (missing_inputs_[i] == 0)
        ready.insert(i);
    std::vector<std::size_t> order;
    while (order.size() + removed_ < entries_.size()) {
      if (ready.empty()) {
        remove_cycle(ready);
        continue;
      }
      auto next = *ready.begin();
      ready.erase(ready.begin());
      order.push_back(next);
      placed_[next] = true;
      release(next, ready);
    }
    return order;
  }

private:
  void release(std::size_t stage, std::set<std::size_t>& ready) {
    for (auto consumer : successors_[stage])
      if (--missing_inputs_[consumer] == 0 && !placed_[consumer])
        ready.insert(consumer);
  }

  void remove_cycle(std::set<std::size_t>& ready) {
    // Every unplaced stage still waits on an unplaced producer, so walking
    // producers from any of them must come back to a stage already seen.
    auto first_unplaced = std::find(placed_.begin(), placed_.end(), false) - placed_.begin();
    std::vector<std::size_t> walk{static_cast<std::size_t>(first_unplaced)};
    for (;;) {
      auto current = walk.back();
      auto producer = *std::find_if(predecessors_[current].begin(), predecessors_[current].end(),
                                    [this](std::size_t p) { return !placed_[p]; });
      auto seen = std::find(walk.begin(), walk.end(), producer);
      if (seen != walk.end()) {
        std::vector<std::size_t> cycle(seen, walk.end());
        report_cycle(cycle);
        // Mark the whole cycle first so releasing one member cannot make
        // another look ready.
        for (auto stage : cycle)
          placed_[stage] = true;
        removed_ += cycle.size();
        for (auto stage : cycle)
          release(stage, ready);
        return;
      }
      walk.push_back(producer);
    }
  }

  void report_cycle(std::vector<std::size_t> cycle) {
    // The walk went consumer → producer; print producers first, starting at
    // the stage written first in the file.
    std::reverse(cycle.begin(), cycle.end());
    std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
    std::string chain;
    for (auto stage : cycle)
      chain += entries_[stage].plan.name + " -> ";
    const auto& first = entries_[cycle.front()].plan;
    report(out_, first.origin, "stages." + first.name,
           "the stages form a cycle: " + chain + first.name);
  }

  std::size_t index_of(const std::string& name) const {
    return std::find_if(entries_.begin(), entries_.end(),
                        [&name](const stage_entry& entry) { return entry.plan.name == name; })
           - entries_.begin();
  }

  const std::vector<stage_entry>& entries_;
  diagnostics& out_;
  std::vector<std::vector<std::size_t>> successors_;
  std::vector<std::vector<std::size_t>> predecessors_;
  std::vector<std::size_t> missing_inputs_;
  std::vector<bool> placed_;  ///< sorted, or removed as part of a cycle
  std::size_t removed_ = 0;
};

} // namespace

std::vector<stage_plan> build_graph(std::vector<stage_entry> entries, diagnostics& out) {
  input_binder{entries, out}.bind_all();
  auto order = topological_sorter{entries, out}.sort();
  std::vector<stage_plan> sorted;
  for (auto index : order)
    sorted.push_back(std::move(entries[index].plan));
  return sorted;
}

} // namespace ds
