// Every diagnostic the parser gives, with its exact position and message. Each
// case's text starts with a fixed three-line header (lines 1-3), so its own lines
// start at 4.
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <fmt/format.h>

#include "model/layout.h"
#include "scenarios/parser.h"

namespace sclab::scn {
namespace {

constexpr std::string_view kHeader = "scenario \"x\"\nprocess p\nprocess q\n";

// Headlines parses header + body and returns the diagnostics' headlines, one a line.
std::string Headlines(std::string_view body, const ParseOptions& options = {}) {
  const ParseResult r = ParseScenario("t.scn", std::string(kHeader) + std::string(body), options);
  BOOST_TEST(r.scenario.has_value() == r.diagnostics.empty());
  std::string out;
  for (const Diagnostic& d : r.diagnostics) {
    out += d.Headline() + "\n";
  }
  return out;
}

struct Case {
  const char* name;
  const char* body;
  const char* expected;  // headlines, each ending in \n
};
std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

const Case kCases[] = {
    // Names.
    {"unknown_name", "p: getpgid(foo)\n", "t.scn:4:12: error: unknown name `foo`\n"},
    {"name_used_before_its_binding", "expect c1 == 0\np: getpid() & -> c1\n",
     "t.scn:4:8: error: `c1` is used before it is declared (on line 5)\n"},
    {"duplicate_process", "process p\n",
     "t.scn:4:9: error: duplicate name `p` (first declared on line 2)\n"},
    {"duplicate_binding", "p: getpid() -> v\np: getpid() -> v\n",
     "t.scn:5:16: error: duplicate name `v` (first declared on line 4)\n"},
    {"binding_named_like_a_task", "p: getpid() -> q\n",
     "t.scn:4:16: error: duplicate name `q` (first declared on line 3)\n"},
    {"name_that_is_an_errno", "process EPERM\n",
     "t.scn:4:9: error: `EPERM` is already a constant (EPERM = 1); choose another name\n"},
    {"name_that_is_a_syscall", "p: mem time = zeros(4)\n",
     "t.scn:4:8: error: `time` is already a constant (time = 201); choose another name\n"},
    {"name_that_is_a_keyword", "process runner\n",
     "t.scn:4:9: error: `runner` is a keyword and cannot name anything\n"},
    {"ambiguous_log_without_context", "expect 2 == LOG\n",
     "t.scn:4:13: error: `LOG` is ambiguous here: write SECCOMP_FILTER_FLAG_LOG (0x2) or "
     "SECCOMP_RET_LOG (0x7ffc0000)\n"},
    // Actors.
    {"undeclared_actor", "x: getpid()\n", "t.scn:4:1: error: undeclared actor `x`\n"},
    {"actor_created_later", "c: getpid()\np: fork() -> c\n",
     "t.scn:4:1: error: `c` cannot act yet: it is created on line 5\n"},
    {"actor_that_is_a_buffer", "p: mem b = zeros(4)\nb: getpid()\n",
     "t.scn:5:1: error: `b` is a buffer, not a task: only tasks can act\n"},
    {"runner_cannot_act", "runner: getpid()\n",
     "t.scn:4:1: error: `runner` cannot act: only tasks can (a `process`, or a fork()/thread() "
     "binding)\n"},
    // Calls.
    {"unknown_call", "p: getppidd()\n", "t.scn:4:4: error: unknown call `getppidd`\n"},
    {"unmodelled_syscall_by_name", "p: mount(0, 0, 0, 0, 0)\n",
     "t.scn:4:4: error: `mount` is not a modelled syscall, so it cannot be called by name; "
     "`syscall(mount, …)` issues it for filter tests\n"},
    {"too_many_arguments", "p: getppid(1)\n",
     "t.scn:4:4: error: getppid() takes 0 arguments, got 1\n"},
    {"one_argument_missing", "p: close()\n", "t.scn:4:4: error: close() takes 1 argument, got 0\n"},
    {"optional_argument_range", "p: install()\n",
     "t.scn:4:4: error: install() takes 1 or 2 arguments, got 0\n"},
    {"raw_syscall_range", "p: syscall()\n",
     "t.scn:4:4: error: syscall() takes 1 to 7 arguments, got 0\n"},
    {"openat_needs_three", "p: openat(0, \"/\")\n",
     "t.scn:4:4: error: openat() takes 3 or 4 arguments, got 2\n"},
    {"reply_counts_the_notification", "p: reply(3, val=1)\n",
     "t.scn:4:4: error: reply() takes 2 arguments (L, and a notification or id=), got 1\n"},
    {"addfd_counts_id_as_the_notification", "p: addfd(3, id=1)\n",
     "t.scn:4:4: error: addfd() takes 3 arguments (L, a notification or id=, and SRCFD), got 2\n"},
    {"reply_needs_an_answer", "p: recv(3) -> n\np: reply(3, n)\n",
     "t.scn:5:4: error: reply() needs val=V, error=E or continue\n"},
    {"unknown_key", "p: recv(3) -> n\np: reply(3, n, bogus=1)\n",
     "t.scn:5:16: error: reply() has no argument `bogus` (it takes: continue, error, flags, id, "
     "val)\n"},
    {"repeated_key", "p: recv(3) -> n\np: reply(3, n, val=1, val=2)\n",
     "t.scn:5:23: error: `val` is given twice\n"},
    {"handle_needs_a_mode", "p: handle(SIGUSR1, 3)\n",
     "t.scn:4:20: error: handle() takes a signal, then restart, norestart, ignore or default\n"},
    // Types.
    {"filter_as_a_number", "filter f {\n}\np: close(f)\n",
     "t.scn:6:10: error: `f` is a filter, not a number; only install() takes a filter\n"},
    {"install_of_a_task", "p: install(q)\n",
     "t.scn:4:12: error: install() takes a filter; `q` is a task\n"},
    {"string_where_no_address_is", "p: close(\"x\")\n",
     "t.scn:4:10: error: a string is only allowed where an address is expected\n"},
    {"string_in_arithmetic", "p: write(1, \"x\"+1, 1)\n",
     "t.scn:4:13: error: a string is only allowed where an address is expected\n"},
    {"signal_of_a_number", "p: signal(3, SIGUSR1)\n",
     "t.scn:4:11: error: signal()'s first argument must be a task\n"},
    {"whole_notification_as_a_number", "p: recv(3) -> n\nexpect n == 1\n",
     "t.scn:5:8: error: `n` is a notification, not a number: use one of its fields (id, pid, "
     "flags, data.nr, data.arch, data.args[0] … data.args[5])\n"},
    {"task_where_a_notification_is_wanted", "p: reply(3, q, val=1)\n",
     "t.scn:4:13: error: `q` is a task, not a notification; give a recv binding or id=EXPR\n"},
    {"pass_to_a_value", "p: getpid() -> v\np: pass(0, v)\n",
     "t.scn:5:12: error: pass()'s second argument must be a task; `v` is a value\n"},
    {"whole_sizes_as_a_number", "p: notif_sizes() -> s\nexpect s == 80\n",
     "t.scn:5:8: error: `s` holds three sizes, not a number: use seccomp_notif, "
     "seccomp_notif_resp, seccomp_data\n"},
    // Fields.
    {"unknown_notification_field", "p: recv(3) -> n\nexpect n.foo == 1\n",
     "t.scn:5:8: error: unknown field `foo` of notification `n` (it has id, pid, flags, "
     "data.nr, data.arch, data.args[0] … data.args[5])\n"},
    {"notification_arg_out_of_range", "p: recv(3) -> n\nexpect n.data.args[6] == 0\n",
     "t.scn:5:8: error: unknown field `data.args[6]` of notification `n` (it has id, pid, "
     "flags, data.nr, data.arch, data.args[0] … data.args[5])\n"},
    {"field_of_a_task", "expect p.pid == 1\n",
     "t.scn:4:8: error: unknown field `pid` of `p` (a task has no fields)\n"},
    {"unknown_sizes_field", "p: notif_sizes() -> s\nexpect s.x == 1\n",
     "t.scn:5:8: error: unknown field `x` of `s` (it has seccomp_notif, seccomp_notif_resp, "
     "seccomp_data)\n"},
    {"sigsys_of_a_buffer", "p: mem b = zeros(1)\nexpect b.sigsys == { errno=1 }\n",
     "t.scn:5:8: error: `b` is a buffer; only a task has `.sigsys`\n"},
    {"unknown_sigsys_field", "expect p.sigsys == { bogus=1 }\n",
     "t.scn:4:22: error: unknown siginfo field `bogus` (signo, code, errno, syscall, arch)\n"},
    // Version-1 refusals visible in the text.
    {"handle_of_a_fault_signal", "p: handle(SIGSEGV, restart)\n",
     "t.scn:4:11: error: handle() refuses SIGSEGV: the fault signals SIGILL, SIGSEGV, SIGBUS, "
     "SIGFPE and SIGTRAP belong to the backend\n"},
    {"signal_of_a_job_control_signal", "p: signal(q, SIGSTOP)\n",
     "t.scn:4:14: error: signal() of SIGSTOP: job-control signals (SIGSTOP, SIGTSTP, SIGTTIN, "
     "SIGTTOU, SIGCONT) are not supported in version 1\n"},
    {"kill_of_a_job_control_signal", "p: kill(q, SIGCONT)\n",
     "t.scn:4:12: error: kill() of SIGCONT: job-control signals (SIGSTOP, SIGTSTP, SIGTTIN, "
     "SIGTTOU, SIGCONT) are not supported in version 1\n"},
    {"naming_the_channel_fd", "p: close(1023)\n",
     "t.scn:4:10: error: fd 1023 is the runner's channel and cannot be named\n"},
    {"channel_fd_as_listener", "p: recv(1023)\n",
     "t.scn:4:9: error: fd 1023 is the runner's channel and cannot be named\n"},
    // Reserved.
    {"concurrently_is_reserved", "concurrently {\n",
     "t.scn:4:1: error: `concurrently` is reserved for a later version of the language\n"},
    {"ptrace_call_is_reserved", "p: ptrace(0, 0, 0, 0)\n",
     "t.scn:4:4: error: `ptrace` is reserved for a later version of the language\n"},
    {"filter_for_another_arch", "filter f arch i386 {\n  getpid -> allow\n}\n",
     "t.scn:4:10: error: other architectures are reserved for a later version of the "
     "language\n"},
    {"requires_arch", "requires arch aarch64\n",
     "t.scn:4:10: error: other architectures are reserved for a later version of the "
     "language\n"},
    // Header.
    {"seed_twice", "seed 1\nseed 2\n", "t.scn:5:1: error: `seed` may appear only once\n"},
    {"about_twice", "about \"a\"\nabout \"b\"\n",
     "t.scn:5:1: error: `about` may appear only once\n"},
    {"scenario_twice", "scenario \"y\"\n",
     "t.scn:4:1: error: `scenario` must be the first statement, and appear once\n"},
    {"requires_kernel_shape", "requires kernel 6.1\n",
     "t.scn:4:17: error: expected `>=`, found `6`\n"},
    {"unknown_proposal", "requires proposal nope\n",
     "t.scn:4:19: error: unknown proposal `nope` (known: deep_args, ea_notif, notif_ptrs, "
     "perf_config, read_notif, sizes_vector, today)\n"},
    // Memory.
    {"empty_buffer", "p: mem b = zeros(0)\n",
     "t.scn:4:12: error: a buffer holds 1 … 16384 bytes; this one would hold 0\n"},
    {"buffer_too_large", "p: mem b = zeros(16385)\n",
     "t.scn:4:12: error: a buffer holds 1 … 16384 bytes; this one would hold 16385\n"},
    {"bad_byte", "p: mem b = bytes(de zz 1)\n",
     "t.scn:4:21: error: `zz` is not a byte: write two hex digits (de ad be ef)\n"
     "t.scn:4:24: error: `1` is not a byte: write two hex digits (de ad be ef)\n"},
    {"unknown_struct_field", "p: mem b = open_how { flagz=1 }\n",
     "t.scn:4:23: error: struct open_how has no field `flagz` (it has flags, mode, resolve)\n"},
    {"zeros_of_a_name", "p: mem b = zeros(q)\n",
     "t.scn:4:18: error: `q` is a task; only constants are allowed here\n"},
    {"store_into_another_process", "p: mem b = zeros(8)\nq: store b[0] u8 = 1\n",
     "t.scn:5:10: error: buffer `b` is not in q's memory\n"},
    {"store_out_of_range", "p: mem b = zeros(8)\np: store b[6] u32 = 1\n",
     "t.scn:5:12: error: 4 bytes at offset 6 do not fit in `b` (8 bytes)\n"},
    {"load_of_a_task", "p: load q[0] u8 -> v\n", "t.scn:4:9: error: `q` is a task, not a buffer\n"},
    {"bad_width", "p: mem b = zeros(8)\np: load b[0] u128 -> v\n",
     "t.scn:5:14: error: expected u8, u16, u32 or u64\n"},
    // Await, expect, results.
    {"await_of_a_plain_binding", "p: getpid() -> v\nawait v\n",
     "t.scn:5:7: error: `v` is a value bound without `&`: only a `&` call or a task can be "
     "awaited\n"},
    {"await_task_with_a_value", "await p = 0\n",
     "t.scn:4:11: error: await of a task takes exited(N), killed(SIG), gone or blocked\n"},
    {"expect_with_a_single_equals", "expect 1 = 1\n",
     "t.scn:4:10: error: expect compares with `==`, not `=`\n"},
    {"killed_of_a_non_signal", "p: getpid() = killed(99)\n",
     "t.scn:4:22: error: killed() takes a signal (SIGSYS, SIGKILL, …)\n"},
    {"exited_out_of_range", "p: getpid() = exited(256)\n",
     "t.scn:4:22: error: exited() takes an exit status 0 … 255\n"},
    // Syntax.
    {"unknown_statement", "bogus line\n",
     "t.scn:4:1: error: unknown statement `bogus` (a step is `ACTOR: CALL`)\n"},
    {"unfinished_call", "p: getpgid(\n",
     "t.scn:4:12: error: expected a value, found the end of the line\n"},
    {"trailing_tokens", "p: getpid() 5\n",
     "t.scn:4:13: error: unexpected `5` after the statement\n"},
    {"step_without_a_call", "p: 5\n",
     "t.scn:4:4: error: expected a call `NAME(…)`, mem, store or load, found `5`\n"},
    // Filters.
    {"unknown_action", "filter f {\n  getpid -> explode\n}\n",
     "t.scn:5:13: error: unknown action `explode` (allow, kill_process, kill_thread, trap, "
     "errno(E), notify, trace(N), log)\n"},
    {"unknown_rule_syscall", "filter f {\n  getpidd -> errno(1)\n}\n",
     "t.scn:5:3: error: unknown syscall `getpidd`\n"},
    {"rule_on_a_non_syscall", "filter f {\n  EPERM -> errno(1)\n}\n",
     "t.scn:5:3: error: `EPERM` is not a syscall name\n"},
    {"bad_condition_argument", "filter f {\n  getpgid if arg6 == 0 -> errno(1)\n}\n",
     "t.scn:5:14: error: expected arg0 … arg5, found `arg6`\n"},
    {"condition_on_a_binding",
     "p: getpid() -> v\nfilter f {\n  getpgid if arg0 == v -> errno(1)\n}\n",
     "t.scn:6:22: error: `v` is a value; only constants are allowed here\n"},
    {"errno_data_too_large", "filter f {\n  getpid -> errno(65536)\n}\n",
     "t.scn:5:19: error: errno() takes 0 … 65535\n"},
    {"asm_error_at_its_real_line", "filter f bpf {\n    ld [0]\n    bogus #1\n    ret #ALLOW\n}\n",
     "t.scn:6:5: error: unknown instruction 'bogus'\n"},
    {"unclosed_rule_block", "filter f {\n  getpid -> errno(1)\n",
     "t.scn:6:1: error: the filter block has no closing `}` line\n"},
    {"duplicate_filter", "filter f {\n}\nfilter f {\n}\n",
     "t.scn:6:8: error: duplicate name `f` (first declared on line 4)\n"},
};

BOOST_AUTO_TEST_SUITE(scn_parser_diagnostics)

BOOST_DATA_TEST_CASE(each_error_is_reported_at_its_token, boost::unit_test::data::make(kCases), c) {
  BOOST_TEST(Headlines(c.body) == c.expected);
}

BOOST_AUTO_TEST_CASE(an_unknown_struct_lists_the_layouts_model_knows) {
  const std::vector<std::string> names = model::UapiLayouts().Names();
  BOOST_TEST(Headlines("p: mem b = nosuch { a=1 }\n") ==
             fmt::format("t.scn:4:12: error: unknown struct `nosuch` (known: {})\n",
                         fmt::join(names, ", ")));
}

BOOST_AUTO_TEST_CASE(a_rule_libseccomp_refuses_is_reported_at_the_rule) {
  // The message is libseccomp's reason as bpf::Compile words it.
  const std::string out = Headlines(
      "filter f default allow {\n  getpid -> errno(1)\n"
      "  getppid -> allow\n}\n");
  BOOST_TEST(out.rfind("t.scn:6:3: error: libseccomp refused rule", 0) == 0u, out);
  BOOST_TEST(out.find("EACCES") != std::string::npos, out);
  BOOST_TEST(std::count(out.begin(), out.end(), '\n') == 1);
}

BOOST_AUTO_TEST_CASE(scenario_must_be_the_first_statement) {
  const ParseResult r = ParseScenario("t.scn", "process p\nscenario \"x\"\n");
  BOOST_TEST_REQUIRE(r.diagnostics.size() == 2u);
  BOOST_TEST(r.diagnostics[0].Headline() ==
             "t.scn:1:1: error: the first statement must be `scenario \"TITLE\"`");
  BOOST_TEST(r.diagnostics[1].Headline() ==
             "t.scn:2:1: error: `scenario` must be the first statement, and appear once");
  const ParseResult empty = ParseScenario("t.scn", "# nothing\n");
  BOOST_TEST_REQUIRE(empty.diagnostics.size() == 1u);
  BOOST_TEST(empty.diagnostics[0].Headline() ==
             "t.scn:1:1: error: missing `scenario \"TITLE\"`: it must be the first statement");
}

BOOST_AUTO_TEST_CASE(a_proposal_verb_needs_requires_proposal) {
  ProposalVerbRegistry registry;
  BOOST_TEST_REQUIRE(registry.Add(
      ProposalVerb{"test_prop", "peek", {ParamKind::kValue}, 1, {}, BindKind::kValue, {}}));
  const ParseOptions options{&registry};
  BOOST_TEST(Headlines("p: peek(1)\n", options) ==
             "t.scn:4:4: error: `peek` belongs to proposal `test_prop`: add `requires proposal "
             "test_prop`\n");
  BOOST_TEST(Headlines("p: peek(1)\nrequires proposal test_prop\n", options).empty());
  BOOST_TEST(Headlines("requires proposal other\n", options) ==
             "t.scn:4:19: error: unknown proposal `other` (known: test_prop)\n");
  // Without the registration the verb is just unknown.
  BOOST_TEST(Headlines("p: peek(1)\n") == "t.scn:4:4: error: unknown call `peek`\n");
}

BOOST_AUTO_TEST_CASE(all_errors_of_a_file_are_reported_in_file_order) {
  const std::string text =
      "scenario \"x\"\n"
      "process p\n"
      "p: getppidd()\n"
      "q: getpid()\n"
      "p: close(\"x\") % 3\n"
      "filter f {\n"
      "  nosuch -> allow\n"
      "}\n";
  const ParseResult r = ParseScenario("t.scn", text);
  BOOST_TEST(!r.scenario.has_value());
  std::string out;
  for (const Diagnostic& d : r.diagnostics) {
    out += d.Headline() + "\n";
  }
  BOOST_TEST(out ==
             "t.scn:3:4: error: unknown call `getppidd`\n"
             "t.scn:4:1: error: undeclared actor `q`\n"
             "t.scn:5:10: error: a string is only allowed where an address is expected\n"
             "t.scn:5:15: error: unexpected character `%`\n"
             "t.scn:5:17: error: unexpected `3` after the statement\n"
             "t.scn:7:3: error: unknown syscall `nosuch`\n");
}

BOOST_AUTO_TEST_CASE(a_failed_step_does_not_cascade_into_its_binding) {
  BOOST_TEST(Headlines("p: getpidd() -> v\nexpect v == 1\np: recv(3, 4) -> n\n"
                       "expect n.id == 1\np: zork()\nzork@8: getpid()\n") ==
             "t.scn:4:4: error: unknown call `getpidd`\n"
             "t.scn:6:4: error: recv() takes 1 argument, got 2\n"
             "t.scn:8:4: error: unknown call `zork`\n"
             "t.scn:9:1: error: unknown statement `zork` (a step is `ACTOR: CALL`)\n"
             "t.scn:9:5: error: unexpected character `@`\n");
}

BOOST_AUTO_TEST_CASE(a_failed_filter_header_skips_its_block) {
  BOOST_TEST(Headlines("filter f default explode {\n  getpid -> allow\n  getpgid -> log\n}\n"
                       "p: install(f)\n") ==
             "t.scn:4:18: error: unknown action `explode` (allow, kill_process, kill_thread, "
             "trap, errno(E), notify, trace(N), log)\n"
             "t.scn:8:12: error: unknown name `f`\n");
}

BOOST_AUTO_TEST_CASE(the_full_report_has_source_and_caret) {
  const ParseResult r = ParseScenario("t.scn", std::string(kHeader) + "p:   getppidd()\n");
  BOOST_TEST(FormatDiagnostics(r.diagnostics) ==
             "t.scn:4:6: error: unknown call `getppidd`\n"
             "p:   getppidd()\n"
             "     ^\n");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sclab::scn
