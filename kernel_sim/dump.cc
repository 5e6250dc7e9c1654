// The state dump and the queue view: stable text, in pid, thread-list and filter
// creation order, so that two runs with one seed compare byte for byte.
#include <string>

#include "bpf/actions.h"
#include "kernel_sim/kernel.h"

namespace sclab::ksim {

namespace {

std::string Hex(uint64_t v) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  do {
    out.insert(out.begin(), kDigits[v & 0xf]);
    v >>= 4;
  } while (v != 0);
  return "0x" + out;
}

std::string SigSet(uint64_t mask) {
  if (mask == 0) {
    return "-";
  }
  std::string out;
  for (int sig = 1; sig <= kNsig; ++sig) {
    if ((mask & (1ULL << (sig - 1))) == 0) {
      continue;
    }
    if (!out.empty()) {
      out += ",";
    }
    out += std::to_string(sig);
  }
  return out;
}

const char* StateName(NotifyState s) {
  switch (s) {
    case NotifyState::kInit:
      return "INIT";
    case NotifyState::kSent:
      return "SENT";
    case NotifyState::kReplied:
      return "REPLIED";
  }
  return "?";
}

const char* ModeName(SeccompMode m) {
  switch (m) {
    case SeccompMode::kDisabled:
      return "disabled";
    case SeccompMode::kStrict:
      return "strict";
    case SeccompMode::kFilter:
      return "filter";
    case SeccompMode::kDead:
      return "dead";
  }
  return "?";
}

}  // namespace

std::string Kernel::DescribeFile(const File* f) const {
  switch (f->kind) {
    case FileKind::kDevNull:
      return "/dev/null";
    case FileKind::kDevZero:
      return "/dev/zero";
    case FileKind::kDirectory:
    case FileKind::kRegular: {
      std::string path = vfs_.PathOf(f->inode);
      return path.empty() ? "(O_TMPFILE inode " + std::to_string(f->inode->ino) + ")" : path;
    }
    case FileKind::kListener:
      return f->filter != nullptr
                 ? "anon_inode:seccomp notify (filter #" + std::to_string(f->filter->serial) + ")"
                 : "anon_inode:seccomp notify";
    case FileKind::kChannel:
      return "runner channel (" + std::to_string(f->channel->queue.size()) + " queued)";
    case FileKind::kPidfd:
      return "anon_inode:[pidfd] (pid " + std::to_string(f->pidfd_pid) + ")";
  }
  return "?";
}

std::string Kernel::DescribeWait(const Task* t) const {
  switch (t->state) {
    case TaskState::kUser:
      return t->frames.empty() ? "user" : "user (in a handler)";
    case TaskState::kRunnable:
      return "runnable";
    case TaskState::kDead:
      return t->released ? "dead (released)" : "dead (zombie)";
    case TaskState::kSleeping:
      break;
  }
  switch (t->wait) {
    case WaitKind::kNotifyReply:
      return t->wait_killable ? "sleeping in seccomp_do_user_notification (killable)"
                              : "sleeping in seccomp_do_user_notification (interruptible)";
    case WaitKind::kNotifyRecv:
      return "sleeping in seccomp_notify_recv";
    case WaitKind::kNotifyAddfd:
      return "sleeping in seccomp_notify_addfd";
    case WaitKind::kWait4:
      return "sleeping in do_wait";
    case WaitKind::kRecvmsg:
      return "sleeping in unix_stream_data_wait";
    case WaitKind::kPoll:
      return "sleeping in do_poll";
    case WaitKind::kStopped:
      return "stopped";
    case WaitKind::kProposalListener:
      return "sleeping in a proposal's listener operation";
    case WaitKind::kNone:
      break;
  }
  return "sleeping";
}

