#include "scenarios/mermaid.h"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>
#include <vector>

namespace sclab::scn {
namespace {

std::string Escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '#':
        out += "#35;";
        break;
      case ';':
        out += "#59;";
        break;
      case '<':
        out += "#lt;";
        break;
      case '>':
        out += "#gt;";
        break;
      case '\n':
        out += ' ';
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string_view DataValue(const Event& e, std::string_view key) {
  for (const auto& [k, v] : e.data) {
    if (k == key) {
      return v;
    }
  }
  return {};
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

class Diagram {
 public:
  explicit Diagram(const Trace& trace) : trace_(trace) {
    for (const Event& e : trace.events) {
      if (e.actor != "runner") {
        AddTask(e.actor);
      }
      if (std::string_view task = DataValue(e, "task"); !task.empty()) {
        AddTask(std::string(task));
      }
      if (!e.listener.empty() &&
          std::find(listeners_.begin(), listeners_.end(), e.listener) == listeners_.end()) {
        listeners_.push_back(e.listener);
      }
    }
  }

  std::string Render() {
    out_ = "sequenceDiagram\n";
    for (const std::string& task : tasks_) {
      out_ += fmt::format("    participant {}\n", task);
    }
    out_ += "    participant kernel\n";
    for (size_t i = 0; i < listeners_.size(); ++i) {
      out_ += fmt::format("    participant lst{} as listener {}\n", i + 1, Escape(listeners_[i]));
    }
    for (const Event& e : trace_.events) {
      RenderEvent(e);
    }
    if (trace_.skipped) {
      Line(fmt::format("Note over kernel: skipped: {}", Escape(trace_.stop_reason)));
    } else if (!trace_.stop_reason.empty()) {
      Line(fmt::format("Note over kernel: stopped: {}", Escape(trace_.stop_reason)));
    }
    return out_;
  }

 private:
  void AddTask(const std::string& task) {
    if (std::find(tasks_.begin(), tasks_.end(), task) == tasks_.end()) {
      tasks_.push_back(task);
    }
  }

  std::string ListenerId(const std::string& name) const {
    const auto it = std::find(listeners_.begin(), listeners_.end(), name);
    return fmt::format("lst{}", it - listeners_.begin() + 1);
  }

  void Line(const std::string& text) { out_ += "    " + text + "\n"; }

  std::string DataText(const Event& e) const {
    std::string text;
    for (const auto& [k, v] : e.data) {
      if (k == "task" || k == "call") {
        continue;
      }
      if (!text.empty()) {
        text += ' ';
      }
      text += k;
      text += '=';
      text += v;
    }
    return text;
  }

  void RenderEvent(const Event& e) {
    const std::string label = fmt::format("L{} {}", e.line, Escape(e.call));
    const std::string where = e.actor == "runner" ? "kernel" : e.actor;
    if (e.actor == "runner") {
      const std::string_view task = DataValue(e, "task");
      if (StartsWith(e.call, "await") && !task.empty() && !DataValue(e, "call").empty()) {
        Line(fmt::format("kernel-->>{}: {} → {}", task, label, Escape(e.outcome)));
      } else if (StartsWith(e.call, "await") && !task.empty()) {
        Line(fmt::format("Note over {}: {} → {}", task, label, Escape(e.outcome)));
      } else {
        std::string text = label;
        if (!e.outcome.empty()) {
          text += " → " + Escape(e.outcome);
        }
        if (e.check == "ok") {
          text += " (ok)";
        }
        Line(fmt::format("Note over kernel: {}", text));
      }
    } else if (StartsWith(e.call, "mem ") || StartsWith(e.call, "store ") ||
               StartsWith(e.call, "load ")) {
      std::string text = label;
      if (!e.outcome.empty()) {
        text += " → " + Escape(e.outcome);
      }
      Line(fmt::format("Note over {}: {}", e.actor, text));
    } else {
      Line(fmt::format("{}->>kernel: {}", e.actor, label));
      const std::string data = DataText(e);
      if (!e.listener.empty() && StartsWith(e.call, "recv") && !data.empty()) {
        const std::string lst = ListenerId(e.listener);
        Line(fmt::format("kernel->>{}: {}", lst, Escape(data)));
        Line(fmt::format("{}-->>{}: {}", lst, e.actor, Escape(e.outcome)));
      } else if (e.outcome == "blocked") {
        Line(fmt::format("kernel--){}: blocked", e.actor));
      } else {
        std::string text = Escape(e.outcome);
        if (!data.empty()) {
          text += " · " + Escape(data);
        }
        Line(fmt::format("kernel-->>{}: {}", e.actor, text));
      }
    }
    if (StartsWith(e.check, "FAIL")) {
      Line(fmt::format("Note over {}: {}", where, Escape(e.check)));
    }
  }

  const Trace& trace_;
  std::vector<std::string> tasks_;
  std::vector<std::string> listeners_;
  std::string out_;
};

}  // namespace

std::string FormatMermaid(const Trace& trace) { return Diagram(trace).Render(); }

}  // namespace sclab::scn
