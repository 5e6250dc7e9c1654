#include "live/live_backend.h"

namespace sclab::live {
namespace {

scn::Trace StoppedTrace(const scn::Scenario& scenario, const LiveHost& host) {
  scn::Trace trace;
  trace.header.scenario = scenario.title;
  trace.header.file = scenario.file;
  trace.header.about = scenario.about;
  trace.header.backend = "live";
  trace.header.seed = scenario.seed;
  trace.header.kernel = host.kernel;
  return trace;
}

}  // namespace

LiveBackend::LiveBackend(const scn::RunOptions& options)
    : options_(options), host_(ProbeLiveHost()) {}

std::string LiveBackend::SkipReason(const scn::Scenario& scenario) {
  return LiveSkipReason(scenario, host_);
}

scn::Trace LiveBackend::Run(const scn::Scenario& scenario) {
  if (const std::string reason = SkipReason(scenario); !reason.empty()) {
    scn::Trace trace = StoppedTrace(scenario, host_);
    trace.skipped = true;
    trace.stop_reason = reason;
    return trace;
  }
  LiveOptions options;
  options.step_timeout_ms = options_.step_timeout_ms;
  options.scenario_timeout_ms = options_.scenario_timeout_ms;
  options.task_budget = options_.task_budget;
  try {
    LiveMachine machine(options);
    return scn::RunScenario(scenario, machine, options_);
  } catch (const scn::MachineError& e) {
    scn::Trace trace = StoppedTrace(scenario, host_);
    trace.runtime_error = true;
    trace.stop_reason = scenario.file + ":1:1: error: " + e.what();
    return trace;
  }
}

}  // namespace sclab::live
