#pragma once
/// The plugin entry point: one versioned extern "C" function per shared library.

#include <cstdint>

/// Bumped whenever the stage API changes incompatibly.
#define DSFLOW_PLUGIN_ABI_VERSION 1u

namespace ds {
class registry;
}

extern "C" {
/// Plain C so the loader can read it before calling any C++.
struct dsflow_plugin_info {
  std::uint32_t abi_version;   ///< must equal DSFLOW_PLUGIN_ABI_VERSION
  std::uint32_t cxx_abi_tag;   ///< libstdc++ dual-ABI flag and compiler major version
  const char* name;            ///< shown in logs and errors
  /// Registers the plugin's stages and message types; may throw.
  void (*register_stages)(ds::registry& reg);
};
}

namespace ds {
/// Identifies the C++ ABI the plugin was built with (must match the host's).
constexpr std::uint32_t plugin_cxx_abi_tag() {
#if defined(_GLIBCXX_USE_CXX11_ABI)
  constexpr std::uint32_t dual_abi = _GLIBCXX_USE_CXX11_ABI;
#else
  constexpr std::uint32_t dual_abi = 0;
#endif
#if defined(__GNUC__)
  return (dual_abi << 16) | static_cast<std::uint32_t>(__GNUC__);
#else
  return dual_abi << 16;
#endif
}
} // namespace ds

/// Defines the entry point `dsflow_plugin_entry` of a plugin.
#define DSFLOW_PLUGIN(plugin_name, register_function)                                  \
  extern "C" __attribute__((visibility("default"))) const dsflow_plugin_info*          \
  dsflow_plugin_entry() {                                                              \
    static const dsflow_plugin_info info{DSFLOW_PLUGIN_ABI_VERSION,                     \
                                         ::ds::plugin_cxx_abi_tag(), plugin_name,       \
                                         register_function};                            \
    return &info;                                                                      \
  }
