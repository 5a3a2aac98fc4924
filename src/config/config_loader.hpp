#pragma once
/// Loading a pipeline config: YAML → overrides → ${...} → validated plan.

#include <memory>
#include <string>
#include <vector>

#include "config/config_error.hpp"
#include "config/pipeline_plan.hpp"
#include "dsflow/registry.hpp"

namespace ds {

/// A parsed config document with command-line overrides applied and `${...}`
/// references resolved, but not yet checked against stage schemas (plugins
/// named in it must be loaded first). Keeps the source position of every node.
class config_document {
public:
  ~config_document();
  config_document(config_document&&) noexcept;
  config_document& operator=(config_document&&) noexcept;

  const std::string& file() const noexcept;
  /// Paths under `plugins:`, resolved relative to the config file's folder.
  std::vector<std::string> plugin_paths() const;

  struct impl;
  explicit config_document(std::unique_ptr<impl> self);
  const impl& internals() const noexcept { return *self_; }

private:
  std::unique_ptr<impl> self_;
};

/// Reads `file`, applies `overrides` ("stages.decode.replicas=2"; a first
/// component naming a stage means "stages.<name>") and resolves `${a.b}`
/// (another key of the document) and `${env:NAME}` references.
/// Throws `config_error` naming file, line, column and key path.
config_document load_config(const std::string& file, const std::vector<std::string>& overrides);

/// Same from text (tests); `file` is used in messages only.
config_document parse_config(const std::string& text, const std::string& file,
                             const std::vector<std::string>& overrides);

/// Validates `doc` against the registry and builds the plan: unknown keys (with
/// "did you mean"), types, ranges, unknown actors, unconnected and
/// type-mismatched ports, cycles. Throws `config_error` with every problem.
pipeline_plan plan_pipeline(const config_document& doc, const registry& reg);

/// The resolved plan as YAML-like text (what --dry-run prints).
std::string describe_plan(const pipeline_plan& plan);
/// The plan as a Graphviz digraph (what --graph writes).
std::string plan_to_dot(const pipeline_plan& plan);
/// One stage type as text (what --describe prints) and as Markdown (docs/config.md).
std::string describe_stage_type(const stage_type& type);
std::string stage_type_markdown(const stage_type& type);

} // namespace ds
