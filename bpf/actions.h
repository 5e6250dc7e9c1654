// The SECCOMP_RET_* action values (include/uapi/linux/seccomp.h), the kernel's
// precedence between filter results, and RunStack(), which combines the results of a
// whole filter chain exactly as kernel/seccomp.c seccomp_run_filters() does.
//
// A result is 32 bits: the action in the top 16 (SECCOMP_RET_ACTION_FULL), data in
// the low 16 (SECCOMP_RET_DATA). Precedence compares (int32_t)(ret & 0xffff0000):
// smaller wins, so KILL_PROCESS (0x80000000) and every unknown value with the top bit
// set outrank KILL_THREAD (0); data bits never count.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "bpf/interpreter.h"

namespace sclab::bpf {

inline constexpr uint32_t kRetKillProcess = 0x80000000;
inline constexpr uint32_t kRetKillThread = 0x00000000;
inline constexpr uint32_t kRetTrap = 0x00030000;
inline constexpr uint32_t kRetErrno = 0x00050000;
inline constexpr uint32_t kRetUserNotif = 0x7fc00000;
inline constexpr uint32_t kRetTrace = 0x7ff00000;
inline constexpr uint32_t kRetLog = 0x7ffc0000;
inline constexpr uint32_t kRetAllow = 0x7fff0000;
inline constexpr uint32_t kRetActionFull = 0xffff0000;
inline constexpr uint32_t kRetData = 0x0000ffff;

// ActionOf is the action part of a result (ret & SECCOMP_RET_ACTION_FULL).
constexpr uint32_t ActionOf(uint32_t ret) { return ret & kRetActionFull; }
// DataOf is the data part of a result (ret & SECCOMP_RET_DATA).
constexpr uint32_t DataOf(uint32_t ret) { return ret & kRetData; }

// PrecedenceKey is the kernel's ACTION_ONLY(ret): smaller means higher precedence.
constexpr int32_t PrecedenceKey(uint32_t ret) { return static_cast<int32_t>(ActionOf(ret)); }

// ActionPrecedes is true when result `a` strictly outranks result `b`.
constexpr bool ActionPrecedes(uint32_t a, uint32_t b) {
  return PrecedenceKey(a) < PrecedenceKey(b);
}

// IsKnownAction is true for the eight action values the kernel implements (any data).
bool IsKnownAction(uint32_t ret);

// FormatAction names a result: ALLOW, KILL_PROCESS, KILL_THREAD, TRAP(d), ERRNO(d),
// NOTIFY, TRACE(d), LOG, or UNKNOWN(0x........) for any other action value. Data of
// ALLOW/LOG/NOTIFY/KILL_* is not shown (the kernel ignores it).
std::string FormatAction(uint32_t ret);

// StackResult is the chain's verdict: the winning 32-bit value, the index (into the
// newest-first span) of the filter that produced it or -1 when the result is ALLOW
// (the kernel's `match` stays NULL), and the instructions executed by all filters.
struct StackResult {
  uint32_t ret = kRetAllow;
  int match = -1;
  uint64_t insns_executed = 0;
};

// RunStack models kernel/seccomp.c seccomp_run_filters() without the action cache:
// every filter runs, newest first; a result replaces the best so far only when its
// precedence key is strictly smaller, so on equal actions the newest filter's value
// (and data) is kept. An empty chain returns ALLOW with no match.
StackResult RunStack(std::span<const ValidatedProgram* const> newest_first,
                     std::span<const uint8_t> data);
StackResult RunStack(std::span<const ValidatedProgram* const> newest_first,
                     const SeccompData& data);

}  // namespace sclab::bpf
