// The parser: every construct of version 1 becomes the AST the runner expects.
// (Its diagnostics are in parser_diagnostics_test.cc.)
#include "scenarios/parser.h"

#include <boost/test/unit_test.hpp>

#include "test_files.h"

namespace sclab::scn {
namespace {

using testing::ReadTestFile;

Scenario MustParse(std::string_view text, const ParseOptions& options = {}) {
  ParseResult r = ParseScenario("t.scn", text, options);
  BOOST_TEST_REQUIRE(r.diagnostics.empty(), FormatDiagnostics(r.diagnostics));
  BOOST_TEST_REQUIRE(r.scenario.has_value());
  return std::move(*r.scenario);
}

const Step& StepAt(const Scenario& s, uint32_t line) {
  for (const Step& step : s.steps) {
    if (step.loc.line == line) {
      return step;
    }
  }
  BOOST_FAIL("no step on line " << line);
  return s.steps.front();
}

const Arg* ArgKey(const Call& c, std::string_view key) {
  for (const Arg& a : c.args) {
    if (a.key == key) {
      return &a;
    }
  }
  return nullptr;
}

BOOST_AUTO_TEST_SUITE(scn_parser)

BOOST_AUTO_TEST_CASE(the_language_pages_example_parses_into_the_expected_ast) {
  const Scenario s = MustParse(ReadTestFile("notify_getppid.scn"));
  BOOST_TEST(s.title == "a notified getppid() is answered by the supervisor");
  BOOST_TEST(s.about ==
             "The target installs a filter that sends getppid() to a listener, passes the\n"
             "listener to the supervisor, and the supervisor answers with a fake value.");
  BOOST_TEST(s.seed == 1u);
  BOOST_TEST(!s.seed_given);
  BOOST_TEST_REQUIRE(s.processes.size() == 2u);
  BOOST_TEST(s.processes[0].name == "sup");
  BOOST_TEST(s.processes[1].name == "target");
  BOOST_TEST(!s.processes[1].privileged);
  BOOST_TEST_REQUIRE(s.filters.size() == 1u);
  BOOST_TEST(s.filters[0].name == "notify_getppid");
  BOOST_TEST(!s.filters[0].raw);
  BOOST_TEST(s.filters[0].program.size() > 4u);
  BOOST_TEST(s.steps.size() == 14u);

  const Step& install = StepAt(s, 16);
  BOOST_TEST((install.kind == Step::Kind::kCall));
  BOOST_TEST(install.actor == "target");
  BOOST_TEST((install.call.verb == Verb::kInstall));
  BOOST_TEST(install.call.text == "install(notify_getppid, NEW_LISTENER)");
  BOOST_TEST(install.text == "install(notify_getppid, NEW_LISTENER) -> L");
  BOOST_TEST(install.bind == "L");
  BOOST_TEST_REQUIRE(install.call.args.size() == 2u);
  BOOST_TEST((install.call.args[0].value.kind == Expr::Kind::kRef));
  BOOST_TEST(install.call.args[0].value.text == "notify_getppid");
  BOOST_TEST((install.call.args[1].value.kind == Expr::Kind::kNumber));
  BOOST_TEST(install.call.args[1].value.number == 8u);
  BOOST_TEST(install.call.args[1].value.text == "NEW_LISTENER");

  const Step& async = StepAt(s, 18);
  BOOST_TEST(async.async);
  BOOST_TEST(async.bind == "c1");
  BOOST_TEST((async.call.verb == Verb::kSyscall));
  BOOST_TEST(async.call.nr == 110);
  BOOST_TEST(async.text == "getppid() & -> c1");
  BOOST_TEST(!async.result.has_value());

  const Step& poll = StepAt(s, 19);
  BOOST_TEST_REQUIRE(poll.result.has_value());
  BOOST_TEST((poll.result->kind == ResultSpec::Kind::kValue));
  BOOST_TEST(poll.result->value.number == 1u);

  const Step& recv = StepAt(s, 20);
  BOOST_TEST((recv.call.verb == Verb::kRecv));
  BOOST_TEST(recv.bind == "n1");

  const Step& expect = StepAt(s, 21);
  BOOST_TEST((expect.kind == Step::Kind::kExpect));
  BOOST_TEST(expect.text == "expect n1.pid == target");
  BOOST_TEST(expect.lhs.text == "n1");
  BOOST_TEST(expect.lhs.fields == std::vector<std::string>{"pid"});
  BOOST_TEST(expect.op == "==");
  BOOST_TEST((expect.rhs.kind == Expr::Kind::kRef));
  BOOST_TEST(StepAt(s, 22).rhs.number == 110u);
  BOOST_TEST(StepAt(s, 23).rhs.number == 0xc000003eu);

  const Step& reply = StepAt(s, 25);
  BOOST_TEST((reply.call.verb == Verb::kReply));
  BOOST_TEST_REQUIRE(reply.call.args.size() == 3u);
  BOOST_TEST(reply.call.args[0].key.empty());
  BOOST_TEST(reply.call.args[1].key == "n");
  BOOST_TEST(reply.call.args[1].value.text == "n1");
  BOOST_TEST(reply.call.args[2].key == "val");
  BOOST_TEST(reply.call.args[2].value.number == 4242u);

  const Step& await = StepAt(s, 26);
  BOOST_TEST((await.kind == Step::Kind::kAwait));
  BOOST_TEST(await.target == "c1");
  BOOST_TEST(await.text == "await c1 = 4242");
  BOOST_TEST(await.result->value.number == 4242u);

  const Step& eperm = StepAt(s, 27);
  BOOST_TEST((eperm.result->kind == ResultSpec::Kind::kError));
  BOOST_TEST(eperm.result->number == 1);
  BOOST_TEST(StepAt(s, 28).result->number == 2);
}

BOOST_AUTO_TEST_CASE(every_construct_parses) {
  const Scenario s = MustParse(ReadTestFile("every_construct.scn"));
  BOOST_TEST(s.about == "one line of teaching text");
  BOOST_TEST_REQUIRE(s.requires_kernel.has_value());
  BOOST_TEST(s.requires_kernel->first == 6);
  BOOST_TEST(s.requires_kernel->second == 18);
  BOOST_TEST(s.seed == 42u);
  BOOST_TEST(s.seed_given);
  BOOST_TEST(s.processes[0].privileged);
  BOOST_TEST_REQUIRE(s.filters.size() == 2u);
  BOOST_TEST(s.filters[1].raw);
  BOOST_TEST(s.filters[1].program.size() == 4u);
  BOOST_TEST(s.filters[1].program[0].code == 0x20);  // ld [0]
  BOOST_TEST(s.filters[1].program[1].k == 39u);
  BOOST_TEST(s.filters[1].program[2].k == 0x7fff0000u);
  BOOST_TEST(s.filters[1].program[3].k == 0x7fc00000u);
}

BOOST_AUTO_TEST_CASE(memory_steps_carry_their_contents) {
  const Scenario s = MustParse(ReadTestFile("every_construct.scn"));
  const Step& path = StepAt(s, 31);
  BOOST_TEST((path.kind == Step::Kind::kMem));
  BOOST_TEST(path.buffer == "path");
  BOOST_TEST((path.init.kind == MemInit::Kind::kString));
  BOOST_TEST(path.init.text == "$scratch/file");
  BOOST_TEST(StepAt(s, 32).init.size == 16u);
  BOOST_TEST((StepAt(s, 33).init.bytes == std::vector<uint8_t>{0xde, 0xad, 0xbe, 0xef}));
  const Step& how = StepAt(s, 34);
  BOOST_TEST((how.init.kind == MemInit::Kind::kStruct));
  BOOST_TEST(how.init.struct_name == "open_how");
  BOOST_TEST(how.init.size == 24u);
  BOOST_TEST_REQUIRE(how.init.fields.size() == 3u);
  BOOST_TEST(how.init.fields[1].name == "mode");
  BOOST_TEST(how.init.fields[1].offset == 8u);
  BOOST_TEST(how.init.fields[1].width == 8u);
  const Step& store = StepAt(s, 35);
  BOOST_TEST((store.kind == Step::Kind::kStore));
  BOOST_TEST(store.offset.number == 8u);
  BOOST_TEST(store.width == 4u);
  BOOST_TEST(store.value.number == 0xfeedu);
  const Step& load = StepAt(s, 36);
  BOOST_TEST((load.kind == Step::Kind::kLoad));
  BOOST_TEST(load.width == 8u);
  BOOST_TEST(load.bind == "v");
}

BOOST_AUTO_TEST_CASE(calls_take_their_documented_shapes) {
  const Scenario s = MustParse(ReadTestFile("every_construct.scn"));
  BOOST_TEST(StepAt(s, 38).call.args[0].value.number == 0x7ffc0000u);  // action_avail(LOG)
  BOOST_TEST((StepAt(s, 39).call.verb == Verb::kNotifSizes));
  BOOST_TEST(StepAt(s, 41).call.args[1].value.number == 25u);  // NEW_LISTENER|TSYNC_ESRCH|TSYNC
  BOOST_TEST(StepAt(s, 41).call.args[1].value.text == "NEW_LISTENER|TSYNC_ESRCH|TSYNC");
  BOOST_TEST(StepAt(s, 42).call.args.size() == 1u);
  BOOST_TEST(StepAt(s, 47).result->value.number == 5u);  // POLLIN|POLLOUT
  BOOST_TEST(StepAt(s, 48).bind == "n1");
  BOOST_TEST(StepAt(s, 49).async);
  const Step& addfd = StepAt(s, 52);
  BOOST_TEST_REQUIRE(addfd.call.args.size() == 6u);
  BOOST_TEST(addfd.call.args[1].key == "n");
  BOOST_TEST(addfd.call.args[2].key.empty());  // SRCFD
  BOOST_TEST(ArgKey(addfd.call, "newfd")->value.number == 7u);
  BOOST_TEST(ArgKey(addfd.call, "flags")->value.number == 1u);
  BOOST_TEST(ArgKey(addfd.call, "fdflags")->value.number == 02000000u);
  const Step& by_id = StepAt(s, 53);
  BOOST_TEST(by_id.call.args[1].key == "id");
  BOOST_TEST(by_id.call.args[2].value.number == 1u);
  const Step& id_valid = StepAt(s, 54);
  BOOST_TEST((id_valid.call.args[1].value.kind == Expr::Kind::kBinary));
  BOOST_TEST(id_valid.call.args[1].value.op == '+');
  BOOST_TEST(ArgKey(StepAt(s, 55).call, "continue")->value.number == 1u);
  BOOST_TEST(ArgKey(StepAt(s, 56).call, "error")->value.number == static_cast<uint64_t>(-1));
  BOOST_TEST((StepAt(s, 58).result->kind == ResultSpec::Kind::kBlocked));
  BOOST_TEST(ArgKey(StepAt(s, 59).call, "mode")->value.text == "restart");
  BOOST_TEST(ArgKey(StepAt(s, 62).call, "mode")->value.text == "default");
  BOOST_TEST((StepAt(s, 63).call.verb == Verb::kSignal));
  BOOST_TEST(StepAt(s, 64).bind == "child");
  BOOST_TEST((StepAt(s, 65).result->value.kind == Expr::Kind::kRef));
  BOOST_TEST(StepAt(s, 68).bind == "fork@68");
  const Step& openat = StepAt(s, 69);
  BOOST_TEST(openat.call.args[0].value.number == static_cast<uint64_t>(-100));
  BOOST_TEST((openat.call.args[1].value.kind == Expr::Kind::kString));
  BOOST_TEST(openat.call.args[3].value.number == 0644u);
  BOOST_TEST(StepAt(s, 70).call.args.size() == 3u);  // MODE omitted
  BOOST_TEST((StepAt(s, 75).call.verb == Verb::kRawSyscall));
  const Step& mount = StepAt(s, 76);
  BOOST_TEST(mount.call.args[0].value.number == 165u);
  BOOST_TEST((mount.call.args[2].value.kind == Expr::Kind::kBadAddr));
  BOOST_TEST(mount.call.args[6].value.number == static_cast<uint64_t>(-1));
  BOOST_TEST((StepAt(s, 79).result->kind == ResultSpec::Kind::kKilled));
  BOOST_TEST(StepAt(s, 79).result->number == 9);
  BOOST_TEST((StepAt(s, 80).result->kind == ResultSpec::Kind::kGone));
  const Step& await = StepAt(s, 82);
  BOOST_TEST((await.result->kind == ResultSpec::Kind::kExited));
  BOOST_TEST(await.result->number == 0);
  const Step& sigsys = StepAt(s, 83);
  BOOST_TEST((sigsys.kind == Step::Kind::kExpectSigsys));
  BOOST_TEST(sigsys.target == "target");
  BOOST_TEST_REQUIRE(sigsys.sigsys.size() == 3u);
  BOOST_TEST(sigsys.sigsys[0].first == "syscall");
  BOOST_TEST(sigsys.sigsys[0].second.number == 110u);
  BOOST_TEST(sigsys.sigsys[2].second.number == 5u);
}

BOOST_AUTO_TEST_CASE(an_unbound_recv_fork_or_thread_is_named_after_its_line) {
  const Scenario s = MustParse("scenario \"x\"\nprocess p\np: fork()\np: thread()\np: recv(3)\n");
  BOOST_TEST(s.steps[0].bind == "fork@3");
  BOOST_TEST(s.steps[1].bind == "thread@4");
  BOOST_TEST(s.steps[2].bind == "recv@5");
}

BOOST_AUTO_TEST_CASE(negative_results_are_errors_only_in_the_errno_range) {
  const Scenario s = MustParse(
      "scenario \"x\"\nprocess p\np: getpid() = -2\np: getpid() = -4096\n"
      "p: getpid() = -EPERM\np: getpid() = 0xfffffffffffff001\n");
  BOOST_TEST((s.steps[0].result->kind == ResultSpec::Kind::kError));
  BOOST_TEST(s.steps[0].result->number == 2);
  BOOST_TEST((s.steps[1].result->kind == ResultSpec::Kind::kValue));
  BOOST_TEST(s.steps[1].result->value.number == static_cast<uint64_t>(-4096));
  BOOST_TEST((s.steps[2].result->kind == ResultSpec::Kind::kError));
  BOOST_TEST((s.steps[3].result->kind == ResultSpec::Kind::kValue));
}

BOOST_AUTO_TEST_CASE(statement_text_collapses_blanks_but_not_strings) {
  const Scenario s =
      MustParse("scenario \"x\"\nprocess p\np:   write( 1,\t\"a  b\" ,  4 )   # c\n");
  BOOST_TEST(s.steps[0].text == "write( 1, \"a  b\" , 4 )");
  BOOST_TEST(s.steps[0].call.text == "write( 1, \"a  b\" , 4 )");
  BOOST_TEST(s.steps[0].call.args[1].value.text == "a  b");
}

BOOST_AUTO_TEST_CASE(constant_arithmetic_is_folded_and_references_are_kept) {
  const Scenario s = MustParse(
      "scenario \"x\"\nprocess p\np: mem b = zeros(8)\np: read(0, b+4, 2+2)\n"
      "p: write(1, b, (1|2)+1)\n");
  const Call& read = s.steps[1].call;
  BOOST_TEST((read.args[1].value.kind == Expr::Kind::kBinary));
  BOOST_TEST(read.args[1].value.kids[0].text == "b");
  BOOST_TEST((read.args[2].value.kind == Expr::Kind::kNumber));
  BOOST_TEST(read.args[2].value.number == 4u);
  BOOST_TEST(s.steps[2].call.args[2].value.number == 4u);
}

BOOST_AUTO_TEST_CASE(a_registered_proposal_verb_parses_with_its_requires) {
  ProposalVerbRegistry registry;
  BOOST_TEST_REQUIRE(registry.Add(ProposalVerb{"test_prop",
                                               "recv2",
                                               {ParamKind::kValue, ParamKind::kAddress},
                                               1,
                                               {"flags"},
                                               BindKind::kNotification,
                                               {}}));
  const Scenario s = MustParse(
      "scenario \"x\"\nrequires proposal test_prop\nprocess p\n"
      "p: recv2(3, \"x\", flags=1) -> n\nexpect n.id == 1\n",
      ParseOptions{&registry});
  BOOST_TEST(s.requires_proposals == std::vector<std::string>{"test_prop"});
  BOOST_TEST((s.steps[0].call.verb == Verb::kProposal));
  BOOST_TEST(s.steps[0].call.name == "recv2");
  BOOST_TEST(s.steps[0].call.args.size() == 3u);
}

BOOST_AUTO_TEST_CASE(the_builtin_proposal_registry_holds_every_plugins_verbs) {
  BOOST_TEST(BuiltinProposalVerbs().Proposals() ==
                 (std::vector<std::string>{"deep_args", "ea_notif", "notif_ptrs", "perf_config",
                                           "read_notif", "sizes_vector", "today"}),
             boost::test_tools::per_element());
  ProposalVerbRegistry r;
  BOOST_TEST(r.Add(ProposalVerb{"a", "v", {}, 0, {}, BindKind::kValue, {}}));
  BOOST_TEST(!r.Add(ProposalVerb{"b", "v", {}, 0, {}, BindKind::kValue, {}}));
  BOOST_TEST(!r.Add(ProposalVerb{"b", "w", {ParamKind::kValue}, 2, {}, BindKind::kValue, {}}));
  BOOST_TEST(r.KnowsProposal("a"));
  BOOST_TEST(!r.KnowsProposal("b"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::scn
