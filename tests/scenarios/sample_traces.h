// SampleTrace is a hand-built trace of the SCENARIO_LANGUAGE.md example (as the
// runner would record it), with one failed check and explanations, for the tests of
// the trace and its output formats; they do not need a backend.
#pragma once

#include "scenarios/trace.h"

namespace sclab::scn::testing {

inline Trace SampleTrace() {
  Trace t;
  t.header.scenario = "a notified getppid() is answered by the supervisor";
  t.header.file = "notify/getppid.scn";
  t.header.about =
      "The target installs a filter that sends getppid() to a listener.\n"
      "The supervisor answers with a fake value.";
  t.header.backend = "sim";
  t.header.seed = 7;
  t.header.kernel = "sim (Linux 6.18 model)";
  auto add = [&](uint32_t line, std::string actor, std::string call, std::string outcome,
                 std::vector<std::pair<std::string, std::string>> data = {},
                 std::string check = "") {
    Event e;
    e.line = line;
    e.actor = std::move(actor);
    e.call = std::move(call);
    e.outcome = std::move(outcome);
    e.data = std::move(data);
    e.check = std::move(check);
    t.events.push_back(std::move(e));
    return &t.events.back();
  };
  add(13, "target", "nnp() = 0", "ret 0", {}, "ok");
  add(14, "target", "install(notify_getppid, NEW_LISTENER) -> L", "ret 3");
  add(15, "target", "pass(L, sup) -> SL", "ret 4");
  Event* blocked = add(16, "target", "getppid() & -> c1", "blocked");
  blocked->reason = "filter notify_getppid returned USER_NOTIF";
  blocked->notes = {"notification queued on L"};
  blocked->queue_state = "L: n#1 INIT (target getppid)";
  add(17, "sup", "poll(SL) = POLLIN", "ret POLLIN", {}, "ok");
  Event* recv = add(18, "sup", "recv(SL) -> n1 = 0", "ret 0",
                    {{"id", "n1"},
                     {"pid", "target"},
                     {"flags", "0"},
                     {"data.nr", "getppid"},
                     {"data.arch", "AUDIT_ARCH_X86_64"},
                     {"data.args", "[0,0,0,0,0,0]"}},
                    "ok");
  recv->listener = "L";
  add(19, "runner", "expect n1.pid == target", "", {{"lhs", "target"}, {"rhs", "target"}}, "ok");
  add(20, "sup", "reply(SL, n1, val=4242) = 0", "ret 0", {}, "ok")->listener = "L";
  add(21, "runner", "await c1 = 4243", "ret 4242", {{"task", "target"}, {"call", "getppid()"}},
      "FAIL: expected ret 4243, got ret 4242");
  add(22, "target", "getpgid(0) = -EPERM", "err EPERM", {}, "ok");
  return t;
}

}  // namespace sclab::scn::testing
