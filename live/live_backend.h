// LiveBackend is scn::Backend on the real kernel: a LiveMachine handed to the one
// shared runner, RunScenario(). It skips, with the reason, what this machine cannot
// run (live/skip_reason.h); a live run that cannot even start (no scratch
// directory, no mappings) is a run-time error of the trace, never a kernel outcome.
#pragma once

#include <string>

#include "live/live_machine.h"
#include "live/skip_reason.h"
#include "scenarios/backend.h"

namespace sclab::live {

class LiveBackend final : public scn::Backend {
 public:
  explicit LiveBackend(const scn::RunOptions& options);

  std::string Name() const override { return "live"; }
  std::string SkipReason(const scn::Scenario& scenario) override;
  scn::Trace Run(const scn::Scenario& scenario) override;

 private:
  scn::RunOptions options_;
  LiveHost host_;
};

}  // namespace sclab::live
