// The path walk follows fs/namei.c: link_path_walk() checks search permission on every
// directory it passes (may_lookup(), before the component is looked up, including the
// parent of the last component), moves through all but the last component (ENOENT for
// a missing one, ENOTDIR when a non-directory is followed by more components), and
// leaves the last component and its type (normal, ".", "..", or the root itself) to the
// caller. Open then does what open_last_lookups() and do_open() do; mkdir what
// filename_create() and may_create() do. Mount points matter only for RESOLVE_NO_XDEV:
// "/dev" is a mount (devtmpfs), the rest is one file system. DIVERGES(kernel): a host
// may mount /tmp separately; the model assumes it does not.
#include "kernel_sim/vfs.h"

#include <utility>

#include "base/check.h"

namespace sclab::ksim {
namespace {

using model::Fail;
using model::SysResult;

enum class LastType : uint8_t { kNorm, kDot, kDotDot, kRoot };

// Walked is link_path_walk()'s result: the directory holding the last component.
struct Walked {
  Inode* dir = nullptr;
  std::string_view last;
  LastType type = LastType::kNorm;
  bool trailing_slash = false;
};

struct WalkScope {
  Inode* root = nullptr;  // nd->root: where "/" and ".." stop
  bool beneath = false;   // LOOKUP_BENEATH
  bool no_xdev = false;   // LOOKUP_NO_XDEV
};

// StepDotDot models follow_dotdot(): ".." of the scope's root is the root itself,
// except that RESOLVE_BENEATH refuses to leave it; leaving a mount root crosses a mount.
SysResult<Inode*> StepDotDot(Inode* cur, const WalkScope& scope) {
  if (cur == scope.root) {
    if (scope.beneath) {
      return Fail(model::kEXDEV, "follow_dotdot: RESOLVE_BENEATH at the root");
    }
    return cur;
  }
  if (scope.no_xdev && cur->mount_root) {
    return Fail(model::kEXDEV, "follow_dotdot: RESOLVE_NO_XDEV would leave a mount");
  }
  return cur->parent;
}

// StepInto models step_into() after a lookup: a negative entry is ENOENT; entering a
// mount root with RESOLVE_NO_XDEV is EXDEV (traverse_mounts()).
SysResult<Inode*> StepInto(Inode* dir, std::string_view name, const WalkScope& scope) {
  auto it = dir->children.find(name);
  if (it == dir->children.end()) {
    return Fail(model::kENOENT, "walk_component: no such entry");
  }
  Inode* child = it->second.get();
  if (scope.no_xdev && child->mount_root) {
    return Fail(model::kEXDEV, "traverse_mounts: RESOLVE_NO_XDEV would cross a mount");
  }
  return child;
}

// Models fs/namei.c link_path_walk() from `start` (already the root for an absolute path).
SysResult<Walked> LinkPathWalk(const Cred& cred, Inode* start, std::string_view path,
                               const WalkScope& scope) {
  size_t i = 0;
  while (i < path.size() && path[i] == '/') {
    ++i;
  }
  Walked w;
  w.dir = start;
  if (i == path.size()) {
    w.type = LastType::kRoot;
    return w;
  }
  Inode* cur = start;
  for (;;) {
    if (!Vfs::Permitted(cred, *cur, kMayExec)) {
      return Fail(model::kEACCES, "may_lookup: no search permission on a directory");
    }
    size_t end = i;
    while (end < path.size() && path[end] != '/') {
      ++end;
    }
    const std::string_view comp = path.substr(i, end - i);
    LastType type = LastType::kNorm;
    if (comp == ".") {
      type = LastType::kDot;
    }
    if (comp == "..") {
      type = LastType::kDotDot;
    }
    size_t next = end;
    while (next < path.size() && path[next] == '/') {
      ++next;
    }
    if (next == path.size()) {
      w.dir = cur;
      w.last = comp;
      w.type = type;
      w.trailing_slash = next != end;
      return w;
    }
    // walk_component() for a component that is not the last.
    if (type == LastType::kDotDot) {
      auto up = StepDotDot(cur, scope);
      if (!up.ok()) {
        return up.failure();
      }
      cur = up.value();
    } else if (type == LastType::kNorm) {
      auto child = StepInto(cur, comp, scope);
      if (!child.ok()) {
        return child.failure();
      }
      cur = child.value();
    }
    if (!cur->IsDir()) {
      return Fail(model::kENOTDIR, "link_path_walk: not a directory");
    }
    i = next;
  }
}

// LastInode resolves a walked last component that must exist (lookup_last()).
SysResult<Inode*> LastInode(const Walked& w, const WalkScope& scope) {
  switch (w.type) {
    case LastType::kRoot:
    case LastType::kDot:
      return w.dir;
    case LastType::kDotDot:
      return StepDotDot(w.dir, scope);
    case LastType::kNorm:
      return StepInto(w.dir, w.last, scope);
  }
  return w.dir;
}

WalkScope ScopeFor(Inode* fs_root, Inode* base, const model::OpenFlags& op) {
  WalkScope scope;
  scope.root =
      (op.resolve & (model::kResolveInRoot | model::kResolveBeneath)) != 0 ? base : fs_root;
  scope.beneath = (op.resolve & model::kResolveBeneath) != 0;
  scope.no_xdev = (op.resolve & model::kResolveNoXdev) != 0;
  return scope;
}

bool OwnerOrCapable(const Cred& cred, const Inode& inode) {
  return cred.all_caps || cred.uid == inode.uid;
}

// Models fs/namei.c may_open() for an existing inode.
SysResult<void> MayOpen(const Cred& cred, const Inode& inode, uint32_t acc_mode, uint32_t flag) {
  if (inode.IsDir()) {
    if ((acc_mode & static_cast<uint32_t>(kMayWrite)) != 0) {
      return Fail(model::kEISDIR, "may_open: a directory opened for writing");
    }
    if ((acc_mode & static_cast<uint32_t>(kMayExec)) != 0) {
      return Fail(model::kEACCES, "may_open: a directory opened for exec");
    }
  } else if ((inode.mode & kSIfmt) == kSIfchr) {
    if ((acc_mode & static_cast<uint32_t>(kMayExec)) != 0) {
      return Fail(model::kEACCES, "may_open: a device opened for exec");
    }
  }
  const int mask =
      static_cast<int>(acc_mode & static_cast<uint32_t>(kMayRead | kMayWrite | kMayExec));
  if (!Vfs::Permitted(cred, inode, mask)) {
    return Fail(model::kEACCES, "may_open: inode_permission refused");
  }
  if ((flag & model::kONoatime) != 0 && !OwnerOrCapable(cred, inode)) {
    return Fail(model::kEPERM, "may_open: O_NOATIME by neither owner nor CAP_FOWNER");
  }
  return model::Ok();
}

}  // namespace

Vfs::Vfs(std::string_view scratch_path) {
  root_ = std::make_unique<Inode>();
  root_->ino = next_ino_++;
  root_->mode = kSIfdir | 0755;
  root_->parent = root_.get();
  root_->mount_root = true;
  Inode* dev = MakeChild(root_.get(), "dev", kSIfdir | 0755, 0, 0);
  dev->mount_root = true;
  Inode* null_dev = MakeChild(dev, "null", kSIfchr | 0666, 0, 0);
  null_dev->dev = DevKind::kNull;
  Inode* zero_dev = MakeChild(dev, "zero", kSIfchr | 0666, 0, 0);
  zero_dev->dev = DevKind::kZero;
  // The scratch path's directories: "/tmp" (sticky, as on every distribution) and the
  // scratch directory itself, 0777 and owned by root.
  Inode* cur = root_.get();
  size_t i = 0;
  while (i < scratch_path.size()) {
    while (i < scratch_path.size() && scratch_path[i] == '/') {
      ++i;
    }
    size_t end = i;
    while (end < scratch_path.size() && scratch_path[end] != '/') {
      ++end;
    }
    if (end == i) {
      break;
    }
    std::string name(scratch_path.substr(i, end - i));
    auto it = cur->children.find(name);
    const bool last = scratch_path.find_first_not_of('/', end) == std::string_view::npos;
    if (it == cur->children.end()) {
      cur = MakeChild(cur, std::move(name),
                      kSIfdir | (last ? 0777u : (cur == root_.get() ? 01777u : 0755u)), 0, 0);
    } else {
      cur = it->second.get();
    }
    i = end;
  }
  SCLAB_CHECK(cur != root_.get(), "Vfs: the scratch path must name a directory below /");
  scratch_ = cur;
}

std::unique_ptr<Inode> Vfs::NewInode(uint32_t mode, uint32_t uid, uint32_t gid) {
  auto node = std::make_unique<Inode>();
  node->ino = next_ino_++;
  node->mode = mode;
  node->uid = uid;
  node->gid = gid;
  return node;
}

Inode* Vfs::MakeChild(Inode* dir, std::string name, uint32_t mode, uint32_t uid, uint32_t gid) {
  auto node = NewInode(mode, uid, gid);
  node->parent = dir;
  node->name = name;
  Inode* raw = node.get();
  dir->children.emplace(std::move(name), std::move(node));
  return raw;
}

Inode* Vfs::MakeUnlinked(uint32_t mode, uint32_t uid, uint32_t gid) {
  auto node = NewInode(mode, uid, gid);
  Inode* raw = node.get();
  unlinked_.push_back(std::move(node));
  return raw;
}

// Models fs/namei.c generic_permission() with capable_wrt_inode_uidgid().
bool Vfs::Permitted(const Cred& cred, const Inode& inode, int mask) {
  mask &= kMayRead | kMayWrite | kMayExec;
  uint32_t bits = inode.mode & 07;
  if (cred.uid == inode.uid) {
    bits = (inode.mode >> 6) & 07;
  } else if (cred.gid == inode.gid) {
    bits = (inode.mode >> 3) & 07;
  }
  if ((static_cast<uint32_t>(mask) & ~bits) == 0) {
    return true;
  }
  if (!cred.all_caps) {
    return false;
  }
  if (inode.IsDir()) {
    return true;  // CAP_DAC_READ_SEARCH / CAP_DAC_OVERRIDE
  }
  if ((mask & kMayExec) == 0 || (inode.mode & 0111) != 0) {
    return true;  // CAP_DAC_OVERRIDE
  }
  return false;
}

// Models fs/namei.c path_openat(): do_o_path(), do_tmpfile(), or link_path_walk() +
// open_last_lookups() + do_open(); checks in the kernel's order.
model::SysResult<OpenResolved> Vfs::Open(const Cred& cred, Inode* base, std::string_view path,
                                         const model::OpenFlags& op, uint32_t umask) {
  const WalkScope scope = ScopeFor(root_.get(), base, op);
  if (!path.empty() && path[0] == '/' && scope.beneath) {
    return Fail(model::kEXDEV, "path_init: absolute path with RESOLVE_BENEATH");
  }
  Inode* start = (!path.empty() && path[0] == '/') ? scope.root : base;
  auto walked = LinkPathWalk(cred, start, path, scope);
  if (!walked.ok()) {
    return walked.failure();
  }
  const Walked& w = walked.value();
  const uint32_t flag = op.open_flag;
  const bool want_dir = (flag & model::kODirectory) != 0;

  if ((flag & model::kOPath) != 0) {  // do_o_path(): path_lookupat(), no may_open()
    auto target = LastInode(w, scope);
    if (!target.ok()) {
      return target.failure();
    }
    if ((want_dir || w.trailing_slash) && !target.value()->IsDir()) {
      return Fail(model::kENOTDIR, "path_lookupat: O_PATH|O_DIRECTORY of a non-directory");
    }
    return OpenResolved{target.value(), false};
  }

  if ((flag & model::kOTmpfileBit) != 0) {  // do_tmpfile()
    auto target = LastInode(w, scope);
    if (!target.ok()) {
      return target.failure();
    }
    Inode* dir = target.value();
    if (!dir->IsDir()) {
      return Fail(model::kENOTDIR, "do_tmpfile: not a directory");
    }
    if (!Permitted(cred, *dir, kMayWrite | kMayExec)) {
      return Fail(model::kEACCES, "vfs_tmpfile: no write permission on the directory");
    }
    Inode* node = MakeUnlinked(kSIfreg | ((op.mode & 07777) & ~umask), cred.uid, cred.gid);
    return OpenResolved{node, true};
  }

  Inode* target = nullptr;
  bool created = false;
  bool lookup_directory = want_dir;
  if (w.type != LastType::kNorm) {  // handle_dots()
    auto dots = LastInode(w, scope);
    if (!dots.ok()) {
      return dots.failure();
    }
    target = dots.value();
  } else if ((flag & model::kOCreat) == 0) {
    if (w.trailing_slash) {
      lookup_directory = true;
    }
    auto found = StepInto(w.dir, w.last, scope);
    if (!found.ok()) {
      return found.failure();
    }
    target = found.value();
  } else {
    if (w.trailing_slash) {
      return Fail(model::kEISDIR, "open_last_lookups: O_CREAT with a trailing slash");
    }
    auto it = w.dir->children.find(w.last);
    if (it == w.dir->children.end()) {
      // lookup_open(): may_o_create() decides for a missing entry.
      if (!Permitted(cred, *w.dir, kMayWrite | kMayExec)) {
        return Fail(model::kEACCES, "may_o_create: no write permission on the directory");
      }
      target = MakeChild(w.dir, std::string(w.last), kSIfreg | ((op.mode & 07777) & ~umask),
                         cred.uid, cred.gid);
      created = true;
    } else {
      target = it->second.get();
      if (scope.no_xdev && target->mount_root) {
        return Fail(model::kEXDEV, "traverse_mounts: RESOLVE_NO_XDEV would cross a mount");
      }
    }
  }

  // do_open()
  if ((flag & model::kOCreat) != 0) {
    if ((flag & model::kOExcl) != 0 && !created) {
      return Fail(model::kEEXIST, "do_open: O_CREAT|O_EXCL and the entry exists");
    }
    if (target->IsDir()) {
      return Fail(model::kEISDIR, "do_open: O_CREAT on a directory");
    }
  }
  if (lookup_directory && !target->IsDir()) {
    return Fail(model::kENOTDIR, "do_open: O_DIRECTORY (or a trailing slash) on a non-directory");
  }
  uint32_t acc_mode = op.acc_mode;
  bool do_truncate = false;
  if (created) {
    acc_mode = 0;
  } else if (target->IsReg() && (flag & model::kOTrunc) != 0) {
    do_truncate = true;
  }
  auto may = MayOpen(cred, *target, acc_mode, flag);
  if (!may.ok()) {
    return may.failure();
  }
  if (do_truncate) {
    target->data.clear();
  }
  return OpenResolved{target, created};
}

// Models fs/namei.c do_mkdirat(): filename_create() (EEXIST for ".", "..", "/" and for
// an existing entry) then vfs_mkdir()'s may_create() (write and search permission).
model::SysResult<void> Vfs::Mkdir(const Cred& cred, Inode* base, std::string_view path,
                                  uint32_t mode, uint32_t umask) {
  WalkScope scope;
  scope.root = root_.get();
  Inode* start = (!path.empty() && path[0] == '/') ? root_.get() : base;
  auto walked = LinkPathWalk(cred, start, path, scope);
  if (!walked.ok()) {
    return walked.failure();
  }
  const Walked& w = walked.value();
  if (w.type != LastType::kNorm) {
    return Fail(model::kEEXIST, "filename_create: not a plain name");
  }
  if (w.dir->children.find(w.last) != w.dir->children.end()) {
    return Fail(model::kEEXIST, "filename_create: the entry exists");
  }
  if (!Permitted(cred, *w.dir, kMayWrite | kMayExec)) {
    return Fail(model::kEACCES, "may_create: no write permission on the directory");
  }
  MakeChild(w.dir, std::string(w.last), kSIfdir | (mode & 01777 & ~umask), cred.uid, cred.gid);
  return model::Ok();
}

std::string Vfs::PathOf(const Inode* inode) const {
  if (inode == root_.get()) {
    return "/";
  }
  if (inode->parent == nullptr) {
    return "";
  }
  std::string out;
  for (const Inode* cur = inode; cur != root_.get(); cur = cur->parent) {
    out.insert(0, "/" + cur->name);
  }
  return out;
}

}  // namespace sclab::ksim
