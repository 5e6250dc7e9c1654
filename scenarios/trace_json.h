// The JSON form of traces (`seccomp-lab run --json`), written and read with cereal.
//
// A trace is an object {"header": {...}, "events": [...], "skipped", "runtime_error",
// "stop_reason", "failures", "digest"}; each event holds every field of Event, its
// data as an array of {"key", "value"} objects (order kept). `run --json` writes
// {"traces": [...]} for all the files it ran. cereal stays inside the .cc; reading
// reports malformed input as "FILE: error: …" instead of throwing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/trace.h"

namespace sclab::scn {

// TraceToJson is one trace as a JSON object (indented, ends with a newline).
std::string TraceToJson(const Trace& trace);

// TracesToJson is {"traces": [...]} (indented, ends with a newline).
std::string TracesToJson(const std::vector<Trace>& traces);

struct TraceJsonResult {
  std::optional<Trace> trace;
  std::string error;  // "FILE: error: …" when `trace` is empty
};

// TraceFromJson reads what TraceToJson wrote; `file` names the input in errors.
TraceJsonResult TraceFromJson(std::string_view json, std::string_view file);

}  // namespace sclab::scn
