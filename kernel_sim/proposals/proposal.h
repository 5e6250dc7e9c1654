// Proposal is one seccomp API proposal of the 2020 "seccomp feature development"
// thread (../shared/PROPOSALS.md), run as a plug-in of the simulated kernel. Every
// proposal lives in its own folder (kernel_sim/proposals/<name>/) with a README, and
// is listed once in AllProposals() (registry.h).
//
// What a proposal provides (Proposal::Definition), and who uses it:
// - layouts(abi): its uapi structs at the old and the new version of its ABI, laid out
//   by model/layout.h as the C compiler would (holes included). docs/proposals.md and
//   `seccomp-lab proposals` draw them with model::RenderByteMap().
// - compat(user, kernel): the outcome of the standard receive (pid, syscall number,
//   arguments, the open_how contents, plus the new version's field) when userspace
//   built for `user` runs on a kernel implementing `kernel`. Computed by running the
//   proposal's own model functions on simulated memory, never written down by hand.
// - hooks(kernel): what the simulated kernel does differently when it implements the
//   proposal's old or new ABI (kernel_sim/proposal_hooks.h).
// - verbs: its scenario verbs (verb.h), which the shared runner turns into syscalls.
// - traits: what the design asks of userspace (fixed-size buffers possible,
//   allocations, whether the supervisor must read the target's memory).
//
// Every copy the model functions make goes through model/copy.h (CopyFromUser,
// CopyToUser, CopyStructFromUser, CopyStructToUser, CheckZeroedUser), so the
// CopyCounters see every byte and every operation. Errors are real errno values;
// ENOTSUPP (524, kernel-internal) is never returned.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kernel_sim/proposal_hooks.h"
#include "model/errno.h"
#include "model/layout.h"

namespace sclab::ksim::proposals {

struct VerbSpec;

// Abi is which version of a proposal's ABI a userspace was built for, or a kernel
// implements. Every proposal has exactly these two.
enum class Abi : uint8_t { kOld = 1, kNew = 2 };

// AbiName is "old" or "new".
std::string_view AbiName(Abi abi);

// kAbis lists both versions, old first.
inline constexpr Abi kAbis[] = {Abi::kOld, Abi::kNew};

// CompatKind classifies one old/new userspace x old/new kernel pairing:
// - kWorks: every field the userspace reads holds the kernel's value;
// - kDegrades: the call works but a field the userspace wants is missing, and the
//   userspace can tell (a size, a validity bit, an errno it retried after);
// - kMisreads: some field the userspace reads holds a wrong value and nothing told it;
// - kFails: the receive fails with `err` and the design gives userspace no way on.
enum class CompatKind : uint8_t { kWorks, kDegrades, kMisreads, kFails };

// CompatCell is one computed pairing.
struct CompatCell {
  Abi user = Abi::kOld;
  Abi kernel = Abi::kOld;
  CompatKind kind = CompatKind::kWorks;
  model::Errno err{};  // kFails: the errno; kDegrades: the errno userspace saw first (or 0)
  std::string detail;  // one sentence: how it was detected, or what went wrong

  // Label is "works", "degrades (EINVAL)", "degrades", "misreads", "fails EINVAL".
  std::string Label() const;
  friend bool operator==(const CompatCell&, const CompatCell&) = default;
};

// Traits are what the design asks of a supervisor doing the standard workload.
struct Traits {
  bool fixed_size_buffers = true;      // userspace can use buffers sized at compile time
  uint32_t setup_allocations = 0;      // dynamic allocations before the first notification
  uint32_t per_notif_allocations = 0;  // dynamic allocations per notification
  bool reads_target_memory = false;    // the supervisor reads open_how from the target itself
  std::string note;                    // one sentence on the above
};

// Workload is the proposal's supervisor for the standard workload of PROPOSALS.md (a
// supervisor answering openat2 notifications, needing pid, syscall number, arguments
// and the open_how contents), as scenario-language text that `seccomp-lab proposals`
// assembles into one scenario (scenarios/proposal_report.h). In the lines, `{i}` is
// the notification's number; `sup` is the supervisor, `target` the notifying process
// (its open_how is the buffer `how`), `SL` the supervisor's listener.
struct Workload {
  Abi user = Abi::kNew;    // the ABI the measured userspace is built for
  Abi kernel = Abi::kNew;  // the ABI the measured kernel implements
  // Extra `requires` lines (verbs of another plug-in the supervisor uses).
  std::string_view extra_requires;
  // The filter `F` (empty: `filter F default allow { openat2 -> notify }`) and the
  // flags it is installed with.
  std::string_view filter;
  std::string_view install_flags = "NEW_LISTENER";
  std::string_view setup;    // supervisor lines once it holds SL
  std::string_view receive;  // per notification: up to the decision
  std::string_view deny;     // per notification: the answer EPERM
  std::string_view proceed;  // per notification: the answer CONTINUE
  // Whether the syscall runs on the bytes the supervisor saw (one kernel copy).
  // Not trusted: the report runs the racing-writer schedule and checks it.
  std::string_view toctou_note;
};

// kReplyDeny and kReplyContinue are the ioctl answers every design but read_notif uses.
inline constexpr std::string_view kReplyDeny = "sup: reply(SL, n{i}, error=-EPERM) = 0\n";
inline constexpr std::string_view kReplyContinue = "sup: reply(SL, n{i}, continue) = 0\n";

// Proposal is one plug-in: its name and the functions of its folder. Each folder
// defines the functions file-locally and exposes only `const Proposal& Plugin()`.
class Proposal {
 public:
  struct Definition {
    std::string_view name;   // the folder and scenario name ("perf_config")
    std::string_view title;  // one line for tables
    // Its uapi structs at `abi`, in the order the README shows them.
    std::vector<model::StructLayout> (*layouts)(Abi abi);
    // The standard receive with userspace built for `user` on a kernel implementing
    // `kernel`, classified from what userspace saw.
    CompatCell (*compat)(Abi user, Abi kernel);
    // Its scenario verbs (verb.h); they must name this proposal.
    std::vector<VerbSpec> (*verbs)();
    // The kernel hooks of a kernel implementing `kernel` (kernel_sim/proposal_hooks.h;
    // nullptr: that kernel is Linux 6.18 unchanged).
    std::unique_ptr<ProposalHooks> (*hooks)(Abi kernel);
    Traits traits;
    Workload workload;
  };

  explicit Proposal(const Definition& def) : def_(def) {}

  std::string_view Name() const { return def_.name; }
  std::string_view Title() const { return def_.title; }
  std::vector<model::StructLayout> Layouts(Abi abi) const { return def_.layouts(abi); }
  CompatCell Compat(Abi user, Abi kernel) const { return def_.compat(user, kernel); }
  const Traits& GetTraits() const { return def_.traits; }
  const Workload& GetWorkload() const { return def_.workload; }
  std::vector<VerbSpec> Verbs() const;
  std::unique_ptr<ProposalHooks> MakeKernelHooks(Abi kernel) const { return def_.hooks(kernel); }
  // CompatMatrix is Compat() for old/old, old/new, new/old, new/new (user/kernel).
  std::vector<CompatCell> CompatMatrix() const;

 private:
  Definition def_;
};

}  // namespace sclab::ksim::proposals
