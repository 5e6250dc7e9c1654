#include "scenarios/proposal_report.h"

#include <fmt/format.h>

#include <string_view>
#include <utility>

#include "kernel_sim/proposals/registry.h"
#include "kernel_sim/proposals/verb.h"
#include "scenarios/diagnostic.h"
#include "scenarios/parser.h"
#include "scenarios/runner.h"
#include "scenarios/sim_backend.h"
#include "scenarios/sim_machine.h"

namespace sclab::scn {

namespace {

using ksim::proposals::Abi;
using ksim::proposals::Proposal;
using ksim::proposals::Workload;

// Numbered replaces every `{i}` of `lines` with `i`.
std::string Numbered(std::string_view lines, uint32_t i) {
  std::string out;
  const std::string num = std::to_string(i);
  for (size_t at = 0; at < lines.size();) {
    if (lines.compare(at, 3, "{i}") == 0) {
      out += num;
      at += 3;
    } else {
      out += lines[at++];
    }
  }
  return out;
}

// Preamble is everything up to the supervisor holding SL and the target's `how`;
// with `racer`, the target first creates the file and gets a second thread.
std::string Preamble(const Proposal& p, std::string_view title, bool racer) {
  const Workload& w = p.GetWorkload();
  std::string s = fmt::format("scenario \"{}: {}\"\n", p.Name(), title);
  s += fmt::format("requires proposal {} user={} kernel={}\n", p.Name(),
                   ksim::proposals::AbiName(w.user), ksim::proposals::AbiName(w.kernel));
  s += w.extra_requires;
  s += "\nprocess sup privileged\nprocess target\n\n";
  s += w.filter.empty() ? "filter F default allow {\n    openat2 -> notify\n}\n" : w.filter;
  s += "\n";
  if (racer) {
    s += "target: openat(AT_FDCWD, \"data\", O_CREAT|O_WRONLY, 0o600) -> w = 3\n";
    s += "target: close(w) = 0\n";
  }
  s += "target: nnp() = 0\n";
  s += fmt::format("target: install(F, {}) -> L\n", w.install_flags);
  s += "target: pass(L, sup) -> SL\ntarget: close(L) = 0\n";
  if (racer) s += "target: thread() -> racer\n";
  s += "target: mem how = open_how { flags=O_RDONLY }\n";
  s += w.setup;
  return s;
}

const char* Label(bool b) { return b ? "yes" : "no"; }

// EscapeBars writes `|` as `\|`, so that a markdown table cell can hold it.
std::string EscapeBars(std::string_view text) {
  std::string out;
  for (char ch : text) {
    if (ch == '|') out += '\\';
    out += ch;
  }
  return out;
}

// JsonEscape makes `text` a JSON string's contents (quotes, backslashes, controls).
std::string JsonEscape(std::string_view text) {
  std::string out;
  for (char ch : text) {
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (static_cast<unsigned char>(ch) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(ch));
    } else {
      out += ch;
    }
  }
  return out;
}

// TrimLines drops the blanks at the end of every line (the padded last column).
std::string TrimLines(const std::string& text) {
  std::string out;
  size_t line_start = 0;
  for (char ch : text) {
    if (ch == '\n') {
      while (out.size() > line_start && out.back() == ' ') out.pop_back();
      line_start = out.size() + 1;
    }
    out += ch;
  }
  return out;
}

}  // namespace

std::string WorkloadScenario(const Proposal& p, uint32_t n) {
  const Workload& w = p.GetWorkload();
  std::string s = Preamble(p, "the standard workload", false);
  for (uint32_t i = 1; i <= n; ++i) {
    s += Numbered("target: openat2(AT_FDCWD, \"data\", how, 24) & -> c{i}\n", i);
    s += Numbered(w.receive, i);
    s += Numbered(w.deny, i);
    s += Numbered("await c{i} = -EPERM\n", i);
  }
  return s;
}

