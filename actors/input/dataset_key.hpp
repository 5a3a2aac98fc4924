#pragma once
/// Opening the dataset named by a stage's `dataset` key, with an error that says how to make it.

#include <memory>
#include <string>

#include "data/dataset.hpp"
#include "dsflow/stage.hpp"

namespace ds::actors {

/// The dataset of `ctx.config().get_string("dataset")`, shared process-wide.
/// Throws `stage_fatal_error` when the folder holds no valid shards, saying
/// which `ds-pack` command makes them.
std::shared_ptr<const data::dataset> open_dataset_of(const context& ctx);

} // namespace ds::actors
