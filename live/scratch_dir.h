// ScratchDir is the per-run `$scratch` directory: mkdtemp("/tmp/sclab-XXXXXX")
// (17 characters, the length docs/execution.md promises on both backends), made
// 0777 like the simulator's, and removed with everything the agents created in it.
#pragma once

#include <string>

namespace sclab::live {

// MakeScratchDir creates the directory; throws scn::MachineError when it cannot.
std::string MakeScratchDir();

// RemoveTree deletes `path` and everything below it, without allocating and with
// async-signal-safe syscalls only (the SIGINT/SIGTERM handler uses it). Directories
// an agent made unreadable are opened up first. Returns false if anything is left.
bool RemoveTree(const char* path);

}  // namespace sclab::live
