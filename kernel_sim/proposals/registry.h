// AllProposals is the one explicit list of the proposal plug-ins, in the order the
// report and the docs show them (the baseline first). Adding a proposal adds one line
// to registry.cc; docs/proposals.md walks through the rest.
#pragma once

#include <span>
#include <string_view>

#include "kernel_sim/proposals/proposal.h"

namespace sclab::ksim::proposals {

// AllProposals lists every plug-in; the objects live for the whole program.
std::span<const Proposal* const> AllProposals();

// FindProposal returns the plug-in called `name`, or nullptr.
const Proposal* FindProposal(std::string_view name);

}  // namespace sclab::ksim::proposals
