// FormatFirstDifference shows where two traces of one scenario first disagree, side
// by side, for `seccomp-lab check` (sim against live).
//
// It prints "traces agree (N events, digest=…)" when the traces are equal; otherwise
// the index and line of the first differing event (FirstDifference), then one row
// per compared field — line, actor, statement, outcome, each data key, check — with
// the left and the right value in two columns and `<>` after every row that differs.
// An event missing on one side shows as "(no event)"; when only the endings differ
// (skipped, run-time error, stop reason) those rows are shown instead.
#pragma once

#include <string>
#include <string_view>

#include "scenarios/trace.h"

namespace sclab::scn {

std::string FormatFirstDifference(const Trace& left, const Trace& right, std::string_view left_name,
                                  std::string_view right_name);

}  // namespace sclab::scn
