// Every plug-in's verbs: unique names, each naming its own proposal; the plans build
// for both userspace ABIs with default arguments, refer only to buffers they declare,
// read only fields the verb declares, and issue exactly one syscall.
#include "kernel_sim/proposals/verb.h"

#include <boost/test/unit_test.hpp>
#include <set>
#include <string>

#include "kernel_sim/proposals/registry.h"
#include "tests/proposals/test_helpers.h"

namespace sclab::ksim::proposals {
namespace {

// DefaultArgs gives every parameter a plausible value: fd 3, an address, a pid, an id.
VerbArgs DefaultArgs(const VerbSpec& v, Abi user) {
  VerbArgs a;
  a.user = user;
  for (size_t i = 0; i < v.required; ++i) {
    a.positional.push_back(i == 0 ? 3 : 0x10000000 + i);
  }
  return a;
}

void CheckPlan(const VerbSpec& v, const VerbPlan& p) {
  const std::string who = std::string(v.verb);
  BOOST_TEST(p.nr >= 0, who);
  BOOST_TEST_REQUIRE(!p.buffers.empty(), who);
  std::set<std::string> suffixes;
  for (const PlanBuffer& b : p.buffers) {
    BOOST_TEST(!b.bytes.empty(), who);
    BOOST_TEST(b.bytes.size() <= 16384u, who);  // a runner buffer slot
    BOOST_TEST(suffixes.insert(b.suffix).second, who << ": two buffers named " << b.suffix);
  }
  for (const PlanArg& a : p.args) {
    if (a.buffer) BOOST_TEST(*a.buffer < p.buffers.size(), who);
  }
  for (const PlanPointer& ptr : p.pointers) {
    BOOST_TEST(ptr.into < p.buffers.size(), who);
    BOOST_TEST(ptr.target < p.buffers.size(), who);
    BOOST_TEST(ptr.offset + 8 <= p.buffers[ptr.into].bytes.size(), who);
  }
  const std::set<std::string_view> declared(v.fields.begin(), v.fields.end());
  for (const PlanField& f : p.fields) {
    BOOST_TEST(declared.count(f.name) == 1u, who << " reads undeclared field " << f.name);
    BOOST_TEST(f.buffer < p.buffers.size(), who);
    BOOST_TEST(f.offset + f.width <= p.buffers[f.buffer].bytes.size(), who << "." << f.name);
  }
  if (p.notification) {
    BOOST_TEST((v.binds == VerbBinds::kNotification), who);
    BOOST_TEST(p.notification->id.offset + 8 <= p.buffers[p.notification->id.buffer].bytes.size());
  }
}

BOOST_AUTO_TEST_SUITE(proposals_verbs)

BOOST_AUTO_TEST_CASE(every_verb_plans_one_syscall_over_its_own_buffers) {
  std::set<std::string_view> names;
  for (const VerbSpec& v : AllVerbs()) {
    BOOST_TEST(names.insert(v.verb).second, "two verbs named " << v.verb);
    BOOST_TEST(FindProposal(v.proposal) != nullptr);
    BOOST_TEST(!v.usage.empty());
    BOOST_TEST(!v.doc.empty());
    BOOST_TEST(v.required <= v.params.size());
    for (Abi user : kAbis) CheckPlan(v, v.plan(DefaultArgs(v, user)));
  }
  for (const Proposal* p : AllProposals()) {
    BOOST_TEST(!p->Verbs().empty(), p->Name() << " has no verb");
  }
}

BOOST_AUTO_TEST_CASE(ea_recv_sizes_its_struct_for_the_userspace_abi) {
  const VerbSpec v = *FindVerb("ea_recv");
  const VerbPlan old_plan = v.plan(DefaultArgs(v, Abi::kOld));
  BOOST_TEST(old_plan.buffers[0].bytes.size() == 96u);
  BOOST_TEST(old_plan.buffers[0].bytes[0] == 96);
  const VerbPlan new_plan = v.plan(DefaultArgs(v, Abi::kNew));
  BOOST_TEST(new_plan.buffers[0].bytes.size() == 104u);
  BOOST_TEST(new_plan.args[1].value == 0xC0602110u);
}

BOOST_AUTO_TEST_CASE(read_open_how_points_its_iovec_at_its_buffer) {
  const VerbSpec v = *FindVerb("read_open_how");
  VerbArgs a;
  a.positional = {1001, 0x10004000};
  const VerbPlan p = v.plan(a);
  BOOST_TEST(p.nr == 310);
  BOOST_TEST(p.args[0].value == 1001u);
  BOOST_TEST_REQUIRE(p.pointers.size() == 1u);
  BOOST_TEST(p.pointers[0].into == 1u);    // the local iovec's iov_base
  BOOST_TEST(p.pointers[0].target == 0u);  // = the 24-byte buffer
  BOOST_TEST(*p.args[1].buffer == 1u);
  BOOST_TEST(*p.args[3].buffer == 2u);
}

BOOST_AUTO_TEST_CASE(recv_flat_decodes_with_the_record_its_keys_describe) {
  const VerbSpec v = *FindVerb("recv_flat");
  const VerbPlan p = v.plan(DefaultArgs(v, Abi::kOld));
  BOOST_TEST(p.buffers[0].bytes.size() == 104u);
  BOOST_TEST(p.args[1].value == (0xC0002121u | (104u << 16)));
  BOOST_TEST(p.notification->pid->offset == 96u);
  BOOST_TEST(p.notification->data->offset == 8u);
  VerbArgs id_only = DefaultArgs(v, Abi::kOld);
  id_only.keyed = {{"fields", 0}, {"data", 0}, {"ea", 0}};
  const VerbPlan small = v.plan(id_only);
  BOOST_TEST(small.buffers[0].bytes.size() == 8u);
  BOOST_TEST(!small.notification->pid.has_value());
  BOOST_TEST(!small.notification->data.has_value());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::ksim::proposals
