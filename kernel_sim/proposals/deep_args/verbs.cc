// deep_args's scenario verb: the receive that carries the copy. Installing a filter
// with the new flag is the core install(F, 0x40 | NEW_LISTENER).
#include "kernel_sim/proposals/deep_args/deep_args.h"
#include "kernel_sim/proposals/verb.h"
#include "model/clone_args.h"

namespace sclab::ksim::proposals::deep_args {

namespace {

VerbPlan RecvDeep(const VerbArgs& a) {
  const uint64_t len = a.Key("len", kNotifDeepHeader + sizeof(model::clone_args));
  VerbPlan p;
  p.buffers.push_back({"", std::vector<uint8_t>(std::max<uint64_t>(len, 1), 0)});
  IoctlOnBuffer0(&p, a.positional[0], kIoctlNotifRecvDeep | (static_cast<uint32_t>(len) << 16));
  p.notification = PlanNotification{{0, 0}, PlanPlace{0, 8}, PlanPlace{0, 16}};
  if (len >= kNotifDeepHeader) {
    AddField(&p, "feature_bits", 0, 80, 8);
    AddField(&p, "ea_size", 0, 92, 4);
    AddField(&p, "ea_nonzero_end", 0, 96, 4);
    AddField(&p, "ea_copied", 0, 100, 4);
  }
  if (len >= kNotifDeepHeader + sizeof(model::open_how)) AddOpenHowFields(&p, 0, kNotifDeepHeader);
  return p;
}

}  // namespace

std::vector<VerbSpec> Verbs() {
  return {
      {"deep_args",
       "recv_deep",
       "recv_deep(L [, len=N]) -> n",
       "ioctl(L, _IOWR('!', 0x60, N), buf(N)) (default N 192: the header and the largest "
       "struct the program knows); binds a notification with `n.feature_bits`, `n.ea_size`, "
       "`n.ea_nonzero_end`, `n.ea_copied` and the copy as `n.how.flags/mode/resolve`",
       {VerbParam::kValue},
       1,
       {"len"},
       VerbBinds::kNotification,
       {"feature_bits", "ea_size", "ea_nonzero_end", "ea_copied", "how.flags", "how.mode",
        "how.resolve"},
       &RecvDeep},
  };
}

}  // namespace sclab::ksim::proposals::deep_args
