#include "kernel_sim/proposals/verb.h"

#include "base/check.h"
#include "kernel_sim/proposals/registry.h"

namespace sclab::ksim::proposals {

bool VerbArgs::Has(std::string_view key) const {
  for (const auto& [k, v] : keyed) {
    if (k == key) return true;
  }
  return false;
}

uint64_t VerbArgs::Key(std::string_view key, uint64_t fallback) const {
  for (const auto& [k, v] : keyed) {
    if (k == key) return v;
  }
  return fallback;
}

std::vector<VerbSpec> AllVerbs() {
  std::vector<VerbSpec> all;
  for (const Proposal* p : AllProposals()) {
    for (VerbSpec& v : p->Verbs()) {
      SCLAB_CHECK(v.proposal == p->Name(), "a verb names the proposal that lists it");
      all.push_back(std::move(v));
    }
  }
  return all;
}

std::optional<VerbSpec> FindVerb(std::string_view name) {
  for (VerbSpec& v : AllVerbs()) {
    if (v.verb == name) return std::move(v);
  }
  return std::nullopt;
}

void IoctlOnBuffer0(VerbPlan* plan, uint64_t fd, uint32_t cmd) {
  plan->nr = 16;  // ioctl
  plan->args[0].value = fd;
  plan->args[1].value = cmd;
  plan->args[2] = PlanArg{0, 0};
}

void AddField(VerbPlan* plan, std::string name, uint32_t buffer, uint64_t offset, uint8_t width,
              FieldKind kind) {
  plan->fields.push_back(PlanField{std::move(name), buffer, offset, width, kind});
}

void AddOpenHowFields(VerbPlan* plan, uint32_t buffer, uint64_t offset, const std::string& prefix) {
  AddField(plan, prefix + "flags", buffer, offset, 8);
  AddField(plan, prefix + "mode", buffer, offset + 8, 8);
  AddField(plan, prefix + "resolve", buffer, offset + 16, 8);
}

}  // namespace sclab::ksim::proposals
