#include "live/scratch_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "scenarios/machine.h"

namespace sclab::live {
namespace {

constexpr int kMaxDepth = 64;  // $scratch paths are bounded by PATH_MAX

struct LinuxDirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[1];
};

bool IsDots(const char* name) {
  return name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
}

int OpenDir(int parent, const char* name) {
  int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == EACCES) {
    fchmodat(parent, name, 0700, 0);
    fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  }
  return fd;
}

// EmptyDir removes everything inside the open directory `dir`.
bool EmptyDir(int dir, int depth) {
  if (depth > kMaxDepth) {
    return false;
  }
  bool ok = true;
  alignas(8) char buf[2048];
  for (;;) {
    const long n = syscall(SYS_getdents64, dir, buf, sizeof buf);
    if (n <= 0) {
      if (n < 0) {
        ok = false;
      }
      break;
    }
    // Entries are unlinked as they are read; getdents64 keeps its position valid.
    for (long off = 0; off < n;) {
      const auto* entry = reinterpret_cast<const LinuxDirent64*>(buf + off);
      off += entry->d_reclen;
      if (IsDots(entry->d_name)) {
        continue;
      }
      if (unlinkat(dir, entry->d_name, 0) == 0) {
        continue;
      }
      if (errno != EISDIR && errno != EPERM) {
        ok = false;
        continue;
      }
      const int child = OpenDir(dir, entry->d_name);
      if (child < 0) {
        ok = false;
        continue;
      }
      ok = EmptyDir(child, depth + 1) && ok;
      close(child);
      if (unlinkat(dir, entry->d_name, AT_REMOVEDIR) != 0) {
        ok = false;
      }
    }
  }
  return ok;
}

}  // namespace

std::string MakeScratchDir() {
  char path[] = "/tmp/sclab-XXXXXX";
  if (mkdtemp(path) == nullptr) {
    throw scn::MachineError(std::string("live: mkdtemp(/tmp/sclab-XXXXXX): ") +
                            std::strerror(errno));
  }
  if (chmod(path, 0777) != 0) {
    const int err = errno;
    rmdir(path);
    throw scn::MachineError(std::string("live: chmod($scratch): ") + std::strerror(err));
  }
  return path;
}

bool RemoveTree(const char* path) {
  const int dir = OpenDir(AT_FDCWD, path);
  if (dir < 0) {
    return errno == ENOENT;
  }
  bool ok = EmptyDir(dir, 0);
  close(dir);
  if (rmdir(path) != 0) {
    ok = false;
  }
  return ok;
}

}  // namespace sclab::live
