#include "scenarios/proposal_verbs.h"

#include <algorithm>

namespace sclab::scn {

bool ProposalVerbRegistry::Add(ProposalVerb verb) {
  if (Find(verb.verb) != nullptr || verb.required > verb.params.size()) {
    return false;
  }
  verbs_.push_back(std::move(verb));
  return true;
}

const ProposalVerb* ProposalVerbRegistry::Find(std::string_view verb) const {
  for (const ProposalVerb& v : verbs_) {
    if (v.verb == verb) {
      return &v;
    }
  }
  return nullptr;
}

bool ProposalVerbRegistry::KnowsProposal(std::string_view proposal) const {
  return std::any_of(verbs_.begin(), verbs_.end(),
                     [&](const ProposalVerb& v) { return v.proposal == proposal; });
}

std::vector<std::string> ProposalVerbRegistry::Proposals() const {
  std::vector<std::string> names;
  for (const ProposalVerb& v : verbs_) {
    names.push_back(v.proposal);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

const ProposalVerbRegistry& BuiltinProposalVerbs() {
  // The proposals work registers its verbs here.
  static const ProposalVerbRegistry registry;
  return registry;
}

}  // namespace sclab::scn
