// seccomp(2), prctl's seccomp and no_new_privs options, and the syscall-entry check,
// after kernel/seccomp.c and kernel/sys.c.
//
// Attaching follows seccomp_set_mode_filter() step by step, so the first failing check
// decides the errno: flags (EINVAL) -> sock_fprog copy (EFAULT) -> length (EINVAL) ->
// NNP or CAP_SYS_ADMIN (EACCES) -> NULL program (EINVAL) -> instruction copy (EFAULT)
// -> validation (EINVAL, bpf/validator.h) -> listener fd (EMFILE) -> mode (EINVAL) ->
// duplicate listener (EBUSY) -> path length (ENOMEM: the eBPF length the kernel's
// conversion produces, bpf::ValidatedProgram::TranslatedLength(), plus 4 per filter
// against 32768) -> TSYNC (the first unsyncable tid, or ESRCH). A failed call releases
// the listener fd it reserved.
//
// Evaluation follows __seccomp_filter(): the newest filter's constant-action bitmap
// first (a hit skips every filter; on 6.18 native 335 and 336 always hit), then every
// filter newest to oldest, the lowest action winning and the newest filter keeping a
// tie; then the action.
#include <algorithm>
#include <cstring>
#include <string>

#include "base/check.h"
#include "bpf/actions.h"
#include "kernel_sim/kernel.h"

