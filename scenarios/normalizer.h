// Normalizer turns the raw numbers a run produces into the backend-independent text
// of a trace (docs/execution.md §5): pids and tids become task names (`runner` for
// the runner), notification ids become the names of the recv bindings that received
// them (another id: the nearest such name ± k), addresses inside a scenario buffer of
// the relevant process become `&NAME+off` (`&NAME` at offset 0, one past the end
// still counts), `bad_addr` stays `bad_addr`, syscall numbers, audit arches, poll
// bits, signals and errnos print as names when they have one, and everything else
// prints as a signed decimal.
//
// A value that cannot be named prints as its number; such a value differs between
// backends only when the scenario itself made it so (a raw pid of a task outside the
// scenario cannot arise).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "model/user_memory.h"

namespace sclab::scn {

// kBadAddr is the never-mapped address `bad_addr` stands for (docs/execution.md §2).
inline constexpr uint64_t kBadAddr = model::kBadAddr;

// ValueKind says how a number is to be named.
enum class ValueKind : uint8_t {
  kPlain,      // signed decimal
  kPid,        // task name when it is a task's tid (a process's pid) or the runner's pid
  kNotifId,    // recv binding name, or nearest name ± k
  kAddr,       // &NAME+off inside a buffer of the given process, bad_addr, else decimal
  kSyscallNr,  // x86_64 syscall name, else decimal
  kArch,       // AUDIT_ARCH_* name, else decimal
  kPollBits,   // POLLIN|POLLOUT …
  kSignal,     // SIGSYS …, else decimal
};

class Normalizer {
 public:
  // AddTask names a tid (for a process's main thread, also its pid).
  void AddTask(std::string name, int64_t tid);
  // AddNotification names a notification id (a recv binding).
  void AddNotification(std::string name, uint64_t id);
  // AddBuffer records a buffer of `process`; CopyBuffers gives a forked child the
  // parent's buffers (same addresses).
  void AddBuffer(int process, std::string name, uint64_t addr, uint64_t size);
  void CopyBuffers(int from_process, int to_process);

  std::string Pid(int64_t pid) const;
  std::string Id(uint64_t id) const;
  // Addr is "&NAME+off" / "&NAME", "bad_addr", or "" when no buffer of `process` holds it.
  std::string Addr(uint64_t addr, int process) const;

  // Render names `bits` as `kind` says; `process` is where addresses live.
  std::string Render(uint64_t bits, ValueKind kind, int process = -1) const;

 private:
  struct Buffer {
    std::string name;
    uint64_t addr = 0;
    uint64_t size = 0;
  };
  std::map<int64_t, std::string> tasks_;
  std::vector<std::pair<uint64_t, std::string>> ids_;  // in binding order
  std::map<int, std::vector<Buffer>> buffers_;
};

}  // namespace sclab::scn
