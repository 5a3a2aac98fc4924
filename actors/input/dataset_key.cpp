#include "input/dataset_key.hpp"

#include <filesystem>

namespace ds::actors {

std::shared_ptr<const data::dataset> open_dataset_of(const context& ctx) {
  const auto& folder = ctx.config().get_string("dataset");
  try {
    return data::open_local_dataset(folder);
  } catch (const std::exception& e) {
    std::string hint;
    if (!std::filesystem::is_directory(folder))
      hint = "; make the shards with e.g. `ds-pack fashion-mnist --out DIR` or "
             "`ds-pack text --in FILES --out DIR`";
    // A missing or broken dataset fails the same way after any restart.
    throw stage_fatal_error(e.what() + hint);  // data errors name the folder already
  }
}

} // namespace ds::actors
