// Clone3Verdict says whether a clone3(uargs, usize) a task is about to issue fails
// before creating anything — the only clone3 the runner issues (docs/execution.md
// §6), since a task made behind the runner's back could not be tracked or ended.
//
// It is judged by model's rules (model/clone_args.h Clone3ArgsFromUser: every check
// clone3 makes before kernel_clone(), in the kernel's order) run on a mirror of the
// bytes the kernel would read: the `clone_args` from its scenario buffer up to that
// buffer's end (so an overrun faults as it would), and the set_tid array from its
// own buffer. The answer is kUnknown — refuse — when either pointer is neither NULL,
// `bad_addr`, nor inside a buffer of the task.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace sclab::scn {

enum class Clone3Verdict : uint8_t { kFails, kWouldCreate, kUnknown };

struct Clone3Memory {
  // BufferAt returns {start, size} of the task's buffer holding `addr`, if any.
  std::function<std::optional<std::pair<uint64_t, uint64_t>>(uint64_t addr)> buffer_at;
  std::function<std::vector<uint8_t>(uint64_t addr, uint64_t len)> read;
};

Clone3Verdict JudgeClone3(uint64_t uargs, uint64_t usize, const Clone3Memory& memory);

}  // namespace sclab::scn
