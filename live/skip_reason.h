// LiveSkipReason says why the live backend cannot run a scenario on this machine,
// or "" when it can. Checked in this order, first reason wins:
//   1. `requires proposal NAME`      "sim only: proposal NAME has no kernel"
//   2. a `privileged` process, runner not root
//   3. getuid()/getgid() called, runner not root (agents cannot become 65534)
//   4. `requires kernel >= X.Y` on an older kernel
//   5. no seccomp filter support (no /proc/sys/kernel/seccomp/actions_avail)
//   6. the scenario uses user notification and the kernel does not offer it
#pragma once

#include <string>

#include "scenarios/ast.h"

namespace sclab::live {

// LiveHost is what the skip rules need to know about the machine.
struct LiveHost {
  bool root = false;
  std::string kernel;  // uname -r
  int kernel_major = 0;
  int kernel_minor = 0;
  bool seccomp_filter = false;  // actions_avail exists
  bool user_notif = false;      // "user_notif" is listed in it
};

// ProbeLiveHost reads the running kernel's facts.
LiveHost ProbeLiveHost();

std::string LiveSkipReason(const scn::Scenario& scenario, const LiveHost& host);

}  // namespace sclab::live
