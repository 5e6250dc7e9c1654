// File is one open file description (the kernel's struct file): what it refers to,
// its f_flags and f_mode, its position and its reference count (f_count). FdTable is
// one process's descriptor table (struct files_struct, shared by the threads of a
// process because every simulated thread is created with CLONE_FILES).
//
// Files are reference-counted by hand, as the kernel does with get_file()/fput(): the
// Kernel owns the release (Kernel::FilePut), because releasing a seccomp listener
// changes kernel state (seccomp_notify_release).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sclab::ksim {

struct Inode;
struct Filter;
struct Task;

// FileKind is what a File refers to.
enum class FileKind : uint8_t {
  kDevNull,    // /dev/null (drivers/char/mem.c null_fops)
  kDevZero,    // /dev/zero (zero_fops)
  kDirectory,  // a directory of the tiny VFS
  kRegular,    // a regular file under $scratch
  kListener,   // anon_inode:seccomp notify
  kChannel,    // a process's runner channel: one end of a unix socket
  kPidfd,      // anon_inode:[pidfd], handed out by a proposal's receive (proposal_hooks.h)
};

// f_mode bits (include/linux/fs.h FMODE_*), as far as the model needs them.
inline constexpr uint8_t kFmodeRead = 0x1;
inline constexpr uint8_t kFmodeWrite = 0x2;
inline constexpr uint8_t kFmodePath = 0x4;       // FMODE_PATH: an O_PATH descriptor
inline constexpr uint8_t kFmodeCanRead = 0x8;    // the file has a read op
inline constexpr uint8_t kFmodeCanWrite = 0x10;  // the file has a write op

// WaitQueue is a wait_queue_head_t: tasks sleeping on it, in list order. The Kernel
// adds non-exclusive waiters at the head, as __add_wait_queue() does.
struct WaitQueue {
  Task* head = nullptr;
  Task* tail = nullptr;
  bool empty() const { return head == nullptr; }
};

// Channel is the receive queue of a process's runner channel (a unix socket): each
// message is one data byte carrying one SCM_RIGHTS file.
struct Channel {
  std::vector<struct File*> queue;  // FIFO; short, so popping the front is cheap
  WaitQueue readers;                // recvmsg sleepers
};

struct File {
  uint64_t id = 0;  // creation order, for dumps only
  FileKind kind = FileKind::kDevNull;
  uint8_t f_mode = 0;
  uint32_t f_flags = 0;  // O_* as kept in file->f_flags (O_CLOEXEC is a descriptor flag)
  uint32_t refs = 1;     // f_count
  uint64_t pos = 0;
  Inode* inode = nullptr;      // VFS files
  Filter* filter = nullptr;    // kListener: file->private_data
  Channel* channel = nullptr;  // kChannel (owned)
  int32_t pidfd_pid = 0;       // kPidfd: the process it refers to
};

// FdTable maps descriptor numbers to files, sorted by number so that the lowest free
// number (alloc_fd() in fs/file.c) is one pass, and memory stays proportional to the
// number of open descriptors rather than to RLIMIT_NOFILE.
class FdTable {
 public:
  struct Slot {
    int fd;
    File* file;
    bool cloexec;  // FD_CLOEXEC
  };

  File* Get(int fd) const {
    // Descriptors 0..n-1 open without holes (the common case) sit at their own index;
    // a hit there is the answer the binary search would give, as numbers are unique.
    const auto index = static_cast<size_t>(fd);
    if (fd >= 0 && index < slots_.size() && slots_[index].fd == fd) {
      return slots_[index].file;
    }
    const Slot* slot = Find(fd);
    return slot != nullptr ? slot->file : nullptr;
  }
  const Slot* Find(int fd) const;
  Slot* Find(int fd);
  // LowestFree is the lowest number in [0, limit) that is not open, or -1.
  int LowestFree(int limit) const;
  // Install puts `file` at a free `fd` (the caller's reference moves into the table).
  void Install(int fd, File* file, bool cloexec);
  // Replace installs `file` at `fd` and returns what was open there (or nullptr).
  File* Replace(int fd, File* file, bool cloexec);
  // Remove takes the file out of the table and returns it (or nullptr).
  File* Remove(int fd);
  const std::vector<Slot>& slots() const { return slots_; }
  bool empty() const { return slots_.empty(); }

 private:
  std::vector<Slot> slots_;
};

}  // namespace sclab::ksim
