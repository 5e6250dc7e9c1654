// ReceivedView is what a supervisor decoded from one receive of the standard
// notification, through whichever ABI it was built for; Classify() compares it with
// what the kernel knew and turns the comparison into a CompatCell (proposal.h).
//
// The rules, in order:
// 1. the receive failed and userspace had no way on            -> kFails(err)
// 2. id, pid, seccomp_data or the open_how contents differ      -> kMisreads
// 3. the new version's field: userspace built for the new ABI
//    wants it; decoded with a value that differs                -> kMisreads
//                 known to be absent (size, validity bit, errno) -> kDegrades
// 4. everything right, but only after a retry (first_err != 0)  -> kDegrades(first_err)
// 5. otherwise                                                  -> kWorks
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "kernel_sim/proposals/notification_facts.h"
#include "kernel_sim/proposals/proposal.h"
#include "model/sys_result.h"
#include "model/uapi.h"

namespace sclab::ksim::proposals {

struct ReceivedView {
  uint64_t id = 0;
  uint32_t pid = 0;
  model::seccomp_data data{};
  model::open_how how{};
  // The new version's field as userspace decoded it; nullopt when userspace knows it
  // is absent (or was not built to look for it).
  std::optional<uint64_t> new_field;
};

// Truth is what the kernel delivered from: the facts, the open_how the target passed,
// and the new field's true value with its name ("tgid").
struct Truth {
  NotificationFacts facts;
  model::open_how how{};
  std::string new_field_name;
  uint64_t new_field = 0;
};

// Classify applies the rules above. `detected` explains how userspace knew a missing
// field was missing ("flags lacks HAS_PIDFD"), for the cell's detail.
CompatCell Classify(Abi user, Abi kernel, const Truth& truth,
                    const model::SysResult<ReceivedView>& got, model::Errno first_err,
                    const std::string& detected);

}  // namespace sclab::ksim::proposals
