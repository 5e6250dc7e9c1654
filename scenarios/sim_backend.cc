#include "scenarios/sim_backend.h"

#include <string>
#include <utility>
#include <vector>

#include "kernel_sim/proposals/hooks.h"
#include "scenarios/sim_machine.h"

namespace sclab::scn {

std::shared_ptr<ksim::ProposalHooks> ProposalHooksFor(const Scenario& scenario) {
  if (scenario.proposal_abis.empty()) return nullptr;
  // `requires proposal NAME kernel=old|new`: the simulated kernel implements that ABI.
  std::vector<std::pair<std::string, ksim::proposals::Abi>> requirements;
  for (const ProposalAbi& a : scenario.proposal_abis) {
    requirements.emplace_back(
        a.name, a.kernel_old ? ksim::proposals::Abi::kOld : ksim::proposals::Abi::kNew);
  }
  return ksim::proposals::MakeHooks(requirements);
}

std::string SimBackend::SkipReason(const Scenario& /*scenario*/) { return {}; }

Trace SimBackend::Run(const Scenario& scenario) {
  SimMachineOptions machine_options;
  machine_options.seed = options_.seed.value_or(scenario.seed);
  machine_options.explain = options_.explain;
  machine_options.step_budget = options_.sim_step_budget;
  machine_options.proposals = ProposalHooksFor(scenario);
  SimMachine machine(machine_options);
  return RunScenario(scenario, machine, options_);
}

}  // namespace sclab::scn
