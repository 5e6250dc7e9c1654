#include "model/clone_args.h"

namespace sclab::model {

SysResult<KernelCloneArgs> CopyCloneArgsFromUser(const UserMemory& mem, CopyCounters* counters,
                                                 uint64_t uargs, uint64_t usize) {
  if (usize > kPageSize) return Fail(kE2BIG, "clone3: usize > PAGE_SIZE");
  if (usize < kCloneArgsSizeVer0) return Fail(kEINVAL, "clone3: usize < CLONE_ARGS_SIZE_VER0");
  KernelCloneArgs kargs;
  kargs.usize = usize;
  clone_args& args = kargs.args;
  SysResult<void> copied = CopyStructFromUser(mem, counters, BytesOf(args), uargs, usize);
  if (!copied.ok()) return copied.failure();
  if (args.set_tid_size > kMaxPidNsLevel) {
    return Fail(kEINVAL, "clone3: set_tid_size > MAX_PID_NS_LEVEL");
  }
  if (args.set_tid == 0 && args.set_tid_size > 0) {
    return Fail(kEINVAL, "clone3: set_tid_size without set_tid");
  }
  if (args.set_tid != 0 && args.set_tid_size == 0) {
    return Fail(kEINVAL, "clone3: set_tid without set_tid_size");
  }
  if ((args.exit_signal & ~kCsignal) != 0 || args.exit_signal > kNsig) {
    return Fail(kEINVAL, "clone3: exit_signal beyond CSIGNAL or not a valid signal");
  }
  if ((args.flags & kCloneIntoCgroup) != 0 &&
      (args.cgroup > kIntMax || usize < kCloneArgsSizeVer2)) {
    return Fail(kEINVAL, "clone3: CLONE_INTO_CGROUP with cgroup > INT_MAX or usize < VER2");
  }
  if (args.set_tid != 0) {
    kargs.set_tid.resize(args.set_tid_size);
    std::span<uint8_t> bytes(reinterpret_cast<uint8_t*>(kargs.set_tid.data()),
                             kargs.set_tid.size() * sizeof(int32_t));
    if (!CopyFromUser(mem, counters, bytes, args.set_tid).ok()) {
      return Fail(kEFAULT, "clone3: fault reading set_tid");
    }
  }
  return kargs;
}

SysResult<void> Clone3ArgsValid(const KernelCloneArgs& kargs) {
  const clone_args& a = kargs.args;
  if ((a.flags & ~(kCloneLegacyFlags | kCloneClearSighand | kCloneIntoCgroup)) != 0) {
    return Fail(kEINVAL, "clone3_args_valid: unknown flags");
  }
  if ((a.flags & (kCloneDetached | (kCsignal & ~kCloneNewtime))) != 0) {
    return Fail(kEINVAL, "clone3_args_valid: CLONE_DETACHED or a CSIGNAL bit");
  }
  if ((a.flags & (kCloneSighand | kCloneClearSighand)) == (kCloneSighand | kCloneClearSighand)) {
    return Fail(kEINVAL, "clone3_args_valid: CLONE_SIGHAND with CLONE_CLEAR_SIGHAND");
  }
  if ((a.flags & (kCloneThread | kCloneParent)) != 0 && a.exit_signal != 0) {
    return Fail(kEINVAL, "clone3_args_valid: CLONE_THREAD or CLONE_PARENT with exit_signal");
  }
  if (a.stack == 0) {
    if (a.stack_size > 0) return Fail(kEINVAL, "clone3_stack_valid: stack_size without stack");
  } else {
    if (a.stack_size == 0) return Fail(kEINVAL, "clone3_stack_valid: stack without stack_size");
    if (!AccessOk(a.stack, a.stack_size)) {
      return Fail(kEINVAL, "clone3_stack_valid: stack range fails access_ok");
    }
  }
  return Ok();
}

SysResult<KernelCloneArgs> Clone3ArgsFromUser(const UserMemory& mem, CopyCounters* counters,
                                              uint64_t uargs, uint64_t usize) {
  SysResult<KernelCloneArgs> kargs = CopyCloneArgsFromUser(mem, counters, uargs, usize);
  if (!kargs.ok()) return kargs;
  SysResult<void> valid = Clone3ArgsValid(kargs.value());
  if (!valid.ok()) return valid.failure();
  return kargs;
}

}  // namespace sclab::model
