#include "scenarios/sim_backend.h"

#include "scenarios/sim_machine.h"

namespace sclab::scn {

std::string SimBackend::SkipReason(const Scenario& /*scenario*/) { return {}; }

Trace SimBackend::Run(const Scenario& scenario) {
  SimMachineOptions machine_options;
  machine_options.seed = options_.seed.value_or(scenario.seed);
  machine_options.explain = options_.explain;
  machine_options.step_budget = options_.sim_step_budget;
  SimMachine machine(machine_options);
  return RunScenario(scenario, machine, options_);
}

}  // namespace sclab::scn
