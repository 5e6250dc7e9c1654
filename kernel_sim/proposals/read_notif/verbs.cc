// read_notif's scenario verbs: read(2) of whole records from the listener and write(2)
// of response records. Batching is switched on with the core verb set_flags(L, 2).
#include <string>

#include "kernel_sim/proposals/byte_fields.h"
#include "kernel_sim/proposals/read_notif/read_notif.h"
#include "kernel_sim/proposals/today/today.h"
#include "kernel_sim/proposals/verb.h"
#include "model/syscall_table.h"

namespace sclab::ksim::proposals::read_notif {

namespace {

constexpr uint64_t kMaxReplies = 8;
constexpr uint32_t kContinue = 1;

VerbPlan ReadNotif(const VerbArgs& a) {
  const uint64_t records = a.Key("records", 1);
  const uint64_t count = a.Key("count", records * today::kSizeofNotif);
  VerbPlan p;
  p.buffers.push_back({"", std::vector<uint8_t>(count, 0)});
  p.nr = model::nr::kRead;
  p.args[0].value = a.positional[0];
  p.args[1] = PlanArg{0, 0};
  p.args[2].value = count;
  p.notification = PlanNotification{{0, 0}, PlanPlace{0, 8}, PlanPlace{0, 16}};
  for (uint64_t k = 1; k < records && k < kMaxReplies; ++k) {
    AddField(&p, "ids[" + std::to_string(k) + "]", 0, k * today::kSizeofNotif, 8,
             FieldKind::kNotifId);
  }
  return p;
}

VerbPlan WriteReplies(const VerbArgs& a) {
  VerbPlan p;
  std::vector<uint8_t> resps;
  for (size_t i = 1; i < a.positional.size(); ++i) {
    model::seccomp_notif_resp r{};
    r.id = a.positional[i];
    if (a.Has("val") || a.Has("error")) {
      r.val = static_cast<int64_t>(a.Key("val", 0));
      r.error = static_cast<int32_t>(a.Key("error", 0));
    } else {
      r.flags = kContinue;
    }
    const auto b = model::BytesOf(r);
    resps.insert(resps.end(), b.begin(), b.end());
  }
  p.buffers.push_back({"", resps});
  p.nr = model::nr::kWrite;
  p.args[0].value = a.positional[0];
  p.args[1] = PlanArg{0, 0};
  p.args[2].value = a.Key("count", resps.size());
  return p;
}

}  // namespace

std::vector<VerbSpec> Verbs() {
  std::vector<VerbParam> write_params(1 + kMaxReplies, VerbParam::kValue);
  return {
      {"read_notif",
       "read_notif",
       "read_notif(L [, records=K] [, count=N]) -> n",
       "read(L, buf(N), N) with N = 80K (default K 1); binds the first record as a "
       "notification and the ids of the others as `n.ids[1]` … `n.ids[7]`",
       {VerbParam::kValue},
       1,
       {"records", "count"},
       VerbBinds::kNotification,
       {"ids[1]", "ids[2]", "ids[3]", "ids[4]", "ids[5]", "ids[6]", "ids[7]"},
       &ReadNotif},
      {"read_notif",
       "write_replies",
       "write_replies(L, ID [, ID …] [, val=V | error=E] [, count=N])",
       "write(L, buf, 24 per ID) of struct seccomp_notif_resp records, CONTINUE unless val= "
       "or error= is given",
       write_params,
       2,
       {"val", "error", "count"},
       VerbBinds::kValue,
       {},
       &WriteReplies},
  };
}

}  // namespace sclab::ksim::proposals::read_notif
