/// Test fixture: a library whose entry point claims a plugin ABI from the
/// future. The loader must refuse it before calling `register_stages`.

#include <cstdlib>

#include "dsflow/plugin.hpp"

namespace {

void register_stages(ds::registry&) {
  // Reaching this means the loader ran C++ of a plugin it should have refused.
  std::abort();
}

} // namespace

extern "C" __attribute__((visibility("default"))) const dsflow_plugin_info* dsflow_plugin_entry() {
  static const dsflow_plugin_info info{999, ds::plugin_cxx_abi_tag(), "bad_abi", register_stages};
  return &info;
}
