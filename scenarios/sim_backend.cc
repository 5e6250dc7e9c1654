#include "scenarios/sim_backend.h"

#include <string>
#include <utility>
#include <vector>

#include "kernel_sim/proposals/hooks.h"
#include "scenarios/sim_machine.h"

namespace sclab::scn {

std::string SimBackend::SkipReason(const Scenario& /*scenario*/) { return {}; }

Trace SimBackend::Run(const Scenario& scenario) {
  SimMachineOptions machine_options;
  machine_options.seed = options_.seed.value_or(scenario.seed);
  machine_options.explain = options_.explain;
  machine_options.step_budget = options_.sim_step_budget;
  if (!scenario.proposal_abis.empty()) {
    // `requires proposal NAME kernel=old|new`: the simulated kernel implements that ABI.
    std::vector<std::pair<std::string, ksim::proposals::Abi>> requirements;
    for (const ProposalAbi& a : scenario.proposal_abis) {
      requirements.emplace_back(
          a.name, a.kernel_old ? ksim::proposals::Abi::kOld : ksim::proposals::Abi::kNew);
    }
    machine_options.proposals = ksim::proposals::MakeHooks(requirements);
  }
  SimMachine machine(machine_options);
  return RunScenario(scenario, machine, options_);
}

}  // namespace sclab::scn
