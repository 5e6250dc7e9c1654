#include "scenarios/difference_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <vector>

namespace sclab::scn {
namespace {

struct Row {
  std::string field;
  std::optional<std::string> left;  // nullopt: the side has no such field
  std::optional<std::string> right;
};

std::optional<std::string> DataValue(const Event* e, const std::string& key) {
  if (e == nullptr) {
    return std::nullopt;
  }
  for (const auto& [k, v] : e->data) {
    if (k == key) {
      return v;
    }
  }
  return std::nullopt;
}

std::vector<Row> EventRows(const Event* a, const Event* b) {
  auto field = [](const Event* e, auto get) -> std::optional<std::string> {
    if (e == nullptr) {
      return std::nullopt;
    }
    return get(*e);
  };
  std::vector<Row> rows;
  rows.push_back({"line", field(a, [](const Event& e) { return std::to_string(e.line); }),
                  field(b, [](const Event& e) { return std::to_string(e.line); })});
  rows.push_back({"actor", field(a, [](const Event& e) { return e.actor; }),
                  field(b, [](const Event& e) { return e.actor; })});
  rows.push_back({"statement", field(a, [](const Event& e) { return e.call; }),
                  field(b, [](const Event& e) { return e.call; })});
  rows.push_back({"outcome", field(a, [](const Event& e) { return e.outcome; }),
                  field(b, [](const Event& e) { return e.outcome; })});
  std::vector<std::string> keys;
  for (const Event* e : {a, b}) {
    if (e == nullptr) {
      continue;
    }
    for (const auto& kv : e->data) {
      if (std::find(keys.begin(), keys.end(), kv.first) == keys.end()) {
        keys.push_back(kv.first);
      }
    }
  }
  for (const std::string& key : keys) {
    rows.push_back({key, DataValue(a, key), DataValue(b, key)});
  }
  rows.push_back({"check", field(a, [](const Event& e) { return e.check; }),
                  field(b, [](const Event& e) { return e.check; })});
  return rows;
}

std::string Ending(const Trace& t) {
  if (t.skipped) {
    return "skipped: " + t.stop_reason;
  }
  if (t.runtime_error) {
    return "run-time error: " + t.stop_reason;
  }
  if (!t.stop_reason.empty()) {
    return "stopped: " + t.stop_reason;
  }
  return "completed";
}

}  // namespace

std::string FormatFirstDifference(const Trace& left, const Trace& right, std::string_view left_name,
                                  std::string_view right_name) {
  const std::optional<size_t> index = FirstDifference(left, right);
  if (!index) {
    return fmt::format("traces agree ({} events, digest={})\n", left.events.size(), left.Digest());
  }
  const Event* a = *index < left.events.size() ? &left.events[*index] : nullptr;
  const Event* b = *index < right.events.size() ? &right.events[*index] : nullptr;
  std::vector<Row> rows;
  std::string out;
  if (a == nullptr && b == nullptr) {
    out = fmt::format("traces agree on all {} events but end differently:\n", *index);
    rows.push_back({"ending", Ending(left), Ending(right)});
  } else {
    const uint32_t line = a != nullptr ? a->line : b->line;
    out = fmt::format("first difference at event {} (line {}):\n", *index + 1, line);
    rows = EventRows(a, b);
  }
  auto shown = [](const std::optional<std::string>& v) { return v ? *v : "(no event)"; };
  auto side = [&](const std::optional<std::string>& v, const Event* e) {
    if (e == nullptr && !v) {
      return std::string("(no event)");
    }
    return v ? *v : std::string("—");
  };
  size_t field_width = 5;
  size_t left_width = left_name.size();
  for (const Row& r : rows) {
    field_width = std::max(field_width, r.field.size());
    left_width = std::max(left_width, shown(r.left).size());
  }
  left_width = std::min<size_t>(left_width, 48);
  out += fmt::format("  {:<{}}  {:<{}}  {}\n", "", field_width, left_name, left_width, right_name);
  for (const Row& r : rows) {
    const std::string l = rows.size() == 1 ? *r.left : side(r.left, a);
    const std::string rt = rows.size() == 1 ? *r.right : side(r.right, b);
    std::string line = fmt::format("  {:<{}}  {:<{}}  {}", r.field, field_width, l, left_width, rt);
    if (r.left != r.right) {
      line += "  <>";
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace sclab::scn
