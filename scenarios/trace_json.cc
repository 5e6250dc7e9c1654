#include "scenarios/trace_json.h"

#include <cereal/archives/json.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>
#include <sstream>

namespace sclab::scn {
namespace {

struct DataField {
  std::string key;
  std::string value;

  template <class Archive>
  void serialize(Archive& ar) {
    ar(cereal::make_nvp("key", key), cereal::make_nvp("value", value));
  }
};

// JsonEvent and JsonTrace are Event and Trace in the shape the JSON has; cereal
// sees only these, so the public headers stay free of it.
struct JsonEvent {
  Event e;

  // Fields names every member once, for both directions; `data` is the event's
  // key/value list in the {"key", "value"} shape.
  template <class Archive, class Self>
  static void Fields(Archive& ar, Self& self, std::vector<DataField>& data) {
    ar(cereal::make_nvp("line", self.e.line), cereal::make_nvp("actor", self.e.actor),
       cereal::make_nvp("call", self.e.call), cereal::make_nvp("outcome", self.e.outcome),
       cereal::make_nvp("data", data), cereal::make_nvp("check", self.e.check),
       cereal::make_nvp("reason", self.e.reason), cereal::make_nvp("notes", self.e.notes),
       cereal::make_nvp("queue_state", self.e.queue_state),
       cereal::make_nvp("listener", self.e.listener));
  }

  template <class Archive>
  void save(Archive& ar) const {
    std::vector<DataField> data;
    for (const auto& [key, value] : e.data) {
      data.push_back({key, value});
    }
    Fields(ar, *this, data);
  }

  template <class Archive>
  void load(Archive& ar) {
    std::vector<DataField> data;
    Fields(ar, *this, data);
    for (DataField& f : data) {
      e.data.emplace_back(std::move(f.key), std::move(f.value));
    }
  }
};

struct JsonHeader {
  TraceHeader h;

  template <class Archive>
  void serialize(Archive& ar) {
    ar(cereal::make_nvp("scenario", h.scenario), cereal::make_nvp("file", h.file),
       cereal::make_nvp("about", h.about), cereal::make_nvp("backend", h.backend),
       cereal::make_nvp("seed", h.seed), cereal::make_nvp("kernel", h.kernel),
       cereal::make_nvp("runner_status", h.runner_status),
       cereal::make_nvp("user_notif", h.user_notif));
  }
};

struct JsonTrace {
  Trace t;

  template <class Archive>
  void save(Archive& ar) const {
    std::vector<JsonEvent> events;
    for (const Event& e : t.events) {
      events.push_back({e});
    }
    const uint64_t failures = t.Failures();
    ar(cereal::make_nvp("header", JsonHeader{t.header}), cereal::make_nvp("events", events),
       cereal::make_nvp("skipped", t.skipped), cereal::make_nvp("runtime_error", t.runtime_error),
       cereal::make_nvp("stop_reason", t.stop_reason), cereal::make_nvp("failures", failures),
       cereal::make_nvp("digest", t.Digest()));
  }

  template <class Archive>
  void load(Archive& ar) {
    JsonHeader header;
    std::vector<JsonEvent> events;
    uint64_t failures = 0;
    std::string digest;
    ar(cereal::make_nvp("header", header), cereal::make_nvp("events", events),
       cereal::make_nvp("skipped", t.skipped), cereal::make_nvp("runtime_error", t.runtime_error),
       cereal::make_nvp("stop_reason", t.stop_reason), cereal::make_nvp("failures", failures),
       cereal::make_nvp("digest", digest));
    t.header = std::move(header.h);
    for (JsonEvent& e : events) {
      t.events.push_back(std::move(e.e));
    }
  }
};

}  // namespace

std::string TraceToJson(const Trace& trace) {
  std::ostringstream out;
  {
    cereal::JSONOutputArchive ar(out);
    JsonTrace{trace}.save(ar);
  }
  out << '\n';
  return out.str();
}

std::string TracesToJson(const std::vector<Trace>& traces) {
  std::ostringstream out;
  {
    std::vector<JsonTrace> all;
    all.reserve(traces.size());
    for (const Trace& t : traces) {
      all.push_back({t});
    }
    cereal::JSONOutputArchive ar(out);
    ar(cereal::make_nvp("traces", all));
  }
  out << '\n';
  return out.str();
}

TraceJsonResult TraceFromJson(std::string_view json, std::string_view file) {
  TraceJsonResult result;
  try {
    std::istringstream in{std::string(json)};
    cereal::JSONInputArchive ar(in);
    JsonTrace t;
    t.load(ar);
    result.trace = std::move(t.t);
  } catch (const std::exception& e) {  // cereal::Exception and rapidjson parse errors
    result.error = std::string(file) + ": error: not a seccomp-lab trace: " + e.what();
  }
  return result;
}

}  // namespace sclab::scn
