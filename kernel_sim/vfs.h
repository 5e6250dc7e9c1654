// Vfs is the simulated kernel's tiny file system: "/", "/dev" with null and zero,
// "/tmp" and the per-run scratch directory under it (mode 0777, owned by root), and
// whatever the scenario creates under $scratch. It models the parts of the path walk
// (fs/namei.c link_path_walk(), open_last_lookups(), do_open(), may_open(),
// filename_create()) and of permission checking (generic_permission()) that the
// runner's allowed paths can reach, with the kernel's errnos in the kernel's order.
//
// Paths the runner refuses (docs/execution.md §6) still resolve here, but only inside
// this tree: anything else is ENOENT. DIVERGES(kernel): the host's other files do not
// exist in the simulation; the runner never lets a scenario name them.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/open_how.h"
#include "model/sys_result.h"

namespace sclab::ksim {

// File type bits (include/uapi/linux/stat.h).
inline constexpr uint32_t kSIfmt = 0170000, kSIfdir = 0040000, kSIfreg = 0100000, kSIfchr = 0020000;

// Cred is what permission checks look at: fsuid/fsgid and whether the task holds
// every capability (a `privileged` process is root with all capabilities).
struct Cred {
  uint32_t uid = 0;
  uint32_t gid = 0;
  bool all_caps = false;
};

// DevKind says which character device an S_IFCHR inode is.
enum class DevKind : uint8_t { kNone, kNull, kZero };

struct Inode {
  uint64_t ino = 0;
  uint32_t mode = 0;  // S_IFMT bits | permission bits
  uint32_t uid = 0;
  uint32_t gid = 0;
  DevKind dev = DevKind::kNone;
  bool mount_root = false;  // the root of a mount (for RESOLVE_NO_XDEV)
  Inode* parent = nullptr;  // ".." (the root's parent is itself)
  std::string name;         // its name in the parent
  std::map<std::string, std::unique_ptr<Inode>, std::less<>> children;  // directories
  std::string data;  // regular files: the content

  bool IsDir() const { return (mode & kSIfmt) == kSIfdir; }
  bool IsReg() const { return (mode & kSIfmt) == kSIfreg; }
};

// May* are the permission mask bits of include/linux/fs.h.
inline constexpr int kMayExec = 0x1, kMayWrite = 0x2, kMayRead = 0x4;

// OpenResolved is what a successful open walk found: the inode, and whether this
// open created it (FMODE_CREATED).
struct OpenResolved {
  Inode* inode = nullptr;
  bool created = false;
};

class Vfs {
 public:
  // The scratch path is absolute, e.g. "/tmp/sclab-000000"; its directories are made.
  explicit Vfs(std::string_view scratch_path);

  Inode* Root() const { return root_.get(); }
  Inode* Scratch() const { return scratch_; }

  // Models fs/namei.c path_openat() for an already validated open (op from
  // model::BuildOpenFlags): the walk from `base` (the directory a relative path
  // starts at) or `root_dir` (for absolute paths; RESOLVE_IN_ROOT passes base), the
  // create-side checks, do_open() and may_open(). `path` is non-empty.
  [[nodiscard]] model::SysResult<OpenResolved> Open(const Cred& cred, Inode* base,
                                                    std::string_view path,
                                                    const model::OpenFlags& op, uint32_t umask);

  // Models fs/namei.c do_mkdirat() after getname(): filename_create() then
  // vfs_mkdir()'s may_create().
  [[nodiscard]] model::SysResult<void> Mkdir(const Cred& cred, Inode* base, std::string_view path,
                                             uint32_t mode, uint32_t umask);

  // Models fs/namei.c generic_permission() (with capable_wrt_inode_uidgid() for a
  // task holding every capability).
  static bool Permitted(const Cred& cred, const Inode& inode, int mask);

  // PathOf is the absolute path of a linked inode ("" for an unlinked O_TMPFILE).
  std::string PathOf(const Inode* inode) const;

  uint64_t inode_count() const { return next_ino_ - 1; }

 private:
  std::unique_ptr<Inode> NewInode(uint32_t mode, uint32_t uid, uint32_t gid);
  Inode* MakeChild(Inode* dir, std::string name, uint32_t mode, uint32_t uid, uint32_t gid);
  Inode* MakeUnlinked(uint32_t mode, uint32_t uid, uint32_t gid);

  std::unique_ptr<Inode> root_;
  Inode* scratch_ = nullptr;
  std::vector<std::unique_ptr<Inode>> unlinked_;  // O_TMPFILE inodes
  uint64_t next_ino_ = 1;
};

}  // namespace sclab::ksim
