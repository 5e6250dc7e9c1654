// SCLAB_CHECK is the always-on check for programming errors: unlike assert() it
// survives NDEBUG. On failure it prints the condition, the reason and where, plus the
// replay line registered with SetReplayLine() (seed=...), and aborts.
//
// It is never used for kernel-level errors (those are SysResult values) nor for bad
// tool input (those are diagnostics with exit status 2).
#pragma once

#include <cstdio>
#include <cstdlib>

namespace sclab {

// ReplayLine returns the buffer holding the line that reproduces the current run.
inline char* ReplayLine() {
  static char line[256] = "";
  return line;
}

// SetReplayLine records how to reproduce the current run (e.g. "seed=7 file=x.scn").
inline void SetReplayLine(const char* text) {
  std::snprintf(ReplayLine(), 256, "%s", text);
}

[[noreturn]] inline void CheckFailed(const char* cond, const char* why, const char* file,
                                     int line) {
  std::fprintf(stderr, "%s:%d: SCLAB_CHECK(%s) failed: %s\n", file, line, cond, why);
  if (ReplayLine()[0] != '\0') std::fprintf(stderr, "replay with: %s\n", ReplayLine());
  std::abort();
}

}  // namespace sclab

#define SCLAB_CHECK(cond, why)                                     \
  do {                                                             \
    if (!(cond)) ::sclab::CheckFailed(#cond, why, __FILE__, __LINE__); \
  } while (0)
