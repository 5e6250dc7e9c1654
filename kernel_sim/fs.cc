// File descriptors and file operations, after fs/file.c, fs/read_write.c, fs/open.c,
// fs/namei.c (through Vfs), fs/ioctl.c, fs/select.c and net/socket.c +
// net/unix/af_unix.c + net/core/scm.c for the runner channel.
//
// Each syscall truncates its arguments to the C types of its SYSCALL_DEFINE (an
// `unsigned int fd` of 2^32 + 3 is fd 3), then checks in the kernel's order. The files:
// /dev/null and /dev/zero (drivers/char/mem.c), directories (read -> EISDIR), regular
// files under $scratch (content kept), the seccomp listener (no read or write op:
// EINVAL; ioctl and poll as kernel/seccomp.c), and the runner channel (recvmsg only).
#include <algorithm>
#include <cstring>
#include <string>

#include "base/check.h"
#include "kernel_sim/kernel.h"

namespace sclab::ksim {

using model::Fail;

namespace {

constexpr uint64_t kMaxRwCount = 0x7ffff000;  // MAX_RW_COUNT = INT_MAX & PAGE_MASK
constexpr uint32_t kFionbio = 0x5421, kFionread = 0x541B, kFionclex = 0x5450, kFioclex = 0x5451,
                   kFioasync = 0x5452, kFigetbsz = 2;
constexpr uint32_t kFasync = 020000;
constexpr uint32_t kPollWrBand = 0x200;
constexpr uint32_t kDefaultPollMask = kPollIn | kPollOut | kPollRdNorm | kPollWrNorm;

// Models fs/open.c build_open_how() for open()/openat().
model::open_how BuildOpenHow(int32_t flags, uint16_t mode) {
  model::open_how how{};
  how.flags = static_cast<uint64_t>(static_cast<uint32_t>(flags)) & model::kValidOpenFlags;
  how.mode = mode & model::kSIallugo;
  if ((how.flags & model::kOPath) != 0) {
    how.flags &= model::kODirectory | model::kONofollow | model::kOPath | model::kOCloexec;
  }
  if ((how.flags & (model::kOCreat | model::kOTmpfileBit)) == 0) {
    how.mode = 0;
  }
  return how;
}

}  // namespace

// Models fs/file.c alloc_fd(0, rlimit(RLIMIT_NOFILE)).
model::SysResult<int> Kernel::AllocFd(Process* p) {
  const int fd = p->fds.LowestFree(kRlimitNofile);
  if (fd < 0) {
    return Fail(model::kEMFILE, "alloc_fd: no free descriptor below RLIMIT_NOFILE");
  }
  return fd;
}

void Kernel::FdInstall(Process* p, int fd, File* f, bool cloexec) {
  p->fds.Install(fd, f, cloexec);
}

// Models fs/file.c close_files(): every descriptor, lowest first.
void Kernel::CloseFiles(Process* p) {
  std::vector<FdTable::Slot> slots = p->fds.slots();
  for (const FdTable::Slot& s : slots) {
    p->fds.Remove(s.fd);
    FilePut(s.file);
  }
}

// vfs_poll(): the file's poll op, or DEFAULT_POLLMASK without one.
uint32_t Kernel::FilePoll(const File* f) const {
  switch (f->kind) {
    case FileKind::kListener:
      return NotifyPoll(f);
    case FileKind::kChannel:  // unix_poll(): the runner's end never closes during a run
      return (f->channel->queue.empty() ? 0u : kPollIn | kPollRdNorm) | kPollOut | kPollWrNorm |
             kPollWrBand;
    default:
      return kDefaultPollMask;
  }
}

// Models fs/read_write.c ksys_read() -> vfs_read().
Kernel::SysRet Kernel::SysRead(Task* t) {
  File* f = FdGet(t, t->regs.args[0], false);
  const uint64_t buf = t->regs.args[1];
  uint64_t count = t->regs.args[2];
  if (f == nullptr) {
    return Fail(model::kEBADF, "ksys_read: fd is not open");
  }
  if ((f->f_mode & kFmodeRead) == 0) {
    return Fail(model::kEBADF, "vfs_read: the file is not open for reading");
  }
  const bool proposal_read = f->kind == FileKind::kListener && config_.proposals != nullptr &&
                             config_.proposals->ListenerReads();
  if ((f->f_mode & kFmodeCanRead) == 0 && !proposal_read) {
    return Fail(model::kEINVAL, "vfs_read: the file has no read operation");
  }
  if (!model::AccessOk(buf, count)) {
    return Fail(model::kEFAULT, "vfs_read: access_ok() failed");
  }
  if (static_cast<int64_t>(count) < 0) {
    return Fail(model::kEINVAL, "rw_verify_area: count above SSIZE_MAX");
  }
  count = std::min(count, kMaxRwCount);
  model::UserMemory& mem = t->proc->mem;
  switch (f->kind) {
    case FileKind::kDevNull:
      return Value(0);
    case FileKind::kDevZero: {  // read_zero(): clear_user() up to the first fault
      const uint64_t mapped = mem.MappedPrefix(buf, count);
      const std::vector<uint8_t> zeros(static_cast<size_t>(mapped), 0);
      mem.WriteUpTo(buf, zeros);
      if (mapped == 0 && count > 0) {
        return Fail(model::kEFAULT, "read_zero: clear_user() faulted at once");
      }
      return Value(static_cast<int64_t>(mapped));
    }
    case FileKind::kDirectory:
      return Fail(model::kEISDIR, "generic_read_dir: read() of a directory");
    case FileKind::kRegular: {
      const std::string& data = f->inode->data;
      if (f->pos >= data.size() || count == 0) {
        return Value(0);
      }
      const uint64_t n = std::min<uint64_t>(count, data.size() - f->pos);
      const auto* src = reinterpret_cast<const uint8_t*>(data.data()) + f->pos;
      const uint64_t copied =
          mem.WriteUpTo(buf, std::span<const uint8_t>(src, static_cast<size_t>(n)));
      if (copied == 0) {
        return Fail(model::kEFAULT, "filemap_read: copy to user faulted at once");
      }
      f->pos += copied;
      return Value(static_cast<int64_t>(copied));
    }
    case FileKind::kListener:
      if (std::optional<SysRet> r = ProposalListener(t, f, kListenerRead, buf, count)) {
        return *r;
      }
      return Fail(model::kEINVAL, "vfs_read: the file has no read operation");
    default:
      return Fail(model::kEINVAL, "DIVERGES(kernel): read() of the runner channel is not modelled");
  }
}

// Models fs/read_write.c ksys_write() -> vfs_write().
Kernel::SysRet Kernel::SysWrite(Task* t) {
  File* f = FdGet(t, t->regs.args[0], false);
  const uint64_t buf = t->regs.args[1];
  uint64_t count = t->regs.args[2];
  if (f == nullptr) {
    return Fail(model::kEBADF, "ksys_write: fd is not open");
  }
  if ((f->f_mode & kFmodeWrite) == 0) {
    return Fail(model::kEBADF, "vfs_write: the file is not open for writing");
  }
  const bool proposal_write = f->kind == FileKind::kListener && config_.proposals != nullptr &&
                              config_.proposals->ListenerWrites();
  if ((f->f_mode & kFmodeCanWrite) == 0 && !proposal_write) {
    return Fail(model::kEINVAL, "vfs_write: the file has no write operation");
  }
  if (!model::AccessOk(buf, count)) {
    return Fail(model::kEFAULT, "vfs_write: access_ok() failed");
  }
  if (static_cast<int64_t>(count) < 0) {
    return Fail(model::kEINVAL, "rw_verify_area: count above SSIZE_MAX");
  }
  count = std::min(count, kMaxRwCount);
  switch (f->kind) {
    case FileKind::kDevNull:
    case FileKind::kDevZero:
      return Value(static_cast<int64_t>(count));  // write_null() / write_zero() read nothing
    case FileKind::kRegular: {
      std::string& data = f->inode->data;
      if ((f->f_flags & model::kOAppend) != 0) {
        f->pos = data.size();
      }
      if (count == 0) {
        return Value(0);
      }
      const uint64_t readable = t->proc->mem.MappedPrefix(buf, count);
      if (readable == 0) {
        return Fail(model::kEFAULT, "generic_perform_write: the buffer faulted at once");
      }
      std::vector<uint8_t> bytes(static_cast<size_t>(readable));
      t->proc->mem.ReadUpTo(buf, bytes);
      if (data.size() < f->pos + readable) {
        data.resize(static_cast<size_t>(f->pos + readable), '\0');
      }
      std::copy(bytes.begin(), bytes.end(), data.begin() + static_cast<std::ptrdiff_t>(f->pos));
      f->pos += readable;
      return Value(static_cast<int64_t>(readable));
    }
    case FileKind::kListener:
      if (std::optional<SysRet> r = ProposalListener(t, f, kListenerWrite, buf, count)) {
        return *r;
      }
      return Fail(model::kEINVAL, "vfs_write: the file has no write operation");
    default:
      return Fail(model::kEINVAL,
                  "DIVERGES(kernel): write() to the runner channel is not modelled");
  }
}

// Models fs/open.c close() -> close_fd().
Kernel::SysRet Kernel::SysClose(Task* t) {
  const auto ufd = static_cast<uint32_t>(t->regs.args[0]);
  File* f = ufd < static_cast<uint32_t>(kRlimitNofile) ? t->proc->fds.Remove(static_cast<int>(ufd))
                                                       : nullptr;
  if (f == nullptr) {
    return Fail(model::kEBADF, "close_fd: fd is not open");
  }
  FilePut(f);
  return Value(0);
}

// Models fs/file.c dup(): fget_raw(), then the lowest free number without FD_CLOEXEC.
Kernel::SysRet Kernel::SysDup(Task* t) {
  File* f = FdGet(t, t->regs.args[0], true);
  if (f == nullptr) {
    return Fail(model::kEBADF, "dup: fd is not open");
  }
  auto fd = AllocFd(t->proc);
  if (!fd.ok()) {
    return fd.failure();
  }
  FileGet(f);
  FdInstall(t->proc, fd.value(), f, false);
  return Value(fd.value());
}

// Models fs/open.c openat(): O_LARGEFILE forced, build_open_how(), do_sys_openat2().
Kernel::SysRet Kernel::SysOpenat(Task* t) {
  const auto dfd = static_cast<int32_t>(t->regs.args[0]);
  auto flags = static_cast<int32_t>(t->regs.args[2]);
  const auto mode = static_cast<uint16_t>(t->regs.args[3]);
  flags |= static_cast<int32_t>(model::kOLargefile);
  return DoSysOpen(t, dfd, t->regs.args[1], BuildOpenHow(flags, mode));
}

// Models fs/open.c openat2(): the open_how rules of model/open_how.h, then the open.
Kernel::SysRet Kernel::SysOpenat2(Task* t) {
  const auto dfd = static_cast<int32_t>(t->regs.args[0]);
  if (config_.proposals != nullptr && t->syscall_note != nullptr) {
    // A proposal copied open_how before the filters ran: use that one copy.
    if (auto cached = config_.proposals->Openat2How(t->syscall_note.get(), t->regs.args[3])) {
      if (!cached->ok()) {
        return cached->failure();
      }
      return DoSysOpen(t, dfd, t->regs.args[1], cached->value());
    }
  }
  auto how = model::CopyOpenHowFromUser(t->proc->mem, &copies_, t->regs.args[2], t->regs.args[3]);
  if (!how.ok()) {
    return how.failure();
  }
  return DoSysOpen(t, dfd, t->regs.args[1], how.value());
}

// Models fs/open.c do_sys_openat2(): build_open_flags(), getname(), the fd, the walk.
Kernel::SysRet Kernel::DoSysOpen(Task* t, int dfd, uint64_t filename, const model::open_how& how) {
  auto op_or = model::BuildOpenFlags(how);
  if (!op_or.ok()) {
    return op_or.failure();
  }
  const model::OpenFlags op = op_or.value();
  Process* p = t->proc;
  auto name = p->mem.ReadCString(filename, model::kPathMax);
  if (!name.ok()) {
    return name.failure();
  }
  if (name.value().empty()) {
    return Fail(model::kENOENT, "getname: empty path");
  }
  auto fd = AllocFd(p);
  if (!fd.ok()) {
    return fd.failure();
  }
  const std::string& path = name.value();
  const bool absolute = path[0] == '/';
  Inode* base = p->cwd;
  if (!absolute || (op.resolve & model::kResolveInRoot) != 0) {  // path_init()
    if (dfd != kAtFdcwd) {
      File* df = FdGet(t, static_cast<uint32_t>(dfd), true);
      if (dfd < 0 || df == nullptr) {
        return Fail(model::kEBADF, "path_init: dfd is not open");
      }
      if (df->inode == nullptr || !df->inode->IsDir()) {
        return Fail(model::kENOTDIR, "path_init: dfd is not a directory");
      }
      base = df->inode;
    }
  }
  auto resolved = vfs_.Open(p->cred, base, path, op, kUmask);
  if (!resolved.ok()) {
    return resolved.failure();
  }
  Inode* inode = resolved.value().inode;
  FileKind kind = FileKind::kRegular;
  if (inode->IsDir()) {
    kind = FileKind::kDirectory;
  } else if (inode->dev == DevKind::kNull) {
    kind = FileKind::kDevNull;
  } else if (inode->dev == DevKind::kZero) {
    kind = FileKind::kDevZero;
  }
  File* f = NewFile(kind);
  f->inode = inode;
  f->f_flags = op.open_flag;
  if ((op.open_flag & model::kOPath) != 0) {
    f->f_mode = kFmodePath;
  } else {
    const uint32_t acc = (op.open_flag + 1) & model::kOAccmode;  // OPEN_FMODE()
    if ((acc & 1) != 0) {
      f->f_mode |= kFmodeRead;
    }
    if ((acc & 2) != 0) {
      f->f_mode |= kFmodeWrite;
    }
    f->f_mode |= kFmodeCanRead;
    if (kind != FileKind::kDirectory) {
      f->f_mode |= kFmodeCanWrite;
    }
  }
  FdInstall(p, fd.value(), f, op.cloexec);
  return Value(fd.value());
}

// Models fs/namei.c mkdirat() -> do_mkdirat().
Kernel::SysRet Kernel::SysMkdirat(Task* t) {
  const auto dfd = static_cast<int32_t>(t->regs.args[0]);
  const auto mode = static_cast<uint16_t>(t->regs.args[2]);
  Process* p = t->proc;
  auto name = p->mem.ReadCString(t->regs.args[1], model::kPathMax);
  if (!name.ok()) {
    return name.failure();
  }
  if (name.value().empty()) {
    return Fail(model::kENOENT, "getname: empty path");
  }
  Inode* base = p->cwd;
  if (name.value()[0] != '/' && dfd != kAtFdcwd) {
    File* df = FdGet(t, static_cast<uint32_t>(dfd), true);
    if (dfd < 0 || df == nullptr) {
      return Fail(model::kEBADF, "path_init: dfd is not open");
    }
    if (df->inode == nullptr || !df->inode->IsDir()) {
      return Fail(model::kENOTDIR, "path_init: dfd is not a directory");
    }
    base = df->inode;
  }
  auto made = vfs_.Mkdir(p->cred, base, name.value(), mode, kUmask);
  if (!made.ok()) {
    return made.failure();
  }
  return Value(0);
}

// Models fs/ioctl.c do_vfs_ioctl(), then vfs_ioctl(): the generic commands first,
// whatever the file, then the file's own unlocked_ioctl.
Kernel::SysRet Kernel::DoVfsIoctl(Task* t, File* f, uint32_t cmd, uint64_t arg) {
  const int fd = static_cast<int>(static_cast<uint32_t>(t->regs.args[0]));
  switch (cmd) {
    case kFioclex:
    case kFionclex:
      t->proc->fds.Find(fd)->cloexec = cmd == kFioclex;
      return Value(0);
    case kFionbio: {
      int32_t on = 0;
      if (!GetUser(t, arg, &on).ok()) {
        return Fail(model::kEFAULT, "ioctl_fionbio: get_user faulted");
      }
      if (on != 0) {
        f->f_flags |= static_cast<uint32_t>(model::kONonblock);
      } else {
        f->f_flags &= ~static_cast<uint32_t>(model::kONonblock);
      }
      return Value(0);
    }
    case kFioasync: {
      int32_t on = 0;
      if (!GetUser(t, arg, &on).ok()) {
        return Fail(model::kEFAULT, "ioctl_fioasync: get_user faulted");
      }
      const uint32_t flag = on != 0 ? kFasync : 0;
      if (((flag ^ f->f_flags) & kFasync) != 0) {
        if (f->kind != FileKind::kChannel) {
          return Fail(model::kENOTTY, "ioctl_fioasync: the file has no fasync operation");
        }
        f->f_flags ^= kFasync;
      }
      return Value(0);
    }
    case kFigetbsz:
      if (!PutUser(t, arg, static_cast<int32_t>(4096)).ok()) {
        return Fail(model::kEFAULT, "FIGETBSZ: put_user faulted");
      }
      return Value(0);
    case kFionread:
      if (f->kind == FileKind::kRegular) {
        const auto left = static_cast<int32_t>(
            f->pos >= f->inode->data.size() ? 0 : f->inode->data.size() - f->pos);
        if (!PutUser(t, arg, left).ok()) {
          return Fail(model::kEFAULT, "FIONREAD: put_user faulted");
        }
        return Value(0);
      }
      if (f->kind == FileKind::kChannel) {
        if (!PutUser(t, arg, static_cast<int32_t>(f->channel->queue.size())).ok()) {
          return Fail(model::kEFAULT, "unix_ioctl(SIOCINQ): put_user faulted");
        }
        return Value(0);
      }
      break;
    default:
      break;
  }
  if (f->kind == FileKind::kListener) {
    return NotifyIoctl(t, f, cmd, arg);
  }
  // DIVERGES(kernel): of do_vfs_ioctl()'s generic commands only FIOCLEX, FIONCLEX,
  // FIONBIO, FIOASYNC, FIGETBSZ and FIONREAD are modelled; the rest (FIOQSIZE, the
  // FS_IOC_* and clone/dedupe ones) are ENOTTY here.
  return Fail(model::kENOTTY, "vfs_ioctl: the file has no such ioctl");
}

Kernel::SysRet Kernel::SysPoll(Task* t) {
  return DoSysPoll(t, t->regs.args[0], static_cast<uint32_t>(t->regs.args[1]),
                   static_cast<int32_t>(t->regs.args[2]));
}

// Models fs/select.c do_sys_poll(): the nfds limit, the copy of the pollfd array.
Kernel::SysRet Kernel::DoSysPoll(Task* t, uint64_t ufds, uint32_t nfds, int32_t timeout) {
  if (nfds > static_cast<uint32_t>(kRlimitNofile)) {
    return Fail(model::kEINVAL, "do_sys_poll: nfds above RLIMIT_NOFILE");
  }
  t->scratch.Reset();
  t->scratch.buf.resize(static_cast<size_t>(nfds) * 8);
  if (!model::CopyFromUser(t->proc->mem, &copies_, t->scratch.buf, ufds).ok()) {
    return Fail(model::kEFAULT, "do_sys_poll: copy_from_user(pollfd) faulted");
  }
  t->scratch.addr = ufds;
  t->scratch.len = nfds;
  t->scratch.pid = timeout;
  return DoPoll(t, true);
}

// Models fs/select.c do_poll() + do_pollfd() and the copy-back of revents.
// DIVERGES(kernel): time does not pass in the simulation, so a positive timeout
// expires at once when nothing is ready; a negative one sleeps until a file is ready
// or a signal comes.
Kernel::SysRet Kernel::DoPoll(Task* t, bool first) {
  (void)first;
  std::vector<uint8_t>& buf = t->scratch.buf;
  int64_t count = 0;
  for (size_t i = 0; i < t->scratch.len; ++i) {
    uint8_t* e = buf.data() + i * 8;
    int32_t fd = 0;
    uint16_t events = 0;
    std::memcpy(&fd, e, 4);
    std::memcpy(&events, e + 4, 2);
    uint32_t mask = 0;
    if (fd >= 0) {
      mask = kPollNval;
      File* f = FdGet(t, static_cast<uint32_t>(fd), false);
      if (f != nullptr) {
        const uint32_t filter = static_cast<uint32_t>(events) | kPollErr | kPollHup;
        mask = FilePoll(f) & filter;
      }
    }
    const auto revents = static_cast<uint16_t>(mask);
    std::memcpy(e + 6, &revents, 2);
    if (mask != 0) {
      ++count;
    }
  }
  const int32_t timeout = t->scratch.pid;
  bool done = count != 0 || timeout >= 0;
  int64_t result = count;
  if (count == 0 && t->sigpending) {
    result = -model::kERESTARTNOHAND.value;
    done = true;
  }
  if (!done) {
    if (std::find(poll_sleepers_.begin(), poll_sleepers_.end(), t) == poll_sleepers_.end()) {
      poll_sleepers_.push_back(t);
    }
    Sleep(t, WaitKind::kPoll, false);
    return Sleeps();
  }
  std::erase(poll_sleepers_, t);
  for (size_t i = 0; i < t->scratch.len; ++i) {
    uint16_t revents = 0;
    std::memcpy(&revents, buf.data() + i * 8 + 6, 2);
    if (!PutUser(t, t->scratch.addr + i * 8 + 6, revents).ok()) {
      return Fail(model::kEFAULT, "do_sys_poll: put_user(revents) faulted");
    }
  }
  if (result == -model::kERESTARTNOHAND.value) {
    // poll(): set_restart_fn(do_restart_poll).
    t->restart_poll = true;
    t->restart_ufds = t->scratch.addr;
    t->restart_nfds = static_cast<uint32_t>(t->scratch.len);
    t->restart_timeout = timeout;
    return Fail(model::kERESTART_RESTARTBLOCK, "do_poll: interrupted by a signal");
  }
  return Value(result);
}

void Kernel::WakeAllPollers() {
  std::vector<Task*> sleepers = poll_sleepers_;
  for (Task* t : sleepers) {
    WakeUp(t);
  }
}

// Models kernel/signal.c restart_syscall(): run the saved restart function
// (do_restart_poll), or do_no_restart_syscall() -> EINTR.
Kernel::SysRet Kernel::SysRestartSyscall(Task* t) {
  if (!t->restart_poll) {
    return Fail(model::kEINTR, "restart_syscall: no restart block (do_no_restart_syscall)");
  }
  t->restart_poll = false;
  return DoSysPoll(t, t->restart_ufds, t->restart_nfds, t->restart_timeout);
}

// Models net/socket.c recvmsg() -> ___sys_recvmsg() on the runner channel
// (a unix stream socket: unix_stream_read_generic(), scm_detach_fds()).
Kernel::SysRet Kernel::SysRecvmsg(Task* t) {
  const auto fd = static_cast<int32_t>(t->regs.args[0]);
  const uint64_t msg = t->regs.args[1];
  auto flags = static_cast<uint32_t>(t->regs.args[2]);
  if ((flags & kMsgCmsgCompat) != 0) {
    return Fail(model::kEINVAL, "__sys_recvmsg: MSG_CMSG_COMPAT");
  }
  File* f = fd < 0 ? nullptr : FdGet(t, static_cast<uint32_t>(fd), false);
  if (f == nullptr) {
    return Fail(model::kEBADF, "__sys_recvmsg: fd is not open");
  }
  if (f->kind != FileKind::kChannel) {
    return Fail(model::kENOTSOCK, "sock_from_file: not a socket");
  }
  std::array<uint64_t, 7> hdr{};  // struct user_msghdr, 56 bytes
  if (!GetUser(t, msg, &hdr).ok()) {
    return Fail(model::kEFAULT, "copy_msghdr_from_user: faulted");
  }
  const auto namelen = static_cast<int32_t>(hdr[1]);
  if (namelen < 0) {
    return Fail(model::kEINVAL, "__copy_msghdr: negative msg_namelen");
  }
  const uint64_t iovlen = hdr[3];
  if (iovlen > kUioMaxiov) {
    return Fail(model::kEMSGSIZE, "import_iovec: msg_iovlen above UIO_MAXIOV");
  }
  std::vector<uint8_t> iov(static_cast<size_t>(iovlen) * 16);
  if (!model::CopyFromUser(t->proc->mem, &copies_, iov, hdr[2]).ok()) {
    return Fail(model::kEFAULT, "import_iovec: copy of the iovec array faulted");
  }
  for (size_t i = 0; i < iovlen; ++i) {
    int64_t len = 0;
    std::memcpy(&len, iov.data() + i * 16 + 8, 8);
    if (len < 0) {
      return Fail(model::kEINVAL, "import_iovec: iov_len above SSIZE_MAX");
    }
  }
  if ((f->f_flags & model::kONonblock) != 0) {
    flags |= kMsgDontwait;
  }
  FileGet(f);
  t->scratch.Reset();
  t->scratch.file = f;
  t->scratch.addr = msg;
  t->scratch.buf = std::move(iov);
  t->scratch.flags = flags;
  return ContinueRecvmsg(t);
}

Kernel::SysRet Kernel::ContinueRecvmsg(Task* t) {
  Channel* ch = t->scratch.file->channel;
  const uint32_t flags = t->scratch.flags;
  if (ch->queue.empty()) {
    if ((flags & kMsgDontwait) != 0) {
      ReleaseScratchFile(t);
      return Fail(model::kEAGAIN, "unix_stream_read_generic: no data and MSG_DONTWAIT");
    }
    AddWaitHead(&ch->readers, t);
    if (t->sigpending) {
      RemoveWait(t);
      ReleaseScratchFile(t);
      return Fail(model::kERESTARTSYS, "unix_stream_data_wait: interrupted by a signal");
    }
    Sleep(t, WaitKind::kRecvmsg, false);
    return Sleeps();
  }
  RemoveWait(t);
  const uint64_t msg = t->scratch.addr;
  std::array<uint64_t, 7> hdr{};
  (void)GetUser(t, msg, &hdr);
  // Copy the one data byte into the first non-empty iovec.
  const std::vector<uint8_t>& iov = t->scratch.buf;
  uint64_t dst = 0;
  for (size_t i = 0; i * 16 < iov.size(); ++i) {
    uint64_t base = 0;
    uint64_t len = 0;
    std::memcpy(&base, iov.data() + i * 16, 8);
    std::memcpy(&len, iov.data() + i * 16 + 8, 8);
    if (len > 0) {
      dst = base;
      break;
    }
  }
  if (iov.empty() || dst == 0) {
    // DIVERGES(kernel): a zero-length read takes nothing off the queue and returns 0.
    ReleaseScratchFile(t);
    return Value(0);
  }
  const uint8_t byte = 0;  // the runner's data byte (docs/execution.md leaves its value open)
  if (!PutUser(t, dst, byte).ok()) {
    ReleaseScratchFile(t);
    return Fail(model::kEFAULT, "unix_stream_read_actor: copy to the iovec faulted");
  }
  File* passed = ch->queue.front();
  ch->queue.erase(ch->queue.begin());
  // scm_recv() / scm_detach_fds()
  const uint64_t control = hdr[4];
  const uint64_t controllen = hdr[5];
  uint32_t msg_flags = flags & (kMsgCmsgCloexec | kMsgCmsgCompat);
  uint64_t consumed = 0;
  bool installed = false;
  if (control == 0) {
    msg_flags |= kMsgCtrunc;
  } else {
    const uint64_t fdmax = controllen <= 16 ? 0 : std::min<uint64_t>((controllen - 16) / 4, 1);
    if (fdmax >= 1) {
      auto nfd = AllocFd(t->proc);
      if (nfd.ok() && PutUser(t, control + 16, static_cast<int32_t>(nfd.value())).ok()) {
        FdInstall(t->proc, nfd.value(), passed, (flags & kMsgCmsgCloexec) != 0);
        installed = true;
        bool ok = PutUser(t, control + 8, static_cast<int32_t>(kSolSocket)).ok();
        if (ok) {
          ok = PutUser(t, control + 12, static_cast<int32_t>(kScmRights)).ok();
        }
        if (ok) {
          ok = PutUser(t, control, static_cast<uint64_t>(20)).ok();  // CMSG_LEN(sizeof(int))
        }
        if (ok) {
          consumed = std::min<uint64_t>(24, controllen);  // CMSG_SPACE(sizeof(int))
        }
        if (explain()) {
          Note("scm_detach_fds: tid " + std::to_string(t->tid) + " received " +
               DescribeFile(passed) + " as fd " + std::to_string(nfd.value()));
        }
      }
    }
    if (!installed) {
      msg_flags |= kMsgCtrunc;
    }
  }
  if (!installed) {
    FilePut(passed);
  }
  if (hdr[0] != 0 &&
      !PutUser(t, msg + 8, static_cast<int32_t>(0)).ok()) {  // move_addr_to_user(): no address
    ReleaseScratchFile(t);
    return Fail(model::kEFAULT, "move_addr_to_user: faulted");
  }
  if (!PutUser(t, msg + 48, msg_flags & ~kMsgCmsgCompat).ok() ||
      !PutUser(t, msg + 40, consumed).ok()) {
    ReleaseScratchFile(t);
    return Fail(model::kEFAULT, "____sys_recvmsg: writing msg_flags/msg_controllen faulted");
  }
  ReleaseScratchFile(t);
  return Value(1);
}

}  // namespace sclab::ksim
