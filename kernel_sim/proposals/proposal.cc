#include "kernel_sim/proposals/proposal.h"

#include <string>

#include "kernel_sim/proposals/verb.h"

namespace sclab::ksim::proposals {

std::string_view AbiName(Abi abi) { return abi == Abi::kOld ? "old" : "new"; }

std::string CompatCell::Label() const {
  switch (kind) {
    case CompatKind::kWorks:
      return "works";
    case CompatKind::kDegrades:
      return err.value == 0 ? "degrades" : "degrades (" + std::string(model::ErrnoName(err)) + ")";
    case CompatKind::kMisreads:
      return "misreads";
    case CompatKind::kFails:
      return "fails " + std::string(model::ErrnoName(err));
  }
  return "?";
}

std::vector<VerbSpec> Proposal::Verbs() const { return def_.verbs(); }

std::vector<CompatCell> Proposal::CompatMatrix() const {
  std::vector<CompatCell> cells;
  cells.reserve(4);
  for (Abi user : kAbis) {
    for (Abi kernel : kAbis) cells.push_back(Compat(user, kernel));
  }
  return cells;
}

}  // namespace sclab::ksim::proposals
