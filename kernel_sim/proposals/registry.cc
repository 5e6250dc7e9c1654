#include "kernel_sim/proposals/registry.h"

#include <array>

#include "kernel_sim/proposals/deep_args/deep_args.h"
#include "kernel_sim/proposals/ea_notif/ea_notif.h"
#include "kernel_sim/proposals/notif_ptrs/notif_ptrs.h"
#include "kernel_sim/proposals/perf_config/perf_config.h"
#include "kernel_sim/proposals/read_notif/read_notif.h"
#include "kernel_sim/proposals/sizes_vector/sizes_vector.h"
#include "kernel_sim/proposals/today/today.h"

namespace sclab::ksim::proposals {

std::span<const Proposal* const> AllProposals() {
  // The list: one line per proposal, the baseline first.
  // clang-format off
  static const std::array kAll = {
      &today::Plugin(),
      &ea_notif::Plugin(),
      &perf_config::Plugin(),
      &notif_ptrs::Plugin(),
      &sizes_vector::Plugin(),
      &read_notif::Plugin(),
      &deep_args::Plugin(),
  };
  // clang-format on
  return kAll;
}

const Proposal* FindProposal(std::string_view name) {
  for (const Proposal* p : AllProposals()) {
    if (p->Name() == name) return p;
  }
  return nullptr;
}

}  // namespace sclab::ksim::proposals
