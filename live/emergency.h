// Emergency is the live backend's SIGINT/SIGTERM safety net: while a LiveMachine
// runs, the signal kills every agent process group it registered with SIGKILL,
// reaps, removes the run's scratch directory, and then lets the signal do what it
// did before (the default action terminates the runner). Everything it touches is
// static storage, and the handler uses async-signal-safe syscalls only.
#pragma once

namespace sclab::live {

// RegisterRun reserves a slot for a run with this scratch directory (installing
// the handlers on first use); returns the slot, or -1 when all slots are taken.
int RegisterEmergencyRun(const char* scratch);
// AddEmergencyGroup records an agent process group (a top-level agent's pid).
void AddEmergencyGroup(int slot, int pgid);
// UnregisterRun releases the slot once the run has cleaned up after itself.
void UnregisterEmergencyRun(int slot);
// EmergencyHappened is true once the handler ran (its previous action returned).
bool EmergencyHappened();

}  // namespace sclab::live
