#pragma once
/// Loading plugins: shared libraries that register stages through one C entry point.

#include <stdexcept>
#include <string>

#include "dsflow/registry.hpp"

namespace ds {

/// Why a plugin was refused: the path and the exact reason.
class plugin_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Opens `path`, finds `dsflow_plugin_entry`, checks the ABI version and C++ ABI
/// tag before calling any C++, then lets the plugin register its stages and
/// message types into `reg` (origin = path). The library stays loaded for the
/// life of the process. Throws `plugin_error` naming the path and the reason
/// (dlopen message, missing entry point, version numbers, exception text).
void load_plugin(const std::string& path, registry& reg);

} // namespace ds