std::string RacingWriterScenario(const Proposal& p) {
  const Workload& w = p.GetWorkload();
  std::string s = Preamble(p, "a racing writer", true);
  s += "target: openat2(AT_FDCWD, \"data\", how, 24) & -> c1\n";
  s += Numbered(w.receive, 1);
  s += "racer: store how[0] u64 = O_WRONLY\n";
  s += Numbered(w.proceed, 1);
  s += "await c1 = 3\n";
  s += "racer: write(3, \"rewritten\", 9)\n";
  return s;
}

WorkloadCount CountRun(const Scenario& s, Trace* trace) {
  SimMachineOptions options;
  options.seed = s.seed;
  options.proposals = ProposalHooksFor(s);
  SimMachine machine(options);
  const Trace t = RunScenario(s, machine, RunOptions{});
  WorkloadCount c;
  c.copies = machine.kernel().copies();
  c.steps = machine.kernel().steps();
  c.failures = t.Failures();
  if (t.runtime_error || !t.stop_reason.empty())
    c.error = t.stop_reason.empty() ? "runtime error" : t.stop_reason;
  for (const Event& e : t.events) {
    if (e.actor == "sup" && !e.outcome.empty()) ++c.supervisor_syscalls;
  }
  if (trace != nullptr) *trace = t;
  return c;
}

PerNotification Divide(const WorkloadCount& with, const WorkloadCount& without, uint32_t n) {
  PerNotification per;
  auto div = [&](uint64_t a, uint64_t b) {
    const uint64_t d = a - b;
    if (n == 0) return uint64_t{0};
    if (d % n != 0) per.exact = false;
    return d / n;
  };
  per.to_user_bytes = div(with.copies.to_user_bytes, without.copies.to_user_bytes);
  per.from_user_bytes = div(with.copies.from_user_bytes, without.copies.from_user_bytes);
  per.copy_ops = div(with.copies.to_user_ops + with.copies.from_user_ops,
                     without.copies.to_user_ops + without.copies.from_user_ops);
  per.syscalls = div(with.supervisor_syscalls, without.supervisor_syscalls);
  per.steps = div(with.steps, without.steps);
  return per;
}

namespace {

// CountText parses and runs one generated scenario; a diagnostic is a bug here.
WorkloadCount CountText(const std::string& name, const std::string& text) {
  ParseResult parsed = ParseScenario(name, text);
  if (!parsed.diagnostics.empty() || !parsed.scenario) {
    WorkloadCount c;
    c.error = FormatDiagnostics(parsed.diagnostics);
    return c;
  }
  return CountRun(*parsed.scenario);
}

// RacingOutcome runs the racing writer and returns the outcome of its write().
std::string RacingOutcome(const Proposal& p, std::string* error) {
  ParseResult parsed =
      ParseScenario(std::string(p.Name()) + "/racing.scn", RacingWriterScenario(p));
  if (!parsed.diagnostics.empty() || !parsed.scenario) {
    *error = FormatDiagnostics(parsed.diagnostics);
    return "";
  }
  Trace t;
  CountRun(*parsed.scenario, &t);
  if (t.Failures() > 0 || t.runtime_error) *error = "the racing-writer run failed a check";
  for (const Event& e : t.events) {
    if (e.actor == "racer" && e.call.rfind("write(", 0) == 0) return e.outcome;
  }
  return "";
}

}  // namespace

