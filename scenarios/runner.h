// RunScenario is the one shared runner: it executes a parsed Scenario step by step
// on a Machine, turning every step into the same primitive operations on every
// backend (docs/execution.md is the contract, section by section), and returns the
// normalised Trace.
//
// Contract:
// - Processes are spawned in declaration order before the first step; each step
//   yields exactly one event, in file order (docs/execution.md §1, §4).
// - Buffers are allocated exactly as §2/§3 list them, and named for the trace after
//   the step (`recv@19`, `install@12.filter`, `openat@20.arg1`).
// - Outcomes are normalised as §5 says (scenarios/normalizer.h); a failed `= RESULT`,
//   `await … = …` or `expect` marks its event `FAIL: expected …, got …` and the run
//   goes on.
// - A step whose actor cannot act (still inside a `&` call, dead, never created),
//   a step the safety rules of §6 refuse, a budget reached, or a MachineError ends
//   the run: no event for that step, `runtime_error` set, `stop_reason` =
//   "file:line:col: error: …".
// - The filter shadow (scenarios/filter_shadow.h) follows every seccomp/prctl
//   install; Machine::NoteFutexAllowed hears of every change.
// - With `explain`, each event carries Machine::ReasonFor, DrainKernelNotes and
//   QueueState.
// - Machine::Shutdown is called before returning, whatever happened.
#pragma once

#include <cstdint>
#include <optional>

#include "scenarios/ast.h"
#include "scenarios/machine.h"
#include "scenarios/trace.h"

namespace sclab::scn {

struct RunOptions {
  std::optional<uint64_t> seed;          // --seed: overrides the scenario's `seed`
  uint32_t step_timeout_ms = 2000;       // live: bound on each wait
  uint32_t scenario_timeout_ms = 30000;  // live: bound on the whole run
  uint64_t sim_step_budget = 1000000;    // sim: scheduling steps before the run is stopped
  uint32_t task_budget = 64;             // both: tasks per run
  bool explain = false;                  // collect reasons, kernel notes, queue states
};

Trace RunScenario(const Scenario& scenario, Machine& machine, const RunOptions& options);

}  // namespace sclab::scn
