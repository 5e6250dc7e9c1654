// FormatTimeline prints a Trace as the readable timeline `seccomp-lab run` shows by
// default and `seccomp-lab trace` shows with explanations.
//
// Layout: the replay line `seed=N` first; then the header (title, file, backend,
// kernel; with `explain` also the `about` text and, on live, the runner's seccomp
// status); a column header; one line per event: line number, actor, statement,
// outcome, and the event's data as `key=value` pairs; a failed check on its own
// indented line below it (`FAIL: expected …, got …`); with `explain`, the kernel
// model's reason (`why:`), its notes (`kernel:`) and the queue state (`queues:`)
// under each event. At the end: how the run stopped if it did (`stopped: …`,
// `skipped: …`), the totals, and `digest=…` last.
#pragma once

#include <string>

#include "scenarios/trace.h"

namespace sclab::scn {

struct TimelineOptions {
  bool explain = false;
};

std::string FormatTimeline(const Trace& trace, const TimelineOptions& options = {});

}  // namespace sclab::scn
