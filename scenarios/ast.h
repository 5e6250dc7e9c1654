// Scenario is the parsed form of a `.scn` file (SCENARIO_LANGUAGE.md, version 1):
// its header, tasks, filters (already compiled to BPF bytes, so both backends run
// the very same program) and steps in file order.
//
// The parser guarantees the shapes documented on Call below (arity, keys, binding
// kinds); the runner relies on them and does not re-check. Numbers are stored as
// their 64-bit pattern; symbolic constants are resolved at parse time, while names
// of tasks, bindings and buffers are resolved at run time (their values differ
// between backends: real pids, real addresses, random notification ids).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bpf/insn.h"
#include "scenarios/loc.h"

namespace sclab::scn {

// Expr is a value: a number, a string, a run-time reference, bad_addr, or an
// arithmetic combination (`n1.id+1`, `buf+8`, `O_CREAT|O_RDWR`, `-EPERM`).
struct Expr {
  enum class Kind : uint8_t {
    kNumber,  // `number` (text keeps the spelling, e.g. "EPERM" or "0x10")
    kString,  // `text` is the string's contents (escapes resolved); `$scratch` not yet expanded
    kRef,     // `text` names a task, binding or buffer; `fields` the path after it
              // ({"data","args","2"} for n1.data.args[2]; {"id"} for n1.id)
    kBadAddr, // the never-mapped address
    kBinary,  // kids[0] op kids[1], op one of '+', '-', '|'
    kNegate,  // -kids[0]
  };
  Kind kind = Kind::kNumber;
  Loc loc;
  uint64_t number = 0;
  std::string text;
  std::vector<std::string> fields;
  char op = 0;
  std::vector<Expr> kids;
};

// Verb says which call a step makes. Argument shapes (positional args in `args`
// in order, keyed ones with `key` set) are guaranteed by the parser:
enum class Verb : uint8_t {
  kNnp,          // nnp()
  kInstall,      // install(F [, FLAGS]) — args[0] kRef to a filter; optional flags
  kStrict,       // strict()
  kActionAvail,  // action_avail(ACTION)
  kNotifSizes,   // notif_sizes()
  kRecv,         // recv(L)
  kReply,        // reply(L, n | id=EXPR, val=V | error=E | continue [, flags=F])
  kIdValid,      // id_valid(L, n | id=EXPR)
  kAddfd,        // addfd(L, n | id=EXPR, SRCFD [, newfd=N] [, flags=F] [, fdflags=F])
                 // For these three the notification is never positional: it is the
                 // keyed arg "n" (a kRef to a recv binding) or "id" (any value), so
                 // the positional args are [L] for reply/id_valid and [L, SRCFD]
                 // for addfd; val/error/flags/newfd/fdflags are keyed, `continue`
                 // is key "continue" with value 1.
  kSetFlags,     // set_flags(L, FLAGS)
  kPoll,         // poll(L)
  kPass,         // pass(FD, TASK)
  kHandle,       // handle(SIG, MODE) — key "mode": restart|norestart|ignore|default
  kSignal,       // signal(TASK, SIG)
  kWait,         // wait(CHILD)
  kFork,         // fork()
  kThread,       // thread()
  kExit,         // exit(N)
  kExitGroup,    // exit_group(N)
  kSyscall,      // a modelled syscall by name: close(FD), getppid(), openat(...) …;
                 // omitted trailing args (openat's MODE, prctl's) are 0
  kRawSyscall,   // syscall(NR, a0, …, a5): args[0] is NR
  kProposal,     // a proposal's verb (sim only); `name` is the verb, args as its
                 // ProposalVerb signature (scenarios/proposal_verbs.h) lists them
};

// Arg is one call argument; `key` is empty for positional ones. Bare words such as
// `continue` become keyed args with value 1 (key "continue"); handle's mode becomes
// key "mode", a kString whose text is "restart"/"norestart"/"ignore"/"default".
struct Arg {
  std::string key;
  Expr value;
  Loc loc;
};

struct Call {
  Verb verb = Verb::kSyscall;
  std::string name;  // as written: "install", "getppid", "syscall", a proposal verb
  int nr = -1;       // kSyscall: the modelled syscall's x86_64 number
  std::vector<Arg> args;
  std::string text;  // the call as written, blanks collapsed: "install(notify_getppid, NEW_LISTENER)"
  Loc loc;
};

// ResultSpec is an expected outcome: `= 0`, `= target`, `= POLLIN|POLLOUT`,
// `= -ENOENT`, `= killed(SIGSYS)`, `= exited(0)`, `= gone`, `= blocked`.
struct ResultSpec {
  enum class Kind : uint8_t { kValue, kError, kKilled, kExited, kGone, kBlocked };
  Kind kind = Kind::kValue;
  Expr value;      // kValue
  int number = 0;  // kError: errno; kKilled: signal; kExited: exit code
  Loc loc;
};

// FieldInit is one `field=value` of a struct initialiser, placed by the layout.
struct FieldInit {
  std::string name;     // as written ("flags", "data.nr")
  uint64_t offset = 0;  // from the layout (model/layout.h)
  uint32_t width = 0;   // bytes written, little endian: 1, 2, 4 or 8
  Expr value;
  Loc loc;
};

// MemInit is how a `mem` step fills a new buffer.
struct MemInit {
  enum class Kind : uint8_t { kString, kZeros, kBytes, kStruct };
  Kind kind = Kind::kZeros;
  std::string text;            // kString (without the NUL the buffer gets; `$scratch`
                               // not yet expanded)
  uint64_t size = 0;           // kZeros: N; kStruct: the layout's current size
  std::vector<uint8_t> bytes;  // kBytes
  std::string struct_name;     // kStruct: a model/ layout name ("open_how")
  std::vector<FieldInit> fields;  // kStruct: the fields given; the rest stay zero
};

struct Step {
  enum class Kind : uint8_t {
    kCall,          // ACTOR: CALL [&] [-> BIND] [= RESULT]
    kMem,           // ACTOR: mem NAME = …
    kStore,         // ACTOR: store NAME[OFF] uN = VALUE
    kLoad,          // ACTOR: load NAME[OFF] uN -> V
    kAwait,         // await NAME [= RESULT]   (NAME: a `&` binding or a task)
    kExpect,        // expect EXPR OP EXPR
    kExpectSigsys,  // expect TASK.sigsys == { field=value, … }
  };
  Kind kind = Kind::kCall;
  Loc loc;           // where the statement starts (the actor, or await/expect)
  std::string text;  // the statement as written, after `ACTOR:` for task steps, without
                     // its comment, blanks collapsed: "getppid() & -> c1", "await c1"

