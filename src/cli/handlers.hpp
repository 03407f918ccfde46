#pragma once
// Handlers referenced by the command table (one cmd_*.cpp file per command group).

#include "command.hpp"

namespace skiff::cli {

// cmd_system.cpp
Result<int> cmd_version(Context&, const ParsedArgs&);
Result<int> cmd_info(Context&, const ParsedArgs&);
Result<int> cmd_help(Context&, const ParsedArgs&);

}  // namespace skiff::cli
