#include "model/open_how.h"

namespace sclab::model {
namespace {

// O_PATH_FLAGS (fs/open.c): what O_PATH may be combined with.
constexpr uint64_t kOPathFlags = kODirectory | kONofollow | kOPath | kOCloexec;

// ACC_MODE() (include/linux/fs.h): O_RDONLY -> read, O_WRONLY -> write,
// O_RDWR and 3 -> both.
uint32_t AccMode(uint64_t flags) {
  switch (flags & kOAccmode) {
    case kORdonly:
      return kMayRead;
    case kOWronly:
      return kMayWrite;
    default:
      return kMayRead | kMayWrite;
  }
}

}  // namespace

SysResult<OpenFlags> BuildOpenFlags(const open_how& how) {
  OpenFlags op;
  op.cloexec = (how.flags & kOCloexec) != 0;
  op.resolve = how.resolve;
  uint64_t flags = how.flags & ~kOCloexec;
  uint32_t acc_mode = AccMode(flags);

  if ((flags & ~kValidOpenFlags) != 0) return Fail(kEINVAL, "build_open_flags: unknown flag bits");
  if ((how.resolve & ~kValidResolveFlags) != 0) {
    return Fail(kEINVAL, "build_open_flags: unknown resolve bits");
  }
  if ((how.resolve & kResolveBeneath) != 0 && (how.resolve & kResolveInRoot) != 0) {
    return Fail(kEINVAL, "build_open_flags: RESOLVE_BENEATH with RESOLVE_IN_ROOT");
  }
  if ((flags & (kOCreat | kOTmpfileBit)) != 0) {
    if ((how.mode & ~kSIallugo) != 0) {
      return Fail(kEINVAL, "build_open_flags: mode bits beyond S_IALLUGO");
    }
    op.mode = static_cast<uint32_t>(how.mode | kSIfreg);
  } else if (how.mode != 0) {
    return Fail(kEINVAL, "build_open_flags: mode without O_CREAT or O_TMPFILE");
  }
  if ((flags & (kODirectory | kOCreat)) == (kODirectory | kOCreat)) {
    return Fail(kEINVAL, "build_open_flags: O_DIRECTORY with O_CREAT");
  }
  if ((flags & kOTmpfileBit) != 0) {
    if ((flags & kODirectory) == 0) {
      return Fail(kEINVAL, "build_open_flags: O_TMPFILE without O_DIRECTORY");
    }
    if ((acc_mode & kMayWrite) == 0) {
      return Fail(kEINVAL, "build_open_flags: O_TMPFILE without write access");
    }
  }
  if ((flags & kOPath) != 0) {
    if ((flags & ~kOPathFlags) != 0) {
      return Fail(kEINVAL, "build_open_flags: O_PATH with other flags");
    }
    acc_mode = 0;
  }
  if ((flags & kOSyncBit) != 0) flags |= kODsync;
  op.open_flag = static_cast<uint32_t>(flags);
  if ((flags & kOTrunc) != 0) acc_mode |= kMayWrite;
  if ((flags & kOAppend) != 0) acc_mode |= kMayAppend;
  op.acc_mode = acc_mode;
  if ((how.resolve & kResolveCached) != 0 && (flags & (kOTrunc | kOCreat | kOTmpfileBit)) != 0) {
    return Fail(kEAGAIN, "build_open_flags: RESOLVE_CACHED with O_TRUNC, O_CREAT or O_TMPFILE");
  }
  return op;
}

SysResult<open_how> CopyOpenHowFromUser(const UserMemory& mem, CopyCounters* counters, uint64_t how,
                                        uint64_t usize) {
  if (usize < kOpenHowSizeVer0) return Fail(kEINVAL, "openat2: usize < OPEN_HOW_SIZE_VER0");
  if (usize > kPageSize) return Fail(kE2BIG, "openat2: usize > PAGE_SIZE");
  open_how tmp{};
  SysResult<void> copied = CopyStructFromUser(mem, counters, BytesOf(tmp), how, usize);
  if (!copied.ok()) return copied.failure();
  if ((tmp.flags & kOPath) == 0) tmp.flags |= kOLargefile;
  return tmp;
}

SysResult<Openat2Args> Openat2ArgsFromUser(const UserMemory& mem, CopyCounters* counters,
                                           uint64_t how, uint64_t usize) {
  SysResult<open_how> copied = CopyOpenHowFromUser(mem, counters, how, usize);
  if (!copied.ok()) return copied.failure();
  SysResult<OpenFlags> op = BuildOpenFlags(copied.value());
  if (!op.ok()) return op.failure();
  return Openat2Args{copied.value(), op.value()};
}

}  // namespace sclab::model
