// ProposalReport runs PROPOSALS.md's standard workload on every proposal plug-in in
// the simulator and compares them (`seccomp-lab proposals`, docs/proposals.md).
//
// How a row is measured:
// - WorkloadScenario() assembles the plug-in's Workload (proposal.h) into one
//   scenario: a target whose openat2() calls are notified, and a supervisor that
//   receives each, gathers pid, syscall number, arguments and open_how the way the
//   design lets it, and answers EPERM.
// - CountRun() runs a scenario on a SimMachine whose kernel has the required
//   proposals' hooks, and counts every user copy the kernel made (model/copy.h's
//   counters), the supervisor's syscalls and the simulator's scheduling steps.
// - A row's per-notification numbers are (count with N notifications − count with
//   none) / N, so the setup (install, configure, discovery) is not in them; they are
//   exact integers because every notification of the workload is the same.
// - The TOCTOU column is not asserted by the plug-in: RacingWriterScenario() runs the
//   schedule of the corpus pair (a second thread rewrites open_how to O_WRONLY after
//   the supervisor's receive, then the supervisor answers CONTINUE) and looks at
//   whether the descriptor the call returned is writable.
// Everything here is deterministic; wall-clock throughput is the CLI's business.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kernel_sim/proposals/proposal.h"
#include "kernel_sim/proposals/read_notif/read_notif.h"
#include "model/copy.h"
#include "scenarios/ast.h"
#include "scenarios/trace.h"

namespace sclab::scn {

// WorkloadScenario is the standard workload of `p` with `n` notifications.
std::string WorkloadScenario(const ksim::proposals::Proposal& p, uint32_t n);

// RacingWriterScenario is `p`'s supervisor under the racing-writer schedule.
std::string RacingWriterScenario(const ksim::proposals::Proposal& p);

// WorkloadCount is what CountRun() counted in one run.
struct WorkloadCount {
  model::CopyCounters copies;        // every user access the kernel made
  uint64_t supervisor_syscalls = 0;  // syscalls issued by the actor `sup`
  uint64_t steps = 0;                // the simulator's scheduling steps
  uint64_t failures = 0;             // failed checks (a workload must have none)
  std::string error;                 // a runtime error or stop reason, else empty
};

// CountRun runs `s` on the simulator (with its required proposals' hooks) and counts;
// the trace goes to `trace` when given.
WorkloadCount CountRun(const Scenario& s, Trace* trace = nullptr);

// PerNotification is (with − without) / n, field by field; `exact` is false when a
// difference does not divide by n.
struct PerNotification {
  uint64_t to_user_bytes = 0;
  uint64_t from_user_bytes = 0;
  uint64_t copy_ops = 0;  // to-user + from-user operations
  uint64_t syscalls = 0;
  uint64_t steps = 0;
  bool exact = true;
};
PerNotification Divide(const WorkloadCount& with, const WorkloadCount& without, uint32_t n);

// ProposalRow is one proposal's line of the comparison.
struct ProposalRow {
  std::string name;
  std::string title;
  ksim::proposals::Abi user = ksim::proposals::Abi::kNew;
  ksim::proposals::Abi kernel = ksim::proposals::Abi::kNew;
  PerNotification per;
  ksim::proposals::Traits traits;
  std::vector<ksim::proposals::CompatCell> compat;  // old/old, old/new, new/old, new/new
  bool toctou_free = false;
  std::string toctou_evidence;  // what the racing writer's write() returned
  std::string error;            // non-empty when a run failed (a bug)
};

// MeasureProposals measures every registered proposal with `n` notifications.
std::vector<ProposalRow> MeasureProposals(uint32_t n);

// DepthRows is read_notif's batching sweep at queue depths 1, 2, 4, ... 64.
std::vector<ksim::proposals::read_notif::DepthRow> DepthRows();

// RenderTable is the comparison as text tables (no throughput: see the CLI).
std::string RenderTable(const std::vector<ProposalRow>& rows,
                        const std::vector<ksim::proposals::read_notif::DepthRow>& depth);

// RenderJson is the comparison as one JSON object; deterministic (no wall clock).
std::string RenderJson(uint32_t n, const std::vector<ProposalRow>& rows,
                       const std::vector<ksim::proposals::read_notif::DepthRow>& depth);

// RenderLayouts draws every proposal's records at both ABI versions with
// model::RenderByteMap(), one markdown section per proposal.
std::string RenderLayouts();

// RenderVerbs lists every proposal verb (usage and the syscall it becomes) as a
// markdown table, from the plug-ins' VerbSpecs.
std::string RenderVerbs();

// DocBlock returns the text between `<!-- NAME:begin -->` and `<!-- NAME:end -->`
// lines of `doc` (without the marker lines), or nullopt when they are missing;
// docs/proposals.md keeps its generated sections in such blocks.
std::optional<std::string> DocBlock(const std::string& doc, const std::string& name);

}  // namespace sclab::scn
