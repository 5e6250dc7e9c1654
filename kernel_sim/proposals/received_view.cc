#include "kernel_sim/proposals/received_view.h"

#include <cstring>

namespace sclab::ksim::proposals {

namespace {

bool SameData(const model::seccomp_data& a, const model::seccomp_data& b) {
  return std::memcmp(&a, &b, sizeof(a)) == 0;
}

bool SameHow(const model::open_how& a, const model::open_how& b) {
  return a.flags == b.flags && a.mode == b.mode && a.resolve == b.resolve;
}

}  // namespace

CompatCell Classify(Abi user, Abi kernel, const Truth& truth,
                    const model::SysResult<ReceivedView>& got, model::Errno first_err,
                    const std::string& detected) {
  CompatCell cell;
  cell.user = user;
  cell.kernel = kernel;
  if (!got.ok()) {
    cell.kind = CompatKind::kFails;
    cell.err = got.error();
    cell.detail = got.why();
    return cell;
  }
  const ReceivedView& v = got.value();
  if (v.id != truth.facts.id || v.pid != truth.facts.pid || !SameData(v.data, truth.facts.data)) {
    cell.kind = CompatKind::kMisreads;
    cell.detail = "id, pid or seccomp_data differ from the kernel's";
    return cell;
  }
  if (!SameHow(v.how, truth.how)) {
    cell.kind = CompatKind::kMisreads;
    cell.detail = "the open_how contents differ from what the target passed";
    return cell;
  }
  if (user == Abi::kNew) {
    if (v.new_field.has_value() && *v.new_field != truth.new_field) {
      cell.kind = CompatKind::kMisreads;
      cell.detail = truth.new_field_name + " decoded as " + std::to_string(*v.new_field) +
                    ", the kernel's is " + std::to_string(truth.new_field);
      return cell;
    }
    if (!v.new_field.has_value()) {
      cell.kind = CompatKind::kDegrades;
      cell.err = first_err;
      cell.detail = "no " + truth.new_field_name + ": " + detected;
      return cell;
    }
  }
  if (first_err.value != 0) {
    cell.kind = CompatKind::kDegrades;
    cell.err = first_err;
    cell.detail = "works after a retry: " + detected;
    return cell;
  }
  cell.kind = CompatKind::kWorks;
  cell.detail = user == Abi::kNew ? truth.new_field_name + " delivered" : "every field as sent";
  return cell;
}

}  // namespace sclab::ksim::proposals
