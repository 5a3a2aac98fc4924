#include "core/plugin_loader.hpp"

#include <dlfcn.h>

#include "dsflow/plugin.hpp"

namespace ds {

namespace {

using entry_function = const dsflow_plugin_info* (*)();

std::string describe_cxx_abi(std::uint32_t tag) {
  return "g++ " + std::to_string(tag & 0xffffu) + " with _GLIBCXX_USE_CXX11_ABI="
         + std::to_string(tag >> 16);
}

std::string last_dl_error() {
  const char* text = ::dlerror();
  return text != nullptr ? text : "unknown reason";
}

} // namespace

void load_plugin(const std::string& path, registry& reg) {
  const std::string where = "plugin '" + path + "'";
  // RTLD_NOW: a missing symbol fails here, with its name, not mid-run.
  // RTLD_LOCAL: two plugins may use the same internal names.
  void* library = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr)
    throw plugin_error(where + ": cannot load: " + last_dl_error());
  // The library is never closed: stage instances, their vtables and the
  // factories in the registry point into it for the rest of the process.
  auto* entry = reinterpret_cast<entry_function>(::dlsym(library, "dsflow_plugin_entry"));
  if (entry == nullptr)
    throw plugin_error(where + ": no entry point 'dsflow_plugin_entry' (not a dsflow plugin?)");
  const dsflow_plugin_info* info = entry();
  if (info == nullptr)
    throw plugin_error(where + ": entry point 'dsflow_plugin_entry' returned no plugin info");
  // Only plain C fields are read until both ABI checks pass.
  const std::string named = where + " (" + (info->name != nullptr ? info->name : "unnamed") + ")";
  if (info->abi_version != DSFLOW_PLUGIN_ABI_VERSION)
    throw plugin_error(named + ": built for plugin ABI v" + std::to_string(info->abi_version)
                       + ", this dsflow has ABI v" + std::to_string(DSFLOW_PLUGIN_ABI_VERSION)
                       + "; rebuild it against this dsflow");
  if (info->cxx_abi_tag != plugin_cxx_abi_tag())
    throw plugin_error(named + ": built with " + describe_cxx_abi(info->cxx_abi_tag)
                       + ", this dsflow with " + describe_cxx_abi(plugin_cxx_abi_tag())
                       + "; rebuild it against this dsflow");
  if (info->register_stages == nullptr)
    throw plugin_error(named + ": has no register_stages function");
  // Register into a copy so that a plugin failing halfway leaves `reg` as it
  // was, with no stage types whose code belongs to a refused plugin.
  registry staged = reg;
  staged.set_origin(path);
  try {
    info->register_stages(staged);
  } catch (const std::exception& error) {
    throw plugin_error(named + ": registering its stages failed: " + error.what());
  } catch (...) {
    throw plugin_error(named + ": registering its stages failed with a non-standard exception");
  }
  staged.set_origin("builtin");
  reg = std::move(staged);
}

} // namespace ds