  std::string actor;  // kCall, kMem, kStore, kLoad
  Call call;          // kCall
  bool async = false; // kCall with `&`
  std::string bind;   // `-> NAME` (kCall, kLoad), empty if none; a recv, fork() or
                      // thread() without one is bound to `recv@LINE`, `fork@LINE`,
                      // `thread@LINE`
  std::optional<ResultSpec> result;

  std::string buffer;  // kMem, kStore, kLoad
  MemInit init;        // kMem
  Expr offset;         // kStore, kLoad
  uint32_t width = 0;  // kStore, kLoad: 1, 2, 4 or 8 bytes
  Expr value;          // kStore

  std::string target;  // kAwait: binding or task; kExpectSigsys: task
  Expr lhs, rhs;       // kExpect
  std::string op;      // kExpect: "==", "!=", "<", "<=", ">", ">="
  std::vector<std::pair<std::string, Expr>> sigsys;  // kExpectSigsys
};

struct ProcessDecl {
  std::string name;
  bool privileged = false;
  Loc loc;
};

// FilterDecl is a `filter` block, compiled at parse time (libseccomp for rule
// lists, the bpf assembler for raw blocks). A raw program is not validated: an
// invalid one must fail at install exactly as the kernel fails it.
struct FilterDecl {
  std::string name;
  Loc loc;
  bool raw = false;
  std::vector<bpf::Insn> program;
};

// ProposalAbi is one `requires proposal NAME [user=old|new] [kernel=old|new]`: the
// ABI version the scenario's userspace was built for and the one the simulated kernel
// implements (kernel_sim/proposals; both default to new).
struct ProposalAbi {
  std::string name;
  bool user_old = false;
  bool kernel_old = false;
};

struct Scenario {
  std::string file;  // as given on the command line
  std::string title;
  std::string about;
  std::optional<std::pair<int, int>> requires_kernel;  // (major, minor)
  std::vector<std::string> requires_proposals;
  std::vector<ProposalAbi> proposal_abis;  // one per requires_proposals entry, in order
  uint64_t seed = 1;
  bool seed_given = false;
  std::vector<ProcessDecl> processes;
  std::vector<FilterDecl> filters;
  std::vector<Step> steps;
};

}  // namespace sclab::scn
