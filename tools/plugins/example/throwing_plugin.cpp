/// Test fixture: a plugin that registers one stage and then fails. The loader
/// must report the exception and leave the registry without that stage.

#include <stdexcept>

#include "dsflow/plugin.hpp"
#include "dsflow/registry.hpp"

namespace {

class nothing final : public ds::stage {
public:
  static ds::stage_schema schema() {
    return ds::schema_builder("half_registered", "registered before the plugin fails")
      .input("in", "blob", "ignored");
  }
  void process(const ds::item&, ds::emitter&) override {}
};

void register_stages(ds::registry& reg) {
  ds::add_stage<nothing>(reg);
  throw std::runtime_error("cannot find its model file");
}

} // namespace

DSFLOW_PLUGIN("throwing", register_stages)
