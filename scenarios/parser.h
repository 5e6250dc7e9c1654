// ParseScenario turns the text of a `.scn` file into a Scenario (scenarios/ast.h),
// or into diagnostics — every error of the file, in file order, before anything
// runs (SCENARIO_LANGUAGE.md version 1; docs/scenario-language.md is the reference).
//
// What it checks, each as `file:line:col: error: …` at the offending token:
// - syntax: a statement per line, `scenario "TITLE"` first and once, each header
//   statement at most once, every construct's shape;
// - names: an unknown name; a name used before the step that binds it; a duplicate
//   declaration; a declared name that is a keyword or already a constant; an
//   ambiguous unprefixed constant (LOG) where no context settles it;
// - actors: an undeclared actor, one that is not a task (a filter, a buffer, a
//   notification…), one that only a later step creates;
// - calls: an unknown call, an x86_64 syscall outside the modelled-syscall table
//   (only `syscall(NR, …)` may name those), a wrong argument count, an unknown or
//   repeated key, a type error (a filter where a value is wanted, a string where no
//   address is, a non-task where a task is, an unknown field of a binding), the
//   lead's version-1 refusals that can be seen statically (handle() of a fault
//   signal, signal()/kill() of a job-control signal, naming fd 1023), a proposal
//   verb without `requires proposal` for its proposal;
// - memory: sizes (1…16384 bytes), byte lists, struct names and fields (model's
//   layout registry), buffer ownership for store/load, constant offsets in range;
// - filters: rules libseccomp refuses (reported at the rule), bpf_asm errors at their
//   real line and column inside a `filter … bpf` block;
// - `concurrently`, `ptrace` and other architectures: reserved for a later version.
// Filters are compiled here (libseccomp for rule lists, the bpf assembler for raw
// blocks); a raw program is not validated.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "scenarios/ast.h"
#include "scenarios/diagnostic.h"
#include "scenarios/proposal_verbs.h"

namespace sclab::scn {

// kBufferBytesMax is the largest buffer a scenario may ask for (docs/execution.md §2).
inline constexpr uint64_t kBufferBytesMax = 16384;

struct ParseOptions {
  // The proposal verbs the parser knows; nullptr means BuiltinProposalVerbs().
  const ProposalVerbRegistry* proposals = nullptr;
};

struct ParseResult {
  std::optional<Scenario> scenario;     // set exactly when there is no diagnostic
  std::vector<Diagnostic> diagnostics;  // in file order
};

ParseResult ParseScenario(std::string_view file, std::string_view text,
                          const ParseOptions& options = {});

}  // namespace sclab::scn
