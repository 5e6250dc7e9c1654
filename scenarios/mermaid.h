// FormatMermaid draws a Trace as a Mermaid sequence diagram (`run --mermaid`).
//
// Lifelines: every task that acts or is awaited (in order of first appearance),
// then `kernel`, then one per listener (named after the binding of the install
// that made it). A call is an arrow task→kernel carrying the statement; its outcome
// comes back kernel→task (a dashed open arrow when the call stays blocked). A
// received notification goes kernel→listener→receiving task, with its normalised
// fields. `await` of a call is the late outcome kernel→task; `await` of a task, memory
// steps and `expect` are notes; every failed check and the reason a run stopped are
// notes too. Text is escaped for Mermaid (`#` `;` `<` `>` as entity codes).
#pragma once

#include <string>

#include "scenarios/trace.h"

namespace sclab::scn {

std::string FormatMermaid(const Trace& trace);

}  // namespace sclab::scn
