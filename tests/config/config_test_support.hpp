#pragma once
/// Shared by the config tests: a small registry and helpers to read errors.

#include <boost/test/unit_test.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config_loader.hpp"
#include "dsflow/registry.hpp"

namespace ds::testing {

/// Stage types covering every shape the validator cares about: a source, a
/// transform, a sink, a sink of another message type, a two-input stage, an
/// ordered stage, a stage that cannot replicate and one with a required key.
inline registry make_test_registry() {
  registry reg;
  // Planning never instantiates stages, so the factory only has to exist.
  auto no_stage = [] { return std::unique_ptr<stage>{}; };
  reg.add(schema_builder("synthetic_source", "produces generated blobs")
            .output("out", "blob", "generated blobs")
            .key_int("count", 1000, 1, 1e9, "items to produce")
            .key_string("pattern", "zeros", {"zeros", "random"}, "what the blobs contain"),
          no_stage);
  reg.add(schema_builder("file_source", "reads blobs from a file")
            .output("out", "blob", "the file's records")
            .key_string("path", std::nullopt, {}, "file to read"),
          no_stage);
  reg.add(schema_builder("transform", "changes blobs")
            .input("in", "blob", "blobs to change")
            .output("out", "blob", "changed blobs")
            .key_number("scale", 1.0, 0, 100, "factor applied to each byte")
            .key_bool("verbose", false, "log every item")
            .key_string_list("tags", std::vector<std::string>{}, "labels for metrics"),
          no_stage);
  reg.add(schema_builder("sink", "drops blobs").input("in", "blob", "blobs to drop"), no_stage);
  reg.add(schema_builder("batch_sink", "drops batches").input("in", "batch", "batches to drop"),
          no_stage);
  reg.add(schema_builder("merge", "joins two streams")
            .input("left", "blob", "first stream")
            .input("right", "blob", "second stream")
            .output("out", "blob", "both streams"),
          no_stage);
  reg.add(schema_builder("reorder", "restores sequence order")
            .input("in", "blob", "blobs in any order")
            .output("out", "blob", "blobs in order")
            .ordered_input(),
          no_stage);
  reg.add(schema_builder("learner", "takes blobs and its own results back")
            .input("in", "blob", "blobs")
            .feedback_input("back", "blob", "what came out of the loop")
            .output("out", "blob", "blobs"),
          no_stage);
  reg.add(schema_builder("singleton", "keeps global state")
            .input("in", "blob", "blobs")
            .output("out", "blob", "blobs")
            .replicable(false),
          no_stage);
  return reg;
}

/// Every diagnostic `action` throws, as "file:line:col: key: message" lines;
/// fails the test when it does not throw a `config_error`.
inline std::vector<std::string> errors_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const config_error& error) {
    std::vector<std::string> lines;
    for (const auto& diag : error.diagnostics())
      lines.push_back(diag.to_string());
    return lines;
  }
  BOOST_FAIL("expected a config_error");
  return {};
}

/// Plans `text` (as file "p.yaml") with `overrides` against the test registry.
inline pipeline_plan plan_text(const std::string& text,
                               const std::vector<std::string>& overrides = {}) {
  static const registry reg = make_test_registry();
  return plan_pipeline(parse_config(text, "p.yaml", overrides), reg);
}

/// Diagnostics of planning `text`; fails the test when planning succeeds.
inline std::vector<std::string> plan_errors(const std::string& text,
                                            const std::vector<std::string>& overrides = {}) {
  return errors_of([&] { plan_text(text, overrides); });
}

/// A valid three-stage pipeline the tests modify.
inline const std::string linear_pipeline = R"(version: 1
stages:
  gen:
    actor: synthetic_source
    count: 10
  work:
    actor: transform
    inputs: [gen.out]
  out:
    actor: sink
    inputs: [work.out]
)";

} // namespace ds::testing