std::vector<ProposalRow> MeasureProposals(uint32_t n) {
  std::vector<ProposalRow> rows;
  for (const Proposal* p : ksim::proposals::AllProposals()) {
    ProposalRow row;
    row.name = std::string(p->Name());
    row.title = std::string(p->Title());
    row.user = p->GetWorkload().user;
    row.kernel = p->GetWorkload().kernel;
    const WorkloadCount with = CountText(row.name + "/workload.scn", WorkloadScenario(*p, n));
    const WorkloadCount without = CountText(row.name + "/setup.scn", WorkloadScenario(*p, 0));
    row.per = Divide(with, without, n);
    if (!with.error.empty() || with.failures > 0 || !without.error.empty()) {
      row.error = with.error.empty() ? "the workload failed a check" : with.error;
    } else if (!row.per.exact) {
      row.error = "the per-notification counts do not divide by N";
    }
    row.traits = p->GetTraits();
    row.compat = p->CompatMatrix();
    const std::string outcome = RacingOutcome(*p, &row.error);
    // A writable descriptor: the call ran on the rewritten flags.
    row.toctou_free = outcome == "err EBADF";
    row.toctou_evidence = fmt::format("write() on the result: {}", outcome);
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<ksim::proposals::read_notif::DepthRow> DepthRows() {
  std::vector<ksim::proposals::read_notif::DepthRow> rows;
  for (uint32_t depth = 1; depth <= 64; depth *= 2) {
    rows.push_back(ksim::proposals::read_notif::MeasureDepth(depth, 8));
  }
  return rows;
}

std::string RenderTable(const std::vector<ProposalRow>& rows,
                        const std::vector<ksim::proposals::read_notif::DepthRow>& depth) {
  std::string out;
  out += "Per notification of the standard workload (openat2; pid, nr, args and open_how):\n\n";
  out += fmt::format("{:<13} {:<8} {:>8} {:>8} {:>6} {:>9} {:>6} {:<6} {:<7} {:<11}\n", "proposal",
                     "abi u/k", "k->u B", "u->k B", "copies", "syscalls", "steps", "fixed",
                     "allocs", "TOCTOU-free");
  for (const ProposalRow& r : rows) {
    out += fmt::format(
        "{:<13} {:<8} {:>8} {:>8} {:>6} {:>9} {:>6} {:<6} {:<7} {:<11}\n", r.name,
        fmt::format("{}/{}", ksim::proposals::AbiName(r.user), ksim::proposals::AbiName(r.kernel)),
        r.per.to_user_bytes, r.per.from_user_bytes, r.per.copy_ops, r.per.syscalls, r.per.steps,
        Label(r.traits.fixed_size_buffers),
        fmt::format("{}+{}/n", r.traits.setup_allocations, r.traits.per_notif_allocations),
        Label(r.toctou_free));
  }
  out += "\nCompatibility (userspace/kernel ABI):\n\n";
  out += fmt::format("{:<13} {:<20} {:<20} {:<20} {:<20}\n", "proposal", "old/old", "old/new",
                     "new/old", "new/new");
  for (const ProposalRow& r : rows) {
    out += fmt::format("{:<13}", r.name);
    for (const auto& c : r.compat) out += fmt::format(" {:<20}", c.Label());
    out += "\n";
  }
  out += "\nRacing writer (open_how rewritten to O_WRONLY after the receive, then CONTINUE):\n\n";
  for (const ProposalRow& r : rows) {
    out += fmt::format("{:<13} {}\n", r.name, r.toctou_evidence);
  }
  out += "\nread_notif: supervisor syscalls to drain a queue (8 records per batched read):\n\n";
  out += fmt::format("{:>5} {:>8} {:>8} {:>8} {:>14}\n", "depth", "ioctl", "read", "batched",
                     "batched+write");
  for (const auto& d : depth) {
    out += fmt::format("{:>5} {:>8} {:>8} {:>8} {:>14}\n", d.depth, d.ioctl_syscalls,
                       d.read_syscalls, d.batched_syscalls, d.batched_write_syscalls);
  }
  for (const ProposalRow& r : rows) {
    if (!r.error.empty()) out += fmt::format("\nerror in {}: {}\n", r.name, r.error);
  }
  return TrimLines(out);
}

std::string RenderJson(uint32_t n, const std::vector<ProposalRow>& rows,
                       const std::vector<ksim::proposals::read_notif::DepthRow>& depth) {
  static constexpr const char* kPairs[] = {"old_old", "old_new", "new_old", "new_new"};
  std::string out = fmt::format("{{\n  \"n\": {},\n  \"proposals\": [\n", n);
  for (size_t i = 0; i < rows.size(); ++i) {
    const ProposalRow& r = rows[i];
    out += fmt::format(
        "    {{\"name\": \"{}\", \"user_abi\": \"{}\", \"kernel_abi\": \"{}\",\n"
        "     \"per_notification\": {{\"to_user_bytes\": {}, \"from_user_bytes\": {}, "
        "\"copy_ops\": {}, \"syscalls\": {}, \"sim_steps\": {}}},\n"
        "     \"fixed_size_buffers\": {}, \"setup_allocations\": {}, "
        "\"per_notification_allocations\": {}, \"reads_target_memory\": {},\n"
        "     \"toctou_free\": {}, \"compat\": {{",
        r.name, ksim::proposals::AbiName(r.user), ksim::proposals::AbiName(r.kernel),
        r.per.to_user_bytes, r.per.from_user_bytes, r.per.copy_ops, r.per.syscalls, r.per.steps,
        r.traits.fixed_size_buffers, r.traits.setup_allocations, r.traits.per_notif_allocations,
        r.traits.reads_target_memory, r.toctou_free);
    for (size_t c = 0; c < r.compat.size() && c < 4; ++c) {
      out += fmt::format("{}\"{}\": \"{}\"", c == 0 ? "" : ", ", kPairs[c], r.compat[c].Label());
    }
    out += fmt::format("}},\n     \"error\": \"{}\"}}{}\n", JsonEscape(r.error),
                       i + 1 < rows.size() ? "," : "");
  }
  out += "  ],\n  \"read_notif_depth\": [\n";
  for (size_t i = 0; i < depth.size(); ++i) {
    const auto& d = depth[i];
    out += fmt::format(
        "    {{\"depth\": {}, \"ioctl\": {}, \"read\": {}, \"batched\": {}, "
        "\"batched_write\": {}}}{}\n",
        d.depth, d.ioctl_syscalls, d.read_syscalls, d.batched_syscalls, d.batched_write_syscalls,
        i + 1 < depth.size() ? "," : "");
  }
  out += "  ]\n}\n";
  return out;
}

std::string RenderLayouts() {
  std::string out;
  for (const Proposal* p : ksim::proposals::AllProposals()) {
    out += fmt::format("### {}\n\n", p->Name());
    for (Abi abi : ksim::proposals::kAbis) {
      out += fmt::format("{} ABI:\n\n```\n", ksim::proposals::AbiName(abi));
      bool first = true;
      for (const model::StructLayout& l : p->Layouts(abi)) {
        if (!first) out += "\n";
        first = false;
        out += model::RenderByteMap(l);
      }
      out += "```\n\n";
    }
  }
  return out;
}

std::string RenderVerbs() {
  std::string out = "| proposal | verb | what it becomes |\n|---|---|---|\n";
  for (const Proposal* p : ksim::proposals::AllProposals()) {
    for (const ksim::proposals::VerbSpec& v : p->Verbs()) {
      out +=
          fmt::format("| `{}` | `{}` | {} |\n", p->Name(), EscapeBars(v.usage), EscapeBars(v.doc));
    }
  }
  return out;
}

std::optional<std::string> DocBlock(const std::string& doc, const std::string& name) {
  const std::string begin = "<!-- " + name + ":begin -->\n";
  const std::string end = "<!-- " + name + ":end -->";
  const size_t b = doc.find(begin);
  if (b == std::string::npos) return std::nullopt;
  const size_t e = doc.find(end, b + begin.size());
  if (e == std::string::npos) return std::nullopt;
  return doc.substr(b + begin.size(), e - b - begin.size());
}

}  // namespace sclab::scn