namespace sclab::ksim {

using model::Fail;

namespace {

constexpr uint32_t kMaxInsnsPerPath = 32768;  // MAX_INSNS_PER_PATH: 256 KiB / 8

bool IsAncestor(const Filter* parent, const Filter* child) {
  if (parent == nullptr) {
    return true;
  }
  for (; child != nullptr; child = child->prev) {
    if (child == parent) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string Kernel::FilterLabel(const Task* t, const Filter* f) const {
  std::string label = "filter #" + std::to_string(f->serial);
  if (t != nullptr && t->filter != nullptr) {
    size_t depth = 0;
    size_t pos = 0;
    for (const Filter* w = t->filter; w != nullptr; w = w->prev) {
      ++depth;
      if (w == f) {
        pos = depth;
      }
    }
    if (pos != 0) {
      label += " (" + std::to_string(depth - pos + 1) + " of " + std::to_string(depth);
      if (pos == 1) {
        label += ", newest";
      }
      label += ")";
    }
  }
  return label;
}

// Models kernel/seccomp.c __secure_computing().
Kernel::Verdict Kernel::SecureComputing(Task* t) {
  const auto nr = static_cast<int32_t>(t->regs.orig_ax);
  switch (t->mode) {
    case SeccompMode::kStrict:
      // __secure_computing_strict(): read, write, exit, rt_sigreturn, and on 6.18
      // uretprobe and uprobe; anything else kills the calling thread with SIGKILL.
      if (nr == model::nr::kRead || nr == model::nr::kWrite || nr == model::nr::kExit ||
          nr == model::nr::kRtSigreturn || nr == kNrUretprobe || nr == kNrUprobe) {
        return Verdict::kRun;
      }
      t->mode = SeccompMode::kDead;
      if (explain()) {
        Note("__secure_computing_strict: tid " + std::to_string(t->tid) + " called " +
             SyscallName(nr) + " in strict mode: SIGKILL");
      }
      DoExit(t, model::kSigKill);
      return Verdict::kDead;
    case SeccompMode::kFilter:
      return SeccompFilterAction(t, nr);
    case SeccompMode::kDead:
      DoExit(t, model::kSigKill);
      return Verdict::kDead;
    case SeccompMode::kDisabled:
      break;
  }
  return Verdict::kRun;
}

// Models kernel/seccomp.c seccomp_run_filters().
uint32_t Kernel::RunFilters(Task* t, const bpf::SeccompData& sd, Filter** match) {
  Filter* f = t->filter;
  if (f == nullptr) {
    return bpf::kRetKillProcess;
  }
  // With the cache on, SyscallEnter() has asked it already (CachedAllow(): a miss brought
  // us here).
  if (!config_.action_cache && sd.arch == kAuditArchX86_64 &&
      (sd.nr == kNrUretprobe || sd.nr == kNrUprobe)) {
    return bpf::kRetAllow;  // the 6.18 uprobe exception is part of the cache, kept without it
  }
  std::array<uint8_t, bpf::kSeccompDataSize> scratch;
  std::span<const uint8_t> data = bpf::SeccompDataSpan(sd, &scratch);
  if (config_.proposals != nullptr && f->chain_max_offset > data.size()) {
    // A proposal's filters read past seccomp_data: the hook builds their buffer once.
    t->filter_data = config_.proposals->FilterData(t->proc->mem, &copies_, sd, f->chain_max_offset,
                                                   &t->syscall_note);
    SCLAB_CHECK(t->filter_data.size() >= f->chain_max_offset, "FilterData: too short");
    data = t->filter_data;
  }
  uint32_t ret = bpf::kRetAllow;
  for (; f != nullptr; f = f->prev) {
    const uint32_t cur = bpf::Run(*f->prog, data).ret;
    if (bpf::ActionPrecedes(cur, ret)) {
      ret = cur;
      *match = f;
    }
  }
  return ret;
}

// Models kernel/seccomp.c force_sig_seccomp().
void Kernel::ForceSigSeccomp(Task* t, int nr, uint32_t data, bool force_coredump) {
  Siginfo info;
  info.signo = model::kSigSys;
  info.errno_value = static_cast<int32_t>(data);
  info.code = kSysSeccomp;
  info.word16 = t->ip;
  info.word24 = nr;
  info.word28 = kAuditArchX86_64;
  ForceSigInfo(t, info, force_coredump ? ForceHandler::kExit : ForceHandler::kCurrent);
}

// Models kernel/seccomp.c __seccomp_filter(): run the filters, then act.
// seccomp_cache_check_allow() has been asked already: SyscallEnter() skips seccomp
// for a cached ALLOW (CachedAllow()), so only a cache miss gets here.
Kernel::Verdict Kernel::SeccompFilterAction(Task* t, int nr) {
  const bpf::SeccompData sd = SeccompDataOf(t);  // sd.nr == nr
  Filter* match = nullptr;
  const uint32_t ret = RunFilters(t, sd, &match);
  uint32_t data = bpf::DataOf(ret);
  const uint32_t action = bpf::ActionOf(ret);
  if (explain()) {
    if (match != nullptr) {
      t->reason =
          "seccomp_run_filters: " + FilterLabel(t, match) + " returned " + bpf::FormatAction(ret);
    } else if (action == bpf::kRetAllow) {
      t->reason.clear();  // the syscall's own result explains itself
    }
  }
  switch (action) {
    case bpf::kRetErrno:
      if (data > static_cast<uint32_t>(model::kMaxErrno)) {
        data = static_cast<uint32_t>(model::kMaxErrno);
      }
      SetReturn(t, -static_cast<int64_t>(data), "__seccomp_filter: SECCOMP_RET_ERRNO");
      return Verdict::kSkip;
    case bpf::kRetTrap:
      // syscall_rollback(): the return register holds the syscall number again.
      SetReturn(t, t->regs.orig_ax,
                "__seccomp_filter: SECCOMP_RET_TRAP (rolled back: the call returns its number)");
      ForceSigSeccomp(t, nr, data, false);
      return Verdict::kSkip;
    case bpf::kRetTrace:
      SetReturn(t, -model::kENOSYS.value, "__seccomp_filter: SECCOMP_RET_TRACE without a tracer");
      return Verdict::kSkip;
    case bpf::kRetUserNotif:
      return DoUserNotification(t, match, sd);
    case bpf::kRetLog:
    case bpf::kRetAllow:
      return Verdict::kRun;
    default:
      break;
  }
  // KILL_THREAD, KILL_PROCESS, and every unknown action.
  t->mode = SeccompMode::kDead;
  if (explain()) {
    Note("__seccomp_filter: tid " + std::to_string(t->tid) + " " + SyscallName(nr) + " -> " +
         bpf::FormatAction(ret));
  }
  if (action != bpf::kRetKillThread || t->proc->live == 1) {
    SetReturn(t, t->regs.orig_ax,
              "__seccomp_filter: SECCOMP_RET_KILL_PROCESS (or KILL_THREAD of the last thread)");
    ForceSigSeccomp(t, nr, data, true);
    return Verdict::kSkip;
  }
  DoExit(t, model::kSigSys);
  return Verdict::kDead;
}

// Models kernel/seccomp.c get_seccomp_filter().
void Kernel::GetSeccompFilter(Task* t) {
  if (t->filter == nullptr) {
    return;
  }
  ++t->filter->refs;
  ++t->filter->users;
}

// Models kernel/seccomp.c __seccomp_filter_orphan(): a filter no task can trigger any
// more wakes its pollers with EPOLLHUP, and its parent loses a user.
void Kernel::FilterOrphan(Filter* f) {
  while (f != nullptr && --f->users == 0) {
    if (explain()) {
      Note("__seccomp_filter_orphan: " + FilterLabel(nullptr, f) + " has no users (POLLHUP)");
    }
    WakeQueue(&f->wqh, kPollHup);
    WakePollers();
    f = f->prev;
  }
}

// Models kernel/seccomp.c __put_seccomp_filter().
void Kernel::FilterPut(Filter* f) {
  while (f != nullptr && --f->refs == 0) {
    Filter* dead = f;
    f = f->prev;
    for (auto it = filters_.begin(); it != filters_.end(); ++it) {
      if (it->get() == dead) {
        filters_.erase(it);
        break;
      }
    }
    --live_filters_;
  }
}

// Models kernel/seccomp.c seccomp_filter_release() (called from do_exit()).
void Kernel::SeccompFilterRelease(Task* t) {
  Filter* orig = t->filter;
  t->filter = nullptr;
  FilterOrphan(orig);
  FilterPut(orig);
}

Kernel::SysRet Kernel::SysSeccomp(Task* t) {
  return DoSeccomp(t, static_cast<uint32_t>(t->regs.args[0]),
                   static_cast<uint32_t>(t->regs.args[1]), t->regs.args[2]);
}

// Models kernel/seccomp.c do_seccomp().
Kernel::SysRet Kernel::DoSeccomp(Task* t, uint32_t op, uint32_t flags, uint64_t uargs) {
  switch (op) {
    case kSeccompSetModeStrict:
      if (flags != 0 || uargs != 0) {
        return Fail(model::kEINVAL, "do_seccomp: SET_MODE_STRICT with flags or args");
      }
      return SetModeStrict(t);
    case kSeccompSetModeFilter:
      return SetModeFilter(t, flags, uargs);
    case kSeccompGetActionAvail: {
      if (flags != 0) {
        return Fail(model::kEINVAL, "do_seccomp: GET_ACTION_AVAIL with flags");
      }
      uint32_t action = 0;
      if (!GetUser(t, uargs, &action).ok()) {
        return Fail(model::kEFAULT, "seccomp_get_action_avail: copy_from_user faulted");
      }
      switch (action) {
        case bpf::kRetKillProcess:
        case bpf::kRetKillThread:
        case bpf::kRetTrap:
        case bpf::kRetErrno:
        case bpf::kRetUserNotif:
        case bpf::kRetTrace:
        case bpf::kRetLog:
        case bpf::kRetAllow:
          return Value(0);
        default:
          return Fail(model::kEOPNOTSUPP, "seccomp_get_action_avail: not exactly an action value");
      }
    }
    case kSeccompGetNotifSizes: {
      if (flags != 0) {
        return Fail(model::kEINVAL, "do_seccomp: GET_NOTIF_SIZES with flags");
      }
      const model::seccomp_notif_sizes sizes{kSizeofSeccompNotif, kSizeofSeccompNotifResp,
                                             kSizeofSeccompData};
      if (!PutUser(t, uargs, sizes).ok()) {
        return Fail(model::kEFAULT, "seccomp_get_notif_sizes: copy_to_user faulted");
      }
      return Value(0);
    }
    default:
      return Fail(model::kEINVAL, "do_seccomp: unknown operation");
  }
}

// Models kernel/seccomp.c seccomp_set_mode_strict().
Kernel::SysRet Kernel::SetModeStrict(Task* t) {
  if (t->mode != SeccompMode::kDisabled && t->mode != SeccompMode::kStrict) {
    return Fail(model::kEINVAL, "seccomp_may_assign_mode: already in filter mode");
  }
  t->mode = SeccompMode::kStrict;
  return Value(0);
}

// Models kernel/seccomp.c seccomp_prepare_user_filter() + seccomp_prepare_filter() +
// net/core/filter.c bpf_prog_create_from_user().
model::SysResult<std::unique_ptr<Filter>> Kernel::PrepareUserFilter(Task* t, uint64_t uargs,
                                                                    uint32_t flags) {
  model::sock_fprog fprog{};
  if (!GetUser(t, uargs, &fprog).ok()) {
    return Fail(model::kEFAULT, "seccomp_prepare_user_filter: copy_from_user(sock_fprog) faulted");
  }
  if (fprog.len == 0 || fprog.len > bpf::kMaxInsns) {
    return Fail(model::kEINVAL, "seccomp_prepare_filter: len is 0 or above BPF_MAXINSNS");
  }
  if (!t->no_new_privs && !t->proc->cred.all_caps) {
    return Fail(model::kEACCES, "seccomp_prepare_filter: no NNP and no CAP_SYS_ADMIN");
  }
  if (fprog.filter == 0) {
    return Fail(model::kEINVAL, "bpf_check_basics_ok: NULL filter");
  }
  // bpf_prog_create_from_user() copies into a buffer of its own; the model reuses one
  // (growing it only for a longer program), so a copy costs no zeroing first.
  if (filter_copy_.size() < fprog.len) {
    filter_copy_.resize(fprog.len);
  }
  const std::span<bpf::Insn> insns(filter_copy_.data(), fprog.len);
  std::span<uint8_t> raw(reinterpret_cast<uint8_t*>(insns.data()),
                         insns.size() * sizeof(bpf::Insn));
  if (!model::CopyFromUser(t->proc->mem, &copies_, raw, fprog.filter).ok()) {
    return Fail(model::kEFAULT, "bpf_prog_create_from_user: copy_from_user(insns) faulted");
  }
  const bpf::ValidateOptions options = config_.proposals != nullptr
                                           ? config_.proposals->ValidateOptionsFor(flags)
                                           : bpf::ValidateOptions{};
  auto validated = validation_cache_.Validate(insns, options);
  if (!validated.ok()) {
    if (explain()) {
      t->reason = "bpf_check_classic/seccomp_check_filter: " + validated.error().Message();
    }
    return Fail(model::kEINVAL, "bpf_check_classic/seccomp_check_filter: invalid program");
  }
  auto filter = std::make_unique<Filter>(std::move(validated).value());
  filter->serial = ++filter_serials_;
  return filter;
}

// Models kernel/seccomp.c seccomp_set_mode_filter() with seccomp_attach_filter(),
// seccomp_can_sync_threads() and seccomp_sync_threads(); checks in the kernel's order.
Kernel::SysRet Kernel::SetModeFilter(Task* t, uint32_t flags, uint64_t uargs) {
  const uint32_t known =
      kFilterFlagMask | (config_.proposals != nullptr ? config_.proposals->ExtraFilterFlags() : 0);
  if ((flags & ~known) != 0) {
    return Fail(model::kEINVAL, "seccomp_set_mode_filter: unknown flag bits");
  }
  if ((flags & kFilterFlagTsync) != 0 && (flags & kFilterFlagNewListener) != 0 &&
      (flags & kFilterFlagTsyncEsrch) == 0) {
    return Fail(model::kEINVAL, "seccomp_set_mode_filter: TSYNC|NEW_LISTENER without TSYNC_ESRCH");
  }
  if ((flags & kFilterFlagWaitKillableRecv) != 0 && (flags & kFilterFlagNewListener) == 0) {
    return Fail(model::kEINVAL, "seccomp_set_mode_filter: WAIT_KILLABLE_RECV without NEW_LISTENER");
  }
  auto prepared_or = PrepareUserFilter(t, uargs, flags);
  if (!prepared_or.ok()) {
    return prepared_or.failure();
  }
  std::unique_ptr<Filter> prepared = std::move(prepared_or).value();
  Filter* const raw = prepared.get();  // still valid on the failure path, where `prepared` owns it
  Process* p = t->proc;

  int listener = -1;
  File* listener_f = nullptr;
  if ((flags & kFilterFlagNewListener) != 0) {
    auto fd = AllocFd(p);  // get_unused_fd_flags(O_CLOEXEC)
    if (!fd.ok()) {
      return fd.failure();
    }
    listener = fd.value();
    listener_f = InitListener(prepared.get());
  }

  SysRet ret = Value(0);
  bool attached = false;
  if (t->mode != SeccompMode::kDisabled && t->mode != SeccompMode::kFilter) {
    ret = Fail(model::kEINVAL, "seccomp_may_assign_mode: the task is in strict mode");
  } else if (prepared->notif != nullptr && [&] {
               for (const Filter* cur = t->filter; cur != nullptr; cur = cur->prev) {
                 if (cur->notif != nullptr) {
                   return true;
                 }
               }
               return false;
             }()) {
    ret = Fail(model::kEBUSY, "has_duplicate_listener: the chain already has a live listener");
  } else {
    // seccomp_attach_filter()
    uint64_t total = static_cast<uint64_t>(prepared->prog->TranslatedLength());
    for (const Filter* w = t->filter; w != nullptr; w = w->prev) {
      total += static_cast<uint64_t>(w->prog->TranslatedLength()) + 4;
    }
    Pid unsyncable = 0;
    if (total > kMaxInsnsPerPath) {
      ret = Fail(model::kENOMEM, "seccomp_attach_filter: the chain would pass MAX_INSNS_PER_PATH");
    } else if ((flags & kFilterFlagTsync) != 0) {
      for (Task* thread : p->threads) {  // seccomp_can_sync_threads()
        if (thread == t || thread->exiting) {
          continue;
        }
        if (thread->mode == SeccompMode::kDisabled ||
            (thread->mode == SeccompMode::kFilter && IsAncestor(thread->filter, t->filter))) {
          continue;
        }
        unsyncable = thread->tid;
        break;
      }
      if (unsyncable != 0) {
        if ((flags & kFilterFlagTsyncEsrch) != 0) {
          ret = Fail(model::kESRCH,
                     "seccomp_can_sync_threads: a thread cannot be synchronized (TSYNC_ESRCH)");
        } else {
          ret = Value(unsyncable);
          if (explain()) {
            t->reason = "seccomp_can_sync_threads: tid " + std::to_string(unsyncable) +
                        " cannot be synchronized";
          }
        }
      }
    }
    if (ret.ok() && unsyncable == 0) {
      Filter* f = prepared.get();
      f->log = (flags & kFilterFlagLog) != 0;
      f->wait_killable_recv = (flags & kFilterFlagWaitKillableRecv) != 0;
      f->prev = t->filter;  // the task's reference on the old head moves to the new filter
      f->chain_max_offset =
          std::max(f->prog->MaxDataOffset(), f->prev != nullptr ? f->prev->chain_max_offset : 0u);
      f->cache =
          bpf::ActionCache::Prepare(*f->prog, f->prev != nullptr ? &f->prev->cache : nullptr);
      filters_.push_back(std::move(prepared));
      ++live_filters_;
      t->filter = f;
      ++t->filter_count;
      if ((flags & kFilterFlagTsync) != 0) {  // seccomp_sync_threads()
        for (Task* thread : p->threads) {
          if (thread == t || thread->exiting) {
            continue;
          }
          GetSeccompFilter(t);
          Filter* old = thread->filter;
          FilterOrphan(old);
          FilterPut(old);
          thread->filter = t->filter;
          thread->filter_count = t->filter_count;
          if (t->no_new_privs) {
            thread->no_new_privs = true;
          }
          if (thread->mode == SeccompMode::kDisabled) {
            thread->mode = SeccompMode::kFilter;
          }
        }
      }
      t->mode = SeccompMode::kFilter;  // seccomp_assign_mode()
      attached = true;
      if (explain()) {
        Note("seccomp_attach_filter: tid " + std::to_string(t->tid) + " attached " +
             FilterLabel(t, f) + " (" + std::to_string(f->prog->Length()) + " insns, " +
             std::to_string(f->prog->TranslatedLength()) + " translated)");
      }
    }
  }

  if (listener_f != nullptr) {
    if (!attached) {
      listener_f->filter = nullptr;  // listener_f->private_data = NULL; fput(); put_unused_fd()
      FilePut(listener_f);
      raw->notif.reset();  // seccomp_notify_detach(prepared)
      --raw->refs;         // the listener file's reference dies with it
    } else {
      FdInstall(p, listener, listener_f, true);
      return Value(listener);
    }
  }
  return ret;
}

// Models kernel/sys.c prctl() for the options the model implements.
Kernel::SysRet Kernel::SysPrctl(Task* t) {
  const auto option = static_cast<int32_t>(t->regs.args[0]);
  const uint64_t arg2 = t->regs.args[1];
  const uint64_t arg3 = t->regs.args[2];
  const uint64_t arg4 = t->regs.args[3];
  const uint64_t arg5 = t->regs.args[4];
  switch (option) {
    case kPrGetSeccomp:
      return Value(static_cast<int64_t>(t->mode));
    case kPrSetSeccomp:
      // prctl_set_seccomp(): strict ignores arg3; there are no flags.
      if (arg2 == kSeccompSetModeStrict + 1) {
        return DoSeccomp(t, kSeccompSetModeStrict, 0, 0);
      }
      if (arg2 == kSeccompSetModeFilter + 1) {
        return DoSeccomp(t, kSeccompSetModeFilter, 0, arg3);
      }
      return Fail(model::kEINVAL, "prctl_set_seccomp: mode is neither STRICT nor FILTER");
    case kPrSetNoNewPrivs:
      if (arg2 != 1 || arg3 != 0 || arg4 != 0 || arg5 != 0) {
        return Fail(model::kEINVAL, "prctl: PR_SET_NO_NEW_PRIVS needs arg2 == 1 and the rest 0");
      }
      t->no_new_privs = true;
      return Value(0);
    case kPrGetNoNewPrivs:
      if (arg2 != 0 || arg3 != 0 || arg4 != 0 || arg5 != 0) {
        return Fail(model::kEINVAL, "prctl: PR_GET_NO_NEW_PRIVS needs arg2..arg5 == 0");
      }
      return Value(t->no_new_privs ? 1 : 0);
    default:
      return Fail(model::kEINVAL,
                  "DIVERGES(kernel): prctl option not modelled (the kernel's default is EINVAL)");
  }
}

}  // namespace sclab::ksim