std::string Kernel::StateDump() const {
  std::string out = "kernel: seed=" + std::to_string(config_.seed) +
                    " steps=" + std::to_string(steps_) + " files=" + std::to_string(live_files_) +
                    " filters=" + std::to_string(live_filters_) + "\n";
  for (const auto& owned : processes_) {
    const Process* p = owned.get();
    if (p == nullptr) {
      continue;
    }
    const char* state = p->state == ProcState::kAlive    ? "alive"
                        : p->state == ProcState::kZombie ? "zombie"
                                                         : "reaped";
    out += "process " + std::to_string(p->pid) + ": " + state + " parent " +
           std::to_string(p->parent->pid) + " pgid " + std::to_string(p->pgid) + " sid " +
           std::to_string(p->sid) + " uid " + std::to_string(p->cred.uid) +
           (p->cred.all_caps ? " caps all" : " caps none") + " live " + std::to_string(p->live);
    if ((p->flags & kSignalGroupExit) != 0) {
      out += " group-exit " + std::to_string(p->group_exit_code);
    }
    if ((p->flags & kSignalStopStopped) != 0) {
      out += " stopped";
    }
    out += "\n";
    if (p->state == ProcState::kReaped) {
      continue;
    }
    out += "  fds:";
    if (p->fds.empty()) {
      out += " -";
    }
    for (const FdTable::Slot& s : p->fds.slots()) {
      out +=
          " " + std::to_string(s.fd) + "=" + DescribeFile(s.file) + (s.cloexec ? "[cloexec]" : "");
    }
    out += "\n";
    if (p->actions) {
      std::string acts;
      for (int sig = 1; sig <= kNsig; ++sig) {
        const SigAction& a = (*p->actions)[static_cast<size_t>(sig - 1)];
        if (a.handler == kSigDfl && a.flags == 0) {
          continue;
        }
        acts += " " + std::to_string(sig) + "=";
        if (a.handler == kSigDfl) {
          acts += "SIG_DFL";
        } else if (a.handler == kSigIgn) {
          acts += "SIG_IGN";
        } else {
          acts += a.handler == config_.recording_handler ? "recording-handler"
                                                         : "handler@" + Hex(a.handler);
        }
        if ((a.flags & kSaRestart) != 0) {
          acts += "+SA_RESTART";
        }
        if ((a.flags & kSaImmutable) != 0) {
          acts += "+immutable";
        }
      }
      if (!acts.empty()) {
        out += "  actions:" + acts + "\n";
      }
    }
    if (p->shared_pending.mask != 0) {
      out += "  shared pending: " + SigSet(p->shared_pending.mask) + "\n";
    }
    for (const Task* t : p->threads) {
      out += "  thread " + std::to_string(t->tid) + ": " + DescribeWait(t) + " nnp " +
             (t->no_new_privs ? "1" : "0") + " mode " + ModeName(t->mode) + " filters";
      if (t->filter == nullptr) {
        out += " -";
      }
      for (const Filter* f = t->filter; f != nullptr; f = f->prev) {
        out += " #" + std::to_string(f->serial);
      }
      out += " count " + std::to_string(t->filter_count) + " pending " + SigSet(t->pending.mask) +
             " blocked " + SigSet(t->blocked);
      if (!t->frames.empty()) {
        out += " frames " + std::to_string(t->frames.size());
      }
      out += "\n";
    }
  }
  for (const auto& owned : filters_) {
    const Filter* f = owned.get();
    out += "filter #" + std::to_string(f->serial) + ": insns " + std::to_string(f->prog->Length()) +
           " translated " + std::to_string(f->prog->TranslatedLength()) + " refs " +
           std::to_string(f->refs) + " users " + std::to_string(f->users) + (f->log ? " log" : "") +
           (f->wait_killable_recv ? " wait_killable_recv" : "") +
           (f->prev != nullptr ? " prev #" + std::to_string(f->prev->serial) : "") + "\n";
  }
  out += QueueState();
  return out;
}

std::string Kernel::QueueState() const {
  std::string out;
  for (const auto& owned : filters_) {
    const Filter* f = owned.get();
    const Listener* l = f->notif.get();
    if (l == nullptr) {
      continue;
    }
    out += "listener of filter #" + std::to_string(f->serial) + ": next_id " + Hex(l->next_id) +
           " requests " + std::to_string(l->requests) + (f->users == 0 ? " orphaned" : "") + "\n";
    for (const Task* t = l->head; t != nullptr; t = t->notif.next) {
      out += "  " + Hex(t->notif.id) + " tid " + std::to_string(t->tid) + " " +
             StateName(t->notif.state) + " " + SyscallName(SeccompDataOf(t).nr);
      size_t addfds = 0;
      for (const AddfdRequest* a = t->notif.addfd; a != nullptr; a = a->next) {
        ++addfds;
      }
      if (addfds != 0) {
        out += " addfd-queued " + std::to_string(addfds);
      }
      out += "\n";
    }
  }
  return out;
}

}  // namespace sclab::ksim
