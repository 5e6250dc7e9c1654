#include "scenarios/clone3_guard.h"

#include "model/clone_args.h"
#include "model/user_memory.h"

namespace sclab::scn {
namespace {

constexpr uint64_t kSetTidOffset = 64;      // offsetof(struct clone_args, set_tid)
constexpr uint64_t kSetTidSizeOffset = 72;  // offsetof(struct clone_args, set_tid_size)

uint64_t ReadLe(const std::vector<uint8_t>& bytes, uint64_t offset) {
  uint64_t v = 0;
  for (uint64_t i = 0; i < 8 && offset + i < bytes.size(); ++i) {
    v |= uint64_t{bytes[offset + i]} << (8 * i);
  }
  return v;
}

// Mirror copies the bytes from `addr` to the end of its buffer into `mirror`, ending
// where a mapping ends, and returns the mirrored address; nullopt when `addr` is in
// no buffer. NULL and bad_addr stay themselves: unmapped in the mirror too.
std::optional<uint64_t> Mirror(uint64_t addr, const Clone3Memory& memory, model::UserMemory* mirror,
                               std::vector<uint8_t>* bytes) {
  if (addr == 0 || addr == model::kBadAddr) {
    return addr;
  }
  const auto holder = memory.buffer_at(addr);
  if (!holder) {
    return std::nullopt;
  }
  const uint64_t available = holder->first + holder->second - addr;
  *bytes = memory.read(addr, available);
  const uint64_t at = mirror->AllocBuffer(available);
  if (!mirror->Write(at, *bytes).ok()) {
    return std::nullopt;
  }
  return at;
}

}  // namespace

Clone3Verdict JudgeClone3(uint64_t uargs, uint64_t usize, const Clone3Memory& memory) {
  model::UserMemory mirror;
  std::vector<uint8_t> args;
  const std::optional<uint64_t> mirrored_args = Mirror(uargs, memory, &mirror, &args);
  if (!mirrored_args) {
    return Clone3Verdict::kUnknown;
  }
  // The set_tid array is read from its own pointer: mirror it and point the copy at
  // the mirror (no check looks at set_tid's value beyond NULL or not).
  const uint64_t set_tid = ReadLe(args, kSetTidOffset);
  const uint64_t set_tid_size = ReadLe(args, kSetTidSizeOffset);
  if (set_tid != 0 && set_tid_size != 0 && args.size() >= kSetTidOffset + 8) {
    std::vector<uint8_t> tids;
    const std::optional<uint64_t> mirrored_tids = Mirror(set_tid, memory, &mirror, &tids);
    if (!mirrored_tids) {
      return Clone3Verdict::kUnknown;
    }
    std::vector<uint8_t> pointer(8);
    for (size_t i = 0; i < 8; ++i) {
      pointer[i] = static_cast<uint8_t>(*mirrored_tids >> (8 * i));
    }
    if (!mirror.Write(*mirrored_args + kSetTidOffset, pointer).ok()) {
      return Clone3Verdict::kUnknown;
    }
  }
  const model::SysResult<model::KernelCloneArgs> r =
      model::Clone3ArgsFromUser(mirror, nullptr, *mirrored_args, usize);
  return r.ok() ? Clone3Verdict::kWouldCreate : Clone3Verdict::kFails;
}

}  // namespace sclab::scn
