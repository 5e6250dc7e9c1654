// Trace is the normalised record of one scenario run: one Event per step, in file
// order. Two traces from different backends compare with ==: pids became task
// names, notification ids became binding names, addresses inside scenario buffers
// became `&buf+off`, instruction pointers were dropped; everything else (return
// values, errnos, fd numbers, notification contents, signals, exit statuses, poll
// bits) is kept exactly.
//
// Only the compared part of an Event (line, actor, call, outcome, data, check)
// enters ==, the first-difference report and the digest. `reason` and `notes` are
// the simulator's explanations for `trace`; they differ between backends by design.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sclab::scn {

struct Event {
  // Compared.
  uint32_t line = 0;    // the step's line in the scenario file
  std::string actor;    // task name, or "runner" for await/expect
  std::string call;     // the statement as written, after `ACTOR:` for steps, e.g.
                        // "getppid() & -> c1", "recv(SL) -> n1 = 0", "await c1 = 4242"
  std::string outcome;  // "ret 4242", "ret target", "ret POLLIN|POLLOUT", "err ENOENT",
                        // "blocked", "killed SIGSYS", "exited 0", "gone", "" (mem/store/expect)
  std::vector<std::pair<std::string, std::string>>
      data;           // normalised fields, e.g. a recv's
                      // {"id","n1"},{"pid","target"},{"data.nr","getppid"},…
  std::string check;  // "" (nothing expected), "ok", or "FAIL: expected …, got …"

  // Not compared: the simulator's explanation.
  std::string reason;              // why the kernel model produced the outcome
  std::vector<std::string> notes;  // kernel events during the step (queued, received, …)
  std::string queue_state;         // notification queues after the step
  // Not compared: for diagrams only. The listener a notification verb used, named
  // after the binding of the install that created it (`L`, or `install@LINE`).
  std::string listener;

  // SameObservable compares only the compared fields.
  bool SameObservable(const Event& other) const {
    return line == other.line && actor == other.actor && call == other.call &&
           outcome == other.outcome && data == other.data && check == other.check;
  }
};

struct TraceHeader {
  std::string scenario;  // title
  std::string file;
  std::string about;
  std::string backend;  // "sim" / "live"
  uint64_t seed = 1;
  std::string kernel;         // uname -r, or the model's name
  std::string runner_status;  // live: Seccomp lines of the runner
  bool user_notif = true;     // live: "user_notif" is in actions_avail
};

struct Trace {
  TraceHeader header;
  std::vector<Event> events;
  // The run stopped early: a runtime error in the scenario (actor busy or dead),
  // a budget reached, or a skip. `stop_reason` says which; `skipped` marks a
  // scenario the backend cannot run (with the reason in `stop_reason`).
  bool skipped = false;
  bool runtime_error = false;  // the scenario could not go on (exit status 2)
  std::string stop_reason;

  // Failures counts events whose check failed.
  size_t Failures() const;
  // Digest is FNV-1a 64 over a canonical serialisation of the compared fields of
  // every event and of skipped/runtime_error/stop_reason, as 16 lowercase hex digits.
  // The serialisation length-prefixes every string, so no two traces share it.
  std::string Digest() const;
};

// operator== compares the observable content only: the events' compared fields,
// skipped, runtime_error and stop_reason (not headers, not explanations).
bool operator==(const Trace& a, const Trace& b);

// FirstDifference returns the index of the first event whose observable part
// differs (or the shorter length when one is a prefix of the other; or the common
// length when the events agree but skipped/runtime_error/stop_reason differ), or
// nullopt when the traces are equal.
std::optional<size_t> FirstDifference(const Trace& a, const Trace& b);

}  // namespace sclab::scn
