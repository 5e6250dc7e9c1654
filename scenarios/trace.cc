#include "scenarios/trace.h"

#include <fmt/format.h>

#include <algorithm>

namespace sclab::scn {
namespace {

// Fnv1a64 accumulates FNV-1a 64 (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
class Fnv1a64 {
 public:
  void Bytes(std::string_view bytes) {
    for (char c : bytes) {
      hash_ ^= static_cast<unsigned char>(c);
      hash_ *= 0x100000001b3ULL;
    }
  }
  // Field writes "<length>:<bytes>;" so that field boundaries are unambiguous.
  void Field(std::string_view text) {
    Bytes(std::to_string(text.size()));
    Bytes(":");
    Bytes(text);
    Bytes(";");
  }
  uint64_t value() const { return hash_; }

 private:
  uint64_t hash_ = 0xcbf29ce484222325ULL;
};

bool SameEnding(const Trace& a, const Trace& b) {
  return a.skipped == b.skipped && a.runtime_error == b.runtime_error &&
         a.stop_reason == b.stop_reason;
}

}  // namespace

size_t Trace::Failures() const {
  return static_cast<size_t>(std::count_if(
      events.begin(), events.end(), [](const Event& e) { return e.check.rfind("FAIL", 0) == 0; }));
}

std::string Trace::Digest() const {
  Fnv1a64 h;
  h.Field("seccomp-lab trace v1");
  h.Field(std::to_string(events.size()));
  for (const Event& e : events) {
    h.Field(std::to_string(e.line));
    h.Field(e.actor);
    h.Field(e.call);
    h.Field(e.outcome);
    h.Field(std::to_string(e.data.size()));
    for (const auto& [key, value] : e.data) {
      h.Field(key);
      h.Field(value);
    }
    h.Field(e.check);
  }
  h.Field(skipped ? "skipped" : "ran");
  h.Field(runtime_error ? "runtime_error" : "no_error");
  h.Field(stop_reason);
  return fmt::format("{:016x}", h.value());
}

bool operator==(const Trace& a, const Trace& b) { return !FirstDifference(a, b).has_value(); }

std::optional<size_t> FirstDifference(const Trace& a, const Trace& b) {
  const size_t common = std::min(a.events.size(), b.events.size());
  for (size_t i = 0; i < common; ++i) {
    if (!a.events[i].SameObservable(b.events[i])) {
      return i;
    }
  }
  if (a.events.size() != b.events.size()) {
    return common;
  }
  if (!SameEnding(a, b)) {
    return common;
  }
  return std::nullopt;
}

}  // namespace sclab::scn
