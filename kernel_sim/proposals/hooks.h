// The proposal layer's side of the kernel hooks (kernel_sim/proposal_hooks.h).
//
// - Each plug-in's `hooks` function makes the ProposalHooks of a kernel implementing
//   its old or new ABI (nullptr when that kernel is Linux 6.18 unchanged).
// - MakeHooks() builds what a scenario's `requires proposal` lines ask for: every
//   named plug-in's hooks, asked in registry order (the first that answers wins), plus
//   process_vm_readv(), which the supervisors of several designs need to read the
//   target's memory and which the core simulator does not model.
// - ReceiveOne() is the shape every proposal receive shares, after
//   seccomp_notify_recv(): the checks made before the wait (once, not again after a
//   sleep), the oldest INIT notification (ENOENT when no task uses the filter any
//   more, else sleep), then the copy-out; a failed copy-out puts the notification
//   back to INIT.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kernel_sim/proposal_hooks.h"
#include "kernel_sim/proposals/proposal.h"

namespace sclab::ksim::proposals {

// MakeHooks returns the hooks for `requirements` (proposal name, kernel ABI).
std::shared_ptr<ProposalHooks> MakeHooks(
    const std::vector<std::pair<std::string, Abi>>& requirements);

// ReceiveOne runs `prepare` (unless the call was resumed), takes a notification and
// runs `deliver` on it; deliver's value is the call's.
model::SysResult<HookResult> ReceiveOne(
    ListenerCall& call, const std::function<model::SysResult<void>()>& prepare,
    const std::function<model::SysResult<int64_t>(const NotificationFacts&)>& deliver);

// AbiHooks is the base of a plug-in's hooks that differ by the kernel's ABI version.
class AbiHooks : public ProposalHooks {
 public:
  explicit AbiHooks(Abi kernel) : kernel_(kernel) {}

 protected:
  Abi kernel_;
};

// Answered is a listener hook's answer for a model function that returns nothing:
// its failure, or the value 0.
model::SysResult<HookResult> Answered(const model::SysResult<void>& r);

// AsValue is a receive's value for a model function's result: its failure, or the
// value (a byte count) as the syscall's return value; SysResult<void> gives 0.
template <class T>
model::SysResult<int64_t> AsValue(const model::SysResult<T>& r) {
  if (!r.ok()) return r.failure();
  return static_cast<int64_t>(r.value());
}
model::SysResult<int64_t> AsValue(const model::SysResult<void>& r);

// State<T> is a ListenerState holding a T: StateOf() finds or makes it.
template <class T>
struct State final : ListenerState {
  T value{};
};
template <class T>
T& StateOf(std::unique_ptr<ListenerState>& slot) {
  if (slot == nullptr) slot = std::make_unique<State<T>>();
  return static_cast<State<T>&>(*slot).value;
}

}  // namespace sclab::ksim::proposals
