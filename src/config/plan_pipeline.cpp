#include <algorithm>

#include "config/config_loader.hpp"
#include "config/document_impl.hpp"
#include "config/plan_graph.hpp"
#include "config/plan_ranks.hpp"
#include "config/runtime_params.hpp"
#include "config/suggest.hpp"
#include "config/value_check.hpp"

namespace ds {

namespace {

void check_top_level_keys(const config_node& root, diagnostics& out) {
  const auto& known = top_level_keys();
  for (const auto& entry : root.entries)
    if (std::find(known.begin(), known.end(), entry.key) == known.end())
      report(out, entry.key_origin, entry.key,
             "unknown top-level key '" + entry.key + "'" + did_you_mean(entry.key, known));
}

void check_version(const config_node& root, diagnostics& out) {
  const auto* version = root.find("version");
  if (version == nullptr) {
    report(out, root.origin, "version", "missing required key 'version' (write 'version: 1')");
    return;
  }
  key_spec spec;
  spec.type = value_type::integer;
  auto value = read_value(*version, spec, "version", out);
  if (value && std::get<std::int64_t>(*value) != 1)
    report(out, version->origin, "version",
           "unsupported version " + version->text + "; only version 1 is supported");
}

std::vector<stage_plan> read_stages(const config_node& root, const registry& reg,
                                    const runtime_settings& runtime, diagnostics& out) {
  const auto* stages = root.find("stages");
  if (stages == nullptr) {
    report(out, root.origin, "stages",
           "missing required key 'stages' (a map from stage name to stage)");
    return {};
  }
  if (!stages->is_null() && !stages->is_map()) {
    report(out, stages->origin, "stages",
           "expected a map from stage name to stage, got " + stages->describe_kind());
    return {};
  }
  if (stages->entries.empty()) {
    report(out, stages->origin, "stages", "no stages: a pipeline needs at least one stage");
    return {};
  }
  std::vector<stage_entry> entries;
  for (const auto& entry : stages->entries)
    entries.push_back(read_stage(entry.key, entry.key_origin, entry.value, reg, runtime, out));
  return build_graph(std::move(entries), out);
}

} // namespace

pipeline_plan plan_pipeline(const config_document& doc, const registry& reg) {
  const auto& root = doc.internals().root;
  diagnostics problems;
  pipeline_plan plan;
  plan.file = doc.file();
  check_top_level_keys(root, problems);
  check_version(root, problems);
  plan.plugins = read_plugin_paths(root, doc.file(), problems);
  read_runtime(root, plan.runtime, plan.params, problems);
  plan.stages = read_stages(root, reg, plan.runtime, problems);
  if (problems.empty())  // the placement check needs a complete graph
    for (auto& problem : check_rank_streams(plan))
      problems.push_back(std::move(problem));
  if (!problems.empty())
    throw config_error(std::move(problems));
  return plan;
}

} // namespace ds
