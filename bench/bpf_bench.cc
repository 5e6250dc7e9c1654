// bpf_bench: how fast Run() evaluates a realistic filter. The filter is what
// libseccomp compiles for 50 rules (40 plain syscalls, 10 with argument checks,
// default ERRNO(EPERM)); the inputs cycle through 64 syscalls, most of them in the
// rule set. Reported per evaluation and per executed instruction (counter sec_per_insn),
// next to NaiveRun(): a plain switch over the raw 16-bit codes, the way one writes a
// classic-BPF interpreter without pre-decoding.
#include <benchmark/benchmark.h>

#include <array>
#include <cstring>
#include <vector>

#include "base/check.h"
#include "base/rng.h"
#include "bpf/actions.h"
#include "bpf/compiler.h"
#include "bpf/interpreter.h"
#include "bpf/validator.h"

namespace sclab::bpf {
namespace {

// NaiveRun is the straightforward interpreter: decode class/mode/op from the code
// on every step, check bounds, no pre-decoding.
uint32_t NaiveRun(const std::vector<Insn>& program, std::span<const uint8_t> data,
                  uint32_t* executed) {
  uint32_t a = 0;
  uint32_t x = 0;
  uint32_t mem[kMemWords] = {};
  for (size_t pc = 0; pc < program.size(); ++pc) {
    const Insn& insn = program[pc];
    ++*executed;
    const uint32_t src = op::Src(insn.code) == op::kX ? x : insn.k;
    switch (op::Class(insn.code)) {
      case op::kLd:
        switch (op::Mode(insn.code)) {
          case op::kAbs:
            if (insn.k > data.size() || data.size() - insn.k < 4) {
              return 0;
            }
            std::memcpy(&a, data.data() + insn.k, 4);
            break;
          case op::kImm: a = insn.k; break;
          case op::kMem: a = mem[insn.k % kMemWords]; break;
          case op::kLen: a = static_cast<uint32_t>(data.size()); break;
          default: return 0;
        }
        break;
      case op::kLdx:
        switch (op::Mode(insn.code)) {
          case op::kImm: x = insn.k; break;
          case op::kMem: x = mem[insn.k % kMemWords]; break;
          case op::kLen: x = static_cast<uint32_t>(data.size()); break;
          default: return 0;
        }
        break;
      case op::kSt: mem[insn.k % kMemWords] = a; break;
      case op::kStx: mem[insn.k % kMemWords] = x; break;
      case op::kAlu:
        switch (op::Op(insn.code)) {
          case op::kAdd: a += src; break;
          case op::kSub: a -= src; break;
          case op::kMul: a *= src; break;
          case op::kDiv:
            if (src == 0) {
              return 0;
            }
            a /= src;
            break;
          case op::kOr: a |= src; break;
          case op::kAnd: a &= src; break;
          case op::kXor: a ^= src; break;
          case op::kLsh: a <<= (src & 31); break;
          case op::kRsh: a >>= (src & 31); break;
          case op::kNeg: a = 0u - a; break;
          default: return 0;
        }
        break;
      case op::kJmp: {
        bool taken = false;
        switch (op::Op(insn.code)) {
          case op::kJa: pc += insn.k; continue;
          case op::kJeq: taken = a == src; break;
          case op::kJgt: taken = a > src; break;
          case op::kJge: taken = a >= src; break;
          case op::kJset: taken = (a & src) != 0; break;
          default: return 0;
        }
        pc += taken ? insn.jt : insn.jf;
        break;
      }
      case op::kRet:
        return (insn.code & 0x18) == op::kRetValA ? a : insn.k;
      case op::kMisc:
        if (insn.code == kTax) {
          x = a;
        } else {
          a = x;
        }
        break;
      default:
        return 0;
    }
  }
  return 0;
}

struct Fixture {
  std::vector<Insn> program;
  ValidatedProgram validated;
  std::vector<std::array<uint8_t, kSeccompDataSize>> inputs;
};

const Fixture& Fifty() {
  static const Fixture fixture = [] {
    RuleList rules;
    rules.default_action = 0x00050001;  // ERRNO(EPERM)
    // 40 plain rules: the syscalls a small service needs, spread over the table.
    const int plain[] = {0,  1,  2,  3,  4,  5,  8,  9,  10, 11, 12, 13, 14, 15,
                         16, 17, 20, 21, 24, 28, 32, 33, 39, 41, 42, 45, 47, 56,
                         60, 72, 89, 96, 102, 104, 110, 186, 202, 228, 231, 257};
    for (int nr : plain) {
      rules.rules.push_back(Rule{nr, {}, kRetAllow});
    }
    // 10 rules with argument checks.
    rules.rules.push_back(Rule{62, {ArgCmp{1, ArgCmp::Op::kEq, 0, 0}}, kRetAllow});  // kill
    rules.rules.push_back(Rule{7, {ArgCmp{2, ArgCmp::Op::kLt, 1000, 0}}, kRetAllow});  // poll
    rules.rules.push_back(
        Rule{25, {ArgCmp{3, ArgCmp::Op::kMaskedEq, 0, 0x4}}, kRetAllow});  // mremap
    rules.rules.push_back(Rule{59, {}, 0x7fc00000});                        // execve: notify
    rules.rules.push_back(Rule{101, {}, 0x00050026});                       // ptrace: ENOSYS
    rules.rules.push_back(Rule{157, {ArgCmp{0, ArgCmp::Op::kEq, 38, 0}}, kRetAllow});  // prctl
    rules.rules.push_back(Rule{262, {ArgCmp{3, ArgCmp::Op::kMaskedEq, 0, 0x100}}, kRetAllow});
    rules.rules.push_back(Rule{292, {ArgCmp{2, ArgCmp::Op::kNe, 0, 0}}, kRetAllow});  // dup3
    rules.rules.push_back(Rule{302, {ArgCmp{1, ArgCmp::Op::kEq, 7, 0}}, kRetAllow});  // prlimit64
    rules.rules.push_back(Rule{318, {ArgCmp{2, ArgCmp::Op::kGe, 1, 0}}, kRetAllow});  // getrandom
    auto compiled = Compile(rules);
    SCLAB_CHECK(compiled.ok(), "the benchmark filter must compile");
    auto validated = Validate(compiled.value());
    SCLAB_CHECK(validated.ok(), "the benchmark filter must validate");
    Fixture f{compiled.value(), std::move(validated).value(), {}};
    Rng rng(42);
    const int extra[] = {62, 7, 25, 59, 101, 157, 262, 292, 302, 318, 400, 300, 200, 150};
    for (int i = 0; i < 64; ++i) {
      SeccompData d;
      d.arch = kAuditArchX86_64;
      d.nr = i < 40 ? plain[rng.Below(40)] : extra[rng.Below(std::size(extra))];
      for (uint64_t& arg : d.args) {
        arg = rng.Below(4) == 0 ? rng.Next() : rng.Below(16);
      }
      f.inputs.push_back(SeccompDataBytes(d));
    }
    return f;
  }();
  return fixture;
}

void Report(benchmark::State& state, uint64_t insns) {
  const auto evals = static_cast<double>(state.iterations());
  state.counters["insns_per_eval"] = static_cast<double>(insns) / evals;
  // CPU seconds per executed instruction (printed with an SI prefix: 1.18n = 1.18 ns).
  state.counters["sec_per_insn"] = benchmark::Counter(
      static_cast<double>(insns), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.SetLabel(std::to_string(Fifty().program.size()) + "-insn libseccomp filter, 50 rules");
}

void BM_Run(benchmark::State& state) {
  const Fixture& f = Fifty();
  uint64_t insns = 0;
  size_t i = 0;
  for (auto _ : state) {
    const RunResult r = Run(f.validated, f.inputs[i++ & 63]);
    insns += r.insns_executed;
    benchmark::DoNotOptimize(r.ret);
  }
  Report(state, insns);
}
BENCHMARK(BM_Run);

void BM_NaiveRun(benchmark::State& state) {
  const Fixture& f = Fifty();
  uint64_t insns = 0;
  size_t i = 0;
  for (auto _ : state) {
    uint32_t executed = 0;
    const uint32_t ret = NaiveRun(f.program, f.inputs[i++ & 63], &executed);
    insns += executed;
    benchmark::DoNotOptimize(ret);
  }
  Report(state, insns);
}
BENCHMARK(BM_NaiveRun);

// The two must agree, or the comparison means nothing.
void BM_Agreement(benchmark::State& state) {
  const Fixture& f = Fifty();
  for (auto _ : state) {
    for (const auto& input : f.inputs) {
      uint32_t executed = 0;
      const RunResult fast = Run(f.validated, input);
      SCLAB_CHECK(fast.ret == NaiveRun(f.program, input, &executed), "interpreters disagree");
      SCLAB_CHECK(fast.insns_executed == executed, "instruction counts disagree");
    }
  }
}
BENCHMARK(BM_Agreement)->Iterations(1);

void BM_Validate(benchmark::State& state) {
  const Fixture& f = Fifty();
  for (auto _ : state) {
    auto v = Validate(f.program);
    benchmark::DoNotOptimize(v.ok());
  }
}
BENCHMARK(BM_Validate);

}  // namespace
}  // namespace sclab::bpf

BENCHMARK_MAIN();
