// SimBackend runs a scenario on the simulated kernel: a fresh SimMachine seeded with
// the run's seed (--seed, else the scenario's `seed`, default 1), handed to the one
// shared runner, RunScenario(). It can run every version-1 scenario, so SkipReason()
// is always empty. A scenario that requires proposals runs on a kernel with their
// hooks (kernel_sim/proposals/hooks.h), at the kernel ABI each names.
#pragma once

#include <memory>
#include <string>

#include "kernel_sim/proposal_hooks.h"

#include "scenarios/backend.h"
#include "scenarios/runner.h"

namespace sclab::scn {

// ProposalHooksFor is the kernel hooks for the scenario's `requires proposal` lines
// (nullptr when it has none).
std::shared_ptr<ksim::ProposalHooks> ProposalHooksFor(const Scenario& scenario);

class SimBackend : public Backend {
 public:
  explicit SimBackend(RunOptions options = {}) : options_(options) {}

  std::string Name() const override { return "sim"; }
  std::string SkipReason(const Scenario& scenario) override;
  Trace Run(const Scenario& scenario) override;

 private:
  RunOptions options_;
};

}  // namespace sclab::scn
