// Backend runs a scenario and returns its normalised Trace. SimBackend (the
// simulated kernel) and LiveBackend (the real kernel) both work by handing their
// Machine to the one shared runner, RunScenario() (scenarios/runner.h), so they
// differ only in the primitives, never in how a step becomes syscalls
// (docs/execution.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "scenarios/ast.h"
#include "scenarios/runner.h"
#include "scenarios/trace.h"

namespace sclab::scn {

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string Name() const = 0;
  // SkipReason is empty when this backend can run the scenario, else why not
  // ("requires proposal ea_notif: sim only", "needs root for `privileged`", …).
  virtual std::string SkipReason(const Scenario& scenario) = 0;
  virtual Trace Run(const Scenario& scenario) = 0;
};

}  // namespace sclab::scn
