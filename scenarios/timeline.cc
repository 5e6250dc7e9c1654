#include "scenarios/timeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

namespace sclab::scn {
namespace {

constexpr size_t kStatementWidthMax = 44;

// Indented prints each line of `text` after `prefix` (the first) or as many blanks.
std::string Indented(std::string_view prefix, std::string_view text) {
  std::string out;
  const std::string blank(prefix.size(), ' ');
  bool first = true;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) {
      nl = text.size();
    }
    out += first ? std::string(prefix) : blank;
    out += text.substr(start, nl - start);
    out += '\n';
    first = false;
    start = nl + 1;
  }
  return out;
}

std::string DataText(const Event& e) {
  std::string out;
  for (const auto& [key, value] : e.data) {
    if (!out.empty()) {
      out += ' ';
    }
    out += key;
    out += '=';
    out += value;
  }
  return out;
}

}  // namespace

std::string FormatTimeline(const Trace& trace, const TimelineOptions& options) {
  const TraceHeader& h = trace.header;
  std::string out = fmt::format("seed={}\n", h.seed);
  out += fmt::format("scenario \"{}\"\n", h.scenario);
  out += fmt::format("file {}, backend {}, kernel {}\n", h.file, h.backend, h.kernel);
  if (options.explain && !h.runner_status.empty()) {
    out += Indented("runner: ", h.runner_status);
    out += fmt::format("actions_avail lists user_notif: {}\n", h.user_notif ? "yes" : "no");
  }
  if (options.explain && !h.about.empty()) {
    out += '\n';
    out += Indented("  ", h.about);
  }
  out += '\n';

  size_t actor_width = 5;
  size_t statement_width = 9;
  for (const Event& e : trace.events) {
    actor_width = std::max(actor_width, e.actor.size());
    statement_width = std::max(statement_width, std::min(e.call.size(), kStatementWidthMax));
  }
  const std::string indent(4 + 2 + actor_width + 2, ' ');
  auto row = [&](std::string_view line, std::string_view actor, std::string_view call,
                 std::string_view outcome, std::string_view data) {
    std::string text =
        fmt::format("{:>4}  {:<{}}  {:<{}}", line, actor, actor_width, call, statement_width);
    if (!outcome.empty()) {
      text += fmt::format("  {}", outcome);
    }
    if (!data.empty()) {
      text += fmt::format("  {}", data);
    }
    while (!text.empty() && text.back() == ' ') {
      text.pop_back();
    }
    return text + "\n";
  };
  out += row("line", "actor", "statement", "outcome", "");
  for (const Event& e : trace.events) {
    out += row(std::to_string(e.line), e.actor, e.call, e.outcome, DataText(e));
    if (e.check.rfind("FAIL", 0) == 0) {
      out += indent + e.check + "\n";
    }
    if (!options.explain) {
      continue;
    }
    if (!e.reason.empty()) {
      out += Indented(indent + "why: ", e.reason);
    }
    for (const std::string& note : e.notes) {
      out += Indented(indent + "kernel: ", note);
    }
    if (!e.queue_state.empty()) {
      out += Indented(indent + "queues: ", e.queue_state);
    }
  }
  out += '\n';
  if (trace.skipped) {
    out += fmt::format("skipped: {}\n", trace.stop_reason);
  } else if (!trace.stop_reason.empty()) {
    out += fmt::format("stopped: {}\n", trace.stop_reason);
  }
  const size_t failed = trace.Failures();
  out += fmt::format("{} events, {} failed{}\n", trace.events.size(), failed,
                     trace.runtime_error ? ", run-time error" : "");
  out += fmt::format("digest={}\n", trace.Digest());
  return out;
}

}  // namespace sclab::scn
