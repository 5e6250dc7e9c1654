#include "bpf/actions.h"

#include <fmt/format.h>

namespace sclab::bpf {

bool IsKnownAction(uint32_t ret) {
  switch (ActionOf(ret)) {
    case kRetKillProcess:
    case kRetKillThread:
    case kRetTrap:
    case kRetErrno:
    case kRetUserNotif:
    case kRetTrace:
    case kRetLog:
    case kRetAllow:
      return true;
    default:
      return false;
  }
}

std::string FormatAction(uint32_t ret) {
  const uint32_t data = DataOf(ret);
  switch (ActionOf(ret)) {
    case kRetKillProcess: return "KILL_PROCESS";
    case kRetKillThread: return "KILL_THREAD";
    case kRetTrap: return fmt::format("TRAP({})", data);
    case kRetErrno: return fmt::format("ERRNO({})", data);
    case kRetUserNotif: return "NOTIFY";
    case kRetTrace: return fmt::format("TRACE({})", data);
    case kRetLog: return "LOG";
    case kRetAllow: return "ALLOW";
    default: return fmt::format("UNKNOWN(0x{:08x})", ret);
  }
}

// Models kernel/seccomp.c seccomp_run_filters() (the cache check is left to callers:
// it never changes the verdict).
StackResult RunStack(std::span<const ValidatedProgram* const> newest_first,
                     std::span<const uint8_t> data) {
  StackResult result;
  for (size_t i = 0; i < newest_first.size(); ++i) {
    const RunResult run = Run(*newest_first[i], data);
    result.insns_executed += run.insns_executed;
    if (ActionPrecedes(run.ret, result.ret)) {
      result.ret = run.ret;
      result.match = static_cast<int>(i);
    }
  }
  return result;
}

StackResult RunStack(std::span<const ValidatedProgram* const> newest_first,
                     const SeccompData& data) {
  const auto bytes = SeccompDataBytes(data);
  return RunStack(newest_first, bytes);
}

}  // namespace sclab::bpf
