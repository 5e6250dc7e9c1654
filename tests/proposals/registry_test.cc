// The registry: seven plug-ins in report order, found by name; every plug-in's layouts
// are valid C with versions on field boundaries and render; every matrix has four
// cells in old/old, old/new, new/old, new/new order.
#include "kernel_sim/proposals/registry.h"

#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

#include "tests/proposals/test_helpers.h"

namespace sclab::ksim::proposals {
namespace {

BOOST_AUTO_TEST_SUITE(proposals_registry)

BOOST_AUTO_TEST_CASE(lists_the_seven_proposals_baseline_first) {
  std::vector<std::string> names;
  for (const Proposal* p : AllProposals()) names.emplace_back(p->Name());
  BOOST_TEST(names == (std::vector<std::string>{"today", "ea_notif", "perf_config", "notif_ptrs",
                                                "sizes_vector", "read_notif", "deep_args"}),
             boost::test_tools::per_element());
  BOOST_TEST(FindProposal("perf_config")->Name() == "perf_config");
  BOOST_TEST(FindProposal("nope") == nullptr);
}

BOOST_AUTO_TEST_CASE(every_layout_renders_and_every_matrix_has_four_cells) {
  for (const Proposal* p : AllProposals()) {
    for (Abi abi : kAbis) {
      for (const model::StructLayout& l : p->Layouts(abi)) {
        BOOST_TEST(l.size > 0u, p->Name() << " " << l.name);
        BOOST_TEST(!model::RenderByteMap(l).empty());
      }
    }
    const auto cells = p->CompatMatrix();
    BOOST_TEST_REQUIRE(cells.size() == 4u);
    BOOST_TEST((cells[0].user == Abi::kOld && cells[0].kernel == Abi::kOld));
    BOOST_TEST((cells[1].user == Abi::kOld && cells[1].kernel == Abi::kNew));
    BOOST_TEST((cells[2].user == Abi::kNew && cells[2].kernel == Abi::kOld));
    BOOST_TEST((cells[3].user == Abi::kNew && cells[3].kernel == Abi::kNew));
    for (const CompatCell& c : cells) BOOST_TEST(!c.detail.empty(), p->Name());
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::ksim::proposals
