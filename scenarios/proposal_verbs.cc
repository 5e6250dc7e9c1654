#include "scenarios/proposal_verbs.h"

#include <algorithm>

#include "base/check.h"
#include "kernel_sim/proposals/verb.h"

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

namespace {

ParamKind ParamOf(ksim::proposals::VerbParam p) {
  switch (p) {
    case ksim::proposals::VerbParam::kValue:
      return ParamKind::kValue;
    case ksim::proposals::VerbParam::kAddress:
      return ParamKind::kAddress;
    case ksim::proposals::VerbParam::kTask:
      return ParamKind::kTask;
    case ksim::proposals::VerbParam::kNotification:
      return ParamKind::kNotification;
  }
  return ParamKind::kValue;
}

ProposalVerbRegistry BuildBuiltin() {
  ProposalVerbRegistry r;
  for (const ksim::proposals::VerbSpec& v : ksim::proposals::AllVerbs()) {
    ProposalVerb verb;
    verb.proposal = v.proposal;
    verb.verb = v.verb;
    for (ksim::proposals::VerbParam p : v.params) {
      verb.params.push_back(ParamOf(p));
    }
    verb.required = v.required;
    verb.keys.assign(v.keys.begin(), v.keys.end());
    verb.binds = v.binds == ksim::proposals::VerbBinds::kNotification ? BindKind::kNotification
                                                                      : BindKind::kValue;
    verb.fields.assign(v.fields.begin(), v.fields.end());
    const bool added = r.Add(std::move(verb));
    SCLAB_CHECK(added, "two proposal verbs share a name");
  }
  return r;
}

}  // namespace

const ProposalVerbRegistry& BuiltinProposalVerbs() {
  static const ProposalVerbRegistry registry = BuildBuiltin();
  return registry;
}

}  // namespace sclab::scn
