#pragma once
// The last step of a forked test child: add `env` to the environment and become `argv[0]`.

#include <stdlib.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

namespace ds::test {

/// Call in the child after fork, once its standard streams are set up. Never returns: exits
/// 127 when `argv[0]` cannot be executed (the shell's code for "command not found").
[[noreturn]] inline void exec_child(const std::vector<std::string>& argv,
                                    const std::map<std::string, std::string>& env) {
  for (const auto& [key, value] : env)
    setenv(key.c_str(), value.c_str(), 1);
  std::vector<char*> args;
  for (const auto& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  execv(args[0], args.data());
  _exit(127);
}

} // namespace ds::test
