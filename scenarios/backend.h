// Backend runs a scenario and returns its normalised Trace. SimBackend (the
// simulated kernel) and LiveBackend (the real kernel) both work by handing their
// Machine to the one shared runner, RunScenario(), so they differ only in the
// primitives, never in how a step becomes syscalls (docs/execution.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

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

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string Name() const = 0;
  // SkipReason is empty when this backend can run the scenario, else why not
  // ("requires proposal ea_notif: sim only", "needs root for `privileged`", …).
  virtual std::string SkipReason(const Scenario& scenario) = 0;
  virtual Trace Run(const Scenario& scenario) = 0;
};

// RunScenario executes `scenario` step by step on `machine` (docs/execution.md),
// normalising outcomes into the returned Trace. A run-time error of the scenario
// (an actor still busy or dead, a refused path) ends the run: the trace's
// `stop_reason` then holds "file:line:col: error: …" and `runtime_error` is set.
Trace RunScenario(const Scenario& scenario, Machine& machine, const RunOptions& options);

}  // namespace sclab::scn
