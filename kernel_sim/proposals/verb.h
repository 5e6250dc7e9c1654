// VerbSpec is one scenario verb a proposal adds (sim only), as data: its signature for
// the parser, and a plan function the shared runner calls to turn the resolved
// arguments into buffers plus exactly one syscall, and to know which fields to read
// back afterwards. The runner has no case for any proposal: every proposal verb goes
// through the same path (scenarios/runner.cc, Verb::kProposal), so a proposal stays
// data, not special code in the runner. docs/proposals.md lists every verb.
//
// The plan is built before the syscall and must be a pure function of its arguments
// (the runner may build it more than once). Addresses of the plan's buffers are known
// only to the runner: a PlanArg or a PlanPointer names a buffer, and the runner puts
// that buffer's address (plus an offset) into the syscall argument or into the bytes
// of another buffer before issuing the call.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kernel_sim/proposals/proposal.h"

namespace sclab::ksim::proposals {

// VerbParam is a positional parameter's kind (the parser checks it; the runner
// resolves a task to its tid and a notification to its id).
enum class VerbParam : uint8_t { kValue, kAddress, kTask, kNotification };

// VerbBinds is what `-> NAME` binds: the call's value, or a notification that later
// steps can reply to and read fields of.
enum class VerbBinds : uint8_t { kValue, kNotification };

// FieldKind says how the runner renders a read-back field in the trace.
enum class FieldKind : uint8_t { kPlain, kPid, kNotifId, kSyscallNr, kArch, kAddr, kFd };

// VerbArgs are the resolved arguments: positional values in order, keyed ones by
// name, and the ABI version the scenario's userspace was built for.
struct VerbArgs {
  Abi user = Abi::kNew;
  std::vector<uint64_t> positional;
  std::vector<std::pair<std::string, uint64_t>> keyed;

  bool Has(std::string_view key) const;
  uint64_t Key(std::string_view key, uint64_t fallback) const;
};

// PlanBuffer is one buffer the runner allocates in the actor's memory (named
// "VERB@LINE" + suffix in the trace), filled with `bytes`.
struct PlanBuffer {
  std::string suffix;  // "" for the main buffer, ".data", ".block" ...
  std::vector<uint8_t> bytes;
};

// PlanPointer asks the runner to write buffer `target`'s address + `add` as a u64 at
// `offset` of buffer `into` (a pointer inside a struct, e.g. an iovec or a pair).
struct PlanPointer {
  uint32_t into = 0;
  uint64_t offset = 0;
  uint32_t target = 0;
  uint64_t add = 0;
};

// PlanArg is a syscall argument: `value`, or buffer `buffer`'s address + `value`.
struct PlanArg {
  uint64_t value = 0;
  std::optional<uint32_t> buffer;
};

// PlanField is a field read back after the call: `width` bytes (1, 2, 4 or 8) at
// `offset` of buffer `buffer`. Fields are read whenever the call returned (a failed
// call may have written sizes back), and shown in the event's data.
struct PlanField {
  std::string name;
  uint32_t buffer = 0;
  uint64_t offset = 0;
  uint8_t width = 8;
  FieldKind kind = FieldKind::kPlain;
};

// PlanPlace is a place in one of the plan's buffers.
struct PlanPlace {
  uint32_t buffer = 0;
  uint64_t offset = 0;
};

// PlanNotification says where a received notification's id, pid and struct
// seccomp_data sit, for binding it; a part the record does not hold reads as zero.
struct PlanNotification {
  PlanPlace id;
  std::optional<PlanPlace> pid;
  std::optional<PlanPlace> data;
};

struct VerbPlan {
  std::vector<PlanBuffer> buffers;
  std::vector<PlanPointer> pointers;
  int nr = -1;
  std::array<PlanArg, 6> args{};
  std::vector<PlanField> fields;
  std::optional<PlanNotification> notification;  // read when the call returned >= 0
  FieldKind result = FieldKind::kPlain;          // how to render the return value
};

struct VerbSpec {
  std::string_view proposal;  // "ea_notif"
  std::string_view verb;      // "ea_recv"
  std::string_view usage;     // "ea_recv(L [, size=N]) -> n"
  std::string_view doc;       // one sentence: the syscall it becomes
  std::vector<VerbParam> params;
  size_t required = 0;
  std::vector<std::string_view> keys;
  VerbBinds binds = VerbBinds::kValue;
  // The fields `NAME.FIELD` a binding has besides a notification's own: every
  // PlanField the plan may read is one of these (written "how.flags", "ids[1]").
  std::vector<std::string_view> fields;
  VerbPlan (*plan)(const VerbArgs& args) = nullptr;
};

// AllVerbs lists the verbs of every plug-in, in registry order.
std::vector<VerbSpec> AllVerbs();

// FindVerb returns the verb called `name`, or nullopt.
std::optional<VerbSpec> FindVerb(std::string_view name);

// Plan-building helpers shared by the plug-ins.

// Ioctl makes the plan issue ioctl(fd, cmd, buffer 0).
void IoctlOnBuffer0(VerbPlan* plan, uint64_t fd, uint32_t cmd);

// AddField appends a field of buffer `buffer`.
void AddField(VerbPlan* plan, std::string name, uint32_t buffer, uint64_t offset, uint8_t width,
              FieldKind kind = FieldKind::kPlain);

// AddOpenHowFields reads a struct open_how at `offset` as how.flags/mode/resolve.
void AddOpenHowFields(VerbPlan* plan, uint32_t buffer, uint64_t offset,
                      const std::string& prefix = "how.");

}  // namespace sclab::ksim::proposals
